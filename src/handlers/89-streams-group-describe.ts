// StreamsGroupDescribe (key 89), v0-1 (KIP-1071): a streams group's state, epochs, topology and
// members with their current and target tasks (what kafka-streams-groups --describe prints). v1 adds
// the assignor's name and the topology description status (0, NOT_REQUESTED, or 1, NOT_STORED: this
// broker has no topology description plugin).
import { StreamsGroupDescribeRequest } from '../protocol/generated/streams-group-describe-request.js';
import { StreamsGroupDescribeResponse } from '../protocol/generated/streams-group-describe-response.js';
import { defineHandler } from './handler.js';
import { authorized, authorizedOperations, GROUP_OPERATIONS, groupDenied, Op, Resource } from './authorize.js';

export default defineHandler<StreamsGroupDescribeRequest, StreamsGroupDescribeResponse>({
  apiKey: 89,
  minVersion: 0,
  maxVersion: 1,
  request: StreamsGroupDescribeRequest,
  response: StreamsGroupDescribeResponse,
  handle(ctx, req) {
    // Kafka's KafkaApis: DESCRIBE on each group, and on every topic its topology names.
    const allowed = req.groupIds.filter((g) => !groupDenied(ctx, Op.DESCRIBE, g));
    const byId = new Map((allowed.length > 0 ? ctx.broker.groups.streams.describe(allowed, req.includeAuthorizedOperations) : []).map((g) => [g.groupId, g]));
    const groups = req.groupIds.map((groupId): StreamsGroupDescribeResponse['groups'][number] => {
      const g = byId.get(groupId);
      if (!g) return { errorCode: 30, errorMessage: null, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, topology: null, members: [], authorizedOperations: -2147483648 };
      if (!ctx.broker.authorizer || g.errorCode !== 0) return g;
      const topics = (g.topology?.subtopologies ?? []).flatMap((s) => [...s.sourceTopics, ...s.repartitionSinkTopics, ...s.stateChangelogTopics.map((t) => t.name), ...s.repartitionSourceTopics.map((t) => t.name)]);
      if (topics.some((t) => !authorized(ctx, Op.DESCRIBE, Resource.TOPIC, t))) {
        return { ...g, errorCode: 29, errorMessage: 'The described group uses topics that the client is not authorized to describe.', topology: null, members: [] };
      }
      return req.includeAuthorizedOperations ? { ...g, authorizedOperations: authorizedOperations(ctx, Resource.GROUP, groupId, GROUP_OPERATIONS) } : g;
    });
    if (req.includeTopologyDescription) for (const g of groups) if (g.errorCode === 0) g.topologyDescriptionStatus = 1;
    return { throttleTimeMs: 0, groups };
  },
});
