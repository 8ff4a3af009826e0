// Transactions in a partition log, the same for every engine: the last stable offset (Kafka's
// LSO = min(first offset of an incomplete transaction, high watermark)), markers, the aborted
// transactions Fetch reports (Kafka's collectAbortedTransactions rules), the producer state
// checks Kafka's ProducerAppendInfo makes, and that a follower and a truncation agree.
import type { Test } from 'tap';
import { buildBatch } from '../../src/protocol/records/records.js';
import { readEndTxnMarker } from '../../src/protocol/records/control-batch.js';
import type { PartitionLog, StorageEngine } from '../../src/storage/types.js';
import { expectKafkaError } from './engine-suite.js';
import { decodeAll, logConfig } from './helpers.js';

const INVALID_PRODUCER_EPOCH = 47;
const INVALID_TXN_STATE = 48;
const TRANSACTION_COORDINATOR_FENCED = 52;
const BIG = 1 << 30;
const now = 1_700_000_000_000;

export type MakeEngine = (t: Test) => Promise<StorageEngine>;

/** A producer's batch; transactional when `txn`. */
export function txnBatch(n: number, producerId: number, producerEpoch: number, baseSequence: number, txn = true, prefix = 'v'): Buffer {
  const records = Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${prefix}-${i}`, timestamp: now }));
  return buildBatch({ records, producerId, producerEpoch, baseSequence, transactional: txn });
}

export const plain = (n: number, prefix = 'p') => buildBatch({ records: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${prefix}-${i}`, timestamp: now })) });

/** Base offsets of the batches a read returns. */
async function readOffsets(log: PartitionLog, from: number, isolation: 'highWatermark' | 'txnCommitted'): Promise<number[]> {
  const out: number[] = [];
  for (;;) {
    // One read stops at a segment's end; read on as a consumer does.
    const r = await log.read(from, BIG, true, false, isolation);
    const batches = await decodeAll(r.records);
    if (batches.length === 0) return out;
    for (const b of batches) out.push(b.baseOffset);
    const last = batches[batches.length - 1];
    from = last.baseOffset + Math.max(last.records.length, 1);
    if (last.records.length > 0) from = last.records[last.records.length - 1].offset + 1;
  }
}

export function txnSuite(t: Test, makeEngine: MakeEngine): void {
  t.test('an open transaction holds the LSO at its first offset; read_committed stops there', async (t) => {
    const engine = await makeEngine(t);
    const log = await engine.create('txn', 0, logConfig());
    await log.append(plain(2), { now }); // 0-1
    await log.append(txnBatch(2, 7, 0, 0), { now }); // 2-3: pid 7's transaction starts
    await log.append(plain(1), { now }); // 4
    t.equal(log.highWatermark, 5);
    t.equal(log.lastStableOffset, 2, 'LSO = first offset of the open transaction');
    t.same(await readOffsets(log, 0, 'txnCommitted'), [0], 'read_committed: only batches wholly below the LSO');
    t.same(await readOffsets(log, 0, 'highWatermark'), [0, 2, 4], 'read_uncommitted: everything up to the HW');
    const r = await log.read(2, BIG, true, false, 'txnCommitted');
    t.equal(r.records.length, 0, 'nothing at the LSO');
    t.equal(r.lastStableOffset, 2, 'the read reports the LSO');
    await log.append(txnBatch(1, 7, 0, 2), { now }); // 5: same transaction
    t.equal(log.lastStableOffset, 2, 'a later batch of the same transaction does not move it');
    const producer = log.activeProducers().find((p) => p.producerId === 7);
    t.equal(producer?.currentTxnStartOffset, 2, 'DescribeProducers: current transaction start offset');

    const marker = await log.appendMarker({ producerId: 7, producerEpoch: 0, commit: true, coordinatorEpoch: 3, timestamp: now });
    t.equal(marker.baseOffset, 6, 'the marker takes one offset');
    t.equal(log.lastStableOffset, 7, 'committed: the LSO is the HW again');
    t.same(await readOffsets(log, 0, 'txnCommitted'), [0, 2, 4, 5, 6]);
    t.same(log.abortedTransactions(0, 7), [], 'a commit is no aborted transaction');
    const after = log.activeProducers().find((p) => p.producerId === 7);
    t.equal(after?.currentTxnStartOffset, -1, 'no transaction after the marker');
    t.equal(after?.coordinatorEpoch, 3, 'the marker coordinator epoch is remembered');

    // The marker batch: a control batch with the producer, COMMIT, the coordinator epoch.
    const read = await log.read(6, BIG, true);
    const buf = read.records[0];
    t.equal(buf.readInt16BE(21) & 0x30, 0x30, 'isControl and isTransactional set');
    t.equal(buf.readInt32BE(53), -1, 'baseSequence -1');
    t.same(readEndTxnMarker(buf, 0), { commit: true, coordinatorEpoch: 3 });
  });

  t.test('aborted transactions: index entries and the ranges Fetch gets', async (t) => {
    const engine = await makeEngine(t);
    const log = await engine.create('txn', 0, logConfig());
    await log.append(txnBatch(2, 1, 0, 0), { now }); // 0-1 pid 1
    await log.append(txnBatch(2, 2, 0, 0), { now }); // 2-3 pid 2
    t.equal(log.lastStableOffset, 0);
    await log.appendMarker({ producerId: 1, producerEpoch: 0, commit: false, coordinatorEpoch: 0 }); // 4 abort pid 1
    t.equal(log.lastStableOffset, 2, 'pid 2 still open');
    await log.append(plain(1), { now }); // 5
    await log.appendMarker({ producerId: 2, producerEpoch: 0, commit: false, coordinatorEpoch: 0 }); // 6 abort pid 2
    t.equal(log.lastStableOffset, 7);
    await log.append(txnBatch(1, 1, 0, 2), { now }); // 7 pid 1 again
    await log.appendMarker({ producerId: 1, producerEpoch: 0, commit: true, coordinatorEpoch: 0 }); // 8 commit
    t.equal(log.lastStableOffset, 9);

    t.same(log.abortedTransactions(0, 9), [
      { producerId: 1, firstOffset: 0 },
      { producerId: 2, firstOffset: 2 },
    ]);
    t.same(log.abortedTransactions(0, 2), [{ producerId: 1, firstOffset: 0 }], 'a transaction starting at the bound is out');
    t.same(log.abortedTransactions(5, 9), [{ producerId: 2, firstOffset: 2 }], 'a marker before the fetch offset is out');
    t.same(log.abortedTransactions(4, 5), [{ producerId: 1, firstOffset: 0 }, { producerId: 2, firstOffset: 2 }], 'marker at the fetch offset is in');
    t.same(log.abortedTransactions(7, 9), [], 'nothing aborted from 7');
  });

  t.test("Kafka's producer checks: non-transactional write in a transaction, stale epochs, zombie coordinator", async (t) => {
    const engine = await makeEngine(t);
    const log = await engine.create('txn', 0, logConfig());
    await log.append(txnBatch(1, 5, 2, 0), { now });
    await expectKafkaError(t, log.append(txnBatch(1, 5, 2, 1, false), { now }), INVALID_TXN_STATE, 'non-transactional batch while a transaction is open');
    await expectKafkaError(
      t,
      log.appendMarker({ producerId: 5, producerEpoch: 1, commit: true, coordinatorEpoch: 0 }),
      INVALID_PRODUCER_EPOCH,
      'a marker with an older producer epoch',
    );
    await log.appendMarker({ producerId: 5, producerEpoch: 2, commit: true, coordinatorEpoch: 4 });
    await log.append(txnBatch(1, 5, 2, 1), { now });
    await expectKafkaError(
      t,
      log.appendMarker({ producerId: 5, producerEpoch: 2, commit: false, coordinatorEpoch: 3 }),
      TRANSACTION_COORDINATOR_FENCED,
      'a marker from an older coordinator epoch',
    );
    t.equal(log.lastStableOffset, 2, 'the refused marker changed nothing');
    // KIP-890 (TV2): the coordinator bumps the epoch in the marker; the next transaction uses it.
    await log.appendMarker({ producerId: 5, producerEpoch: 3, commit: true, coordinatorEpoch: 4 });
    t.equal(log.lastStableOffset, log.highWatermark);
    await log.append(txnBatch(1, 5, 3, 0), { now });
    t.equal(log.lastStableOffset, 4);
  });

  t.test("transaction version 2 markers (KIP-890): the bumped epoch must be above the producer's; an equal one is a retry", async (t) => {
    const engine = await makeEngine(t);
    const log = await engine.create('txn', 0, logConfig());
    await log.append(txnBatch(1, 8, 4, 0), { now }); // 0
    await expectKafkaError(
      t,
      log.appendMarker({ producerId: 8, producerEpoch: 4, commit: true, coordinatorEpoch: 1, transactionVersion: 2 }),
      INVALID_PRODUCER_EPOCH,
      'a TV2 marker with the epoch of the open transaction',
    );
    t.equal(log.lastStableOffset, 0, 'still open');
    await log.appendMarker({ producerId: 8, producerEpoch: 5, commit: true, coordinatorEpoch: 1, transactionVersion: 2, timestamp: now + 7 }); // 1
    t.equal(log.lastStableOffset, 2, 'committed with the bumped epoch');
    t.same(
      log.activeProducers().find((p) => p.producerId === 8),
      { producerId: 8, producerEpoch: 5, lastSequence: -1, lastTimestamp: now + 7, coordinatorEpoch: 1, currentTxnStartOffset: -1 },
      'DescribeProducers after the bump: the new epoch, no batch of it yet, the marker timestamp (as Kafka lists it)',
    );
    const retry = await log.appendMarker({ producerId: 8, producerEpoch: 5, commit: true, coordinatorEpoch: 1, transactionVersion: 2 });
    t.equal(retry.baseOffset, 2, 'the retried marker is written again (Kafka accepts it)');
    t.equal(log.lastStableOffset, 3);
    t.same(log.abortedTransactions(0, 3), []);
    await log.append(txnBatch(1, 8, 5, 0), { now }); // 3: the next transaction, on the new epoch
    t.equal(log.lastStableOffset, 3);
    await expectKafkaError(
      t,
      log.appendMarker({ producerId: 8, producerEpoch: 5, commit: false, coordinatorEpoch: 1, transactionVersion: 2 }),
      INVALID_PRODUCER_EPOCH,
      'an equal epoch while a transaction is open is no retry',
    );
  });

  t.test('a marker for a transaction with no data here completes nothing', async (t) => {
    const engine = await makeEngine(t);
    const log = await engine.create('txn', 0, logConfig());
    await log.append(plain(1), { now });
    await log.appendMarker({ producerId: 9, producerEpoch: 0, commit: false, coordinatorEpoch: 0 });
    t.equal(log.logEndOffset, 2);
    t.equal(log.lastStableOffset, 2);
    t.same(log.abortedTransactions(0, 2), []);
  });

  t.test('a follower replaying the leader ends up with the same LSO and aborted list', async (t) => {
    const engine = await makeEngine(t);
    const leader = await engine.create('lead', 0, logConfig());
    await leader.append(txnBatch(2, 1, 0, 0), { now });
    await leader.append(txnBatch(1, 2, 0, 0), { now });
    await leader.appendMarker({ producerId: 1, producerEpoch: 0, commit: false, coordinatorEpoch: 1 });
    const follower = await engine.create('follow', 0, logConfig());
    // As a replica fetcher does: read from the follower's end until it reaches the leader's (a read stops at a segment's end).
    while (follower.logEndOffset < leader.logEndOffset) {
      const got = await leader.read(follower.logEndOffset, BIG, true, false, 'logEnd');
      for (const b of got.records) await follower.appendAsFollower(Buffer.from(b));
    }
    t.equal(follower.logEndOffset, 4);
    t.equal(follower.lastStableOffset, 2, 'pid 2 open on the follower too');
    t.same(follower.abortedTransactions(0, 4), [{ producerId: 1, firstOffset: 0 }]);
    t.equal(follower.activeProducers().find((p) => p.producerId === 2)?.currentTxnStartOffset, 2);
    // Truncating the follower below the marker reopens pid 1's transaction and drops its entry.
    await follower.truncateTo(3);
    t.equal(follower.lastStableOffset, 0, 'pid 1 open again');
    t.same(follower.abortedTransactions(0, 4), []);
  });

  t.test('DeleteRecords past an open transaction: the LSO is never below the log start', async (t) => {
    const engine = await makeEngine(t);
    const log = await engine.create('dr', 0, logConfig());
    await log.append(plain(1), { now }); // 0
    await log.append(txnBatch(1, 1, 0, 0), { now }); // 1: open
    await log.append(plain(2), { now }); // 2-3
    t.equal(log.lastStableOffset, 1);
    await log.deleteRecordsBefore(3);
    t.equal(log.lastStableOffset, 3, 'moved up to the log start');
    const r = await log.read(3, BIG, true, false, 'txnCommitted');
    t.equal(r.records.length, 0, 'and still nothing readable at it while the transaction is open');
  });

  t.test('retention never deletes at or after the LSO', async (t) => {
    const engine = await makeEngine(t);
    const log = await engine.create('ret', 0, logConfig({ 'retention.ms': '1', 'segment.bytes': '100' }));
    await log.append(plain(1), { now }); // 0
    await log.append(txnBatch(1, 1, 0, 0), { now }); // 1: open
    await log.append(plain(1), { now }); // 2
    await log.append(plain(1), { now }); // 3
    t.equal(log.lastStableOffset, 1);
    await log.deleteOldSegments(now + 60_000);
    t.ok(log.logStartOffset <= 1, `log start ${log.logStartOffset} stays at or below the LSO`);
    t.same(await readOffsets(log, log.logStartOffset, 'highWatermark').then((o) => o.includes(1)), true, 'the open transaction is still there');
    await log.appendMarker({ producerId: 1, producerEpoch: 0, commit: true, coordinatorEpoch: 0 });
    await log.append(plain(1), { now });
    await log.deleteOldSegments(now + 60_000);
    t.ok(log.logStartOffset > 1, `once committed, retention goes on (log start ${log.logStartOffset})`);
  });
}
