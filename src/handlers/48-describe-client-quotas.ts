// DescribeClientQuotas (key 48), v0-v1: a broker answers from its metadata image (Kafka's
// ClientQuotasImage.describe): entities matching the filter components, strict or not.
import { DescribeClientQuotasRequest } from '../protocol/generated/describe-client-quotas-request.js';
import { DescribeClientQuotasResponse } from '../protocol/generated/describe-client-quotas-response.js';
import { describeClientQuotas } from '../quota/client-quota-control.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op } from './authorize.js';

export default defineHandler<DescribeClientQuotasRequest, DescribeClientQuotasResponse>({
  apiKey: 48,
  minVersion: 0,
  maxVersion: 1,
  request: DescribeClientQuotasRequest,
  response: DescribeClientQuotasResponse,
  async handle(ctx, req) {
    // Kafka's KafkaApis: DESCRIBE_CONFIGS on the cluster, else the whole answer CLUSTER_AUTHORIZATION_FAILED.
    if (!clusterAuthorized(ctx, Op.DESCRIBE_CONFIGS)) return { throttleTimeMs: 0, errorCode: 31, errorMessage: 'Cluster authorization failed.', entries: null };
    return describeClientQuotas(ctx.broker.image, req);
  },
});
