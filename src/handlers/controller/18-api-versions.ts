// ApiVersions (key 18), v0-5, on the controller listener: the controller registry's ranges (Kafka's
// controller advertises its own API set, not the broker's), with the same checks as the broker's
// listener (v3+ software name and version; v5 cluster and node, KIP-1242) and, v3+, the features.
import { ApiVersionsRequest } from '../../protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../../protocol/generated/api-versions-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { advertisedVersions } from '../../network/api.js';
import { defineHandler } from '../handler.js';
import type { ControllerRequestContext } from './context.js';

const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export default defineHandler<ApiVersionsRequest, ApiVersionsResponse, ControllerRequestContext>({
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
      if (clusterId !== null && (clusterId !== ctx.raft.clusterId || nodeId !== ctx.raft.nodeId)) return error(ErrorCode.REBOOTSTRAP_REQUIRED);
    }
    return { errorCode: ErrorCode.NONE, apiKeys: advertisedVersions(ctx.apis, ctx), throttleTimeMs: 0, ...ctx.apiVersionsFeatures(ctx.apiVersion) };
  },
});
