// DeleteAcls (key 31), v1-3: the ACLs matching each filter removed by the controller with
// RemoveAccessControlEntryRecords (a broker in a cluster forwards it); CLUSTER ALTER required.
import { ErrorCode } from '../protocol/errors.js';
import { DeleteAclsRequest } from '../protocol/generated/delete-acls-request.js';
import { DeleteAclsResponse } from '../protocol/generated/delete-acls-response.js';
import { clusterAuthorized, Op } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<DeleteAclsRequest, DeleteAclsResponse>({
  apiKey: 31,
  minVersion: 1,
  maxVersion: 3,
  request: DeleteAclsRequest,
  response: DeleteAclsResponse,
  async handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.ALTER)) {
      return { throttleTimeMs: 0, filterResults: req.filters.map(() => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', matchingAcls: [] })) };
    }
    return ctx.broker.controller.deleteAcls(req);
  },
});
