// AlterPartitionReassignments (key 45), v0-1 (v1, KIP-860, may forbid changing the replication
// factor). The controller decides (src/controller/reassignment.ts): in a cluster brokers forward
// this to the active controller; a lone node's own controller answers (there the only valid
// target is the current replica set, a no-op success). An empty request answers with an empty
// (not null) message, as Kafka's does.
import { AlterPartitionReassignmentsRequest } from '../protocol/generated/alter-partition-reassignments-request.js';
import { AlterPartitionReassignmentsResponse } from '../protocol/generated/alter-partition-reassignments-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import type { Controller } from '../metadata/controller.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op } from './authorize.js';

export default defineHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>({
  apiKey: 45,
  minVersion: 0,
  maxVersion: 1,
  request: AlterPartitionReassignmentsRequest,
  response: AlterPartitionReassignmentsResponse,
  async handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.ALTER)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, responses: [] };
    const allowReplicationFactorChange = req.allowReplicationFactorChange ?? true;
    try {
      // Only a controller reassigns (a broker in a cluster forwards this API before it gets here).
      const controller = ctx.broker.controller as Partial<Pick<Controller, 'alterPartitionReassignments'>>;
      if (!controller.alterPartitionReassignments) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This node is not the active controller.');
      const responses = await controller.alterPartitionReassignments(req);
      return { throttleTimeMs: 0, allowReplicationFactorChange, errorCode: ErrorCode.NONE, errorMessage: responses.length === 0 ? '' : null, responses };
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      // NOT_CONTROLLER and the like: the whole request fails (the envelope retries on it).
      return { throttleTimeMs: 0, allowReplicationFactorChange, errorCode: e.errorCode, errorMessage: e.message, responses: [] };
    }
  },
});
