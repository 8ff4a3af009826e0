// Behaviour every storage engine must show, run against the memory engine and the file engine
// (with and without its tail cache): offsets, in-place rewrites, reads, idempotent producers,
// timestamps, leader epochs. Expectations come from Kafka's documented behaviour.
import type { Test } from 'tap';
import { crc32c } from '@node-rs/crc32';
import { buildBatch } from '../../src/protocol/records/records.js';
import { KafkaError, type PartitionLog, type StorageEngine } from '../../src/storage/types.js';
import { batch, decodeAll, logConfig, readValues } from './helpers.js';

const OFFSET_OUT_OF_RANGE = 1;
const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const INVALID_PRODUCER_EPOCH = 47;
const BIG = 1 << 30;

export async function expectKafkaError(t: Test, p: Promise<unknown>, code: number, what: string): Promise<void> {
  try {
    await p;
    t.fail(`${what}: expected error ${code}, got success`);
  } catch (e) {
    t.ok(e instanceof KafkaError, `${what}: a KafkaError`);
    t.equal((e as KafkaError).errorCode, code, `${what}: error code ${code}`);
  }
}

function crcValid(buf: Buffer): boolean {
  for (let pos = 0; pos < buf.length; ) {
    const end = pos + 12 + buf.readInt32BE(pos + 8);
    if ((crc32c(buf.subarray(pos + 21, end)) >>> 0) !== buf.readUInt32BE(pos + 17)) return false;
    pos = end;
  }
  return true;
}

export type MakeEngine = (t: Test) => Promise<StorageEngine>;

export function engineSuite(t: Test, makeEngine: MakeEngine): void {
  const now = 1_700_000_000_000;
  async function newLog(t: Test, overrides: Record<string, string> = {}): Promise<PartitionLog> {
    const engine = await makeEngine(t);
    return engine.create('orders', 0, logConfig(overrides));
  }

  t.test('appends get consecutive offsets, rewritten in place; kafkajs decodes them', async (t) => {
    const log = await newLog(t);
    t.equal(log.logEndOffset, 0);
    t.equal(log.leaderEpoch, 0);
    const r1 = await log.append(batch(2, 'a'), { now });
    const r2 = await log.append(batch(3, 'b'), { now });
    const r3 = await log.append(Buffer.concat([batch(1, 'c'), batch(2, 'd')]), { now });
    t.same([r1.baseOffset, r1.lastOffset], [0, 1]);
    t.same([r2.baseOffset, r2.lastOffset], [2, 4]);
    t.same([r3.baseOffset, r3.lastOffset], [5, 7]);
    t.equal(r1.logAppendTime, -1, 'CreateTime topic: no log append time');
    t.equal(r1.logStartOffset, 0);
    t.equal(log.logEndOffset, 8);
    t.equal(log.highWatermark, 8);
    const read = await log.read(0, BIG, true);
    t.equal(read.highWatermark, 8);
    t.equal(read.lastStableOffset, 8);
    t.equal(read.bytes, read.records.reduce((n, b) => n + b.length, 0));
    const batches = await decodeAll(read.records);
    t.same(
      batches.map((b) => b.baseOffset),
      [0, 2, 5, 6],
    );
    t.same(
      batches.map((b) => b.partitionLeaderEpoch),
      [0, 0, 0, 0],
      'leader epoch stamped over the producer -1',
    );
    t.same(
      batches.flatMap((b) => b.records.map((r) => `${r.offset}:${r.value}`)),
      ['0:a-0', '1:a-1', '2:b-0', '3:b-1', '4:b-2', '5:c-0', '6:d-0', '7:d-1'],
    );
    t.ok(read.records.every(crcValid), 'CRCs still valid (offsets and epoch are outside the CRC)');
  });

  t.test('read starts at the batch holding fetchOffset and returns whole batches within maxBytes', async (t) => {
    const log = await newLog(t);
    const sizes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const b = batch(3, `b${i}`);
      sizes.push(b.length);
      await log.append(b, { now });
    }
    const mid = await log.read(4, BIG, true);
    t.same(
      (await decodeAll(mid.records)).map((b) => b.baseOffset),
      [3, 6, 9, 12],
      'from the batch holding offset 4',
    );
    const two = await log.read(0, sizes[0] + sizes[1] + sizes[2] - 1, true);
    t.same(
      (await decodeAll(two.records)).map((b) => b.baseOffset),
      [0, 3],
      'only batches that fit whole',
    );
    t.equal(two.bytes, sizes[0] + sizes[1]);
    const none = await log.read(3, 10, false);
    t.same(none.records, [], 'first batch too big, minOneBatch false: nothing');
    t.equal(none.bytes, 0);
    const one = await log.read(3, 10, true);
    t.same(
      (await decodeAll(one.records)).map((b) => b.baseOffset),
      [3],
      'first batch too big, minOneBatch true: exactly that batch',
    );
    const atEnd = await log.read(15, BIG, true);
    t.same(atEnd.records, [], 'fetchOffset == log end offset: empty');
    t.equal(atEnd.highWatermark, 15);
    await expectKafkaError(t, log.read(16, BIG, true), OFFSET_OUT_OF_RANGE, 'past the log end');
    await expectKafkaError(t, log.read(-1, BIG, true), OFFSET_OUT_OF_RANGE, 'below the log start');
  });

  t.test('every offset reads back from the batch holding it', async (t) => {
    const log = await newLog(t, { 'index.interval.bytes': '100' });
    for (let i = 0; i < 40; i++) await log.append(batch(1 + (i % 4), `m${i}`, { valueSize: 30 }), { now });
    const end = log.logEndOffset;
    for (let o = 0; o < end; o++) {
      const r = await log.read(o, 1, true);
      const b = await decodeAll(r.records);
      t.equal(b.length, 1);
      const offsets = b[0].records.map((x) => x.offset);
      if (!offsets.includes(o)) t.fail(`offset ${o} not in returned batch ${offsets}`);
    }
    const all = await readValues(await log.read(0, BIG, true));
    t.same(
      all.map((x) => x.offset),
      Array.from({ length: end }, (_, i) => i),
    );
  });

  t.test('LogAppendTime topics stamp the broker time and recompute the CRC', async (t) => {
    const log = await newLog(t, { 'message.timestamp.type': 'LogAppendTime' });
    const r = await log.append(batch(3, 'x', { timestamp: 5 }), { now: 123456 });
    t.equal(r.logAppendTime, 123456);
    const read = await log.read(0, BIG, true);
    const [b] = await decodeAll(read.records);
    t.equal(b.timestampType, 1, 'LOG_APPEND_TIME attribute bit');
    t.equal(b.maxTimestamp, 123456);
    t.ok(read.records.every(crcValid), 'CRC recomputed');
  });

  t.test('appends issued together keep call order', async (t) => {
    const log = await newLog(t);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(batch(2, `p${i}`), { now })));
    t.same(
      results.map((r) => r.baseOffset),
      Array.from({ length: 50 }, (_, i) => i * 2),
    );
    const values = await readValues(await log.read(0, BIG, true));
    t.equal(values.length, 100);
    t.equal(values[99].value, 'p49-1');
  });

  t.test('onAppend fires once the append is visible', async (t) => {
    const log = await newLog(t);
    const seen: number[] = [];
    const off = log.onAppend(() => seen.push(log.highWatermark));
    await log.append(batch(2), { now });
    off();
    await log.append(batch(1), { now });
    t.same(seen, [2]);
  });

  t.test('idempotent producer: duplicates, gaps, epochs (ProducerStateManager rules)', async (t) => {
    const log = await newLog(t);
    const pid = 4000;
    const p = (seq: number, n: number, epoch = 0) => batch(n, `s${seq}`, { producerId: pid, producerEpoch: epoch, baseSequence: seq });
    t.same((await log.append(p(0, 3), { now })).baseOffset, 0);
    t.same((await log.append(p(3, 2), { now })).baseOffset, 3);
    const dup = await log.append(p(0, 3), { now });
    t.same([dup.baseOffset, dup.lastOffset], [0, 2], 'retry answered with the original offsets');
    t.equal(log.logEndOffset, 5, 'retry not appended');
    await expectKafkaError(t, log.append(p(6, 1), { now }), OUT_OF_ORDER_SEQUENCE_NUMBER, 'gap');
    await expectKafkaError(t, log.append(p(1, 2), { now }), OUT_OF_ORDER_SEQUENCE_NUMBER, 'overlap that is no retry');
    // A request is checked as a whole: a bad second batch rejects the first too.
    await expectKafkaError(t, log.append(Buffer.concat([p(5, 1), p(9, 1)]), { now }), OUT_OF_ORDER_SEQUENCE_NUMBER, 'bad batch in a request');
    t.equal(log.logEndOffset, 5, 'nothing of the rejected request written');
    await expectKafkaError(t, log.append(p(3, 1, 1), { now }), OUT_OF_ORDER_SEQUENCE_NUMBER, 'new epoch must start at 0');
    t.equal((await log.append(p(0, 1, 1), { now })).baseOffset, 5, 'epoch bump starting at 0');
    await expectKafkaError(t, log.append(p(1, 1, 0), { now }), INVALID_PRODUCER_EPOCH, 'stale epoch');
    t.equal((await log.append(p(1, 1, 1), { now })).baseOffset, 6);
    const stranger = batch(2, 'u', { producerId: 77, producerEpoch: 3, baseSequence: 42 });
    t.equal((await log.append(stranger, { now })).baseOffset, 7, 'unknown producer: any sequence (KIP-360)');
    t.equal((await log.append(batch(1, 'n'), { now })).baseOffset, 9, 'non-idempotent batches unaffected');
    const values = await readValues(await log.read(0, BIG, true));
    t.same(
      values.map((v) => v.value),
      ['s0-0', 's0-1', 's0-2', 's3-0', 's3-1', 's0-0', 's1-0', 'u-0', 'u-1', 'n-0'],
    );
  });

  t.test('idempotent producer: only the last five batches are remembered; sequences wrap', async (t) => {
    const log = await newLog(t);
    const pid = 9;
    for (let seq = 0; seq < 6; seq++) await log.append(batch(1, `s${seq}`, { producerId: pid, producerEpoch: 0, baseSequence: seq }), { now });
    const recent = await log.append(batch(1, 's1', { producerId: pid, producerEpoch: 0, baseSequence: 1 }), { now });
    t.equal(recent.baseOffset, 1, 'second batch still remembered');
    await expectKafkaError(
      t,
      log.append(batch(1, 's0', { producerId: pid, producerEpoch: 0, baseSequence: 0 }), { now }),
      OUT_OF_ORDER_SEQUENCE_NUMBER,
      'sixth-newest batch forgotten',
    );
    const wrap = 10;
    await log.append(batch(2, 'w', { producerId: wrap, producerEpoch: 0, baseSequence: 2147483646 }), { now });
    const after = await log.append(batch(1, 'w2', { producerId: wrap, producerEpoch: 0, baseSequence: 0 }), { now });
    t.equal(after.baseOffset, 8, 'after sequence 2^31-1 comes 0');
  });

  t.test('offsetForTimestamp finds the first record at or after ts; maxTimestamp the max record', async (t) => {
    const log = await newLog(t, { 'index.interval.bytes': '1' });
    const withTimes = (times: number[]) => buildBatch({ records: times.map((ts, i) => ({ value: `t${ts}-${i}`, timestamp: ts })) });
    await log.append(withTimes([1000, 1005]), { now }); // offsets 0-1
    await log.append(withTimes([990, 2000, 1500]), { now }); // 2-4
    await log.append(withTimes([1200]), { now }); // 5
    await log.append(withTimes([3000, 2500]), { now }); // 6-7
    t.same(await log.offsetForTimestamp(0), { offset: 0, timestamp: 1000, leaderEpoch: 0 });
    t.same(await log.offsetForTimestamp(1001), { offset: 1, timestamp: 1005, leaderEpoch: 0 });
    t.same(await log.offsetForTimestamp(1006), { offset: 3, timestamp: 2000, leaderEpoch: 0 }, 'record, not batch, offset');
    t.same(await log.offsetForTimestamp(2001), { offset: 6, timestamp: 3000, leaderEpoch: 0 });
    t.equal(await log.offsetForTimestamp(3001), null);
    t.same(await log.maxTimestamp(), { offset: 6, timestamp: 3000, leaderEpoch: 0 });
  });

  t.test('timestamps of an empty log', async (t) => {
    const log = await newLog(t);
    t.equal(await log.offsetForTimestamp(0), null);
    t.equal(await log.maxTimestamp(), null);
  });

  t.test('endOffsetForEpoch (LeaderEpochFileCache.endOffsetFor)', async (t) => {
    const log = await newLog(t);
    await log.append(batch(4), { now });
    t.same(log.endOffsetForEpoch(0), { leaderEpoch: 0, endOffset: 4 }, 'current epoch ends at the log end');
    t.equal(log.endOffsetForEpoch(1), null, 'unknown newer epoch: UNDEFINED_EPOCH_OFFSET');
    t.equal(log.endOffsetForEpoch(-1), null);
  });

  t.test('engine: create is idempotent, get/all/delete', async (t) => {
    const engine = await makeEngine(t);
    const a = await engine.create('my-topic.v2', 3, logConfig());
    const again = await engine.create('my-topic.v2', 3, logConfig({ 'segment.bytes': '2048' }));
    t.equal(a, again);
    t.equal(a.config.segmentBytes, 2048, 'config applied to the existing log');
    await engine.create('other', 0, logConfig());
    t.equal(engine.get('my-topic.v2', 3), a);
    t.equal(engine.get('my-topic.v2', 4), undefined);
    t.same([...engine.all()].map((l) => `${l.topic}/${l.partition}`).sort(), ['my-topic.v2/3', 'other/0']);
    await a.append(batch(1), { now });
    await engine.delete('my-topic.v2', 3);
    t.equal(engine.get('my-topic.v2', 3), undefined);
    const fresh = await engine.create('my-topic.v2', 3, logConfig());
    t.equal(fresh.logEndOffset, 0, 'a deleted log is gone');
  });
}
