// ShareGroupDescribe (key 77), v1 (KIP-932): state, epochs, assignor and members of share groups;
// GROUP_ID_NOT_FOUND for a group that does not exist or is not a share group.
import { ShareGroupDescribeRequest } from '../protocol/generated/share-group-describe-request.js';
import { ShareGroupDescribeResponse } from '../protocol/generated/share-group-describe-response.js';
import { defineHandler } from './handler.js';

export default defineHandler<ShareGroupDescribeRequest, ShareGroupDescribeResponse>({
  apiKey: 77,
  minVersion: 1,
  maxVersion: 1,
  request: ShareGroupDescribeRequest,
  response: ShareGroupDescribeResponse,
  async handle(ctx, req) {
    return { throttleTimeMs: 0, groups: await ctx.broker.groups.shareGroups.describe(req.groupIds, req.includeAuthorizedOperations) };
  },
});
