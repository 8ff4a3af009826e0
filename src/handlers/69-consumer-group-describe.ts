// ConsumerGroupDescribe (key 69), v0-1: a KIP-848 consumer group's state (Empty, Assigning,
// Reconciling, Stable), epochs, assignor and members with their current and target assignments.
// A group that does not exist, or is of another type, gets GROUP_ID_NOT_FOUND with Kafka's message.
// v1 adds each member's type (1: consumer protocol).
import { ConsumerGroupDescribeRequest } from '../protocol/generated/consumer-group-describe-request.js';
import { ConsumerGroupDescribeResponse } from '../protocol/generated/consumer-group-describe-response.js';
import { defineHandler } from './handler.js';

export default defineHandler<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>({
  apiKey: 69,
  minVersion: 0,
  maxVersion: 1,
  request: ConsumerGroupDescribeRequest,
  response: ConsumerGroupDescribeResponse,
  handle(ctx, req) {
    return { throttleTimeMs: 0, groups: ctx.broker.groups.consumerGroupDescribe(req.groupIds, req.includeAuthorizedOperations) };
  },
});
