// AlterUserScramCredentials (key 51), v0: upserts (salted password in, StoredKey/ServerKey kept)
// and deletions of SCRAM credentials, written by the controller as UserScramCredentialRecord /
// RemoveUserScramCredentialRecord; a broker in a cluster forwards it.
import { AlterUserScramCredentialsRequest } from '../protocol/generated/alter-user-scram-credentials-request.js';
import { AlterUserScramCredentialsResponse } from '../protocol/generated/alter-user-scram-credentials-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { clusterAuthorized, Op } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>({
  apiKey: 51,
  minVersion: 0,
  maxVersion: 0,
  request: AlterUserScramCredentialsRequest,
  response: AlterUserScramCredentialsResponse,
  async handle(ctx, req) {
    // ALTER on the cluster (Kafka's ControllerApis): every user named gets CLUSTER_AUTHORIZATION_FAILED.
    if (!clusterAuthorized(ctx, Op.ALTER)) {
      const users = [...new Set([...req.deletions, ...req.upsertions].map((c) => c.name))];
      return { throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' })) };
    }
    return ctx.broker.controller.alterUserScramCredentials(req);
  },
});
