// StreamsGroupHeartbeat (key 88), v0-1 (KIP-1071): a Kafka Streams member joins with its topology,
// reports the tasks it owns and receives its active, standby and warm-up tasks, the group's status
// (missing source or internal topics, a stale topology, a delayed assignment...) and the partitions
// behind every user endpoint. v1 carries the acceptable recovery lag as int64 and may report
// MISSING_CLIENT_TAGS.
import { StreamsGroupHeartbeatRequest } from '../protocol/generated/streams-group-heartbeat-request.js';
import { StreamsGroupHeartbeatResponse } from '../protocol/generated/streams-group-heartbeat-response.js';
import { clientHostOf } from '../coordinator/group/client-host.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';
import { ErrorCode } from '../protocol/errors.js';

export default defineHandler<StreamsGroupHeartbeatRequest, StreamsGroupHeartbeatResponse>({
  apiKey: 88,
  minVersion: 0,
  maxVersion: 1,
  request: StreamsGroupHeartbeatRequest,
  response: StreamsGroupHeartbeatResponse,
  handle(ctx, req) {
    if (!authorized(ctx, Op.READ, Resource.GROUP, req.groupId)) {
      return {
        throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, taskOffsetIntervalMs: 0,
        status: null, activeTasks: null, standbyTasks: null, warmupTasks: null, endpointInformationEpoch: 0, partitionsByUserEndpoint: null,
      };
    }
    // Kafka's KafkaApis: DESCRIBE on every topic the topology names (source, repartition, changelog).
    const named = (req.topology?.subtopologies ?? []).flatMap((s) => [...s.sourceTopics, ...s.repartitionSinkTopics, ...s.repartitionSourceTopics.map((x) => x.name), ...s.stateChangelogTopics.map((x) => x.name)]);
    if (named.some((topic) => !authorized(ctx, Op.DESCRIBE, Resource.TOPIC, topic))) {
      return {
        throttleTimeMs: 0, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, taskOffsetIntervalMs: 0,
        status: null, activeTasks: null, standbyTasks: null, warmupTasks: null, endpointInformationEpoch: 0, partitionsByUserEndpoint: null,
      };
    }
    return ctx.broker.groups.streams.heartbeat(req, { clientId: ctx.clientId ?? '', clientHost: clientHostOf(ctx.peer), apiVersion: ctx.apiVersion });
  },
});
