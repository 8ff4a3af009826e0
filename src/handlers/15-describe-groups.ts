// DescribeGroups (key 15), v0-6: state, protocol and members of each group; a group that does
// not exist is described as Dead, from v6 with GROUP_ID_NOT_FOUND and a message (KIP-1043).
// Member metadata and assignments are shown once the group is Stable. v3+ may ask for the
// authorized operations (all group operations: no authorizer).
import { DescribeGroupsRequest } from '../protocol/generated/describe-groups-request.js';
import { DescribeGroupsResponse } from '../protocol/generated/describe-groups-response.js';
import { defineHandler } from './handler.js';

export default defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: 15,
  minVersion: 0,
  maxVersion: 6,
  request: DescribeGroupsRequest,
  response: DescribeGroupsResponse,
  handle(ctx, req) {
    const withOps = ctx.apiVersion >= 3 && (req.includeAuthorizedOperations ?? false);
    return { throttleTimeMs: 0, groups: ctx.broker.groups.describeGroups(req.groups, withOps, ctx.apiVersion >= 6) };
  },
});
