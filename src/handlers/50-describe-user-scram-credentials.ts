// DescribeUserScramCredentials (key 50), v0: a broker answers from its metadata image (mechanisms
// and iterations only, never keys); all users when none are named, RESOURCE_NOT_FOUND for a user
// without credentials, DUPLICATE_RESOURCE for one named twice.
import { DescribeUserScramCredentialsRequest } from '../protocol/generated/describe-user-scram-credentials-request.js';
import { DescribeUserScramCredentialsResponse } from '../protocol/generated/describe-user-scram-credentials-response.js';
import { describeUserScramCredentials } from '../security/scram/scram-control.js';
import { ErrorCode } from '../protocol/errors.js';
import { clusterAuthorized, Op } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse>({
  apiKey: 50,
  minVersion: 0,
  maxVersion: 0,
  request: DescribeUserScramCredentialsRequest,
  response: DescribeUserScramCredentialsResponse,
  async handle(ctx, req) {
    // DESCRIBE on the cluster, as Kafka's KafkaApis checks.
    if (!clusterAuthorized(ctx, Op.DESCRIBE)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, results: [] };
    return describeUserScramCredentials(ctx.broker.image, req);
  },
});
