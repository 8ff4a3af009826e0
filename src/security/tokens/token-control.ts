// Delegation tokens on the controller (Kafka's DelegationTokenControlManager): create, renew and
// expire as pure functions of the image, the requesting principal and the clock, returning the
// DelegationTokenRecord / RemoveDelegationTokenRecord to commit. A token's HMAC is never stored:
// every node derives it from delegation.token.secret.key and the token id.
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import type { CreateDelegationTokenRequest } from '../../protocol/generated/create-delegation-token-request.js';
import type { CreateDelegationTokenResponse } from '../../protocol/generated/create-delegation-token-response.js';
import type { ExpireDelegationTokenRequest } from '../../protocol/generated/expire-delegation-token-request.js';
import type { ExpireDelegationTokenResponse } from '../../protocol/generated/expire-delegation-token-response.js';
import type { RenewDelegationTokenRequest } from '../../protocol/generated/renew-delegation-token-request.js';
import type { RenewDelegationTokenResponse } from '../../protocol/generated/renew-delegation-token-response.js';
import type { MetadataImage } from '../../metadata/image.js';
import type { MetadataRecord } from '../../metadata/records.js';
import { delegationTokenRecord, SecurityRecordType, type TokenInformation } from '../../metadata/security-image.js';
import { tokenHmac } from '../image-credentials.js';
import { principalString, type KafkaPrincipal } from '../principal.js';

export interface TokenSettings {
  /** delegation.token.secret.key; null: tokens are disabled. */
  secretKey: string | null;
  /** delegation.token.max.lifetime.ms */
  maxLifetimeMs: number;
  /** delegation.token.expiry.time.ms: the renewal period. */
  renewLifetimeMs: number;
}

interface Result<T> {
  records: MetadataRecord[];
  response: T;
}

const LONG_MAX = Number.MAX_SAFE_INTEGER;
const sum = (now: number, d: number) => (now > LONG_MAX - d ? LONG_MAX : now + d);

/** A Uuid's string form as Kafka prints it: URL-safe base64 of 16 random bytes, no padding. */
function randomTokenId(): string {
  return randomBytes(16).toString('base64url');
}

/** The token whose HMAC this is (Kafka looks tokens up by HMAC for renew and expire). */
function tokenForHmac(image: MetadataImage, secretKey: string, hmac: Buffer): TokenInformation | undefined {
  for (const t of image.delegationTokens.tokens.values()) if (tokenHmac(secretKey, t.tokenId).equals(hmac)) return t;
  return undefined;
}

const allowedToRenew = (t: TokenInformation, p: KafkaPrincipal) => t.owner === principalString(p) || t.renewers.includes(principalString(p));

export function createDelegationToken(
  image: MetadataImage,
  s: TokenSettings,
  requester: KafkaPrincipal,
  req: CreateDelegationTokenRequest,
  now: number,
): Result<CreateDelegationTokenResponse> {
  const owner = req.ownerPrincipalName ? { principalType: req.ownerPrincipalType ?? 'User', name: req.ownerPrincipalName } : requester;
  const response: CreateDelegationTokenResponse = {
    errorCode: ErrorCode.NONE,
    principalType: owner.principalType,
    principalName: owner.name,
    tokenRequesterPrincipalType: requester.principalType,
    tokenRequesterPrincipalName: requester.name,
    issueTimestampMs: -1,
    expiryTimestampMs: -1,
    maxTimestampMs: -1,
    tokenId: '',
    hmac: Buffer.alloc(0),
    throttleTimeMs: 0,
  };
  if (s.secretKey === null) return { records: [], response: { ...response, errorCode: ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED } };
  if (req.renewers.some((r) => r.principalType !== 'User')) return { records: [], response: { ...response, errorCode: ErrorCode.INVALID_PRINCIPAL_TYPE } };
  const maxLifetime = req.maxLifetimeMs > 0 ? Math.min(s.maxLifetimeMs, req.maxLifetimeMs) : s.maxLifetimeMs;
  const maxTimestamp = sum(now, maxLifetime);
  const expiryTimestamp = Math.min(maxTimestamp, sum(now, s.renewLifetimeMs));
  const tokenId = randomTokenId();
  const info: TokenInformation = {
    tokenId,
    owner: principalString(owner),
    requester: principalString(requester),
    renewers: req.renewers.map((r) => `${r.principalType}:${r.principalName}`),
    issueTimestamp: now,
    maxTimestamp,
    expirationTimestamp: expiryTimestamp,
  };
  return {
    records: [delegationTokenRecord(info)],
    response: { ...response, issueTimestampMs: now, expiryTimestampMs: expiryTimestamp, maxTimestampMs: maxTimestamp, tokenId, hmac: tokenHmac(s.secretKey, tokenId) },
  };
}

export function renewDelegationToken(
  image: MetadataImage,
  s: TokenSettings,
  principal: KafkaPrincipal,
  req: RenewDelegationTokenRequest,
  now: number,
): Result<RenewDelegationTokenResponse> {
  const fail = (errorCode: number) => ({ records: [], response: { errorCode, expiryTimestampMs: 0, throttleTimeMs: 0 } });
  if (s.secretKey === null) return fail(ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED);
  const token = tokenForHmac(image, s.secretKey, Buffer.from(req.hmac));
  if (!token) return fail(ErrorCode.DELEGATION_TOKEN_NOT_FOUND);
  if (token.maxTimestamp < now || token.expirationTimestamp < now) return fail(ErrorCode.DELEGATION_TOKEN_EXPIRED);
  if (!allowedToRenew(token, principal)) return fail(ErrorCode.DELEGATION_TOKEN_OWNER_MISMATCH);
  const renewLifetime = req.renewPeriodMs > 0 ? Math.min(s.renewLifetimeMs, req.renewPeriodMs) : s.renewLifetimeMs;
  const expiryTimestampMs = Math.min(token.maxTimestamp, now + renewLifetime);
  return { records: [delegationTokenRecord({ ...token, expirationTimestamp: expiryTimestampMs })], response: { errorCode: ErrorCode.NONE, expiryTimestampMs, throttleTimeMs: 0 } };
}

export function expireDelegationToken(
  image: MetadataImage,
  s: TokenSettings,
  principal: KafkaPrincipal,
  req: ExpireDelegationTokenRequest,
  now: number,
): Result<ExpireDelegationTokenResponse> {
  const fail = (errorCode: number) => ({ records: [], response: { errorCode, expiryTimestampMs: 0, throttleTimeMs: 0 } });
  if (s.secretKey === null) return fail(ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED);
  const token = tokenForHmac(image, s.secretKey, Buffer.from(req.hmac));
  if (!token) return fail(ErrorCode.DELEGATION_TOKEN_NOT_FOUND);
  if (!allowedToRenew(token, principal)) return fail(ErrorCode.DELEGATION_TOKEN_OWNER_MISMATCH);
  if (req.expiryTimePeriodMs < 0) {
    // A negative period expires the token at once: it is removed.
    return { records: [{ type: SecurityRecordType.REMOVE_DELEGATION_TOKEN, version: 0, data: { tokenId: token.tokenId } }], response: { errorCode: ErrorCode.NONE, expiryTimestampMs: now, throttleTimeMs: 0 } };
  }
  if (token.maxTimestamp < now || token.expirationTimestamp < now) return fail(ErrorCode.DELEGATION_TOKEN_EXPIRED);
  const expiryTimestampMs = Math.min(token.maxTimestamp, sum(now, req.expiryTimePeriodMs));
  return { records: [delegationTokenRecord({ ...token, expirationTimestamp: expiryTimestampMs })], response: { errorCode: ErrorCode.NONE, expiryTimestampMs, throttleTimeMs: 0 } };
}

/** The RemoveDelegationTokenRecords of tokens past their expiry or max time (the controller's periodic sweep). */
export function sweepExpiredTokens(image: MetadataImage, now: number): MetadataRecord[] {
  return [...image.delegationTokens.tokens.values()]
    .filter((t) => t.maxTimestamp < now || t.expirationTimestamp < now)
    .map((t) => ({ type: SecurityRecordType.REMOVE_DELEGATION_TOKEN, version: 0, data: { tokenId: t.tokenId } }));
}

/**
 * Whether a connection may ask for tokens (Kafka's allowTokenRequests): SASL, or SSL with a client
 * certificate, and not itself token-authenticated. A forwarded request was checked by the broker
 * that forwarded it; only its principal's token authentication counts (Kafka's ControllerApis).
 */
export function allowTokenRequests(securityProtocol: string, principal: KafkaPrincipal & { tokenAuthenticated?: boolean }, forwarded = false): boolean {
  if (principal.tokenAuthenticated) return false;
  if (forwarded) return true;
  if (securityProtocol === 'PLAINTEXT') return false;
  if (securityProtocol === 'SSL' && principal.principalType === 'User' && principal.name === 'ANONYMOUS') return false;
  return true;
}
