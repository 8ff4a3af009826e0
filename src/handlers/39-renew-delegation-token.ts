// RenewDelegationToken (key 39), v1-2: the token named by its HMAC gets a later expiry (at most its
// max timestamp) when the requester owns it or is a renewer; refused on connections that may not
// ask for tokens.
import { ErrorCode } from '../protocol/errors.js';
import { RenewDelegationTokenRequest } from '../protocol/generated/renew-delegation-token-request.js';
import { RenewDelegationTokenResponse } from '../protocol/generated/renew-delegation-token-response.js';
import { allowTokenRequests } from '../security/tokens/token-control.js';
import { defineHandler } from './handler.js';

export default defineHandler<RenewDelegationTokenRequest, RenewDelegationTokenResponse>({
  apiKey: 39,
  minVersion: 1,
  maxVersion: 2,
  request: RenewDelegationTokenRequest,
  response: RenewDelegationTokenResponse,
  async handle(ctx, req) {
    if (!allowTokenRequests(ctx.securityProtocol, ctx.principal, ctx.forwarded)) return { errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, expiryTimestampMs: -1, throttleTimeMs: 0 };
    return ctx.broker.controller.renewDelegationToken(ctx.principal, req);
  },
});
