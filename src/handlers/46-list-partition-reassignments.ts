// ListPartitionReassignments (key 46), v0: the partitions with replicas being added or removed,
// all (null topics) or those named, as the controller knows them (src/controller/reassignment.ts).
// Brokers in a cluster forward it to the active controller; a lone node never moves replicas,
// so it lists none.
import { ListPartitionReassignmentsRequest } from '../protocol/generated/list-partition-reassignments-request.js';
import { ListPartitionReassignmentsResponse } from '../protocol/generated/list-partition-reassignments-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import type { Controller } from '../metadata/controller.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op } from './authorize.js';

export default defineHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>({
  apiKey: 46,
  minVersion: 0,
  maxVersion: 0,
  request: ListPartitionReassignmentsRequest,
  response: ListPartitionReassignmentsResponse,
  async handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.DESCRIBE)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, topics: [] };
    try {
      const controller = ctx.broker.controller as Partial<Pick<Controller, 'listPartitionReassignments'>>;
      if (!controller.listPartitionReassignments) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This node is not the active controller.');
      const topics = await controller.listPartitionReassignments(req.topics);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics };
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return { throttleTimeMs: 0, errorCode: e.errorCode, errorMessage: e.message, topics: [] };
    }
  },
});
