// ShareGroupDescribe (key 77), v1 (KIP-932): state, epochs, assignor and members of share groups;
// GROUP_ID_NOT_FOUND for a group that does not exist or is not a share group.
import { ErrorCode } from '../protocol/errors.js';
import { ShareGroupDescribeRequest } from '../protocol/generated/share-group-describe-request.js';
import { ShareGroupDescribeResponse } from '../protocol/generated/share-group-describe-response.js';
import { defineHandler } from './handler.js';
import { shareGroupsEnabled, UNSUPPORTED_VERSION_MESSAGE } from './share-groups-enabled.js';
import { authorizedOperations, GROUP_OPERATIONS, groupDenied, Op, Resource, topicIdAuthorized } from './authorize.js';

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
    // Kafka's KafkaApis: DESCRIBE on each group, and on every topic its members are assigned.
    const allowed = req.groupIds.filter((g) => !groupDenied(ctx, Op.DESCRIBE, g));
    const described = allowed.length > 0 ? await ctx.broker.groups.shareGroups.describe(allowed, req.includeAuthorizedOperations) : [];
    const byId = new Map(described.map((g) => [g.groupId, g]));
    const groups = req.groupIds.map((groupId) => {
      const g = byId.get(groupId);
      if (!g) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: -2147483648 };
      if (!ctx.broker.authorizer || g.errorCode !== ErrorCode.NONE) return g;
      const topicIds = g.members.flatMap((m) => m.assignment.topicPartitions.map((tp) => tp.topicId));
      if (topicIds.some((id) => !topicIdAuthorized(ctx, Op.DESCRIBE, id))) {
        return { ...g, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'The group has described topic(s) that the client is not authorized to describe.', members: [] };
      }
      return req.includeAuthorizedOperations ? { ...g, authorizedOperations: authorizedOperations(ctx, Resource.GROUP, groupId, GROUP_OPERATIONS) } : g;
    });
    return { throttleTimeMs: 0, groups };
  },
});
