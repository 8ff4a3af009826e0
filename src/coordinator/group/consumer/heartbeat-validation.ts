// The checks Kafka's group coordinator service makes on a ConsumerGroupHeartbeat before the group
// is looked at (INVALID_REQUEST and UNSUPPORTED_ASSIGNOR, with Kafka's messages).
import { ErrorCode } from '../../../protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest } from '../../../protocol/generated/consumer-group-heartbeat-request.js';
import { GroupApiError, invalidRequest } from './errors.js';
import { JOIN_GROUP_MEMBER_EPOCH, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH } from './member.js';

function throwIfBlank(value: string | null | undefined, message: string): void {
  if (value != null && value.trim() === '') throw invalidRequest(message);
}

export function validateHeartbeat(req: ConsumerGroupHeartbeatRequest, apiVersion: number, assignors: readonly string[]): void {
  // v1+ clients generate their member id; v0 sends "" on the first join.
  if (apiVersion >= 1 || req.memberEpoch > 0 || req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH) throwIfBlank(req.memberId, "MemberId can't be empty.");
  throwIfBlank(req.groupId, "GroupId can't be empty.");
  throwIfBlank(req.instanceId, "InstanceId can't be empty.");
  throwIfBlank(req.rackId, "RackId can't be empty.");
  if (req.memberEpoch === JOIN_GROUP_MEMBER_EPOCH) {
    if (req.rebalanceTimeoutMs === -1) throw invalidRequest('RebalanceTimeoutMs must be provided in first request.');
    if (req.topicPartitions === null || req.topicPartitions.length > 0) throw invalidRequest('TopicPartitions must be empty when (re-)joining.');
    if (req.subscribedTopicNames === null && (req.subscribedTopicRegex ?? null) === null) {
      throw invalidRequest('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.');
    }
  } else if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (req.instanceId === null) throw invalidRequest("InstanceId can't be null.");
  } else if (req.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    throw invalidRequest('MemberEpoch is invalid.');
  }
  if (req.serverAssignor !== null && !assignors.includes(req.serverAssignor)) {
    throw new GroupApiError(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${assignors.join(', ')}.`);
  }
}
