// AlterUserScramCredentials (key 51), v0: upserts (salted password in, StoredKey/ServerKey kept)
// and deletions of SCRAM credentials, written by the controller as UserScramCredentialRecord /
// RemoveUserScramCredentialRecord; a broker in a cluster forwards it.
import { AlterUserScramCredentialsRequest } from '../protocol/generated/alter-user-scram-credentials-request.js';
import { AlterUserScramCredentialsResponse } from '../protocol/generated/alter-user-scram-credentials-response.js';
import { defineHandler } from './handler.js';

export default defineHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>({
  apiKey: 51,
  minVersion: 0,
  maxVersion: 0,
  request: AlterUserScramCredentialsRequest,
  response: AlterUserScramCredentialsResponse,
  async handle(ctx, req) {
    return ctx.broker.controller.alterUserScramCredentials(req);
  },
});
