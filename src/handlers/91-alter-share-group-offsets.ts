// AlterShareGroupOffsets (key 91), v0 (KIP-932): sets the start offset of share partitions of an
// Empty share group (NON_EMPTY_GROUP otherwise); the group is created when it does not exist.
import { ErrorCode } from '../protocol/errors.js';
import { AlterShareGroupOffsetsRequest } from '../protocol/generated/alter-share-group-offsets-request.js';
import { AlterShareGroupOffsetsResponse } from '../protocol/generated/alter-share-group-offsets-response.js';
import { defineHandler } from './handler.js';
import { shareGroupsEnabled, UNSUPPORTED_VERSION_MESSAGE } from './share-groups-enabled.js';

export default defineHandler<AlterShareGroupOffsetsRequest, AlterShareGroupOffsetsResponse>({
  apiKey: 91,
  minVersion: 0,
  maxVersion: 0,
  request: AlterShareGroupOffsetsRequest,
  response: AlterShareGroupOffsetsResponse,
  handle(ctx, req) {
    if (!shareGroupsEnabled(ctx)) return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: UNSUPPORTED_VERSION_MESSAGE, responses: [] };
    return ctx.broker.groups.shareGroups.alterOffsets(req);
  },
});
