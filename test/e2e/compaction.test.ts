// Log compaction end to end with kafkajs, unmodified: 100,000 updates over 1,000 keys (and
// tombstones for 100 of them) go to a compacted topic; the broker's own background cleaner
// compacts it; a kafkajs consumer then reads from the beginning and must see exactly the latest
// value of each live key, at the offset the producer was given for it, and nothing for the
// tombstoned keys once delete.retention.ms has passed. Keyless records are refused as Kafka does.
import t from 'tap';
import { Kafka, logLevel, CompressionTypes, type KafkaMessage } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { sleep, withTimeout } from '../helpers/timeout.js';
import { Bytes, Cursor, WireConnection } from '../helpers/wire.js';
import { buildBatch } from '../helpers/batch-builder.js';

const TOPIC = 'compacted';
const KEYS = 1000;
const UPDATES = 100_000;
const PER_SEND = 1000;
const TOMBSTONED = 100;

t.test('a compacted topic keeps the latest value per key, read back through kafkajs', async (t) => {
  const running = await startBroker({
    port: 0,
    dataDir: tempDir(t),
    config: { 'log.cleaner.backoff.ms': '100', 'group.initial.rebalance.delay.ms': '0' },
  });
  t.teardown(() => running.close());
  await running.broker.createTopic(TOPIC, 1, {
    'cleanup.policy': 'compact',
    'segment.bytes': '200000',
    'delete.retention.ms': '1000',
    'file.delete.delay.ms': '100',
  });
  const kafka = new Kafka({ clientId: 'compaction-e2e', brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());

  const latest = new Map<string, { offset: number; value: string | null }>();
  const send = async (messages: { key: string; value: string | null }[], gzip: boolean) => {
    const [r] = await producer.send({ topic: TOPIC, messages, acks: -1, compression: gzip ? CompressionTypes.GZIP : CompressionTypes.None });
    t.equal(r.errorCode, 0);
    messages.forEach((m, i) => latest.set(m.key, { offset: Number(r.baseOffset) + i, value: m.value }));
  };
  for (let n = 0; n < UPDATES; n += PER_SEND) {
    const batch = Array.from({ length: PER_SEND }, (_, i) => ({ key: `key-${(n + i * 7) % KEYS}`, value: `value-${n + i}` }));
    await send(batch, n % 2000 === 0);
  }
  await send(Array.from({ length: TOMBSTONED }, (_, i) => ({ key: `key-${i * 10}`, value: null })), false);
  // A large record on a new key closes the segment before it; the active segment is never cleaned.
  await send([{ key: 'sentinel', value: 'x'.repeat(200_000) }], false);
  await send([{ key: 'tail', value: 'end' }], false);
  const highWatermark = UPDATES + TOMBSTONED + 2;

  const log = running.broker.partitionLog(TOPIC, 0)!;
  const live = KEYS - TOMBSTONED + 2;
  // Every overwritten record goes on the first pass; the tombstones on a pass after their horizon.
  await withTimeout(
    (async () => {
      while (log.cleanerStats.recordsRemoved < highWatermark - live) await sleep(100);
    })(),
    30_000,
    'the background cleaner removing every superseded record and the expired tombstones',
  );
  t.ok(log.cleanerStats.cleanings >= 2, `${log.cleanerStats.cleanings} cleanings, ${log.cleanerStats.bytesReclaimed} bytes reclaimed`);
  t.equal(log.logEndOffset, highWatermark, 'offsets do not change');

  const consumer = kafka.consumer({ groupId: 'compaction-reader', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const seen: KafkaMessage[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(message);
      if (Number(message.offset) === highWatermark - 1) done();
    },
  });
  await withTimeout(finished, 30_000, 'the consumer reaching the last offset');

  t.equal(seen.length, live, `exactly one record per live key (${live})`);
  const byKey = new Map<string, { offset: number; value: string | null }>();
  for (const m of seen) {
    const key = m.key!.toString();
    t.notOk(byKey.has(key), `${key} once`);
    byKey.set(key, { offset: Number(m.offset), value: m.value?.toString() ?? null });
  }
  const expected = new Map([...latest].filter(([, v]) => v.value !== null));
  const wrong = [...expected].filter(([k, v]) => byKey.get(k)?.offset !== v.offset || byKey.get(k)?.value !== v.value).map(([k]) => k);
  t.same(wrong, [], 'each key has its latest value at the offset its producer was given');
  t.same(
    [...byKey.keys()].filter((k) => !expected.has(k)),
    [],
    'tombstoned keys are gone after delete.retention.ms',
  );
  const offsets = seen.map((m) => Number(m.offset));
  t.same(offsets, [...offsets].sort((a, b) => a - b), 'in offset order');
});

t.test('keyless records are refused on a compacted topic with INVALID_RECORD, as Kafka does', async (t) => {
  const running = await startBroker({ port: 0, memory: true });
  t.teardown(() => running.close());
  await running.broker.createTopic('ck', 1, { 'cleanup.policy': 'compact' });
  await running.broker.createTopic('plain', 1, {});
  const kafka = new Kafka({ clientId: 'compaction-keys', brokers: [running.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await t.rejects(producer.send({ topic: 'ck', messages: [{ key: 'a', value: '1' }, { value: 'no key' }] }), { type: 'INVALID_RECORD' }, 'kafkajs sees INVALID_RECORD');
  const ok = await producer.send({ topic: 'plain', messages: [{ value: 'no key is fine here' }] });
  t.equal(ok[0].errorCode, 0, 'a delete-policy topic takes keyless records');
  t.equal(running.broker.partitionLog('ck', 0)!.logEndOffset, 0, 'nothing of the refused batch was appended');

  // Produce v8 carries record_errors and error_message: Kafka names every keyless record.
  const c = await WireConnection.connect(running.host, running.port);
  t.teardown(() => c.destroy());
  const ts = Date.now();
  const batch = buildBatch(
    [
      { key: Buffer.from('k'), value: Buffer.from('v'), headers: [], timestamp: ts },
      { key: null, value: Buffer.from('v1'), headers: [], timestamp: ts },
      { key: null, value: Buffer.from('v2'), headers: [], timestamp: ts },
    ],
    'lz4',
  );
  const body = new Bytes().string(null).int16(-1).int32(5000).int32(1).string('ck').int32(1).int32(0).int32(batch.length).raw(batch).build();
  const r = new Cursor(await c.request(0, 8, body));
  r.int32(); // correlation id
  t.equal(r.int32(), 1);
  t.equal(r.string(), 'ck');
  t.equal(r.int32(), 1);
  t.equal(r.int32(), 0, 'partition');
  t.equal(r.int16(), 87, 'INVALID_RECORD');
  t.equal(r.int64(), -1, 'base offset');
  r.int64(); // log append time
  r.int64(); // log start offset
  const errors: [number, string | null][] = [];
  for (let n = r.int32(); n > 0; n--) errors.push([r.int32(), r.string()]);
  const msg = 'Compacted topic cannot accept message without key in topic partition ck-0';
  t.same(errors, [
    [1, msg],
    [2, msg],
  ]);
  t.equal(
    r.string(),
    `One or more records have been rejected due to 2 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=1, message='${msg}'), RecordError(batchIndex=2, message='${msg}')]`,
  );
});
