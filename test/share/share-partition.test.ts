// The share-partition state machine (Kafka's SharePartition) on a manual clock: acquisition of new
// and released records, acquisition locks expiring into redelivery with a higher delivery count,
// the delivery count limit archiving, ACCEPT / RELEASE / REJECT / GAP / RENEW with Kafka's errors,
// the start offset advancing and what is persisted, max record locks, record-limit acquisition,
// batch sizes, and initialization from persisted state and share.auto.offset.reset.
import t from 'tap';
import { ManualClock } from '../helpers/manual-clock.js';
import { MemoryPersister } from './memory-persister.js';
import { AcknowledgeType as A, RecordState as S, ShareAcquireMode, ShareError, SharePartition, type FetchedBatch, type ShareSettings } from '../../src/share/share-partition.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const KEY = { groupId: 'g', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partition: 0 };
const M1 = 'member-1';
const M2 = 'member-2';

function setup(over: Partial<ShareSettings> = {}, persister = new MemoryPersister()) {
  const clock = new ManualClock();
  const settings: ShareSettings = {
    recordLockDurationMs: 30_000,
    deliveryCountLimit: 5,
    maxRecordLocks: 2000,
    renewEnabled: true,
    autoOffsetReset: 'earliest',
    isolationLevel: 'read_uncommitted',
    ...over,
  };
  let woken = 0;
  const sp = new SharePartition({ key: KEY, leaderEpoch: 0, persister, settings: () => settings, now: clock.now, scheduler: clock, onAcquirable: () => woken++ });
  return { sp, clock, persister, settings, woken: () => woken };
}

/** Log batches of `size` records from `from` to `to`. */
function batches(from: number, to: number, size = 10): FetchedBatch[] {
  const out: FetchedBatch[] = [];
  for (let o = from; o <= to; o += size) out.push({ baseOffset: o, lastOffset: Math.min(to, o + size - 1) });
  return out;
}

async function ready(over: Partial<ShareSettings> = {}, persister?: MemoryPersister) {
  const s = setup(over, persister);
  await s.sp.initialize(async (strategy) => (strategy === 'earliest' ? 0 : 100));
  return s;
}

async function ackError(p: Promise<void>): Promise<[number, string]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ShareError) return [e.errorCode, e.message];
    throw e;
  }
  return [0, ''];
}

t.test('acquires new records in one lock per batch, delivery count 1, and nothing twice', async (t) => {
  const { sp, clock } = await ready();
  const a = sp.acquire(M1, ShareAcquireMode.BATCH_OPTIMIZED, 500, 500, 0, batches(0, 19));
  t.same(a.acquired, [{ firstOffset: 0, lastOffset: 19, deliveryCount: 1 }]);
  t.equal(a.count, 20);
  t.equal(sp.startOffset, 0);
  t.equal(sp.endOffset, 19);
  t.equal(sp.nextFetchOffset(), 20);
  const again = sp.acquire(M2, ShareAcquireMode.BATCH_OPTIMIZED, 500, 500, 0, batches(0, 19));
  t.same(again.acquired, [], 'acquired records are not acquired again');
  t.equal(clock.pendingCount(), 1, 'one acquisition lock');
});

t.test('max records: batch-optimized rounds up to the log batch, record-limit takes exactly', async (t) => {
  const { sp } = await ready();
  const a = sp.acquire(M1, ShareAcquireMode.BATCH_OPTIMIZED, 500, 15, 0, batches(0, 49));
  t.same(a.acquired, [{ firstOffset: 0, lastOffset: 19, deliveryCount: 1 }], 'soft limit to the end of the second batch');
  const b = sp.acquire(M1, ShareAcquireMode.RECORD_LIMIT, 500, 7, 20, batches(20, 49));
  t.same(b.acquired, [{ firstOffset: 20, lastOffset: 26, deliveryCount: 1 }], 'exactly 7, mid-batch');
  t.equal(sp.nextFetchOffset(), 27);
  // The next read starts inside the batch 20-29: offsets before the fetch offset are not acquired again.
  const c = sp.acquire(M2, ShareAcquireMode.RECORD_LIMIT, 500, 5, 27, batches(20, 49));
  t.same(c.acquired, [{ firstOffset: 27, lastOffset: 31, deliveryCount: 1 }]);
});

t.test('batch size cuts new records into in-flight batches on log batch boundaries', async (t) => {
  const { sp, clock } = await ready();
  const a = sp.acquire(M1, ShareAcquireMode.BATCH_OPTIMIZED, 15, 500, 0, batches(0, 39));
  t.same(a.acquired, [
    { firstOffset: 0, lastOffset: 19, deliveryCount: 1 },
    { firstOffset: 20, lastOffset: 39, deliveryCount: 1 },
  ]);
  t.equal(clock.pendingCount(), 2, 'a lock per in-flight batch');
});

t.test('lock timeout makes records available again; redelivery increases the delivery count; the limit archives', async (t) => {
  const { sp, clock, persister, woken } = await ready({ deliveryCountLimit: 3, recordLockDurationMs: 1000 });
  t.same(sp.acquire(M1, 0, 500, 500, 0, batches(0, 9)).acquired, [{ firstOffset: 0, lastOffset: 9, deliveryCount: 1 }]);
  clock.advance(999);
  t.same(sp.inFlight()[0].state, S.ACQUIRED, 'still locked before the duration');
  clock.advance(1);
  await new Promise((r) => setImmediate(r));
  t.same(sp.inFlight(), [{ firstOffset: 0, lastOffset: 9, state: S.AVAILABLE, deliveryCount: 1, memberId: '' }]);
  t.equal(woken(), 1, 'a waiting fetch is woken');
  t.same(persister.writes.at(-1)!.state.stateBatches, [{ firstOffset: 0, lastOffset: 9, deliveryState: S.AVAILABLE, deliveryCount: 1 }], 'the release is persisted');
  t.equal(sp.nextFetchOffset(), 0);

  t.same(sp.acquire(M2, 0, 500, 500, 0, batches(0, 9)).acquired, [{ firstOffset: 0, lastOffset: 9, deliveryCount: 2 }], 'second delivery to another member');
  clock.advance(1000);
  await new Promise((r) => setImmediate(r));
  // Third delivery is throttled (delivered max(2, ceil(3 / 2)) times already): one record at a time.
  const third = sp.acquire(M1, 0, 500, 500, 0, batches(0, 9));
  t.same(third.acquired, [{ firstOffset: 0, lastOffset: 0, deliveryCount: 3 }], 'a throttled record is delivered alone');
  clock.advance(1000);
  await new Promise((r) => setImmediate(r));
  t.same(persister.writes.at(-1)!.state.stateBatches, [{ firstOffset: 0, lastOffset: 0, deliveryState: S.ARCHIVED, deliveryCount: 3 }], 'past the limit: archived');
  t.equal(sp.startOffset, 1, 'the start offset moves past the archived record');
  t.same(sp.inFlight(), [{ firstOffset: 1, lastOffset: 9, state: S.AVAILABLE, deliveryCount: 2, memberId: '' }]);
  // Kafka 4.4 (SharePartition.writeShareGroupState) writes the start offset from before the change.
  t.equal(persister.startOffset(KEY), 0, 'the write carries the start offset before the archive');
  t.equal(persister.writes.at(-1)!.state.deliveryCompleteCount, 1, 'the archived record counts as complete');
});

t.test('ACCEPT, RELEASE, REJECT, GAP per offset; the start offset advances over completed records', async (t) => {
  const { sp, persister, woken, clock } = await ready();
  sp.acquire(M1, 0, 500, 500, 0, batches(0, 9));
  await sp.acknowledge(M1, [{ firstOffset: 0, lastOffset: 4, acknowledgeTypes: [A.ACCEPT, A.REJECT, A.GAP, A.RELEASE, A.ACCEPT] }]);
  t.same(sp.inFlight(), [
    { firstOffset: 3, lastOffset: 3, state: S.AVAILABLE, deliveryCount: 1, memberId: '' },
    { firstOffset: 4, lastOffset: 4, state: S.ACKNOWLEDGED, deliveryCount: 1, memberId: '' },
    { firstOffset: 5, lastOffset: 9, state: S.ACQUIRED, deliveryCount: 1, memberId: M1 },
  ], 'per-offset states after the cut');
  t.equal(sp.startOffset, 3, 'accepted, rejected and gap records below the first released one are done');
  t.equal(sp.nextFetchOffset(), 3, 'the released record is next');
  t.ok(woken() >= 1);
  const w = persister.writes.at(-1)!.state;
  // Kafka 4.4 writes the start offset from before the change (0) and the terminal records at or after it.
  t.equal(w.startOffset, 0);
  t.equal(w.deliveryCompleteCount, 4, 'completed records at or after the written start offset: 0, 1, 2 and 4');
  t.same(w.stateBatches, [
    { firstOffset: 0, lastOffset: 0, deliveryState: S.ACKNOWLEDGED, deliveryCount: 1 },
    { firstOffset: 1, lastOffset: 2, deliveryState: S.ARCHIVED, deliveryCount: 1 },
    { firstOffset: 3, lastOffset: 3, deliveryState: S.AVAILABLE, deliveryCount: 1 },
    { firstOffset: 4, lastOffset: 4, deliveryState: S.ACKNOWLEDGED, deliveryCount: 1 },
  ]);
  t.same(sp.acquire(M2, 0, 500, 500, 3, batches(0, 9)).acquired, [{ firstOffset: 3, lastOffset: 3, deliveryCount: 2 }], 'the released record is redelivered');
  await sp.acknowledge(M2, [{ firstOffset: 3, lastOffset: 3, acknowledgeTypes: [A.ACCEPT] }]);
  await sp.acknowledge(M1, [{ firstOffset: 5, lastOffset: 9, acknowledgeTypes: [A.ACCEPT] }]);
  t.equal(sp.startOffset, 10);
  t.same(sp.inFlight(), [], 'everything delivered: nothing in flight');
  t.equal(sp.endOffset, 10);
  // Kafka 4.4 writes the start offset from before the last acknowledgement (5: accepting offset 3
  // moved it past 4) with the records complete from there, 5 to 9.
  t.equal(persister.startOffset(KEY), 5);
  t.equal(persister.writes.at(-1)!.state.deliveryCompleteCount, 5);
  t.same(persister.batches(KEY), [{ firstOffset: 5, lastOffset: 9, deliveryState: S.ACKNOWLEDGED, deliveryCount: 1 }], 'batches from the written start offset on');
  t.equal(clock.pendingCount(), 0, 'no lock timer left');
});

t.test("acknowledgement errors: another member's records, not acquired, past the end, all or nothing", async (t) => {
  const { sp, persister } = await ready();
  sp.acquire(M1, 0, 5, 500, 0, batches(0, 9, 5));
  t.same(await ackError(sp.acknowledge(M2, [{ firstOffset: 0, lastOffset: 4, acknowledgeTypes: [A.ACCEPT] }])), [ErrorCode.INVALID_RECORD_STATE, 'Member is not the owner of batch record']);
  t.same(await ackError(sp.acknowledge(M1, [{ firstOffset: 5, lastOffset: 12, acknowledgeTypes: [A.ACCEPT] }])), [ErrorCode.INVALID_REQUEST, 'Batch record not found. The last offset in request is past acquired records.']);
  t.same(await ackError(sp.acknowledge(M1, [{ firstOffset: 20, lastOffset: 22, acknowledgeTypes: [A.ACCEPT] }])), [ErrorCode.INVALID_REQUEST, 'Batch record not found. The first offset in request is past acquired records.']);
  // The first batch is valid, the second not: neither takes effect.
  t.same(await ackError(sp.acknowledge(M1, [
    { firstOffset: 0, lastOffset: 4, acknowledgeTypes: [A.ACCEPT] },
    { firstOffset: 5, lastOffset: 6, acknowledgeTypes: [A.ACCEPT] },
    { firstOffset: 8, lastOffset: 8, acknowledgeTypes: [A.ACCEPT] },
  ])), [0, ''], 'a valid request');
  t.equal(sp.startOffset, 7);
  t.same(await ackError(sp.acknowledge(M1, [{ firstOffset: 5, lastOffset: 5, acknowledgeTypes: [A.ACCEPT] }])), [0, ''], 'below the start offset: already done, ignored as Kafka does');
  t.same(await ackError(sp.acknowledge(M1, [{ firstOffset: 8, lastOffset: 8, acknowledgeTypes: [A.ACCEPT] }])), [ErrorCode.INVALID_RECORD_STATE, 'The offset cannot be acknowledged. The offset is not acquired.'], 'acknowledged twice');
  const before = JSON.stringify(sp.inFlight());
  const writes = persister.writes.length;
  t.same((await ackError(sp.acknowledge(M1, [
    { firstOffset: 7, lastOffset: 7, acknowledgeTypes: [A.REJECT] },
    { firstOffset: 9, lastOffset: 9, acknowledgeTypes: [A.RENEW] },
    { firstOffset: 8, lastOffset: 8, acknowledgeTypes: [A.ACCEPT] },
  ])))[0], ErrorCode.INVALID_RECORD_STATE);
  t.equal(JSON.stringify(sp.inFlight()), before, 'a failed request changes nothing');
  t.equal(persister.writes.length, writes, 'and writes nothing');
  t.same(await ackError(sp.acknowledge(M1, [{ firstOffset: 7, lastOffset: 7, acknowledgeTypes: [7] }])), [ErrorCode.INVALID_REQUEST, 'Invalid acknowledge type: [7]']);
});

t.test('a failed write rolls the acknowledgement back with the persister error', async (t) => {
  const { sp, persister } = await ready();
  sp.acquire(M1, 0, 500, 500, 0, batches(0, 9));
  persister.failWrites = ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  t.same((await ackError(sp.acknowledge(M1, [{ firstOffset: 0, lastOffset: 9, acknowledgeTypes: [A.ACCEPT] }])))[0], ErrorCode.COORDINATOR_NOT_AVAILABLE);
  t.same(sp.inFlight(), [{ firstOffset: 0, lastOffset: 9, state: S.ACQUIRED, deliveryCount: 1, memberId: M1 }]);
  persister.failWrites = 0;
  await sp.acknowledge(M1, [{ firstOffset: 0, lastOffset: 9, acknowledgeTypes: [A.ACCEPT] }]);
  t.equal(sp.startOffset, 10);
});

t.test('RENEW extends the acquisition lock without a write; disabled by the group it is INVALID_RECORD_STATE', async (t) => {
  const { sp, clock, persister } = await ready({ recordLockDurationMs: 1000 });
  sp.acquire(M1, 0, 500, 500, 0, batches(0, 9));
  clock.advance(800);
  await sp.acknowledge(M1, [{ firstOffset: 0, lastOffset: 4, acknowledgeTypes: [A.RENEW] }]);
  t.equal(persister.writes.length, 0, 'a renewal is not persisted');
  t.equal(clock.pendingCount(), 2, "one new lock for the renewed run, the batch's own still held by 5-9");
  clock.advance(200);
  await new Promise((r) => setImmediate(r));
  t.same(sp.inFlight(), [
    { firstOffset: 0, lastOffset: 4, state: S.ACQUIRED, deliveryCount: 1, memberId: M1 },
    { firstOffset: 5, lastOffset: 9, state: S.AVAILABLE, deliveryCount: 1, memberId: '' },
  ], 'the renewed records are still held, the others came back');
  clock.advance(799);
  t.equal(sp.inFlight()[0].state, S.ACQUIRED);
  clock.advance(1);
  await new Promise((r) => setImmediate(r));
  t.equal(sp.inFlight()[0].state, S.AVAILABLE, 'the renewed lock runs a full duration from the renewal');

  const off = await ready({ renewEnabled: false });
  off.sp.acquire(M1, 0, 500, 500, 0, batches(0, 9));
  t.same(await ackError(off.sp.acknowledge(M1, [{ firstOffset: 0, lastOffset: 9, acknowledgeTypes: [A.RENEW] }])), [ErrorCode.INVALID_RECORD_STATE, 'Renewing acquisition locks is not enabled for the group.']);
});

t.test('release of a member: its records become available (archived at the limit), persisted', async (t) => {
  const { sp, persister } = await ready({ deliveryCountLimit: 2 });
  sp.acquire(M1, 0, 5, 500, 0, batches(0, 9, 5));
  sp.acquire(M2, 0, 500, 500, 10, batches(10, 14, 5));
  await sp.releaseAcquiredRecords(M1);
  t.same(sp.inFlight(), [
    { firstOffset: 0, lastOffset: 9, state: S.AVAILABLE, deliveryCount: 1, memberId: '' },
    { firstOffset: 10, lastOffset: 14, state: S.ACQUIRED, deliveryCount: 1, memberId: M2 },
  ]);
  t.equal(persister.writes.length, 1);
  sp.acquire(M2, 0, 500, 500, 0, batches(0, 9, 5));
  await sp.releaseAcquiredRecords(M2);
  t.same(sp.inFlight(), [{ firstOffset: 10, lastOffset: 14, state: S.AVAILABLE, deliveryCount: 1, memberId: '' }], 'delivered twice with limit 2: archived');
  t.equal(sp.startOffset, 10);
});

t.test('max record locks: no new records past the limit; available ones may still be acquired', async (t) => {
  const { sp } = await ready({ maxRecordLocks: 20 });
  t.equal(sp.acquire(M1, 0, 500, 500, 0, batches(0, 49)).count, 20, 'stops at the limit (on a batch boundary here)');
  t.notOk(sp.canAcquireRecords());
  t.same(sp.acquire(M2, 0, 500, 500, 20, batches(20, 49)).acquired, []);
  await sp.acknowledge(M1, [{ firstOffset: 0, lastOffset: 9, acknowledgeTypes: [A.RELEASE] }]);
  t.ok(sp.canAcquireRecords(), 'released records are acquirable');
  await sp.acknowledge(M1, [{ firstOffset: 10, lastOffset: 19, acknowledgeTypes: [A.ACCEPT] }]);
  t.same(sp.acquire(M2, 0, 500, 500, 0, batches(0, 49)).acquired, [{ firstOffset: 0, lastOffset: 9, deliveryCount: 2 }], 'not past 20 in flight: 0-9 again, nothing new');
  await sp.acknowledge(M2, [{ firstOffset: 0, lastOffset: 9, acknowledgeTypes: [A.ACCEPT] }]);
  t.equal(sp.startOffset, 20);
  t.equal(sp.acquire(M2, 0, 500, 500, 20, batches(20, 49)).count, 20, 'room again after the start offset moved');
});

t.test('initialization: persisted state, gaps available again, start offset -1 takes share.auto.offset.reset', async (t) => {
  const persister = new MemoryPersister();
  persister.seed(KEY, 5, [
    { firstOffset: 5, lastOffset: 7, deliveryState: S.ACKNOWLEDGED, deliveryCount: 1 },
    { firstOffset: 10, lastOffset: 12, deliveryState: S.AVAILABLE, deliveryCount: 2 },
  ]);
  const { sp } = setup({}, persister);
  await sp.initialize(async () => {
    throw new Error('not called');
  });
  t.equal(sp.startOffset, 8, 'acknowledged records at the start are done');
  t.same(sp.inFlight(), [
    { firstOffset: 8, lastOffset: 9, state: S.AVAILABLE, deliveryCount: 0, memberId: '' },
    { firstOffset: 10, lastOffset: 12, state: S.AVAILABLE, deliveryCount: 2, memberId: '' },
  ]);
  t.same(sp.acquire(M1, 0, 500, 500, 8, batches(0, 19)).acquired, [
    { firstOffset: 8, lastOffset: 9, deliveryCount: 1 },
    { firstOffset: 10, lastOffset: 12, deliveryCount: 3 },
    { firstOffset: 13, lastOffset: 19, deliveryCount: 1 },
  ]);

  const latest = setup({ autoOffsetReset: 'latest' });
  let asked = '';
  await latest.sp.initialize(async (s) => {
    asked = s;
    return 42;
  });
  t.equal(asked, 'latest');
  t.equal(latest.sp.startOffset, 42);
  t.equal(latest.sp.nextFetchOffset(), 42);
  t.same(latest.sp.acquire(M1, 0, 500, 500, 42, batches(40, 49)).acquired, [{ firstOffset: 42, lastOffset: 49, deliveryCount: 1 }], 'records before the start are never acquired');
});

t.test('a persister error fails initialization with the mapped error', async (t) => {
  const persister = new MemoryPersister();
  persister.readState = async () => ({ errorCode: ErrorCode.NOT_COORDINATOR, errorMessage: 'moved', stateEpoch: 0, startOffset: -1, deliveryCompleteCount: 0, stateBatches: [] });
  const { sp } = setup({}, persister);
  const err = await sp.initialize(async () => 0).then(() => undefined, (e: ShareError) => e);
  t.equal(err?.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  t.equal(sp.status, 'FAILED');
});

t.test('the log start offset moving archives available records below it', async (t) => {
  const { sp } = await ready();
  sp.acquire(M1, 0, 5, 500, 0, batches(0, 9, 5));
  await sp.acknowledge(M1, [{ firstOffset: 0, lastOffset: 9, acknowledgeTypes: [A.RELEASE] }]);
  sp.updateLogStartOffset(7);
  t.equal(sp.startOffset, 7);
  t.equal(sp.nextFetchOffset(), 7);
  t.same(sp.acquire(M1, 0, 500, 500, 7, batches(5, 9, 5)).acquired, [{ firstOffset: 7, lastOffset: 9, deliveryCount: 2 }]);
});

t.test("throttled redelivery as Kafka 4.4's: halved from max(2, ceil(limit / 2)) deliveries, the last attempt alone, never after other records", async (t) => {
  const { sp } = await ready({ deliveryCountLimit: 5 });
  const release = async (m: string, from: number, to: number) => sp.acknowledge(m, [{ firstOffset: from, lastOffset: to, acknowledgeTypes: [A.RELEASE] }]);
  sp.acquire(M1, 0, 500, 500, 0, batches(0, 9));
  sp.acquire(M1, 0, 500, 500, 10, batches(10, 19));
  for (let i = 0; i < 2; i++) {
    await release(M1, 0, 19);
    sp.acquire(M1, 0, 500, 500, 0, batches(0, 19));
  }
  await release(M1, 0, 19);
  t.same(sp.inFlight(), [{ firstOffset: 0, lastOffset: 19, state: S.AVAILABLE, deliveryCount: 3, memberId: '' }]);
  // Delivered 3 times (>= max(2, ceil(5 / 2))): 10 >> 1 = 5 records of the first batch, and nothing after it.
  t.same(sp.acquire(M1, 0, 500, 500, 0, batches(0, 19)).acquired, [{ firstOffset: 0, lastOffset: 4, deliveryCount: 4 }]);
  t.same(sp.acquire(M2, 0, 500, 500, 5, batches(0, 19)).acquired, [{ firstOffset: 5, lastOffset: 9, deliveryCount: 4 }]);
  await release(M1, 0, 4);
  // Offsets 0-4 are on their last attempt (4 of 5): one at a time.
  t.same(sp.acquire(M1, 0, 500, 500, 0, batches(0, 19)).acquired, [{ firstOffset: 0, lastOffset: 0, deliveryCount: 5 }]);
  t.same(sp.acquire(M1, 0, 500, 500, 1, batches(0, 19)).acquired, [{ firstOffset: 1, lastOffset: 1, deliveryCount: 5 }]);
  await release(M1, 0, 1);
  t.equal(sp.startOffset, 2, 'released on the last attempt: archived');
});
