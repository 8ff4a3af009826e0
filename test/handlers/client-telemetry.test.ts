// KIP-714 client telemetry: GetTelemetrySubscriptions (71) and PushTelemetry (72). Expected values
// are Apache Kafka 4.4.0's answers (captured from a single broker): subscription ids, accepted
// compression types, push interval and max bytes, the error code of each bad push. Kafka serves
// both APIs even when it does not advertise them (no telemetry reporter); samsa advertises them
// only with samsa.client.telemetry.enable=true.
import t, { type Test } from 'tap';
import { gzipSync } from 'node:zlib';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { clientTelemetry } from '../../src/telemetry/client-metrics.js';
import { codecRequest } from '../metadata/helpers.js';
import { WireConnection } from '../helpers/wire.js';
import * as G from '../../src/protocol/generated/index.js';
import { Writer } from '../../src/protocol/writer.js';
import { Reader } from '../../src/protocol/reader.js';
import { requestHeaderVersion, responseHeaderVersion } from '../../src/protocol/headers.js';

const ZERO = 'AAAAAAAAAAAAAAAAAAAAAA';

/** One connection for several requests: Kafka keys a client instance's push timing to its connection. */
async function session(t: Test, b: RunningBroker) {
  const conn = await WireConnection.connect(b.host, b.port);
  t.teardown(() => conn.destroy());
  return async (name: string, body: unknown): Promise<any> => {
    const req = (G as any)[`${name}Request`];
    const res = (G as any)[`${name}Response`];
    const w = new Writer();
    req.encode(w, 0, body);
    const frame = await conn.request(req.apiKey, 0, w.toBuffer(), { headerVersion: requestHeaderVersion(req.apiKey, 0) as 2 });
    const r = new Reader(frame);
    G.ResponseHeader.decode(r, responseHeaderVersion(req.apiKey, 0));
    return res.decode(r, 0);
  };
}

async function broker(t: Test, config: Record<string, string>): Promise<RunningBroker> {
  const b = await startBroker({ port: 0, memory: true, config });
  t.teardown(() => b.close());
  return b;
}

const advertised = async (b: RunningBroker) =>
  (await codecRequest(b.host, b.port, 'ApiVersions', 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' })).apiKeys
    .filter((k: any) => k.apiKey === 71 || k.apiKey === 72);

t.test('off by default: not advertised, still answered as Kafka does', async (t) => {
  const b = await broker(t, { 'samsa.client.telemetry.metrics': '' });
  t.same(await advertised(b), [], 'ApiVersions leaves 71 and 72 out');
  const q = await session(t, b);
  // Kafka 4.4 without subscriptions gave instance gEcZApuESAmKLV2JA2hRjw subscription id 1178666707.
  const sub = await q('GetTelemetrySubscriptions', { clientInstanceId: 'gEcZApuESAmKLV2JA2hRjw' });
  t.same(sub, {
    throttleTimeMs: 0,
    errorCode: 0,
    clientInstanceId: 'gEcZApuESAmKLV2JA2hRjw',
    subscriptionId: 1178666707,
    acceptedCompressionTypes: [4, 3, 1, 2],
    pushIntervalMs: 300000,
    telemetryMaxBytes: 1048576,
    deltaTemporality: true,
    requestedMetrics: [],
  });
  t.equal((await q('PushTelemetry', { clientInstanceId: 'gEcZApuESAmKLV2JA2hRjw', subscriptionId: 1178666707, terminating: false, compressionType: 0, metrics: Buffer.from('x') })).errorCode, 0);
  const q2 = await session(t, b);
  const sub2 = await q2('GetTelemetrySubscriptions', { clientInstanceId: ZERO });
  const lz4Labelled = { clientInstanceId: sub2.clientInstanceId, subscriptionId: sub2.subscriptionId, terminating: false, compressionType: 3, metrics: gzipSync(Buffer.from('hello world')) };
  t.equal((await q2('PushTelemetry', lz4Labelled)).errorCode, 87, 'metrics that do not decompress: INVALID_RECORD even while off, as Kafka without a reporter');
  t.same(clientTelemetry(b.broker).latest(), [], 'nothing kept while off');
});

t.test('on: advertised, subscriptions and pushes with Kafka\'s errors', async (t) => {
  const b = await broker(t, { 'samsa.client.telemetry.enable': 'true', 'telemetry.max.bytes': '1000' });
  t.same(await advertised(b), [{ apiKey: 71, minVersion: 0, maxVersion: 0 }, { apiKey: 72, minVersion: 0, maxVersion: 0 }]);
  const q = await session(t, b);
  const sub = await q('GetTelemetrySubscriptions', { clientInstanceId: ZERO });
  t.not(sub.clientInstanceId, ZERO, 'the zero id gets a new instance id');
  t.match(sub, { errorCode: 0, pushIntervalMs: 300000, telemetryMaxBytes: 1000, deltaTemporality: true, requestedMetrics: ['*'], acceptedCompressionTypes: [4, 3, 1, 2] });
  const again = await q('GetTelemetrySubscriptions', { clientInstanceId: sub.clientInstanceId });
  t.equal(again.errorCode, 89, 'asking again within the push interval: THROTTLING_QUOTA_EXCEEDED');
  t.equal((await q('PushTelemetry', { clientInstanceId: ZERO, subscriptionId: 0, terminating: false, compressionType: 0, metrics: Buffer.alloc(0) })).errorCode, 42, 'zero instance id: INVALID_REQUEST');
  t.equal((await q('PushTelemetry', { clientInstanceId: 'AAAAAAAAAAAAAAAAAAAAAQ', subscriptionId: 0, terminating: false, compressionType: 0, metrics: Buffer.alloc(0) })).errorCode, 42, 'reserved instance id: INVALID_REQUEST');

  /** A new client on its own connection: its first push after the subscription is on time. */
  const client = async () => {
    const c = await session(t, b);
    const s = await c('GetTelemetrySubscriptions', { clientInstanceId: ZERO });
    const push = (over: Record<string, unknown> = {}) =>
      c('PushTelemetry', { clientInstanceId: s.clientInstanceId, subscriptionId: s.subscriptionId, terminating: false, compressionType: 0, metrics: Buffer.alloc(0), ...over }).then((r) => r.errorCode as number);
    const resubscribe = () => c('GetTelemetrySubscriptions', { clientInstanceId: s.clientInstanceId }).then((r) => r.errorCode as number);
    return { id: s.clientInstanceId as string, push, resubscribe };
  };
  let c = await client();
  t.equal(await c.push({ subscriptionId: 12345 }), 117, 'stale subscription id: UNKNOWN_SUBSCRIPTION_ID');
  t.equal(await c.resubscribe(), 0, 'after UNKNOWN_SUBSCRIPTION_ID the client may ask again at once');
  c = await client();
  t.equal(await c.push({ compressionType: 9 }), 76, 'unknown compression type: UNSUPPORTED_COMPRESSION_TYPE');
  t.equal(await c.resubscribe(), 0, 'and after UNSUPPORTED_COMPRESSION_TYPE');
  c = await client();
  t.equal(await c.push({ metrics: Buffer.alloc(1001) }), 118, 'over telemetry.max.bytes: TELEMETRY_TOO_LARGE');
  t.equal(await c.resubscribe(), 89, 'not after other errors');
  c = await client();
  t.equal(await c.push({ compressionType: 1, metrics: gzipSync(Buffer.alloc(5000)).subarray(0, 10) }), 87, 'metrics that do not decompress: INVALID_RECORD');
  c = await client();
  t.equal(await c.push({ metrics: Buffer.from('x') }), 0);
  t.equal(await c.push({ metrics: Buffer.from('x') }), 89, 'a second push within the interval: THROTTLING_QUOTA_EXCEEDED');
  const otlp = Buffer.from('pretend OTLP MetricsData '.repeat(100));
  t.equal(await c.push({ terminating: true, compressionType: 1, metrics: gzipSync(otlp) }), 0, 'a terminating push is accepted within the interval');
  t.equal(await c.push({ terminating: true, metrics: Buffer.from('x') }), 42, 'anything after the terminating push: INVALID_REQUEST');
  const kept = clientTelemetry(b.broker).latest();
  t.same(kept.map((p) => p.clientInstanceId), [c.id], 'one entry per client instance, pushes that failed keep nothing');
  t.match(kept[0], { clientId: 'samsa-wire-test', terminating: true });
  t.same(kept[0].metrics, otlp, 'the latest push is kept, decompressed');
});

t.test('the kept pushes are bounded by samsa.client.telemetry.max.clients', async (t) => {
  const b = await broker(t, { 'samsa.client.telemetry.enable': 'true', 'samsa.client.telemetry.max.clients': '2' });
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const q = await session(t, b);
    const sub = await q('GetTelemetrySubscriptions', { clientInstanceId: ZERO });
    ids.push(sub.clientInstanceId);
    const r = await q('PushTelemetry', { clientInstanceId: sub.clientInstanceId, subscriptionId: sub.subscriptionId, terminating: false, compressionType: 0, metrics: Buffer.from([i]) });
    t.equal(r.errorCode, 0);
  }
  t.same(clientTelemetry(b.broker).latest().map((p) => p.clientInstanceId), ids.slice(1), 'the least recently pushed is dropped');
});

t.test('a configured subscription', async (t) => {
  const b = await broker(t, { 'samsa.client.telemetry.enable': 'true', 'samsa.client.telemetry.metrics': 'org.apache.kafka.producer., org.apache.kafka.consumer.', 'samsa.client.telemetry.push.interval.ms': '5000' });
  const q = await session(t, b);
  const sub = await q('GetTelemetrySubscriptions', { clientInstanceId: ZERO });
  t.match(sub, { errorCode: 0, pushIntervalMs: 5000, requestedMetrics: ['org.apache.kafka.consumer.', 'org.apache.kafka.producer.'] });
});

t.test('request sequences on one connection answer as Kafka 4.4.0 answered them', async (t) => {
  const b = await broker(t, { 'samsa.client.telemetry.enable': 'true' });
  type Step = [name: 'GetTelemetrySubscriptions' | 'PushTelemetry', over?: Record<string, unknown>];
  const get: Step = ['GetTelemetrySubscriptions'];
  const push = (over: Record<string, unknown> = {}): Step => ['PushTelemetry', over];
  // Each sequence starts with a GetTelemetrySubscriptions for a new instance; codes as Kafka gave them.
  const cases: [string, Step[], number[]][] = [
    ['asking twice', [get], [0, 89]],
    ['a stale subscription id, then again', [push({ subscriptionId: 1 }), get, push(), push()], [0, 117, 0, 89, 89]],
    ['an unknown compression type, then again', [push({ compressionType: 9 }), get, push()], [0, 76, 0, 89]],
    ['too large, then asking again', [push({ metrics: Buffer.alloc(1048577) }), get], [0, 118, 89]],
    ['pushing twice, terminating twice', [push(), push(), push({ terminating: true }), push({ terminating: true }), push()], [0, 0, 89, 0, 42, 42]],
    ['a payload that does not decompress', [push({ compressionType: 1, metrics: Buffer.from('nope') }), get, push()], [0, 87, 89, 89]],
    ['terminating first', [push({ terminating: true }), get], [0, 0, 89]],
  ];
  for (const [label, steps, expected] of cases) {
    const q = await session(t, b);
    const sub = await q('GetTelemetrySubscriptions', { clientInstanceId: ZERO });
    const codes = [sub.errorCode];
    for (const [name, over] of steps) {
      const body = name === 'GetTelemetrySubscriptions'
        ? { clientInstanceId: sub.clientInstanceId }
        : { clientInstanceId: sub.clientInstanceId, subscriptionId: sub.subscriptionId, terminating: false, compressionType: 0, metrics: Buffer.alloc(0), ...over };
      codes.push((await q(name, body)).errorCode);
    }
    t.same(codes, expected, label);
  }
});
