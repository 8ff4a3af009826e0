// ConsumerGroupHeartbeat (key 68), v0-1: the KIP-848 consumer group protocol. A member joins with
// epoch 0, heartbeats with its epoch (reporting owned partitions when they change), leaves with -1
// (a static member with -2 to come back); the answer carries its epoch, the heartbeat interval and,
// when it changed, its assignment. v1 clients generate their member id (an empty one is
// INVALID_REQUEST) and may subscribe with a regular expression.
import { ConsumerGroupHeartbeatRequest } from '../protocol/generated/consumer-group-heartbeat-request.js';
import { ConsumerGroupHeartbeatResponse } from '../protocol/generated/consumer-group-heartbeat-response.js';
import { clientHostOf } from '../coordinator/group/client-host.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';
import { ErrorCode } from '../protocol/errors.js';

export default defineHandler<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>({
  apiKey: 68,
  minVersion: 0,
  maxVersion: 1,
  request: ConsumerGroupHeartbeatRequest,
  response: ConsumerGroupHeartbeatResponse,
  handle(ctx, req) {
    if (!authorized(ctx, Op.READ, Resource.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, memberId: null, memberEpoch: -1, heartbeatIntervalMs: -1, assignment: null };
    }
    // Kafka's KafkaApis: every subscribed topic name needs DESCRIBE (clients may not learn of others).
    if (req.subscribedTopicNames?.some((t) => !authorized(ctx, Op.DESCRIBE, Resource.TOPIC, t))) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, memberId: null, memberEpoch: -1, heartbeatIntervalMs: -1, assignment: null };
    }
    return ctx.broker.groups.consumerGroupHeartbeat(req, {
      clientId: ctx.clientId ?? '',
      clientHost: clientHostOf(ctx.peer),
      apiVersion: ctx.apiVersion,
      // A regular expression resolves to the topics this principal may describe, as Kafka's.
      describableTopic: (topic) => authorized(ctx, Op.DESCRIBE, Resource.TOPIC, topic),
    });
  },
});
