// ElectLeaders (key 43), v0-2 (v1+ carry the election type; v0 is preferred). The controller
// elects (src/controller/elect-leaders.ts): in a cluster brokers forward this to the active
// controller; on one broker every partition's leader is its only replica, so each existing
// partition answers ELECTION_NOT_NEEDED. A null partition list names every topic, with the
// partitions that needed an election.
import { ElectLeadersRequest } from '../protocol/generated/elect-leaders-request.js';
import { ElectLeadersResponse } from '../protocol/generated/elect-leaders-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import type { Controller } from '../metadata/controller.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op } from './authorize.js';

export default defineHandler<ElectLeadersRequest, ElectLeadersResponse>({
  apiKey: 43,
  minVersion: 0,
  maxVersion: 2,
  request: ElectLeadersRequest,
  response: ElectLeadersResponse,
  async handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.ALTER)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, replicaElectionResults: [] };
    try {
      // Only a controller elects (a broker in a cluster forwards this API before it gets here).
      const controller = ctx.broker.controller as Partial<Pick<Controller, 'electLeaders'>>;
      if (!controller.electLeaders) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This node is not the active controller.');
      const results = await controller.electLeaders(req.electionType ?? 0, req.topicPartitions);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: results };
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      // NOT_CONTROLLER and the like: every named partition carries it (the envelope retries on it).
      return {
        throttleTimeMs: 0,
        errorCode: e.errorCode,
        replicaElectionResults: (req.topicPartitions ?? []).map((t) => ({
          topic: t.topic,
          partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode: e.errorCode, errorMessage: e.message })),
        })),
      };
    }
  },
});
