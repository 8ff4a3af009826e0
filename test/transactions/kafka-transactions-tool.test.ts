// Apache Kafka 4.4.0's kafka-transactions tool (TransactionsCommand) against the broker: list (and its
// --duration-filter), describe, describe-producers, find-hanging and abort, on two transactions of one
// partition: an ongoing one the coordinator knows (kafkajs, still open) and a hanging one, a transactional
// batch written without AddPartitionsToTxn while transaction.partition.verification.enable=false, so the
// coordinator (state Empty) never writes its marker. find-hanging names only the hanging one; abort writes
// its ABORT marker (WriteTxnMarkers to the partition leader); then the LSO moves past it once the other
// commits. TXN_E2E_TARGET=kafka runs the same against Apache Kafka 4.4.0.
import t from 'tap';
import { crc32c } from '@node-rs/crc32';
import { Kafka, logLevel } from 'kafkajs';
import { codecRequest } from '../metadata/helpers.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { Bytes, Cursor, WireConnection } from '../helpers/wire.js';
import { installKafkaJars, javaTool, startTarget, TARGET } from './target.js';

const missing = installKafkaJars();
t.setTimeout(240_000);
const TC = 'org.apache.kafka.tools.TransactionsCommand';

/** One record in a transactional magic-v2 batch of `producerId`/`epoch`, sequence 0. */
function transactionalBatch(producerId: number, epoch: number, value: string): Buffer {
  const now = Date.now();
  const v = Buffer.from(value);
  const rec = new Bytes().int8(0).uvarint(0).uvarint(0).uvarint(1).uvarint(v.length * 2).raw(v).uvarint(0).build();
  const records = new Bytes().uvarint(rec.length * 2).raw(rec).build();
  const afterCrc = new Bytes().int16(0x10).int32(0).int64(now).int64(now).int64(producerId).int16(epoch).int32(0).int32(1).raw(records).build();
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32c(afterCrc) >>> 0);
  const afterLength = Buffer.concat([new Bytes().int32(-1).int8(2).build(), crc, afterCrc]);
  return Buffer.concat([new Bytes().int64(0).int32(afterLength.length).build(), afterLength]);
}

/** Produce v7 of `batch` with `transactionalId`, acks=all: [error code, base offset]. */
async function produceTransactional(bootstrap: string, transactionalId: string, topic: string, batch: Buffer): Promise<[number, number]> {
  const [host, port] = bootstrap.split(':');
  const conn = await WireConnection.connect(host, Number(port));
  try {
    const body = new Bytes().string(transactionalId).int16(-1).int32(10_000).int32(1).string(topic).int32(1).int32(0).int32(batch.length).raw(batch).build();
    const c = new Cursor(await conn.request(0, 7, body));
    c.int32();
    c.int32();
    c.string();
    c.int32();
    c.int32();
    return [c.int16(), Number(c.int64())];
  } finally {
    conn.destroy();
  }
}

/** The rows of a table TransactionsCommand prints (tab-separated after the header), split into columns. */
function rows(out: string): string[][] {
  return out.trim().split('\n').slice(1).filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/));
}

t.test(`kafka-transactions list/describe/find-hanging/abort against ${TARGET}`, async (t) => {
  if (missing) return t.fail(missing);
  const target = await startTarget(t, { 'transaction.partition.verification.enable': 'false' });
  const B = ['--bootstrap-server', target.bootstrap];
  const tool = async (...args: string[]) => (await javaTool(TC, [...B, ...args])).done;
  const topic = 'txn-tool';
  const kafka = new Kafka({ brokers: [target.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });

  // The ongoing transaction: offsets 0 and 1, left open.
  const producer = kafka.producer({ transactionalId: 'tool-open', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 120_000 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const open = await producer.transaction();
  await open.send({ topic, messages: [{ partition: 0, value: 'open-1' }, { partition: 0, value: 'open-2' }] });

  // The hanging one: a transactional id initialised, then a batch of its producer written at offset 2
  // without AddPartitionsToTxn (verification off), so the coordinator knows nothing of the partition.
  const [host, port] = target.bootstrap.split(':');
  const init = await waitUntil('InitProducerId for tool-hanging', 60_000, async () => {
    const r = await codecRequest(host, Number(port), 'InitProducerId', 4, { transactionalId: 'tool-hanging', transactionTimeoutMs: 120_000, producerId: -1, producerEpoch: -1 });
    return r.errorCode === 0 ? r : undefined;
  });
  const hangingPid = Number(init.producerId);
  const [err, offset] = await produceTransactional(target.bootstrap, 'tool-hanging', topic, transactionalBatch(hangingPid, init.producerEpoch, 'hanging'));
  t.same([err, offset], [0, 2], 'the unverified transactional batch is appended at offset 2');
  await new Promise((r) => setTimeout(r, 50)); // find-hanging counts only transactions older than 0 ms

  const [list, describe, producers, hanging, longList] = await Promise.all([
    tool('list'),
    tool('describe', '--transactional-id', 'tool-open'),
    tool('describe-producers', '--topic', topic, '--partition', '0'),
    tool('find-hanging', '--topic', topic, '--max-transaction-timeout', '0'),
    tool('list', '--duration-filter', '600000'),
  ]);
  t.match(list.out, /^TransactionalId\s+Coordinator\s+ProducerId\s+TransactionState\s*$/m, 'list: header');
  const listed = rows(list.out).map(([id, , pid, state]) => [id, pid, state]).sort();
  t.same(listed, [[`tool-hanging`, String(hangingPid), 'Empty'], ['tool-open', listed.find((r) => r[0] === 'tool-open')?.[1], 'Ongoing']].sort(), 'list: both transactional ids with their states', { out: list.out });
  const openPid = listed.find((r) => r[0] === 'tool-open')![1];
  // A transaction that has not started (Empty, start time -1) counts as older than any duration, as in Kafka.
  t.same(rows(longList.out).map((r) => r[0]), ['tool-hanging'], 'list --duration-filter 600000: only the id with no transaction started', { out: longList.out });

  t.match(describe.out, /^CoordinatorId\s+TransactionalId\s+ProducerId\s+ProducerEpoch\s+TransactionState\s+TransactionTimeoutMs\s+CurrentTransactionStartTimeMs\s+TransactionDurationMs\s+TopicPartitions\s*$/m, 'describe: header');
  const d = rows(describe.out)[0] ?? [];
  t.same([d[1], d[2], d[4], d[5], d[8]], ['tool-open', openPid, 'Ongoing', '120000', `${topic}-0`], 'describe: the ongoing transaction and its partition', { out: describe.out });
  t.ok(Number(d[6]) > 0 && Number(d[7]) >= 0, 'describe: a start time and a duration');

  const p = rows(producers.out).map((r) => [r[0], r[2], r[5]]).sort();
  t.same(p, [[openPid, '-1', '0'], [String(hangingPid), '-1', '2']].sort(), 'describe-producers: each producer with its transaction start offset', { out: producers.out });

  t.match(hanging.out, /^Topic\s+Partition\s+ProducerId\s+ProducerEpoch\s+CoordinatorEpoch\s+StartOffset\s+LastTimestamp\s+Duration\(min\)\s*$/m, 'find-hanging: header');
  const h = rows(hanging.out);
  t.same(h.map((r) => [r[0], r[1], r[2], r[3], r[4], r[5]]), [[topic, '0', String(hangingPid), String(init.producerEpoch), '-1', '2']],
    'find-hanging: only the transaction the coordinator does not know of', { out: hanging.out });

  const abort = await tool('abort', '--topic', topic, '--partition', '0', '--start-offset', '2');
  t.equal(abort.code, 0, 'abort exits 0', { out: abort.out, err: abort.err });
  const [after, producersAfter] = await Promise.all([
    tool('find-hanging', '--topic', topic, '--max-transaction-timeout', '0'),
    tool('describe-producers', '--topic', topic, '--partition', '0'),
  ]);
  t.same(rows(after.out), [], 'find-hanging after abort: none', { out: after.out });
  // The tool's abort uses coordinator epoch 0 for a producer that has seen no marker (-1).
  t.same(rows(producersAfter.out).map((r) => [r[0], r[2], r[5]]).sort(), [[openPid, '-1', '0'], [String(hangingPid), '0', 'None']].sort(),
    'describe-producers after abort: the marker\'s coordinator epoch, no open transaction for the aborted producer', { out: producersAfter.out });

  // The ongoing transaction commits; a read_committed reader then gets its two records, not the aborted one.
  await open.commit();
  const done = await waitUntil('describe shows CompleteCommit', 30_000, async () => {
    const r = await tool('describe', '--transactional-id', 'tool-open');
    return rows(r.out)[0]?.[4] === 'CompleteCommit' ? r : undefined;
  });
  t.equal(rows(done.out)[0][8], undefined, 'describe after commit: no partitions');
  const read = await javaTool('org.apache.kafka.tools.consumer.ConsoleConsumer', [...B, '--topic', topic, '--partition', '0', '--offset', 'earliest',
    '--isolation-level', 'read_committed', '--timeout-ms', '5000']).done;
  t.same(read.out.split('\n').filter((l) => l), ['open-1', 'open-2'], 'read_committed: the committed records only', { err: read.err.slice(-2000) });
});
