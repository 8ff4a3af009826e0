// SASL/PLAIN and TLS on a broker's listeners, checked with kafkajs and with raw bytes: kafkajs over
// SASL_SSL and SASL_PLAINTEXT produces and consumes; a wrong password gets Kafka's
// SASL_AUTHENTICATION_FAILED message and the connection closes; before authentication only
// ApiVersions and the SASL exchange are served (a Metadata request closes the connection); GSSAPI
// is refused with UNSUPPORTED_SASL_MECHANISM and the enabled list; the v0 handshake's raw tokens;
// sasl.server.max.receive.size; SaslHandshake after authentication is ILLEGAL_SASL_STATE.
import net from 'node:net';
import path from 'node:path';
import t, { type Test } from 'tap';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import fs from 'node:fs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { Bytes, Cursor, WireConnection, requestFrame } from '../helpers/wire.js';
import { makePki } from './certs.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';

const dir = tempDir(t, 'samsa-sasl-');
const pki = makePki(path.join(dir, 'pki'));
const server = pki.issue('broker', '/CN=localhost', { server: true });

let running: RunningBroker;
const ports: Record<string, number> = {};

t.before(async () => {
  running = await startBroker({
    memory: true,
    config: {
      // Kafka's default; each listener enables its own (listener.name.<l>.sasl.enabled.mechanisms wins).
      'sasl.enabled.mechanisms': 'GSSAPI',
      'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_ssl.plain.sasl.jaas.config': JAAS,
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN,GSSAPI',
      'sasl.server.max.receive.size': '4096',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': server.keyStore,
    },
    listeners: [
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost' },
      { name: 'SASL_SSL', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_SSL' },
      { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' },
    ],
  });
  for (const e of running.broker.advertisedEndpoints) ports[e.name] = e.port;
});
t.teardown(() => running?.close());

function kafka(listener: string, opts: { sasl?: SASLOptions; ssl?: boolean } = {}) {
  return new Kafka({
    clientId: 'samsa-security-test',
    brokers: [`localhost:${ports[listener]}`],
    logLevel: logLevel.NOTHING,
    ssl: opts.ssl ? { ca: [fs.readFileSync(pki.caCert, 'utf8')] } : undefined,
    sasl: opts.sasl,
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { retries: 0 },
  });
}

async function roundTrip(t: Test, client: Kafka, topic: string) {
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const cluster = await admin.describeCluster();
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'k', value: `hello over ${topic}` }] });
  await producer.disconnect();
  const consumer = client.consumer({ groupId: `g-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got = await new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
  await consumer.disconnect();
  t.equal(got, `hello over ${topic}`, 'the message comes back');
  return cluster;
}

t.test('kafkajs over SASL_SSL with PLAIN: produce, consume; Metadata advertises the SASL_SSL listener', async (t) => {
  const cluster = await roundTrip(t, kafka('SASL_SSL', { ssl: true, sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' } }), 'over-sasl-ssl');
  t.same(cluster.brokers.map((b) => b.port), [ports.SASL_SSL], 'the endpoint of the listener the request came in on');
});

t.test('kafkajs over SASL_PLAINTEXT with PLAIN', async (t) => {
  const cluster = await roundTrip(t, kafka('SASL_PLAINTEXT', { sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' } }), 'over-sasl-plaintext');
  t.same(cluster.brokers.map((b) => b.port), [ports.SASL_PLAINTEXT]);
});

t.test('a wrong password is refused with Kafka message', async (t) => {
  const admin = kafka('SASL_SSL', { ssl: true, sasl: { mechanism: 'plain', username: 'alice', password: 'wrong' } }).admin();
  const err = await admin.connect().then(() => null, (e: Error) => e);
  t.ok(err, 'connect fails');
  t.match(err?.message ?? '', /Authentication failed: Invalid username or password/);
  t.equal(err?.name, 'KafkaJSSASLAuthenticationError');
  const unknown = kafka('SASL_PLAINTEXT', { sasl: { mechanism: 'plain', username: 'mallory', password: 'x' } }).admin();
  const err2 = await unknown.connect().then(() => null, (e: Error) => e);
  t.match(err2?.message ?? '', /Authentication failed: Invalid username or password/, 'an unknown user gets the same message');
});

t.test('PLAINTEXT still serves without SASL', async (t) => {
  const cluster = await roundTrip(t, kafka('PLAINTEXT'), 'over-plaintext');
  t.same(cluster.brokers.map((b) => b.port), [ports.PLAINTEXT]);
});

// ---- raw bytes ----

const handshakeBody = (mechanism: string) => new Bytes().string(mechanism).build();
function parseHandshake(frame: Buffer) {
  const c = new Cursor(frame);
  c.int32();
  const errorCode = c.int16();
  const n = c.int32();
  const mechanisms: string[] = [];
  for (let i = 0; i < n; i++) mechanisms.push(c.string()!);
  return { errorCode, mechanisms };
}
const authenticateBody = (token: Buffer) => new Bytes().int32(token.length).raw(token).build();
function parseAuthenticate(frame: Buffer) {
  const c = new Cursor(frame);
  c.int32();
  const errorCode = c.int16();
  const errorMessage = c.string();
  const len = c.int32();
  const authBytes = c.bytes(len);
  const sessionLifetimeMs = c.int64();
  return { errorCode, errorMessage, authBytes, sessionLifetimeMs };
}
const plainToken = (user: string, password: string) => Buffer.from(`\u0000${user}\u0000${password}`);
const metadataV1 = () => new Bytes().int32(-1).build();

t.test('before authentication: ApiVersions lists the SASL APIs, a Metadata request closes the connection unanswered', async (t) => {
  const c = await WireConnection.connect('127.0.0.1', ports.SASL_PLAINTEXT);
  t.teardown(() => c.destroy());
  const av = new Cursor(await c.request(18, 0, Buffer.alloc(0)));
  av.int32();
  t.equal(av.int16(), 0, 'ApiVersions v0 answered');
  const keys = new Map<number, [number, number]>();
  for (let i = av.int32(); i > 0; i--) keys.set(av.int16(), [av.int16(), av.int16()]);
  t.same(keys.get(17), [0, 1], 'SaslHandshake v0-1');
  t.same(keys.get(36), [0, 2], 'SaslAuthenticate v0-2');
  c.write(requestFrame(3, 1, 99, metadataV1()));
  t.ok(await c.closesWithin(10_000), 'closed');
  t.notOk(c.received.some((f) => f.readInt32BE(0) === 99), 'the Metadata request got no answer');
});

t.test('GSSAPI (enabled but not served) is UNSUPPORTED_SASL_MECHANISM with the enabled list, then the connection closes', async (t) => {
  const c = await WireConnection.connect('127.0.0.1', ports.SASL_PLAINTEXT);
  t.teardown(() => c.destroy());
  const res = parseHandshake(await c.request(17, 1, handshakeBody('GSSAPI')));
  t.equal(res.errorCode, 33, 'UNSUPPORTED_SASL_MECHANISM');
  t.same(res.mechanisms, ['PLAIN', 'GSSAPI'], "the listener's enabled mechanisms (listener.name.sasl_plaintext.sasl.enabled.mechanisms)");
  t.ok(await c.closesWithin(10_000), 'closed');
});

t.test('handshake v1 + SaslAuthenticate v1: a bad password is SASL_AUTHENTICATION_FAILED with Kafka message, then closed', async (t) => {
  const c = await WireConnection.connect('127.0.0.1', ports.SASL_PLAINTEXT);
  t.teardown(() => c.destroy());
  const hs = parseHandshake(await c.request(17, 1, handshakeBody('PLAIN')));
  t.same(hs, { errorCode: 0, mechanisms: ['PLAIN', 'GSSAPI'] });
  const res = parseAuthenticate(await c.request(36, 1, authenticateBody(plainToken('alice', 'nope'))));
  t.equal(res.errorCode, 58, 'SASL_AUTHENTICATION_FAILED');
  t.equal(res.errorMessage, 'Authentication failed: Invalid username or password');
  t.ok(await c.closesWithin(10_000), 'closed');
});

t.test('handshake v1 + SaslAuthenticate: success, then requests are served; a second handshake is ILLEGAL_SASL_STATE', async (t) => {
  const c = await WireConnection.connect('127.0.0.1', ports.SASL_PLAINTEXT);
  t.teardown(() => c.destroy());
  parseHandshake(await c.request(17, 1, handshakeBody('PLAIN')));
  const res = parseAuthenticate(await c.request(36, 1, authenticateBody(plainToken('alice', 'alice-secret'))));
  t.same({ errorCode: res.errorCode, errorMessage: res.errorMessage, sessionLifetimeMs: res.sessionLifetimeMs }, { errorCode: 0, errorMessage: null, sessionLifetimeMs: 0 });
  const md = new Cursor(await c.request(3, 1, metadataV1()));
  md.int32();
  t.equal(md.int32(), 1, 'Metadata answered: one broker');
  const again = parseHandshake(await c.request(17, 1, handshakeBody('PLAIN')));
  t.equal(again.errorCode, 34, 'ILLEGAL_SASL_STATE');
  t.ok(c.isOpen);
});

t.test('PLAIN with a missing password token and with two tokens: Kafka messages', async (t) => {
  for (const [token, message] of [
    [Buffer.from('\u0000alice\u0000'), 'Authentication failed: password not specified'],
    [Buffer.from('alice\u0000secret'), 'Invalid SASL/PLAIN response: expected 3 tokens, got 2'],
  ] as const) {
    const c = await WireConnection.connect('127.0.0.1', ports.SASL_PLAINTEXT);
    parseHandshake(await c.request(17, 1, handshakeBody('PLAIN')));
    const res = parseAuthenticate(await c.request(36, 1, authenticateBody(token)));
    t.equal(res.errorMessage, message);
    t.ok(await c.closesWithin(10_000));
    c.destroy();
  }
});

t.test('handshake v0: the PLAIN token travels raw and is answered with an empty raw token', async (t) => {
  // Raw socket: the answer to the token is a bare size prefix of 0, not a Kafka response.
  const socket = net.connect({ host: '127.0.0.1', port: ports.SASL_PLAINTEXT });
  t.teardown(() => socket.destroy());
  let got = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
  const waitFor = async (n: number) => {
    const deadline = Date.now() + 10_000;
    while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  socket.write(requestFrame(17, 0, 1, handshakeBody('PLAIN')));
  await waitFor(4);
  const handshakeSize = got.readInt32BE(0);
  await waitFor(4 + handshakeSize);
  t.same(parseHandshake(got.subarray(4, 4 + handshakeSize)), { errorCode: 0, mechanisms: ['PLAIN', 'GSSAPI'] });
  got = got.subarray(4 + handshakeSize);
  const token = plainToken('admin', 'admin-secret');
  socket.write(Buffer.concat([new Bytes().int32(token.length).build(), token]));
  await waitFor(4);
  t.same([...got.subarray(0, 4)], [0, 0, 0, 0], 'an empty raw token');
  got = got.subarray(4);
  socket.write(requestFrame(3, 1, 2, metadataV1()));
  await waitFor(12);
  t.equal(got.readInt32BE(4), 2, 'authenticated: Metadata answered');
  t.equal(got.readInt32BE(8), 1, 'one broker');
});

t.test('a frame over sasl.server.max.receive.size before authentication closes the connection', async (t) => {
  const c = await WireConnection.connect('127.0.0.1', ports.SASL_PLAINTEXT);
  t.teardown(() => c.destroy());
  parseHandshake(await c.request(17, 1, handshakeBody('PLAIN')));
  c.write(requestFrame(36, 1, 7, authenticateBody(Buffer.alloc(5000, 1))));
  t.ok(await c.closesWithin(10_000), 'closed');
});
