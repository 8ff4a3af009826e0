// ExpireDelegationToken (key 40), v1-2: a negative period removes the token at once, another
// moves its expiry (at most its max timestamp); owner or renewers only; refused on connections
// that may not ask for tokens.
import { ErrorCode } from '../protocol/errors.js';
import { ExpireDelegationTokenRequest } from '../protocol/generated/expire-delegation-token-request.js';
import { ExpireDelegationTokenResponse } from '../protocol/generated/expire-delegation-token-response.js';
import { allowTokenRequests } from '../security/tokens/token-control.js';
import { defineHandler } from './handler.js';

export default defineHandler<ExpireDelegationTokenRequest, ExpireDelegationTokenResponse>({
  apiKey: 40,
  minVersion: 1,
  maxVersion: 2,
  request: ExpireDelegationTokenRequest,
  response: ExpireDelegationTokenResponse,
  async handle(ctx, req) {
    if (!allowTokenRequests(ctx.securityProtocol, ctx.principal, ctx.forwarded)) return { errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, expiryTimestampMs: -1, throttleTimeMs: 0 };
    return ctx.broker.controller.expireDelegationToken(ctx.principal, req);
  },
});
