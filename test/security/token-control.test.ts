// Delegation tokens on the controller, sans-IO against images built by replaying the records:
// Kafka's DelegationTokenControlManager decisions (disabled without a secret key, lifetimes capped,
// renew/expire by HMAC for the owner and renewers only, expired tokens, a positive expiry period
// moving the expiry, the sweep of expired tokens).
import { createHmac } from 'node:crypto';
import t from 'tap';
import { MetadataDelta } from '../../src/metadata/delta.js';
import { MetadataImage } from '../../src/metadata/image.js';
import type { MetadataRecord } from '../../src/metadata/records.js';
import { imageToRecords } from '../../src/metadata/image-records.js';
import { userPrincipal } from '../../src/security/principal.js';
import { createDelegationToken, expireDelegationToken, renewDelegationToken, sweepExpiredTokens, allowTokenRequests, type TokenSettings } from '../../src/security/tokens/token-control.js';

const S: TokenSettings = { secretKey: 'k', maxLifetimeMs: 10_000, renewLifetimeMs: 3_000 };
const alice = userPrincipal('alice');
const bob = userPrincipal('bob');

function apply(image: MetadataImage, records: MetadataRecord[]): MetadataImage {
  const d = new MetadataDelta(image);
  for (const r of records) d.replay(r);
  return d.apply({ lastContainedOffset: image.offset + records.length, lastContainedEpoch: 1, lastContainedLogTimeMs: 0 });
}
const createReq = (o: Partial<Parameters<typeof createDelegationToken>[3]> = {}) => ({ ownerPrincipalType: null, ownerPrincipalName: null, renewers: [], maxLifetimeMs: -1, ...o });

t.test('create: disabled without a key; lifetimes; owner named by the request', async (t) => {
  const empty = MetadataImage.empty('c');
  t.equal(createDelegationToken(empty, { ...S, secretKey: null }, alice, createReq(), 1000).response.errorCode, 61, 'DELEGATION_TOKEN_AUTH_DISABLED');
  const r = createDelegationToken(empty, S, alice, createReq({ maxLifetimeMs: 60_000 }), 1000);
  t.equal(r.response.maxTimestampMs, 11_000, 'capped at delegation.token.max.lifetime.ms');
  t.equal(r.response.expiryTimestampMs, 4_000, 'first expiry after delegation.token.expiry.time.ms');
  t.same(r.response.hmac, createHmac('sha512', 'k').update(r.response.tokenId).digest());
  const short = createDelegationToken(empty, S, alice, createReq({ maxLifetimeMs: 2_000 }), 1000);
  t.equal(short.response.maxTimestampMs, 3_000);
  t.equal(short.response.expiryTimestampMs, 3_000, 'expiry never past the max timestamp');
  const forBob = createDelegationToken(empty, S, alice, createReq({ ownerPrincipalType: 'User', ownerPrincipalName: 'bob' }), 1000);
  t.equal(forBob.response.principalName, 'bob');
  t.equal(forBob.response.tokenRequesterPrincipalName, 'alice');
  t.equal(forBob.records[0]!.data.owner, 'User:bob');
  t.equal(forBob.records[0]!.data.requester, 'User:alice');
});

t.test('renew and expire by HMAC; snapshots keep tokens', async (t) => {
  let image = MetadataImage.empty('c');
  const c = createDelegationToken(image, S, alice, createReq({ renewers: [{ principalType: 'User', principalName: 'bob' }] }), 1000);
  image = apply(image, c.records);
  const hmac = c.response.hmac;
  t.equal(renewDelegationToken(image, S, userPrincipal('eve'), { hmac, renewPeriodMs: -1 }, 2000).response.errorCode, 63);
  const renewed = renewDelegationToken(image, S, bob, { hmac, renewPeriodMs: 1000 }, 2000);
  t.equal(renewed.response.expiryTimestampMs, 3000, 'now + the requested period');
  image = apply(image, renewed.records);
  t.equal(image.delegationTokens.tokens.get(c.response.tokenId)?.expirationTimestamp, 3000);
  t.equal(renewDelegationToken(image, S, alice, { hmac, renewPeriodMs: -1 }, 3001).response.errorCode, 66, 'DELEGATION_TOKEN_EXPIRED');
  t.equal(expireDelegationToken(image, S, alice, { hmac, expiryTimePeriodMs: 100 }, 3001).response.errorCode, 66, 'an expired token cannot get a new expiry');
  const moved = expireDelegationToken(image, S, alice, { hmac, expiryTimePeriodMs: 500 }, 2500);
  t.equal(moved.response.expiryTimestampMs, 3000);
  t.equal(renewDelegationToken(image, S, alice, { hmac: Buffer.alloc(64), renewPeriodMs: -1 }, 2000).response.errorCode, 62);
  // A snapshot of the image rebuilds the token.
  const rebuilt = apply(MetadataImage.empty('c'), imageToRecords(image));
  t.same(rebuilt.delegationTokens.tokens.get(c.response.tokenId), image.delegationTokens.tokens.get(c.response.tokenId));
  t.same(sweepExpiredTokens(image, 2999), []);
  t.same(sweepExpiredTokens(image, 3001).map((r) => r.data.tokenId), [c.response.tokenId]);
  image = apply(image, expireDelegationToken(image, S, bob, { hmac, expiryTimePeriodMs: -1 }, 2000).records);
  t.equal(image.delegationTokens.tokens.size, 0, 'a renewer may expire it at once');
});

t.test('which connections may ask for tokens', async (t) => {
  t.notOk(allowTokenRequests('PLAINTEXT', alice));
  t.notOk(allowTokenRequests('SSL', userPrincipal('ANONYMOUS')), 'SSL without a client certificate');
  t.ok(allowTokenRequests('SSL', alice), 'SSL with a client certificate');
  t.ok(allowTokenRequests('SASL_SSL', alice));
  t.notOk(allowTokenRequests('SASL_PLAINTEXT', { ...alice, tokenAuthenticated: true }));
});
