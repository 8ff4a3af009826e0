// AlterClientQuotas (key 49), v0-v1: the controller validates each entity and writes
// ClientQuotaRecords (Kafka's ClientQuotaControlManager); a broker in a cluster forwards it.
import { AlterClientQuotasRequest } from '../protocol/generated/alter-client-quotas-request.js';
import { AlterClientQuotasResponse } from '../protocol/generated/alter-client-quotas-response.js';
import { defineHandler } from './handler.js';

export default defineHandler<AlterClientQuotasRequest, AlterClientQuotasResponse>({
  apiKey: 49,
  minVersion: 0,
  maxVersion: 1,
  request: AlterClientQuotasRequest,
  response: AlterClientQuotasResponse,
  async handle(ctx, req) {
    return ctx.broker.controller.alterClientQuotas(req);
  },
});
