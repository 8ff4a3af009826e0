// kafkajs, unmodified, against an embedded broker on a temp data dir: 10,000 keyed messages with
// headers and explicit timestamps, gzip and uncompressed batches, plain and idempotent producers;
// everything read back with kafkajs's Fetch codec and compared field by field, the stored batch
// headers checked on the raw bytes (codec, CRC-32C, producer id, sequence), then again after a
// restart on the same directory, where producing must continue at the right offsets.
import t, { type Test } from 'tap';
import { Kafka, CompressionTypes, Partitioners, logLevel, type Producer } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { makeMessage, toKafkajs, diffMessage, type SentMessage } from '../helpers/messages.js';
import { WireConnection, fetchAllBatches, CODEC_NAMES } from '../helpers/wire.js';

const PARTITIONS = 3;
const COUNT = 10_000;
const BATCH = 250;

interface Run {
  topic: string;
  idempotent: boolean;
  /** Per partition, what each offset must hold. */
  expected: SentMessage[][];
  /** Per partition: batch base offset -> [codec, record count] the producer sent. */
  batches: Map<number, [number, number]>[];
  /** Producers connected so far (an idempotent one gets a new producer id each time). */
  producers: number;
}

function newRun(topic: string, idempotent: boolean): Run {
  return {
    topic,
    idempotent,
    expected: Array.from({ length: PARTITIONS }, () => []),
    batches: Array.from({ length: PARTITIONS }, () => new Map()),
    producers: 0,
  };
}

function client(bootstrap: string) {
  return new Kafka({
    clientId: 'samsa-e2e',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5000,
    requestTimeout: 15000,
    retry: { retries: 2, initialRetryTime: 100 },
  });
}

/** Sends `msgs` in one produce request and files each message under the offset the broker acknowledged. */
async function send(producer: Producer, run: Run, msgs: SentMessage[], gzip: boolean, acks: number) {
  const codec = gzip ? CompressionTypes.GZIP : CompressionTypes.None;
  const meta = await producer.send({ topic: run.topic, messages: msgs.map(toKafkajs), compression: codec, acks });
  for (let p = 0; p < PARTITIONS; p++) {
    const mine = msgs.filter((m) => m.partition === p);
    if (mine.length === 0) continue;
    const md = meta.find((r) => r.partition === p);
    if (!md || md.errorCode !== 0) throw new Error(`no successful produce result for ${run.topic}-${p}: ${JSON.stringify(md)}`);
    const base = Number(md.baseOffset);
    mine.forEach((m, i) => {
      if (run.expected[p][base + i] !== undefined) throw new Error(`offset ${base + i} of ${run.topic}-${p} acknowledged twice`);
      run.expected[p][base + i] = m;
    });
    run.batches[p].set(base, [codec, mine.length]);
  }
}

async function produceAll(kafka: Kafka, run: Run, from: number, to: number, t: Test) {
  const producer = kafka.producer({
    idempotent: run.idempotent,
    maxInFlightRequests: run.idempotent ? 1 : undefined,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 3 },
  });
  await producer.connect();
  run.producers++;
  try {
    const base = Date.now() - 3_600_000;
    const chunks: SentMessage[][] = [];
    for (let i = from; i < to; i += BATCH) {
      const chunk: SentMessage[] = [];
      for (let j = i; j < Math.min(i + BATCH, to); j++) chunk.push(makeMessage(run.topic, j, PARTITIONS, base));
      chunks.push(chunk);
    }
    if (run.idempotent) {
      // One request in flight, as an idempotent kafkajs producer requires.
      for (let c = 0; c < chunks.length; c++) await send(producer, run, chunks[c], c % 2 === 0, -1);
    } else {
      // Four requests at a time on one connection: the broker must keep their order and offsets straight.
      for (let c = 0; c < chunks.length; c += 4) {
        await Promise.all(chunks.slice(c, c + 4).map((ch, k) => send(producer, run, ch, (c + k) % 2 === 0, (c + k) % 3 === 0 ? 1 : -1)));
      }
    }
  } finally {
    await producer.disconnect();
  }
  const sent = run.expected.reduce((n, e) => n + e.length, 0);
  t.equal(sent, to, `${run.topic}: every message acknowledged at a distinct offset`);
}

/** Reads every partition back with kafkajs and compares it with what was acknowledged. */
async function verify(t: Test, bootstrap: string, run: Run, label: string) {
  const reader = await KafkajsReader.connect(bootstrap);
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      const want = run.expected[p];
      const holes = want.length - want.filter((m) => m !== undefined).length;
      t.equal(holes, 0, `${label} ${run.topic}-${p}: acknowledged offsets are dense from 0`);
      const { messages, highWatermark } = await reader.readPartition(run.topic, p);
      t.equal(highWatermark, want.length, `${label} ${run.topic}-${p}: high watermark`);
      t.equal(messages.length, want.length, `${label} ${run.topic}-${p}: message count`);
      const problems: string[] = [];
      const firstOffsetOf = new Map<number, number>();
      for (let o = 0; o < messages.length && problems.length < 5; o++) {
        const got = messages[o];
        if (got.offset !== o) problems.push(`position ${o} holds offset ${got.offset}`);
        const d = want[o] ? diffMessage(want[o], got) : ['unexpected'];
        if (d.length) problems.push(`offset ${o}: ${d.join('; ')}`);
        if (got.batch.timestampType !== 0) problems.push(`offset ${o}: timestamp type ${got.batch.timestampType}, want CreateTime`);
        if (!firstOffsetOf.has(got.batch.producerId)) firstOffsetOf.set(got.batch.producerId, got.batch.firstOffset);
        if (run.idempotent) {
          // Each producer (one per connect) writes alone, so its sequences count from its first offset.
          const want = got.batch.firstOffset - firstOffsetOf.get(got.batch.producerId)!;
          if (got.batch.firstSequence !== want) {
            problems.push(`offset ${o}: batch sequence ${got.batch.firstSequence} at batch offset ${got.batch.firstOffset}, want ${want}`);
          }
        } else if (got.batch.producerId !== -1) {
          // (kafkajs writes base sequence 0, not -1, without idempotence; the broker keeps it.)
          problems.push(`offset ${o}: non-idempotent batch has producer id ${got.batch.producerId}`);
        }
      }
      t.same(problems, [], `${label} ${run.topic}-${p}: every key, value, header and timestamp as sent, in order`);
      if (run.idempotent) {
        const ids = [...firstOffsetOf.keys()];
        t.ok(ids.length > 0 && ids.every((id) => id >= 0), `${label} ${run.topic}-${p}: batches carry producer ids (${ids})`);
        t.equal(ids.length, run.producers, `${label} ${run.topic}-${p}: one producer id per producer session`);
      }
    }
  } finally {
    await reader.close();
  }
  // The stored batches themselves: as the producer framed them, codec kept, CRC valid.
  const [host, port] = bootstrap.split(':');
  const wire = await WireConnection.connect(host, Number(port));
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      const { batches } = await fetchAllBatches(wire, run.topic, p);
      const problems: string[] = [];
      for (const b of batches) {
        const want = run.batches[p].get(b.baseOffset);
        if (!b.crcValid) problems.push(`batch ${b.baseOffset}: bad CRC`);
        if (b.magic !== 2) problems.push(`batch ${b.baseOffset}: magic ${b.magic}`);
        if (!want) problems.push(`batch ${b.baseOffset}: no produced batch started there`);
        else if (want[0] !== b.codec || want[1] !== b.recordCount) {
          problems.push(`batch ${b.baseOffset}: ${CODEC_NAMES[b.codec]} x${b.recordCount}, sent ${CODEC_NAMES[want[0]]} x${want[1]}`);
        }
        if (problems.length >= 5) break;
      }
      t.equal(batches.length, run.batches[p].size, `${label} ${run.topic}-${p}: one stored batch per produced batch`);
      t.same(problems, [], `${label} ${run.topic}-${p}: stored batches keep codec, record count and a valid CRC`);
    }
  } finally {
    wire.destroy();
  }
}

async function checkListOffsets(t: Test, kafka: Kafka, run: Run, label: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(run.topic);
    offsets.sort((a, b) => a.partition - b.partition);
    t.same(
      offsets.map((o) => [o.partition, o.low, o.high]),
      run.expected.map((e, p) => [p, '0', String(e.length)]),
      `${label} ${run.topic}: ListOffsets earliest/latest`,
    );
  } finally {
    await admin.disconnect();
  }
}

t.test('kafkajs produces and reads back through samsa, across a restart', async (t) => {
  const dataDir = tempDir(t);
  let running: RunningBroker = await startBroker({ port: 0, dataDir });
  t.teardown(() => running.close().catch(() => {}));

  let kafka = client(running.bootstrap);
  const admin = kafka.admin();
  await admin.connect();
  const created = await admin.createTopics({
    topics: [
      { topic: 'plain', numPartitions: PARTITIONS },
      { topic: 'idem', numPartitions: PARTITIONS },
    ],
    waitForLeaders: true,
  });
  t.equal(created, true, 'createTopics reports both topics created');
  const meta = await admin.fetchTopicMetadata({ topics: ['plain', 'idem'] });
  t.same(
    meta.topics.map((x) => [x.name, x.partitions.length]).sort(),
    [['idem', PARTITIONS], ['plain', PARTITIONS]],
    'metadata shows 3 partitions per topic',
  );
  await admin.disconnect();

  const plain = newRun('plain', false);
  const idem = newRun('idem', true);
  await produceAll(kafka, plain, 0, COUNT, t);
  await produceAll(kafka, idem, 0, COUNT, t);

  for (const run of [plain, idem]) {
    await verify(t, running.bootstrap, run, 'before restart');
    await checkListOffsets(t, kafka, run, 'before restart');
  }

  await running.close();
  running = await startBroker({ port: 0, dataDir });
  kafka = client(running.bootstrap);

  for (const run of [plain, idem]) {
    await verify(t, running.bootstrap, run, 'after restart');
    await checkListOffsets(t, kafka, run, 'after restart');
  }

  // New messages continue at the old log end offsets.
  const before = [plain, idem].map((r) => r.expected.map((e) => e.length));
  await produceAll(kafka, plain, COUNT, COUNT + 1000, t);
  await produceAll(kafka, idem, COUNT, COUNT + 1000, t);
  [plain, idem].forEach((run, i) => {
    for (let p = 0; p < PARTITIONS; p++) {
      const firstNew = Math.min(...[...run.batches[p].keys()].filter((o) => o >= before[i][p]));
      t.equal(firstNew, before[i][p], `${run.topic}-${p}: first batch after restart lands at the old log end offset`);
    }
  });
  for (const run of [plain, idem]) await verify(t, running.bootstrap, run, 'after restart and more produce');
});
