// ConsumerGroupDescribe (key 69), v0-1: a KIP-848 consumer group's state (Empty, Assigning,
// Reconciling, Stable), epochs, assignor and members with their current and target assignments.
// A group that does not exist, or is of another type, gets GROUP_ID_NOT_FOUND with Kafka's message.
// v1 adds each member's type (1: consumer protocol).
import { ConsumerGroupDescribeRequest } from '../protocol/generated/consumer-group-describe-request.js';
import { ConsumerGroupDescribeResponse } from '../protocol/generated/consumer-group-describe-response.js';
import { defineHandler } from './handler.js';
import { authorized, authorizedOperations, GROUP_OPERATIONS, Op, Resource } from './authorize.js';
import { ErrorCode } from '../protocol/errors.js';

export default defineHandler<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>({
  apiKey: 69,
  minVersion: 0,
  maxVersion: 1,
  request: ConsumerGroupDescribeRequest,
  response: ConsumerGroupDescribeResponse,
  handle(ctx, req) {
    const groups = ctx.broker.groups.consumerGroupDescribe(req.groupIds, req.includeAuthorizedOperations);
    if (!ctx.broker.authorizer) return { throttleTimeMs: 0, groups };
    return {
      throttleTimeMs: 0,
      groups: groups.map((g) =>
        !authorized(ctx, Op.DESCRIBE, Resource.GROUP, g.groupId)
          ? { ...g, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, groupState: '', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [], authorizedOperations: -2147483648 }
          : g.errorCode === ErrorCode.NONE && g.members.some((m) => [...m.assignment.topicPartitions, ...m.targetAssignment.topicPartitions].some((tp) => !authorized(ctx, Op.DESCRIBE, Resource.TOPIC, tp.topicName)))
            ? // Kafka's KafkaApis: a group whose members hold topics the client may not describe is not described.
              { ...g, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'The group has described topic(s) that the client is not authorized to describe.', members: [] }
            : req.includeAuthorizedOperations ? { ...g, authorizedOperations: authorizedOperations(ctx, Resource.GROUP, g.groupId, GROUP_OPERATIONS) } : g,
      ),
    };
  },
});
