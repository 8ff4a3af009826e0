// The share partition manager: share partitions created on first use and initialized once, a
// failed load retried by the next request, a new leader epoch reading the state again, leadership
// lost dropping the partition with its locks, acknowledgements of a partition it does not have,
// and the wake-up of waiting fetches when records become acquirable.
import t from 'tap';
import { ManualClock } from '../helpers/manual-clock.js';
import { MemoryPersister } from './memory-persister.js';
import { SharePartitionManager } from '../../src/share/share-partition-manager.js';
import type { ShareSettings } from '../../src/share/share-partition.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const T = 'AAAAAAAAAAAAAAAAAAAAAA';
const SETTINGS: ShareSettings = { recordLockDurationMs: 1000, deliveryCountLimit: 5, maxRecordLocks: 2000, renewEnabled: true, autoOffsetReset: 'earliest', isolationLevel: 'read_uncommitted' };

function manager(persister: MemoryPersister) {
  const clock = new ManualClock();
  const m = new SharePartitionManager({ persister: () => persister, settings: () => SETTINGS, maxSessions: () => 10, now: clock.now, scheduler: clock });
  return { m, clock };
}

const zero = async () => 0;

t.test('created once, initialized once; a failed load is retried', async (t) => {
  const persister = new MemoryPersister();
  const { m } = manager(persister);
  const real = persister.readState.bind(persister);
  let fail = true;
  persister.readState = async (key) => (fail ? { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, errorMessage: 'loading', stateEpoch: 0, startOffset: -1, deliveryCompleteCount: 0, stateBatches: [] } : real(key));
  const err = await m.partition('g', T, 0, 0, zero).then(() => 0, (e) => e.errorCode);
  t.equal(err, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  fail = false;
  const [a, b] = await Promise.all([m.partition('g', T, 0, 0, zero), m.partition('g', T, 0, 0, zero)]);
  t.equal(a, b, 'one share partition for concurrent first fetches');
  t.equal(persister.reads.length, 1, 'its state read once after the failure');
  t.not(await m.partition('h', T, 0, 0, zero), a, 'another group has its own');
});

t.test('a new leader epoch reads the state again; lost leadership drops the partition and its locks', async (t) => {
  const persister = new MemoryPersister();
  const { m, clock } = manager(persister);
  const sp = await m.partition('g', T, 0, 3, zero);
  sp.acquire('m', 0, 500, 500, 0, [{ baseOffset: 0, lastOffset: 9 }]);
  t.equal(clock.pendingCount(), 1);
  const again = await m.partition('g', T, 0, 4, zero);
  t.not(again, sp, 'epoch 4 is a new share partition');
  t.equal(sp.status, 'FENCED');
  t.equal(clock.pendingCount(), 0, "the fenced partition's locks are gone");
  let listener: ((topic: string, partition: number, epoch: number) => void) | undefined;
  m.followLeadership({ onLeadershipChange: (l) => ((listener = l), () => {}) }, (name) => (name === 'topic' ? T : undefined));
  again.acquire('m', 0, 500, 500, 0, [{ baseOffset: 0, lastOffset: 9 }]);
  listener!('topic', 0, 7);
  t.equal(m.existing('g', T, 0), again, 'becoming leader changes nothing here');
  listener!('topic', 0, -1);
  t.equal(m.existing('g', T, 0), undefined, 'no longer the leader: dropped');
  t.equal(again.status, 'FENCED');
  t.equal(clock.pendingCount(), 0);
  t.same(await m.acknowledge('g', 'm', T, 0, [{ firstOffset: 0, lastOffset: 9, acknowledgeTypes: [1] }]), { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null });
});

t.test('waiting fetches are woken when records become acquirable', async (t) => {
  const persister = new MemoryPersister();
  const { m, clock } = manager(persister);
  const sp = await m.partition('g', T, 0, 0, zero);
  sp.acquire('m', 0, 500, 500, 0, [{ baseOffset: 0, lastOffset: 9 }]);
  let woken = 0;
  m.onAcquirable(() => woken++);
  clock.advance(1000);
  await new Promise((r) => setImmediate(r));
  t.equal(woken, 1, 'by the lock timeout');
  t.equal(sp.nextFetchOffset(), 0);
  clock.advance(5000);
  t.equal(woken, 1, 'a waiter is called once');
});
