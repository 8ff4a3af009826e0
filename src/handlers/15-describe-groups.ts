// DescribeGroups (key 15), v0-6: state, protocol and members of each group; a group that does
// not exist is described as Dead, from v6 with GROUP_ID_NOT_FOUND and a message (KIP-1043).
// Member metadata and assignments are shown once the group is Stable. v3+ may ask for the
// authorized operations (all group operations: no authorizer).
import { DescribeGroupsRequest } from '../protocol/generated/describe-groups-request.js';
import { DescribeGroupsResponse } from '../protocol/generated/describe-groups-response.js';
import { defineHandler } from './handler.js';
import { authorized, authorizedOperations, GROUP_OPERATIONS, Op, Resource } from './authorize.js';
import { ErrorCode } from '../protocol/errors.js';

export default defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: 15,
  minVersion: 0,
  maxVersion: 6,
  request: DescribeGroupsRequest,
  response: DescribeGroupsResponse,
  handle(ctx, req) {
    const withOps = ctx.apiVersion >= 3 && (req.includeAuthorizedOperations ?? false);
    const groups = ctx.broker.groups.describeGroups(req.groups, withOps, ctx.apiVersion >= 6);
    if (!ctx.broker.authorizer) return { throttleTimeMs: 0, groups };
    // DESCRIBE on each group (Kafka's groupError for the others); authorized operations from the ACLs.
    return {
      throttleTimeMs: 0,
      groups: groups.map((g) =>
        !authorized(ctx, Op.DESCRIBE, Resource.GROUP, g.groupId)
          ? { ...g, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 }
          : withOps ? { ...g, authorizedOperations: authorizedOperations(ctx, Resource.GROUP, g.groupId, GROUP_OPERATIONS) } : g,
      ),
    };
  },
});
