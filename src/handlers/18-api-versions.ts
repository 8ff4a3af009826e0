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
import { defineHandler } from './handler.js';
import { apiVersionsFeatures } from '../metadata/features.js';

const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export default defineHandler<ApiVersionsRequest, ApiVersionsResponse>({
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
    if (ctx.apiVersion >= 5) {
      const clusterId = req.clusterId ?? null;
      const nodeId = req.nodeId ?? -1;
      if ((clusterId === null) !== (nodeId === -1)) return error(ErrorCode.INVALID_REQUEST);
      if (clusterId !== null && (clusterId !== ctx.broker.clusterId || nodeId !== ctx.broker.nodeId)) return error(ErrorCode.REBOOTSTRAP_REQUIRED);
    }
    return {
      errorCode: ErrorCode.NONE,
      apiKeys: advertisedVersions(ctx.apis, ctx),
      throttleTimeMs: 0,
      // v3+: supported features and finalized levels, from the metadata image.
      ...apiVersionsFeatures(ctx.broker.image, ctx.apiVersion),
    };
  },
});
