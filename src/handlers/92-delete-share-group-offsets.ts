// DeleteShareGroupOffsets (key 92), v0 (KIP-932): deletes the share-partition state of topics of an
// Empty share group (NON_EMPTY_GROUP otherwise, GROUP_ID_NOT_FOUND when there is no such group).
import { ErrorCode } from '../protocol/errors.js';
import { DeleteShareGroupOffsetsRequest } from '../protocol/generated/delete-share-group-offsets-request.js';
import { DeleteShareGroupOffsetsResponse } from '../protocol/generated/delete-share-group-offsets-response.js';
import { defineHandler } from './handler.js';
import { shareGroupsEnabled, UNSUPPORTED_VERSION_MESSAGE } from './share-groups-enabled.js';

export default defineHandler<DeleteShareGroupOffsetsRequest, DeleteShareGroupOffsetsResponse>({
  apiKey: 92,
  minVersion: 0,
  maxVersion: 0,
  request: DeleteShareGroupOffsetsRequest,
  response: DeleteShareGroupOffsetsResponse,
  handle(ctx, req) {
    if (!shareGroupsEnabled(ctx)) return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: UNSUPPORTED_VERSION_MESSAGE, responses: [] };
    return ctx.broker.groups.shareGroups.deleteOffsets(req);
  },
});
