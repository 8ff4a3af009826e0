// Re-authentication (KIP-368): SaslAuthenticate v1+ carries session_lifetime_ms from
// connections.max.reauth.ms (per mechanism: listener.name.<l>.<mech>.connections.max.reauth.ms
// first) capped by a delegation token's expiry; a SaslHandshake on an authenticated connection
// re-authenticates (same principal and mechanism, else Kafka's messages and the connection
// closes); a request after the session expired closes the connection unanswered; kafkajs keeps
// producing across several session lifetimes by re-authenticating.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { AlterUserScramCredentialsRequest } from '../../src/protocol/generated/alter-user-scram-credentials-request.js';
import { AlterUserScramCredentialsResponse } from '../../src/protocol/generated/alter-user-scram-credentials-response.js';
import { CreateDelegationTokenRequest } from '../../src/protocol/generated/create-delegation-token-request.js';
import { CreateDelegationTokenResponse } from '../../src/protocol/generated/create-delegation-token-response.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { SaslAuthenticateRequest } from '../../src/protocol/generated/sasl-authenticate-request.js';
import { SaslAuthenticateResponse } from '../../src/protocol/generated/sasl-authenticate-response.js';
import { SaslHandshakeRequest } from '../../src/protocol/generated/sasl-handshake-request.js';
import { SaslHandshakeResponse } from '../../src/protocol/generated/sasl-handshake-response.js';
import { ScramClient } from '../../src/security/scram/scram-client.js';
import { saltedPassword, SCRAM_SHA_256 } from '../../src/security/scram/scram-formatter.js';
import type { SaslClient } from '../../src/security/sasl/mechanism.js';
import { WireConnection } from '../helpers/wire.js';
import { call, saslConnect } from './sasl-wire.js';

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="bob-secret";';
let running: RunningBroker;
const ports: Record<string, number> = {};

t.before(async () => {
  running = await startBroker({
    memory: true,
    config: {
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
      'connections.max.reauth.ms': '4000',
      'listener.name.sasl_plaintext.plain.connections.max.reauth.ms': '1500',
      'delegation.token.secret.key': 'reauth-secret',
    },
    listeners: [
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost' },
      { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' },
    ],
  });
  for (const e of running.broker.advertisedEndpoints) ports[e.name] = e.port;
  const c = await WireConnection.connect('127.0.0.1', ports.PLAINTEXT!);
  const salt = Buffer.from('carol-salt');
  await call(c, 51, 0, AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse, {
    deletions: [],
    upsertions: [{ name: 'carol', mechanism: 1, iterations: 4096, salt, saltedPassword: saltedPassword(SCRAM_SHA_256, 'carol-secret', salt, 4096) }],
  }, true);
  c.destroy();
});
t.teardown(() => running?.close());

const conns: WireConnection[] = [];
t.teardown(() => conns.forEach((c) => c.destroy()));
const plain = (user: string, password: string): SaslClient => ({ initial: () => Buffer.from(`\u0000${user}\u0000${password}`), evaluate: () => null });
const metadata = (c: WireConnection) => call(c, 3, 12, MetadataRequest, MetadataResponse, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }, true);

/** Handshake + tokens on an already authenticated connection. */
async function reauthenticate(c: WireConnection, mechanism: string, client: SaslClient) {
  const hs = await call(c, 17, 1, SaslHandshakeRequest, SaslHandshakeResponse, { mechanism }, false);
  let token: Buffer | null = client.initial();
  let last!: SaslAuthenticateResponse;
  while (token !== null) {
    last = await call(c, 36, 2, SaslAuthenticateRequest, SaslAuthenticateResponse, { authBytes: token }, true);
    if (last.errorCode !== 0) break;
    token = client.evaluate(Buffer.from(last.authBytes));
  }
  return { handshake: hs.errorCode, last };
}

t.test('session_lifetime_ms per mechanism; re-authentication renews the session', async (t) => {
  const p = await saslConnect(ports.SASL_PLAINTEXT!, 'PLAIN', plain('alice', 'alice-secret'));
  conns.push(p.conn);
  t.equal(p.last.sessionLifetimeMs, 1500, 'PLAIN: listener.name.sasl_plaintext.plain.connections.max.reauth.ms');
  const s = await saslConnect(ports.SASL_PLAINTEXT!, 'SCRAM-SHA-256', new ScramClient(SCRAM_SHA_256, 'carol', 'carol-secret'));
  conns.push(s.conn);
  t.equal(s.last.sessionLifetimeMs, 4000, 'SCRAM: connections.max.reauth.ms');
  const r = await reauthenticate(p.conn, 'PLAIN', plain('alice', 'alice-secret'));
  t.equal(r.handshake, 0);
  t.equal(r.last.errorCode, 0);
  t.equal(r.last.sessionLifetimeMs, 1500);
  t.equal((await metadata(p.conn)).brokers.length, 1, 'served after re-authentication');
});

t.test('re-authentication as another principal or with another mechanism fails as Kafka', async (t) => {
  const a = await saslConnect(ports.SASL_PLAINTEXT!, 'PLAIN', plain('alice', 'alice-secret'));
  conns.push(a.conn);
  const r = await reauthenticate(a.conn, 'PLAIN', plain('bob', 'bob-secret'));
  t.equal(r.last.errorCode, 58);
  t.equal(r.last.errorMessage, 'Cannot change principals during re-authentication from User.alice: User.bob');
  await a.conn.closed;
  const b = await saslConnect(ports.SASL_PLAINTEXT!, 'PLAIN', plain('alice', 'alice-secret'));
  conns.push(b.conn);
  const m = await reauthenticate(b.conn, 'SCRAM-SHA-256', new ScramClient(SCRAM_SHA_256, 'carol', 'carol-secret'));
  t.equal(m.handshake, 0, 'the handshake itself is answered');
  t.equal(m.last.errorCode, 58);
  t.equal(m.last.errorMessage, "SASL mechanism 'SCRAM-SHA-256' requested by client is not supported for re-authentication of mechanism 'PLAIN'");
  await b.conn.closed;
});

t.test('a request after the session expired closes the connection unanswered', async (t) => {
  const p = await saslConnect(ports.SASL_PLAINTEXT!, 'PLAIN', plain('alice', 'alice-secret'));
  conns.push(p.conn);
  const authenticatedAt = Date.now();
  t.equal((await metadata(p.conn)).brokers.length, 1, 'served within the session');
  await new Promise((r) => setTimeout(r, Math.max(0, authenticatedAt + 1500 + 300 - Date.now())));
  await t.rejects(metadata(p.conn), /connection closed/);
  await p.conn.closed;
});

t.test("a delegation token's expiry caps the session", async (t) => {
  const carol = await saslConnect(ports.SASL_PLAINTEXT!, 'SCRAM-SHA-256', new ScramClient(SCRAM_SHA_256, 'carol', 'carol-secret'));
  conns.push(carol.conn);
  const token = await call(carol.conn, 38, 3, CreateDelegationTokenRequest, CreateDelegationTokenResponse, { ownerPrincipalType: null, ownerPrincipalName: null, renewers: [], maxLifetimeMs: 2000 }, true);
  t.equal(token.errorCode, 0);
  const viaToken = await saslConnect(ports.SASL_PLAINTEXT!, 'SCRAM-SHA-256', new ScramClient(SCRAM_SHA_256, token.tokenId, token.hmac.toString('base64'), true));
  conns.push(viaToken.conn);
  t.equal(viaToken.last.errorCode, 0);
  t.ok(viaToken.last.sessionLifetimeMs > 0 && viaToken.last.sessionLifetimeMs <= 2000, `the token's remaining life (${viaToken.last.sessionLifetimeMs} ms), below connections.max.reauth.ms`);
});

t.test('kafkajs re-authenticates and keeps producing across session lifetimes', async (t) => {
  const kafka = new Kafka({
    clientId: 'samsa-reauth-test',
    brokers: [`localhost:${ports.SASL_PLAINTEXT}`],
    logLevel: logLevel.NOTHING,
    sasl: { mechanism: 'scram-sha-256', username: 'carol', password: 'carol-secret' },
    reauthenticationThreshold: 2500,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'reauth', numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const started = Date.now();
  let sent = 0;
  // Past two session lifetimes (4 s each): without re-authentication the broker would close the connection.
  while (Date.now() - started < 9000) {
    await producer.send({ topic: 'reauth', messages: [{ value: `m${sent}` }] });
    sent++;
    await new Promise((r) => setTimeout(r, 500));
  }
  await producer.disconnect();
  t.ok(sent >= 5, `${sent} sends, all acknowledged`);
});
