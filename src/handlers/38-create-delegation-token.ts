// CreateDelegationToken (key 38), v1-3: refused on connections that may not ask for tokens
// (PLAINTEXT, SSL without a client certificate, token-authenticated ones) as Kafka's KafkaApis
// does, then created by the controller for the requesting principal (or the named owner).
import { ErrorCode } from '../protocol/errors.js';
import { CreateDelegationTokenRequest } from '../protocol/generated/create-delegation-token-request.js';
import { CreateDelegationTokenResponse } from '../protocol/generated/create-delegation-token-response.js';
import { allowTokenRequests } from '../security/tokens/token-control.js';
import { authorized, Op, Resource } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<CreateDelegationTokenRequest, CreateDelegationTokenResponse>({
  apiKey: 38,
  minVersion: 1,
  maxVersion: 3,
  request: CreateDelegationTokenRequest,
  response: CreateDelegationTokenResponse,
  async handle(ctx, req) {
    const owner = req.ownerPrincipalName ? { principalType: req.ownerPrincipalType ?? 'User', name: req.ownerPrincipalName } : ctx.principal;
    const sameOwner = owner.principalType === ctx.principal.principalType && owner.name === ctx.principal.name;
    // A token for another owner needs CREATE_TOKENS on that user (Kafka's KafkaApis).
    const errorCode = !allowTokenRequests(ctx.securityProtocol, ctx.principal, ctx.forwarded)
      ? ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED
      : !sameOwner && !authorized(ctx, Op.CREATE_TOKENS, Resource.USER, `${owner.principalType}:${owner.name}`)
        ? ErrorCode.DELEGATION_TOKEN_AUTHORIZATION_FAILED
        : ErrorCode.NONE;
    if (errorCode !== ErrorCode.NONE) {
      return {
        errorCode,
        principalType: owner.principalType,
        principalName: owner.name,
        tokenRequesterPrincipalType: ctx.principal.principalType,
        tokenRequesterPrincipalName: ctx.principal.name,
        issueTimestampMs: -1,
        expiryTimestampMs: -1,
        maxTimestampMs: -1,
        tokenId: '',
        hmac: Buffer.alloc(0),
        throttleTimeMs: 0,
      };
    }
    return ctx.broker.controller.createDelegationToken(ctx.principal, req);
  },
});
