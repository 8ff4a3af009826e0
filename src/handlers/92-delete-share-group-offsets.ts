// DeleteShareGroupOffsets (key 92), v0 (KIP-932): deletes the share-partition state of topics of an
// Empty share group (NON_EMPTY_GROUP otherwise, GROUP_ID_NOT_FOUND when there is no such group).
import { DeleteShareGroupOffsetsRequest } from '../protocol/generated/delete-share-group-offsets-request.js';
import { DeleteShareGroupOffsetsResponse } from '../protocol/generated/delete-share-group-offsets-response.js';
import { defineHandler } from './handler.js';

export default defineHandler<DeleteShareGroupOffsetsRequest, DeleteShareGroupOffsetsResponse>({
  apiKey: 92,
  minVersion: 0,
  maxVersion: 0,
  request: DeleteShareGroupOffsetsRequest,
  response: DeleteShareGroupOffsetsResponse,
  handle(ctx, req) {
    return ctx.broker.groups.shareGroups.deleteOffsets(req);
  },
});
