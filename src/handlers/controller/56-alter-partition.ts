// AlterPartition (key 56), v2-3, on the controller listener: a partition leader's ISR change
// (v3 names each member with its broker epoch, KIP-903), decided by the active controller
// (src/controller/alter-partition.ts). A failure of the whole request (NOT_CONTROLLER, a stale
// broker epoch) is the top-level error with no topics.
import { AlterPartitionRequest } from '../../protocol/generated/alter-partition-request.js';
import { AlterPartitionResponse } from '../../protocol/generated/alter-partition-response.js';
import { defineHandler } from '../handler.js';
import { clusterControl, errorCodeOf, type ClusterRequestContext } from './cluster-context.js';

export default defineHandler<AlterPartitionRequest, AlterPartitionResponse, ClusterRequestContext>({
  apiKey: 56,
  minVersion: 2,
  maxVersion: 3,
  request: AlterPartitionRequest,
  response: AlterPartitionResponse,
  async handle(ctx, req) {
    try {
      return await clusterControl(ctx).alterPartition(req);
    } catch (e) {
      return { throttleTimeMs: 0, errorCode: errorCodeOf(e), topics: [] };
    }
  },
});
