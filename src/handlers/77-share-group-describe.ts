// ShareGroupDescribe (key 77), v1 (KIP-932): state, epochs, assignor and members of share groups;
// GROUP_ID_NOT_FOUND for a group that does not exist or is not a share group.
import { ErrorCode } from '../protocol/errors.js';
import { ShareGroupDescribeRequest } from '../protocol/generated/share-group-describe-request.js';
import { ShareGroupDescribeResponse } from '../protocol/generated/share-group-describe-response.js';
import { defineHandler } from './handler.js';
import { shareGroupsEnabled, UNSUPPORTED_VERSION_MESSAGE } from './share-groups-enabled.js';

export default defineHandler<ShareGroupDescribeRequest, ShareGroupDescribeResponse>({
  apiKey: 77,
  minVersion: 1,
  maxVersion: 1,
  request: ShareGroupDescribeRequest,
  response: ShareGroupDescribeResponse,
  async handle(ctx, req) {
    if (!shareGroupsEnabled(ctx)) {
      const groups = req.groupIds.map((groupId) => ({ errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: UNSUPPORTED_VERSION_MESSAGE, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: -2147483648 }));
      return { throttleTimeMs: 0, groups };
    }
    return { throttleTimeMs: 0, groups: await ctx.broker.groups.shareGroups.describe(req.groupIds, req.includeAuthorizedOperations) };
  },
});
