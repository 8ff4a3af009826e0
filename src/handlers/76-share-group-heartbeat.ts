// ShareGroupHeartbeat (key 76), v1 (KIP-932): a share group member joins (epoch 0), heartbeats or
// leaves (epoch -1) and receives its assignment; served by the group coordinator's share groups.
import { ErrorCode } from '../protocol/errors.js';
import { ShareGroupHeartbeatRequest } from '../protocol/generated/share-group-heartbeat-request.js';
import { ShareGroupHeartbeatResponse } from '../protocol/generated/share-group-heartbeat-response.js';
import { clientHostOf } from '../coordinator/group/client-host.js';
import { defineHandler } from './handler.js';
import { shareGroupsEnabled, UNSUPPORTED_VERSION_MESSAGE } from './share-groups-enabled.js';
import { authorized, Op, Resource } from './authorize.js';

export default defineHandler<ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse>({
  apiKey: 76,
  minVersion: 1,
  maxVersion: 1,
  request: ShareGroupHeartbeatRequest,
  response: ShareGroupHeartbeatResponse,
  handle(ctx, req) {
    if (!shareGroupsEnabled(ctx)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: UNSUPPORTED_VERSION_MESSAGE, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
    if (!authorized(ctx, Op.READ, Resource.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
    // Kafka's KafkaApis: every subscribed topic name needs DESCRIBE (clients may not learn of others).
    if (req.subscribedTopicNames?.some((t) => !authorized(ctx, Op.DESCRIBE, Resource.TOPIC, t))) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
    // Kafka's KafkaApis checks the member id before the coordinator does.
    if (req.memberId === '' || req.memberId.length > 36) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Invalid member id in the request.', memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
    return ctx.broker.groups.shareGroups.heartbeat(req, { clientId: ctx.clientId ?? '', clientHost: clientHostOf(ctx.peer) });
  },
});
