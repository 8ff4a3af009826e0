// DescribeDelegationToken (key 41), v1-3: the tokens of the named owners (null: all, empty: none)
// from this broker's image, with their HMACs; refused on connections that may not ask for tokens,
// DELEGATION_TOKEN_AUTH_DISABLED without delegation.token.secret.key; a token is listed to its
// owner and renewers, and to principals the authorizer lets describe it (all, without one).
import { ErrorCode } from '../protocol/errors.js';
import { DescribeDelegationTokenRequest } from '../protocol/generated/describe-delegation-token-request.js';
import { DescribeDelegationTokenResponse } from '../protocol/generated/describe-delegation-token-response.js';
import { delegationTokenSecretKey, tokenHmac } from '../security/image-credentials.js';
import { allowTokenRequests } from '../security/tokens/token-control.js';
import { authorized, Op, Resource } from './authorize.js';
import { defineHandler } from './handler.js';

const split = (principal: string) => {
  const colon = principal.indexOf(':');
  return { principalType: principal.slice(0, colon), principalName: principal.slice(colon + 1) };
};

export default defineHandler<DescribeDelegationTokenRequest, DescribeDelegationTokenResponse>({
  apiKey: 41,
  minVersion: 1,
  maxVersion: 3,
  request: DescribeDelegationTokenRequest,
  response: DescribeDelegationTokenResponse,
  async handle(ctx, req) {
    if (!allowTokenRequests(ctx.securityProtocol, ctx.principal)) return { errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, tokens: [], throttleTimeMs: 0 };
    const secretKey = delegationTokenSecretKey((n) => ctx.broker.config.get(n));
    if (secretKey === null) return { errorCode: ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED, tokens: [], throttleTimeMs: 0 };
    const me = `${ctx.principal.principalType}:${ctx.principal.name}`;
    const owners = req.owners === null ? null : new Set(req.owners.map((o) => `${o.principalType}:${o.principalName}`));
    const tokens = [...ctx.broker.image.delegationTokens.tokens.values()]
      .filter((t) => owners === null || owners.has(t.owner))
      // Kafka's filterToken: owner or renewer, else DESCRIBE on the token or DESCRIBE_TOKENS on its owner.
      .filter((t) => t.owner === me || t.renewers.includes(me) || authorized(ctx, Op.DESCRIBE, Resource.DELEGATION_TOKEN, t.tokenId) || authorized(ctx, Op.DESCRIBE_TOKENS, Resource.USER, t.owner))
      .map((t) => {
        const owner = split(t.owner);
        const requester = split(t.requester);
        return {
          principalType: owner.principalType,
          principalName: owner.principalName,
          tokenRequesterPrincipalType: requester.principalType,
          tokenRequesterPrincipalName: requester.principalName,
          issueTimestamp: t.issueTimestamp,
          expiryTimestamp: t.expirationTimestamp,
          maxTimestamp: t.maxTimestamp,
          tokenId: t.tokenId,
          hmac: tokenHmac(secretKey, t.tokenId),
          renewers: t.renewers.map(split),
        };
      });
    return { errorCode: ErrorCode.NONE, tokens, throttleTimeMs: 0 };
  },
});
