// Hostile and odd bytes on raw sockets: each bad frame closes only its own connection, as
// Kafka's socket server does, while an already-open raw connection and an already-connected
// kafkajs client keep being served. Also the protocol edges Kafka defines for the connection:
// ApiVersions with a version the broker does not know, pipelined requests answered in order,
// and ApiVersions v3+ answered with response header v0.
import t, { type Test } from 'tap';
import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { sleep } from '../helpers/timeout.js';
import {
  Bytes,
  WireConnection,
  requestFrame,
  parseApiVersionsResponse,
  apiVersionsV3Body,
  metadataV1Body,
  parseMetadataV1Response,
  fetchV4Body,
  parseFetchV4Response,
} from '../helpers/wire.js';

const TOPIC = 'alive';
const UNSUPPORTED_VERSION = 35;

function sized(body: Buffer): Buffer {
  return Buffer.concat([new Bytes().int32(body.length).build(), body]);
}

function header(apiKey: number, apiVersion: number, correlationId: number): Buffer {
  return new Bytes().int16(apiKey).int16(apiVersion).int32(correlationId).string('bad-input-test').build();
}

/** Frames the broker must answer by closing the connection that sent them. */
const CLOSING: [string, Buffer][] = [
  ['an HTTP request on the Kafka port', Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')],
  ['a 2 GiB size prefix', Buffer.concat([new Bytes().int32(0x7fffffff).build(), Buffer.alloc(64, 1)])],
  ['size prefix -1', Buffer.concat([new Bytes().int32(-1).build(), Buffer.alloc(16, 0)])],
  ['size prefix -2^31', Buffer.concat([new Bytes().int32(-0x80000000).build(), Buffer.alloc(16, 0)])],
  ['size just above socket.request.max.bytes', new Bytes().int32(104857601).int32(0).build()],
  ['an empty frame', new Bytes().int32(0).build()],
  ['a frame shorter than any request header', sized(Buffer.from([0, 3, 0]))],
  ['a frame of garbage bytes', sized(Buffer.from('9f3ac2d1e0b7a6954433221100ffeeddccbbaa99', 'hex'))],
  ['an unknown api key (999)', sized(Buffer.concat([header(999, 0, 7), Buffer.alloc(8)]))],
  ['an unknown negative api key', sized(Buffer.concat([header(-1, 0, 7), Buffer.alloc(8)]))],
  ['an unsupported Metadata version (v99)', requestFrame(3, 99, 7, new Bytes().uvarint(1).uvarint(0).tags().build(), { headerVersion: 2 })],
  ['a Metadata version below the broker range (-1)', requestFrame(3, -1, 7, metadataV1Body(null))],
  ['Produce v2 (before record batches; Kafka 4 dropped it)', requestFrame(0, 2, 7, Buffer.alloc(16))],
  ['a header whose client id runs past the frame', sized(new Bytes().int16(3).int16(1).int32(7).int16(200).raw(Buffer.from('abc')).build())],
  ['a Metadata v1 body cut short (5 topics announced, none sent)', requestFrame(3, 1, 7, new Bytes().int32(5).build())],
  ['a Metadata v1 topic name cut short', requestFrame(3, 1, 7, new Bytes().int32(1).int16(40).raw(Buffer.from('ali')).build())],
  ['a Produce v3 body cut inside the records', requestFrame(0, 3, 7, new Bytes().string(null).int16(-1).int32(5000).int32(1).string(TOPIC).int32(1).int32(0).int32(500).raw(Buffer.alloc(20)).build())],
  ['an ApiVersions v3 body cut inside the software name', requestFrame(18, 3, 7, new Bytes().uvarint(30).raw(Buffer.from('kafka')).build(), { headerVersion: 2 })],
];

interface World {
  running: RunningBroker;
  bystander: WireConnection;
  producer: Producer;
  reader: KafkajsReader;
}

/** The already-open connections still work: the raw one answers, kafkajs produces and fetches. */
async function stillServing(t: Test, w: World, after: string) {
  t.ok(w.bystander.isOpen, `after ${after}: the other raw connection is still open`);
  const av = parseApiVersionsResponse(await w.bystander.request(18, 0, Buffer.alloc(0)), 0);
  t.equal(av.errorCode, 0, `after ${after}: the other raw connection is answered`);
  const value = `after ${after}`;
  const [md] = await w.producer.send({ topic: TOPIC, messages: [{ partition: 0, value }] });
  t.equal(md.errorCode, 0, `after ${after}: kafkajs produces`);
  const { messages } = await w.reader.readPartition(TOPIC, 0, { fromOffset: Number(md.baseOffset) });
  t.same(messages.map((m) => m.value?.toString()), [value], `after ${after}: kafkajs fetches what it produced`);
}

t.test('bad input on one connection leaves the others alone', async (t) => {
  const running = await startBroker({ port: 0, memory: true });
  t.teardown(() => running.close());
  const kafka = new Kafka({ clientId: 'samsa-bystander', brokers: [running.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const reader = await KafkajsReader.connect(running.bootstrap);
  t.teardown(() => reader.close());
  const bystander = await WireConnection.connect(running.host, running.port);
  t.teardown(() => bystander.destroy());
  const w: World = { running, bystander, producer, reader };
  await stillServing(t, w, 'start-up');

  for (const [name, bytes] of CLOSING) {
    await t.test(name, async (t) => {
      const c = await WireConnection.connect(running.host, running.port);
      t.teardown(() => c.destroy());
      c.write(bytes);
      t.ok(await c.closesWithin(3000), 'the broker closes this connection');
      t.same(c.received.length, 0, 'and sends nothing on it');
      await stillServing(t, w, name);
    });
  }

  await t.test('a truncated frame, then the client hangs up', async (t) => {
    const c = await WireConnection.connect(running.host, running.port);
    c.write(Buffer.concat([new Bytes().int32(100).build(), Buffer.alloc(10, 7)]));
    await sleep(50);
    c.destroy();
    await c.closed;
    await stillServing(t, w, 'a truncated frame and hang-up');
  });

  await t.test('a truncated frame on a connection kept open', async (t) => {
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    c.write(Buffer.concat([new Bytes().int32(100).build(), Buffer.alloc(10, 7)]));
    t.notOk(await c.closesWithin(500), 'the broker waits for the rest of the frame');
    t.equal(c.received.length, 0, 'and answers nothing yet');
    await stillServing(t, w, 'a truncated frame kept open');
  });

  await t.test('a request split across writes, inside the size prefix too', async (t) => {
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    const frame = requestFrame(18, 0, 4242, Buffer.alloc(0));
    const pending = c.response(4242);
    for (const [from, to] of [[0, 2], [2, 7], [7, frame.length]]) {
      c.write(frame.subarray(from, to));
      await sleep(40);
    }
    const av = parseApiVersionsResponse(await pending, 0);
    t.equal(av.correlationId, 4242, 'answered once the whole frame arrived');
    t.equal(av.errorCode, 0);
  });

  await t.test('ApiVersions with an unsupported version (v99)', async (t) => {
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    const known = parseApiVersionsResponse(await c.request(18, 0, Buffer.alloc(0)), 0);
    c.write(requestFrame(18, 99, 77, apiVersionsV3Body(), { headerVersion: 2 }));
    const frame = await c.response(77);
    // Kafka answers with the v0 body (no throttle time) after a v0 header (no tagged fields).
    const av = parseApiVersionsResponse(frame, 0);
    t.equal(av.correlationId, 77);
    t.equal(av.errorCode, UNSUPPORTED_VERSION, 'error 35 UNSUPPORTED_VERSION');
    const own = av.apiKeys.find((k) => k.apiKey === 18);
    t.same(own, known.apiKeys.find((k) => k.apiKey === 18), "the ApiVersions range is listed (KIP-511), so the client can pick a version");
    for (const k of av.apiKeys) {
      t.same(k, known.apiKeys.find((x) => x.apiKey === k.apiKey), `listed range for key ${k.apiKey} is the broker's real one`);
    }
    t.ok(c.isOpen, 'the connection stays open');
    const v3 = parseApiVersionsResponse(await c.request(18, 3, apiVersionsV3Body(), { headerVersion: 2 }), 3);
    t.equal(v3.errorCode, 0, 'and a retry with v3 on it succeeds');
  });

  await t.test('ApiVersions v3 and v4 answers use response header v0', async (t) => {
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    const v0 = parseApiVersionsResponse(await c.request(18, 0, Buffer.alloc(0)), 0);
    for (const version of [3, 4]) {
      const frame = await c.request(18, version, apiVersionsV3Body(), { headerVersion: 2 });
      // Error code right after the correlation id: no tagged-field byte in between.
      const parsed = parseApiVersionsResponse(frame, version);
      t.equal(parsed.errorCode, 0, `v${version}: error code directly after the correlation id`);
      t.equal(frame.readUInt8(6), v0.apiKeys.length + 1, `v${version}: then the compact api key array`);
      t.same(parsed.apiKeys, v0.apiKeys, `v${version}: same ranges as v0`);
      t.equal(parsed.throttleTimeMs, 0);
    }
    const bad = parseApiVersionsResponse(
      await c.request(18, 3, apiVersionsV3Body('bad name!', '1.0'), { headerVersion: 2 }),
      3,
    );
    t.equal(bad.errorCode, 42, 'v3 with an invalid client software name: INVALID_REQUEST, as Kafka');
  });

  await t.test('advertised ranges', async (t) => {
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    const av = parseApiVersionsResponse(await c.request(18, 0, Buffer.alloc(0)), 0);
    const byKey = new Map(av.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    for (const key of [0, 1, 2, 3, 18, 19, 22, 23]) t.ok(byKey.has(key), `api key ${key} is advertised`);
    // Kafka 4 advertises Produce v0-13 but serves v3+ (KAFKA-18659: librdkafka compresses only when it sees v0).
    t.same(byKey.get(0), [0, 13], 'Produce advertised v0-13');
    t.same(byKey.get(1), [4, 18], 'Fetch v4-18, as Kafka 4.4');
    t.same(byKey.get(18), [0, 5], 'ApiVersions v0-5');
  });

  await t.test('pipelined requests in one write are answered in order', async (t) => {
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    const hw = parseFetchV4Response(await c.request(1, 4, fetchV4Body(TOPIC, 0, 0, { maxWaitMs: 0 }))).partitions[0].highWatermark;
    const before = c.received.length;
    const batch = Buffer.concat([
      requestFrame(18, 0, 101, Buffer.alloc(0)),
      requestFrame(3, 1, 102, metadataV1Body(null)),
      // Waits 400 ms for data that never comes; the quick requests after it must wait too.
      requestFrame(1, 4, 103, fetchV4Body(TOPIC, 0, hw, { maxWaitMs: 400, minBytes: 1 })),
      requestFrame(18, 3, 104, apiVersionsV3Body(), { headerVersion: 2 }),
      requestFrame(3, 1, 105, metadataV1Body([TOPIC])),
      requestFrame(18, 0, 106, Buffer.alloc(0)),
    ]);
    const started = Date.now();
    c.write(batch);
    await c.response(106, 5000);
    const elapsed = Date.now() - started;
    const frames = c.received.slice(before);
    t.same(frames.map((f) => f.readInt32BE(0)), [101, 102, 103, 104, 105, 106], 'responses in request order');
    t.ok(elapsed >= 350, `the long-poll held back the later responses (${elapsed} ms)`);
    t.equal(parseApiVersionsResponse(frames[0], 0).errorCode, 0);
    const md = parseMetadataV1Response(frames[1]);
    t.same(md.brokers.map((b) => b.port), [running.port], 'metadata names this broker');
    const fetched = parseFetchV4Response(frames[2]).partitions[0];
    t.same([fetched.errorCode, fetched.records.length], [0, 0], 'the long-poll ends empty');
    t.equal(parseApiVersionsResponse(frames[3], 3).errorCode, 0);
    t.same(parseMetadataV1Response(frames[4]).topics.map((x) => [x.name, x.errorCode, x.partitions]), [[TOPIC, 0, [0]]]);
    t.equal(parseApiVersionsResponse(frames[5], 0).errorCode, 0);
  });

  await t.test('a bad frame after good ones: the good ones are answered, then the connection closes', async (t) => {
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    c.write(Buffer.concat([requestFrame(18, 0, 201, Buffer.alloc(0)), requestFrame(3, 1, 202, metadataV1Body([TOPIC])), sized(Buffer.concat([header(999, 0, 203), Buffer.alloc(4)]))]));
    t.ok(await c.closesWithin(3000), 'closed');
    // Kafka handles a connection's requests one at a time, so the earlier two are answered first.
    t.same(c.received.map((f) => f.readInt32BE(0)), [201, 202], 'the good requests are answered, the bad one is not');
    await stillServing(t, w, 'good frames followed by a bad one');
  });

  await t.test('a good frame and a bad size prefix in one write: the good one is answered, then the close', async (t) => {
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    c.write(Buffer.concat([requestFrame(18, 0, 301, Buffer.alloc(0)), new Bytes().int32(-1).build()]));
    t.ok(await c.closesWithin(3000), 'closed');
    t.same(c.received.map((f) => f.readInt32BE(0)), [301], 'the request before the bad prefix is answered');
    await stillServing(t, w, 'a good frame followed by a bad size');
  });

  await stillServing(t, w, 'every case');
});
