// Transactions end to end with kafkajs (InitProducerId v1, AddPartitionsToTxn v1, AddOffsetsToTxn
// v1, EndTxn v1, TxnOffsetCommit) on a lone samsa: commits and aborts leave COMMIT/ABORT control
// batches after the transaction's records in each partition, offsets sent in a transaction become
// the group's committed offsets when it commits, a second producer with the same transactional id
// fences the first (INVALID_PRODUCER_EPOCH to these pre-v2 requests, as Kafka answers them), and
// the coordinator's view (DescribeTransactions, ListTransactions) follows.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { DescribeTransactionsRequest } from '../../src/protocol/generated/describe-transactions-request.js';
import { DescribeTransactionsResponse } from '../../src/protocol/generated/describe-transactions-response.js';
import { ListTransactionsRequest } from '../../src/protocol/generated/list-transactions-request.js';
import { ListTransactionsResponse } from '../../src/protocol/generated/list-transactions-response.js';
import { batchSize, readBatchHeader, isControl, isTransactional } from '../../src/protocol/records/batch.js';
import { readEndTxnMarker } from '../../src/protocol/records/control-batch.js';
import { GroupWire } from '../coordinator/group-wire.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

let b: RunningBroker;
let kafka: Kafka;
t.before(async () => {
  b = await startBroker({ port: 0, memory: true });
  await b.broker.createTopic('txt', 1, {});
  kafka = new Kafka({ brokers: [b.bootstrap], clientId: 'txn-test', logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 50 } });
});
t.teardown(() => b.close());

/** The partition's batches: 'data' (transactional or not) or its marker, with the producer id. */
async function batches(topic: string, partition: number): Promise<{ kind: string; producerId: number; records: number }[]> {
  const log = b.broker.partitionLog(topic, partition)!;
  const read = await log.read(0, 1 << 20, true, false, 'logEnd');
  const out: { kind: string; producerId: number; records: number }[] = [];
  for (const chunk of read.records) {
    for (let pos = 0; pos < chunk.length; pos += batchSize(chunk, pos)) {
      const h = readBatchHeader(chunk, pos);
      if (isControl(h.attributes)) out.push({ kind: readEndTxnMarker(chunk, pos)?.commit ? 'COMMIT' : 'ABORT', producerId: h.producerId, records: h.recordCount });
      else out.push({ kind: isTransactional(h.attributes) ? 'txn' : 'data', producerId: h.producerId, records: h.recordCount });
    }
  }
  return out;
}

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 30_000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('commit, abort, commit: markers follow each transaction\'s records', async (t) => {
  const p = kafka.producer({ transactionalId: 'kjs-1', maxInFlightRequests: 1, idempotent: true });
  await p.connect();
  t.teardown(() => p.disconnect());
  let tx = await p.transaction();
  await tx.send({ topic: 'txt', messages: [{ value: 'c1' }, { value: 'c2' }] });
  await tx.commit();
  tx = await p.transaction();
  await tx.send({ topic: 'txt', messages: [{ value: 'a1' }] });
  await tx.abort();
  tx = await p.transaction();
  await tx.send({ topic: 'txt', messages: [{ value: 'c3' }] });
  await tx.commit();

  const c = await GroupWire.connect(t, b);
  const d = await c.call(DescribeTransactionsRequest, DescribeTransactionsResponse, 0, { transactionalIds: ['kjs-1', 'unknown-id'] });
  const [mine, unknown] = d.transactionStates;
  t.match(mine, { errorCode: 0, transactionalId: 'kjs-1', producerEpoch: 0, topics: [] });
  t.same(
    { ...unknown, _tagged: undefined },
    { errorCode: 105, transactionalId: 'unknown-id', transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: 0, producerId: 0, producerEpoch: 0, topics: [], _tagged: undefined },
    'TRANSACTIONAL_ID_NOT_FOUND with the schema defaults, as Kafka answers',
  );
  const pid = mine.producerId;
  await until(async () => (await batches('txt', 0)).length === 6, 'three transactions and their markers');
  t.same(await batches('txt', 0), [
    { kind: 'txn', producerId: pid, records: 2 },
    { kind: 'COMMIT', producerId: pid, records: 1 },
    { kind: 'txn', producerId: pid, records: 1 },
    { kind: 'ABORT', producerId: pid, records: 1 },
    { kind: 'txn', producerId: pid, records: 1 },
    { kind: 'COMMIT', producerId: pid, records: 1 },
  ]);
  await until(async () => (await c.call(DescribeTransactionsRequest, DescribeTransactionsResponse, 0, { transactionalIds: ['kjs-1'] })).transactionStates[0].transactionState === 'CompleteCommit', 'CompleteCommit');
  const l = await c.call(ListTransactionsRequest, ListTransactionsResponse, 1, { stateFilters: ['CompleteCommit'], producerIdFilters: [pid], durationFilter: -1 });
  t.same(l.transactionStates, [{ transactionalId: 'kjs-1', producerId: pid, transactionState: 'CompleteCommit' }]);
});

t.test('offsets sent in a transaction are committed with it', async (t) => {
  const p = kafka.producer({ transactionalId: 'kjs-offsets', maxInFlightRequests: 1, idempotent: true });
  await p.connect();
  t.teardown(() => p.disconnect());
  const tx = await p.transaction();
  await tx.send({ topic: 'txt', messages: [{ value: 'with-offsets' }] });
  await tx.sendOffsets({ consumerGroupId: 'kjs-group', topics: [{ topic: 'txt', partitions: [{ partition: 0, offset: '42' }] }] });
  await tx.commit();
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await until(async () => (await admin.fetchOffsets({ groupId: 'kjs-group', topics: ['txt'] }))[0]?.partitions[0]?.offset === '42', 'the committed offset');
  t.pass('offset 42 committed');
});

t.test('a second producer with the same transactional id fences the first', async (t) => {
  const zombie = kafka.producer({ transactionalId: 'kjs-fence', maxInFlightRequests: 1, idempotent: true, retry: { retries: 1, initialRetryTime: 20 } });
  await zombie.connect();
  t.teardown(() => zombie.disconnect());
  const ztx = await zombie.transaction();
  await ztx.send({ topic: 'txt', messages: [{ value: 'zombie' }] });

  const fresh = kafka.producer({ transactionalId: 'kjs-fence', maxInFlightRequests: 1, idempotent: true });
  await fresh.connect();
  t.teardown(() => fresh.disconnect());
  // kafkajs sends the transactional InitProducerId here; it aborts the zombie's open transaction
  // first (CONCURRENT_TRANSACTIONS until done, retried by kafkajs).
  const tx = await fresh.transaction();
  const err = await ztx.commit().then(
    () => null,
    (e: { type?: string; originalError?: { type?: string } }) => e,
  );
  t.ok(err, 'the zombie cannot commit');
  t.equal(err?.type ?? err?.originalError?.type, 'INVALID_PRODUCER_EPOCH');
  await tx.send({ topic: 'txt', messages: [{ value: 'fresh' }] });
  await tx.commit();
  const c = await GroupWire.connect(t, b);
  const d = (await c.call(DescribeTransactionsRequest, DescribeTransactionsResponse, 0, { transactionalIds: ['kjs-fence'] })).transactionStates[0];
  const mine = (await batches('txt', 0)).filter((x) => x.producerId === d.producerId);
  t.same(
    mine.map((x) => x.kind),
    ['txn', 'ABORT', 'txn', 'COMMIT'],
    'the zombie\'s transaction aborted, the new one committed',
  );
});

t.test('a transaction left open past transaction.timeout.ms is aborted by the coordinator', async (t) => {
  const b2 = await startBroker({ port: 0, memory: true, config: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '100' } });
  t.teardown(() => b2.close());
  await b2.broker.createTopic('slow', 1, {});
  const k = new Kafka({ brokers: [b2.bootstrap], clientId: 'txn-timeout', logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
  const p = k.producer({ transactionalId: 'kjs-slow', transactionTimeout: 1000, maxInFlightRequests: 1, idempotent: true });
  await p.connect();
  t.teardown(() => p.disconnect());
  const tx = await p.transaction();
  await tx.send({ topic: 'slow', messages: [{ value: 'never committed' }] });
  const c = b2.broker.transactions;
  const end = Date.now() + 30_000;
  while (c.describe('kjs-slow').transactionState !== 'CompleteAbort') {
    if (Date.now() > end) throw new Error(`still ${c.describe('kjs-slow').transactionState}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const err = await tx.commit().then(
    () => null,
    (e: { type?: string }) => e,
  );
  t.equal(err?.type, 'INVALID_PRODUCER_EPOCH', 'the timed-out producer is fenced');
  const log = b2.broker.partitionLog('slow', 0)!;
  const read = await log.read(0, 1 << 20, true, false, 'logEnd');
  const kinds: string[] = [];
  for (const chunk of read.records) {
    for (let pos = 0; pos < chunk.length; pos += batchSize(chunk, pos)) {
      const h = readBatchHeader(chunk, pos);
      kinds.push(isControl(h.attributes) ? (readEndTxnMarker(chunk, pos)?.commit ? 'COMMIT' : 'ABORT') : 'txn');
    }
  }
  t.same(kinds, ['txn', 'ABORT']);
  t.equal(log.lastStableOffset, log.logEndOffset, 'nothing left open');
});
