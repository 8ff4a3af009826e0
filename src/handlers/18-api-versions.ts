// ApiVersions (key 18), v0-4. Advertises exactly the registry's ranges; an unsupported version
// is answered with v0 and UNSUPPORTED_VERSION by the connection itself. v3+ validates the
// client software name and version as Kafka does (INVALID_REQUEST) and reports feature levels.
import { ApiVersionsRequest } from '../protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../protocol/generated/api-versions-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';
import { apiVersionsRanges } from './registry.js';
import { apiVersionsFeatures } from '../metadata/features.js';

const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export default defineHandler<ApiVersionsRequest, ApiVersionsResponse>({
  apiKey: 18,
  minVersion: 0,
  maxVersion: 4,
  request: ApiVersionsRequest,
  response: ApiVersionsResponse,
  handle(ctx, req) {
    const valid =
      ctx.apiVersion < 3 ||
      (SOFTWARE.test(req.clientSoftwareName ?? '') && SOFTWARE.test(req.clientSoftwareVersion ?? ''));
    return {
      errorCode: valid ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST,
      apiKeys: apiVersionsRanges(ctx.broker),
      throttleTimeMs: 0,
      // v3+: supported features and finalized levels, from the metadata image.
      ...apiVersionsFeatures(ctx.broker.metadata.image),
    };
  },
});
