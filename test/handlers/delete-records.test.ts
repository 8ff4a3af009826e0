// DeleteRecords (key 21) against Kafka's behaviour: kafkajs's admin.deleteTopicRecords moves the
// low watermark, ListOffsets earliest (kafkajs fetchTopicOffsets) reports it, a fetch below it
// gets OFFSET_OUT_OF_RANGE; raw v0 and v2 (flexible) frames built by hand check the error codes
// Kafka gives (offset past the high watermark, -1 = high watermark, unknown topic, internal
// topic, compact-only topic) and the response layout byte for byte.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { Bytes, Cursor, WireConnection, fetchV4Body, parseFetchV4Response } from '../helpers/wire.js';

const OFFSET_OUT_OF_RANGE = 1;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const INVALID_TOPIC_EXCEPTION = 17;
const POLICY_VIOLATION = 44;

interface Row {
  topic: string;
  partition: number;
  lowWatermark: number;
  errorCode: number;
}

function requestV0(topics: [string, [number, number][]][]): Buffer {
  const b = new Bytes().int32(topics.length);
  for (const [name, parts] of topics) {
    b.string(name).int32(parts.length);
    for (const [p, offset] of parts) b.int32(p).int64(offset);
  }
  return b.int32(5000).build();
}

function requestV2(topics: [string, [number, number][]][]): Buffer {
  const b = new Bytes().uvarint(topics.length + 1);
  for (const [name, parts] of topics) {
    b.compactString(name).uvarint(parts.length + 1);
    for (const [p, offset] of parts) b.int32(p).int64(offset).tags();
    b.tags();
  }
  return b.int32(5000).tags().build();
}

function parseV0(frame: Buffer): Row[] {
  const c = new Cursor(frame);
  c.int32(); // correlation id
  c.int32(); // throttle
  const rows: Row[] = [];
  for (let i = c.int32(); i > 0; i--) {
    const topic = c.string()!;
    for (let j = c.int32(); j > 0; j--) rows.push({ topic, partition: c.int32(), lowWatermark: c.int64(), errorCode: c.int16() });
  }
  if (c.remaining !== 0) throw new RangeError(`${c.remaining} bytes left over`);
  return rows;
}

function uvarint(c: Cursor): number {
  let v = 0;
  let shift = 0;
  for (;;) {
    const b = c.int8() & 0xff;
    v |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return v;
    shift += 7;
  }
}

function parseV2(frame: Buffer): Row[] {
  const c = new Cursor(frame);
  c.int32(); // correlation id
  t.equal(uvarint(c), 0, 'response header v1: no tagged fields');
  c.int32(); // throttle
  const rows: Row[] = [];
  for (let i = uvarint(c) - 1; i > 0; i--) {
    const topic = c.bytes(uvarint(c) - 1).toString('utf8');
    for (let j = uvarint(c) - 1; j > 0; j--) {
      rows.push({ topic, partition: c.int32(), lowWatermark: c.int64(), errorCode: c.int16() });
      uvarint(c);
    }
    uvarint(c);
  }
  uvarint(c);
  if (c.remaining !== 0) throw new RangeError(`${c.remaining} bytes left over`);
  return rows;
}

t.test('DeleteRecords', async (t) => {
  const running = await startBroker({ port: 0, dataDir: tempDir(t), config: { 'group.initial.rebalance.delay.ms': '0' } });
  t.teardown(() => running.close());
  const kafka = new Kafka({ clientId: 'dr-test', brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());

  await running.broker.createTopic('dr', 2, { 'segment.bytes': '2000' });
  await running.broker.createTopic('compacted', 1, { 'cleanup.policy': 'compact' });
  for (let i = 0; i < 10; i++) {
    await producer.send({
      topic: 'dr',
      messages: Array.from({ length: 10 }, (_, j) => ({ partition: 0, key: `k${j}`, value: `v${i}-${j}`.padEnd(100, '.') })),
    });
  }
  await producer.send({ topic: 'dr', messages: [{ partition: 1, value: 'one' }] });

  await t.test('kafkajs deleteTopicRecords moves the low watermark; ListOffsets earliest and Fetch follow', async (t) => {
    await admin.fetchTopicMetadata({ topics: ['dr'] }); // kafkajs needs the leaders first
    await admin.deleteTopicRecords({ topic: 'dr', partitions: [{ partition: 0, offset: '42' }] });
    const offsets = await admin.fetchTopicOffsets('dr');
    const p0 = offsets.find((o) => o.partition === 0)!;
    t.equal(p0.low, '42', 'ListOffsets earliest is the new log start offset');
    t.equal(p0.high, '100');
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    const below = parseFetchV4Response(await c.request(1, 4, fetchV4Body('dr', 0, 41)));
    t.equal(below.partitions[0].errorCode, OFFSET_OUT_OF_RANGE, 'a fetch below it is out of range');
    const at = parseFetchV4Response(await c.request(1, 4, fetchV4Body('dr', 0, 42)));
    t.equal(at.partitions[0].errorCode, 0);
    t.ok(at.partitions[0].records.length > 0, 'a fetch at it returns records');
  });

  await t.test('v0 frames: -1 means the high watermark, never past it, never down', async (t) => {
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    const past = parseV0(await c.request(21, 0, requestV0([['dr', [[0, 101]]]])));
    t.same(past, [{ topic: 'dr', partition: 0, lowWatermark: -1, errorCode: OFFSET_OUT_OF_RANGE }], 'past the high watermark');
    const down = parseV0(await c.request(21, 0, requestV0([['dr', [[0, 10]]]])));
    t.same(down, [{ topic: 'dr', partition: 0, lowWatermark: 42, errorCode: 0 }], 'a lower offset leaves it where it is');
    const hw = parseV0(await c.request(21, 1, requestV0([['dr', [[1, -1]]]])));
    t.same(hw, [{ topic: 'dr', partition: 1, lowWatermark: 1, errorCode: 0 }], '-1: up to the high watermark (v1 = v0)');
  });

  await t.test('v2 (flexible) frames: Kafka error codes per partition', async (t) => {
    await admin.fetchOffsets({ groupId: 'g', topics: ['dr'] }); // FindCoordinator creates __consumer_offsets
    t.ok(running.broker.partitionLog('__consumer_offsets', 0), '__consumer_offsets exists');
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    const rows = parseV2(
      await c.request(
        21,
        2,
        requestV2([
          ['dr', [[0, 60], [7, 1]]],
          ['nope', [[0, 1]]],
          ['__consumer_offsets', [[0, 0]]],
          ['compacted', [[0, 0]]],
        ]),
        { headerVersion: 2 },
      ),
    );
    t.same(rows, [
      { topic: 'dr', partition: 0, lowWatermark: 60, errorCode: 0 },
      { topic: 'dr', partition: 7, lowWatermark: -1, errorCode: UNKNOWN_TOPIC_OR_PARTITION },
      { topic: 'nope', partition: 0, lowWatermark: -1, errorCode: UNKNOWN_TOPIC_OR_PARTITION },
      { topic: '__consumer_offsets', partition: 0, lowWatermark: -1, errorCode: INVALID_TOPIC_EXCEPTION },
      { topic: 'compacted', partition: 0, lowWatermark: -1, errorCode: POLICY_VIOLATION },
    ]);
    const offsets = await admin.fetchTopicOffsets('dr');
    t.equal(offsets.find((o) => o.partition === 0)!.low, '60');
  });

  await t.test('ApiVersions advertises DeleteRecords v0-2', async (t) => {
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    const cur = new Cursor(await c.request(18, 0, Buffer.alloc(0)));
    cur.int32();
    t.equal(cur.int16(), 0);
    const ranges = new Map<number, [number, number]>();
    for (let i = cur.int32(); i > 0; i--) ranges.set(cur.int16(), [cur.int16(), cur.int16()]);
    t.same(ranges.get(21), [0, 2]);
  });
});
