// read_committed share groups: the batches of aborted transactions in a read (and their abort
// markers) are found from the read's aborted-transaction list as Kafka's
// fetchAbortedTransactionRecordBatches finds them, archived instead of delivered, and the response's
// batches and acquired ranges leave them out.
import t from 'tap';
import { buildBatch } from '../../src/protocol/records/records.js';
import { buildControlBatch } from '../../src/protocol/records/control-batch.js';
import { abortedRanges, acquiredBatches, fetchedBatches } from '../../src/handlers/share/records.js';
import { RecordState as S, SharePartition, type ShareSettings } from '../../src/share/share-partition.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { MemoryPersister } from './memory-persister.js';

const P1 = 1001;
const P2 = 1002;

function at(baseOffset: number, batch: Buffer): Buffer {
  batch.writeBigInt64BE(BigInt(baseOffset), 0);
  return batch;
}

function txn(producerId: number, baseOffset: number, n: number): Buffer {
  return buildBatch({ baseOffset, producerId, producerEpoch: 0, baseSequence: 0, transactional: true, records: [...Array(n)].map((_, i) => ({ value: `p${producerId}-${i}` })) });
}

// 0-2 P1 (aborted), 3-4 plain, 5-6 P2 (committed), 7 P1's abort marker, 8 P2's commit marker, 9-10 P1 again (committed).
const read = [
  Buffer.concat([txn(P1, 0, 3), buildBatch({ baseOffset: 3, records: [{ value: 'a' }, { value: 'b' }] }), txn(P2, 5, 2)]),
  Buffer.concat([at(7, buildControlBatch(P1, 0, { commit: false, coordinatorEpoch: 0 }, 0)), at(8, buildControlBatch(P2, 0, { commit: true, coordinatorEpoch: 0 }, 0)), txn(P1, 9, 2)]),
];

t.test('the aborted ranges of a read', async (t) => {
  t.same(fetchedBatches(read), [
    { baseOffset: 0, lastOffset: 2 },
    { baseOffset: 3, lastOffset: 4 },
    { baseOffset: 5, lastOffset: 6 },
    { baseOffset: 7, lastOffset: 7 },
    { baseOffset: 8, lastOffset: 8 },
    { baseOffset: 9, lastOffset: 10 },
  ]);
  t.same(abortedRanges(read, [{ producerId: P1, firstOffset: 0 }]), [[0, 2], [7, 7]], "P1's aborted batch and its marker; its next transaction is not aborted");
  t.same(abortedRanges(read, []), []);
  t.same(abortedRanges(read, [{ producerId: P1, firstOffset: 9 }]), [[9, 10]], 'a transaction aborted later');
});

t.test('aborted records are archived, not delivered; the start offset moves past them', async (t) => {
  const clock = new ManualClock();
  const persister = new MemoryPersister();
  const settings: ShareSettings = { recordLockDurationMs: 30_000, deliveryCountLimit: 5, maxRecordLocks: 2000, renewEnabled: true, autoOffsetReset: 'earliest', isolationLevel: 'read_committed' };
  const sp = new SharePartition({ key: { groupId: 'g', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partition: 0 }, leaderEpoch: 0, persister, settings: () => settings, now: clock.now, scheduler: clock });
  await sp.initialize(async () => 0);
  const { acquired } = sp.acquire('m', 0, 500, 500, 0, fetchedBatches(read));
  t.same(acquired, [{ firstOffset: 0, lastOffset: 10, deliveryCount: 1 }]);
  const kept = sp.archiveAcquired('m', abortedRanges(read, [{ producerId: P1, firstOffset: 0 }]), acquired);
  t.same(kept, [
    { firstOffset: 3, lastOffset: 6, deliveryCount: 1 },
    { firstOffset: 8, lastOffset: 10, deliveryCount: 1 },
  ]);
  const served = acquiredBatches(read, kept).map((b) => fetchedBatches([b]));
  t.same(served.flat().map((b) => b.baseOffset), [3, 5, 8, 9], 'the aborted batches are not served');
  await new Promise((r) => setImmediate(r));
  t.equal(sp.startOffset, 3, 'the archived records at the start are done');
  t.same(persister.writes.at(-1)!.state.stateBatches, [
    { firstOffset: 0, lastOffset: 2, deliveryState: S.ARCHIVED, deliveryCount: 1 },
    { firstOffset: 7, lastOffset: 7, deliveryState: S.ARCHIVED, deliveryCount: 1 },
  ]);
  await sp.acknowledge('m', [{ firstOffset: 3, lastOffset: 6, acknowledgeTypes: [1] }, { firstOffset: 8, lastOffset: 10, acknowledgeTypes: [1] }]);
  t.equal(sp.startOffset, 11);
});
