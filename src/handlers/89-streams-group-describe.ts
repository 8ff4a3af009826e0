// StreamsGroupDescribe (key 89), v0-1 (KIP-1071): a streams group's state, epochs, topology and
// members with their current and target tasks (what kafka-streams-groups --describe prints). v1 adds
// the assignor's name and the topology description status (0, NOT_REQUESTED, or 1, NOT_STORED: this
// broker has no topology description plugin).
import { StreamsGroupDescribeRequest } from '../protocol/generated/streams-group-describe-request.js';
import { StreamsGroupDescribeResponse } from '../protocol/generated/streams-group-describe-response.js';
import { defineHandler } from './handler.js';

export default defineHandler<StreamsGroupDescribeRequest, StreamsGroupDescribeResponse>({
  apiKey: 89,
  minVersion: 0,
  maxVersion: 1,
  request: StreamsGroupDescribeRequest,
  response: StreamsGroupDescribeResponse,
  handle(ctx, req) {
    const groups = ctx.broker.groups.streams.describe(req.groupIds, req.includeAuthorizedOperations);
    if (req.includeTopologyDescription) for (const g of groups) if (g.errorCode === 0) g.topologyDescriptionStatus = 1;
    return { throttleTimeMs: 0, groups };
  },
});
