// Delegation tokens on a broker: created over SASL (SCRAM) for the requesting user, described with
// their HMAC (HmacSHA512 of the token id under delegation.token.secret.key), renewed by a renewer,
// refused to others and on PLAINTEXT; a client authenticates with SCRAM tokenauth=true as the
// token's owner and may then not ask for tokens itself; an expired token no longer authenticates.
import { createHmac } from 'node:crypto';
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { CreateDelegationTokenRequest } from '../../src/protocol/generated/create-delegation-token-request.js';
import { CreateDelegationTokenResponse } from '../../src/protocol/generated/create-delegation-token-response.js';
import { DescribeDelegationTokenRequest } from '../../src/protocol/generated/describe-delegation-token-request.js';
import { DescribeDelegationTokenResponse } from '../../src/protocol/generated/describe-delegation-token-response.js';
import { ExpireDelegationTokenRequest } from '../../src/protocol/generated/expire-delegation-token-request.js';
import { ExpireDelegationTokenResponse } from '../../src/protocol/generated/expire-delegation-token-response.js';
import { RenewDelegationTokenRequest } from '../../src/protocol/generated/renew-delegation-token-request.js';
import { RenewDelegationTokenResponse } from '../../src/protocol/generated/renew-delegation-token-response.js';
import { AlterUserScramCredentialsRequest } from '../../src/protocol/generated/alter-user-scram-credentials-request.js';
import { AlterUserScramCredentialsResponse } from '../../src/protocol/generated/alter-user-scram-credentials-response.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { ScramClient } from '../../src/security/scram/scram-client.js';
import { saltedPassword, SCRAM_SHA_256 } from '../../src/security/scram/scram-formatter.js';
import { WireConnection } from '../helpers/wire.js';
import { call, saslConnect } from './sasl-wire.js';

const SECRET = 'samsa-token-secret';
const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_bob="bob-secret" user_carol="carol-secret";';
let running: RunningBroker;
const ports: Record<string, number> = {};

t.before(async () => {
  running = await startBroker({
    memory: true,
    config: {
      'sasl.enabled.mechanisms': 'SCRAM-SHA-256,PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN,
      'delegation.token.secret.key': SECRET,
      'delegation.token.max.lifetime.ms': '3600000',
      'delegation.token.expiry.time.ms': '600000',
      'delegation.token.expiry.check.interval.ms': '300',
    },
    listeners: [
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost' },
      { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' },
    ],
  });
  for (const e of running.broker.advertisedEndpoints) ports[e.name] = e.port;
  const c = await WireConnection.connect('127.0.0.1', ports.PLAINTEXT!);
  const salt = Buffer.from('alice-salt');
  const r = await call(c, 51, 0, AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse, {
    deletions: [],
    upsertions: [{ name: 'alice', mechanism: 1, iterations: 4096, salt, saltedPassword: saltedPassword(SCRAM_SHA_256, 'alice-secret', salt, 4096) }],
  }, true);
  c.destroy();
  if (r.results[0]?.errorCode !== 0) throw new Error('could not create alice');
});
t.teardown(() => running?.close());

const conns: WireConnection[] = [];
t.teardown(() => conns.forEach((c) => c.destroy()));
async function as(mechanism: 'SCRAM-SHA-256' | 'PLAIN', user: string, password: string, tokenAuth = false) {
  const client =
    mechanism === 'PLAIN'
      ? { initial: () => Buffer.from(`\u0000${user}\u0000${password}`), evaluate: () => null }
      : new ScramClient(SCRAM_SHA_256, user, password, tokenAuth);
  const o = await saslConnect(ports.SASL_PLAINTEXT!, mechanism, client);
  conns.push(o.conn);
  return o;
}
const create = (c: WireConnection, body: Partial<CreateDelegationTokenRequest> = {}) =>
  call(c, 38, 3, CreateDelegationTokenRequest, CreateDelegationTokenResponse, { ownerPrincipalType: null, ownerPrincipalName: null, renewers: [], maxLifetimeMs: -1, ...body }, true);
const describe = (c: WireConnection, owners: string[] | null = null) =>
  call(c, 41, 3, DescribeDelegationTokenRequest, DescribeDelegationTokenResponse, { owners: owners && owners.map((o) => ({ principalType: 'User', principalName: o })) }, true);
const renew = (c: WireConnection, hmac: Buffer, renewPeriodMs = -1) => call(c, 39, 2, RenewDelegationTokenRequest, RenewDelegationTokenResponse, { hmac, renewPeriodMs }, true);
const expire = (c: WireConnection, hmac: Buffer, expiryTimePeriodMs: number) => call(c, 40, 2, ExpireDelegationTokenRequest, ExpireDelegationTokenResponse, { hmac, expiryTimePeriodMs }, true);

let token: CreateDelegationTokenResponse;

t.test('PLAINTEXT connections may not ask for tokens', async (t) => {
  const c = await WireConnection.connect('127.0.0.1', ports.PLAINTEXT!);
  conns.push(c);
  const r = await create(c);
  t.equal(r.errorCode, 64, 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED');
  t.equal(r.principalName, 'ANONYMOUS');
  t.equal((await describe(c)).errorCode, 64);
  t.equal((await renew(c, Buffer.alloc(64))).errorCode, 64);
  t.equal((await expire(c, Buffer.alloc(64), -1)).errorCode, 64);
});

t.test('a SCRAM user creates a token with a renewer; describe shows it with its HMAC', async (t) => {
  const { conn, last } = await as('SCRAM-SHA-256', 'alice', 'alice-secret');
  t.equal(last.errorCode, 0);
  const before = Date.now();
  token = await create(conn, { renewers: [{ principalType: 'User', principalName: 'bob' }], maxLifetimeMs: 7200000 });
  t.equal(token.errorCode, 0);
  t.equal(token.principalType, 'User');
  t.equal(token.principalName, 'alice');
  t.equal(token.tokenRequesterPrincipalName, 'alice');
  t.ok(token.tokenId.length > 0);
  t.same(token.hmac, createHmac('sha512', SECRET).update(token.tokenId).digest(), 'HmacSHA512 of the token id');
  t.ok(token.issueTimestampMs >= before);
  t.equal(token.maxTimestampMs - token.issueTimestampMs, 3600000, 'max lifetime capped at delegation.token.max.lifetime.ms');
  t.equal(token.expiryTimestampMs - token.issueTimestampMs, 600000, 'expiry after delegation.token.expiry.time.ms');
  t.equal((await create(conn, { renewers: [{ principalType: 'Group', principalName: 'x' }] })).errorCode, 67, 'INVALID_PRINCIPAL_TYPE');

  const d = await describe(conn);
  t.equal(d.errorCode, 0);
  t.equal(d.tokens.length, 1);
  const [tok] = d.tokens;
  t.equal(tok?.tokenId, token.tokenId);
  t.same(tok?.hmac, token.hmac);
  t.same(tok?.renewers.map((r) => `${r.principalType}:${r.principalName}`), ['User:bob']);
  t.equal(tok?.expiryTimestamp, token.expiryTimestampMs);
  t.same((await describe(conn, ['nobody'])).tokens, [], 'another owner: none');
  t.same((await describe(conn, [])).tokens, [], 'an empty owner list: none');
});

t.test('a client authenticates with the token as its owner and may not ask for tokens then', async (t) => {
  const { conn, last } = await as('SCRAM-SHA-256', token.tokenId, token.hmac.toString('base64'), true);
  t.equal(last.errorCode, 0, 'tokenauth=true with the HMAC as password');
  const md = await call(conn, 3, 12, MetadataRequest, MetadataResponse, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }, true);
  t.equal(md.brokers.length, 1, 'served after authentication');
  t.equal((await create(conn)).errorCode, 64, 'token-authenticated: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED');
  t.equal((await describe(conn)).errorCode, 64);
  const wrong = await as('SCRAM-SHA-256', token.tokenId, 'not-the-hmac', true);
  t.equal(wrong.last.errorCode, 58, 'a wrong HMAC: SASL_AUTHENTICATION_FAILED');
  t.equal(wrong.last.errorMessage, 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256');
});

t.test('renew: by a renewer, not by others; unknown HMACs', async (t) => {
  const bob = (await as('PLAIN', 'bob', 'bob-secret')).conn;
  const carol = (await as('PLAIN', 'carol', 'carol-secret')).conn;
  const r = await renew(bob, token.hmac, 1000);
  t.equal(r.errorCode, 0);
  t.ok(r.expiryTimestampMs <= Date.now() + 1000 && r.expiryTimestampMs > token.issueTimestampMs, 'expiry moved to now + the requested period');
  t.equal((await renew(carol, token.hmac)).errorCode, 63, 'DELEGATION_TOKEN_OWNER_MISMATCH');
  t.equal((await renew(bob, Buffer.alloc(64, 1))).errorCode, 62, 'DELEGATION_TOKEN_NOT_FOUND');
  const r2 = await renew(bob, token.hmac);
  t.equal(r2.errorCode, 0);
  t.ok(r2.expiryTimestampMs >= Date.now() + 590000, 'no period: delegation.token.expiry.time.ms');
});

t.test('expire: a negative period removes the token; it no longer authenticates', async (t) => {
  const carol = (await as('PLAIN', 'carol', 'carol-secret')).conn;
  t.equal((await expire(carol, token.hmac, -1)).errorCode, 63);
  const alice = (await as('SCRAM-SHA-256', 'alice', 'alice-secret')).conn;
  const e = await expire(alice, token.hmac, -1);
  t.equal(e.errorCode, 0);
  t.same((await describe(alice)).tokens, []);
  const again = await as('SCRAM-SHA-256', token.tokenId, token.hmac.toString('base64'), true);
  t.equal(again.last.errorCode, 58);
  t.equal((await expire(alice, token.hmac, -1)).errorCode, 62);
});

t.test('the controller removes tokens past their max lifetime (delegation.token.expiry.check.interval.ms)', async (t) => {
  const alice = (await as('SCRAM-SHA-256', 'alice', 'alice-secret')).conn;
  const short = await create(alice, { maxLifetimeMs: 500 });
  t.equal(short.errorCode, 0);
  t.equal(running.broker.image.delegationTokens.tokens.has(short.tokenId), true);
  const deadline = Date.now() + 60_000;
  while (running.broker.image.delegationTokens.tokens.has(short.tokenId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.equal(running.broker.image.delegationTokens.tokens.has(short.tokenId), false, 'a RemoveDelegationTokenRecord was written');
  t.same((await describe(alice)).tokens, []);
});
