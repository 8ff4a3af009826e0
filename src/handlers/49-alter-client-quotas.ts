// AlterClientQuotas (key 49), v0-v1: the controller validates each entity and writes
// ClientQuotaRecords (Kafka's ClientQuotaControlManager); a broker in a cluster forwards it.
import { AlterClientQuotasRequest } from '../protocol/generated/alter-client-quotas-request.js';
import { AlterClientQuotasResponse } from '../protocol/generated/alter-client-quotas-response.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op } from './authorize.js';

export default defineHandler<AlterClientQuotasRequest, AlterClientQuotasResponse>({
  apiKey: 49,
  minVersion: 0,
  maxVersion: 1,
  request: AlterClientQuotasRequest,
  response: AlterClientQuotasResponse,
  async handle(ctx, req) {
    // Kafka's ControllerApis: ALTER_CONFIGS on the cluster, else every entry CLUSTER_AUTHORIZATION_FAILED.
    if (!clusterAuthorized(ctx, Op.ALTER_CONFIGS)) {
      return { throttleTimeMs: 0, entries: req.entries.map((e) => ({ errorCode: 31, errorMessage: 'Cluster authorization failed.', entity: e.entity.map((x) => ({ entityType: x.entityType, entityName: x.entityName })) })) };
    }
    return ctx.broker.controller.alterClientQuotas(req);
  },
});
