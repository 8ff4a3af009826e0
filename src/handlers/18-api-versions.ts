// ApiVersions (key 18), v0-5. Advertises exactly the ranges of the listener's registry; an
// unsupported version is answered with v0, UNSUPPORTED_VERSION and those ranges. v3+ validates the
// client software name and version as Kafka does and reports feature levels (before v4 without
// the features whose range starts at 0, KAFKA-17011). v5 (KIP-1242) may name the cluster and node
// the client means to reach: naming one without the other is INVALID_REQUEST, naming another
// cluster or node REBOOTSTRAP_REQUIRED. Kafka answers both errors, like an invalid software
// name, with nothing else: no API ranges, no features.
import { ApiVersionsRequest } from '../protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../protocol/generated/api-versions-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { advertisedVersions } from '../network/api.js';
import { defineHandler, type Handler, type RequestContext, type RequestInfo } from './handler.js';
import { apiVersionsFeatures } from '../metadata/features.js';

const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

/** What ApiVersions reports of the node a listener belongs to. */
export interface ApiVersionsNode {
  readonly clusterId: string;
  readonly nodeId: number;
  /** The metadata image the finalized feature levels come from. */
  readonly image: { offset: number; features: { finalized: ReadonlyMap<string, number> } };
}

/** ApiVersions for any listener: a controller listener's registry makes its own with its context's node. */
export function apiVersionsHandler<Ctx extends RequestInfo>(node: (ctx: Ctx) => ApiVersionsNode): Handler<ApiVersionsRequest, ApiVersionsResponse, Ctx> {
  return defineHandler<ApiVersionsRequest, ApiVersionsResponse, Ctx>({
    apiKey: 18,
    minVersion: 0,
    maxVersion: 5,
    request: ApiVersionsRequest,
    response: ApiVersionsResponse,
    unsupportedVersion: (ctx) => ({ errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: advertisedVersions(ctx.apis, ctx), throttleTimeMs: 0 }),
    handle(ctx, req) {
      const error = (errorCode: number): ApiVersionsResponse => ({ errorCode, apiKeys: [], throttleTimeMs: 0 });
      if (ctx.apiVersion >= 3 && !(SOFTWARE.test(req.clientSoftwareName ?? '') && SOFTWARE.test(req.clientSoftwareVersion ?? ''))) {
        return error(ErrorCode.INVALID_REQUEST);
      }
      const self = node(ctx);
      if (ctx.apiVersion >= 5) {
        const clusterId = req.clusterId ?? null;
        const nodeId = req.nodeId ?? -1;
        if ((clusterId === null) !== (nodeId === -1)) return error(ErrorCode.INVALID_REQUEST);
        if (clusterId !== null && (clusterId !== self.clusterId || nodeId !== self.nodeId)) return error(ErrorCode.REBOOTSTRAP_REQUIRED);
      }
      return {
        errorCode: ErrorCode.NONE,
        apiKeys: advertisedVersions(ctx.apis, ctx),
        throttleTimeMs: 0,
        // v3+: supported features and finalized levels, from the metadata image.
        ...apiVersionsFeatures(self.image, ctx.apiVersion),
      };
    },
  });
}

export default apiVersionsHandler<RequestContext>((ctx) => ctx.broker);
