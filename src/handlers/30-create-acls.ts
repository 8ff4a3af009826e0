// CreateAcls (key 30), v1-3: written by the controller as AccessControlEntryRecords (a broker in a
// cluster forwards it); CLUSTER ALTER required.
import { ErrorCode } from '../protocol/errors.js';
import { CreateAclsRequest } from '../protocol/generated/create-acls-request.js';
import { CreateAclsResponse } from '../protocol/generated/create-acls-response.js';
import { clusterAuthorized, Op } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<CreateAclsRequest, CreateAclsResponse>({
  apiKey: 30,
  minVersion: 1,
  maxVersion: 3,
  request: CreateAclsRequest,
  response: CreateAclsResponse,
  async handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.ALTER)) {
      return { throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' })) };
    }
    return ctx.broker.controller.createAcls(req);
  },
});
