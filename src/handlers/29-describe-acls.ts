// DescribeAcls (key 29), v1-3: the ACLs matching the filter from the broker's image, grouped by
// resource pattern; CLUSTER DESCRIBE required; SECURITY_DISABLED without an authorizer.
import { ErrorCode } from '../protocol/errors.js';
import { DescribeAclsRequest } from '../protocol/generated/describe-acls-request.js';
import { DescribeAclsResponse } from '../protocol/generated/describe-acls-response.js';
import { describeAcls, NO_AUTHORIZER } from '../security/acl/acl-control.js';
import { clusterAuthorized, Op } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<DescribeAclsRequest, DescribeAclsResponse>({
  apiKey: 29,
  minVersion: 1,
  maxVersion: 3,
  request: DescribeAclsRequest,
  response: DescribeAclsResponse,
  async handle(ctx, req) {
    const error = (errorCode: number, errorMessage: string | null) => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] });
    if (!clusterAuthorized(ctx, Op.DESCRIBE)) return error(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.');
    if (!ctx.broker.authorizer) return error(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
    return describeAcls(ctx.broker.image, req);
  },
});
