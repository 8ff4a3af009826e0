// The share coordinator's shard on a ManualClock (no IO): Initialize writes a ShareSnapshot at
// snapshot epoch 0 (+1 on re-initialize); writes become ShareUpdates until
// share.coordinator.snapshot.update.records.per.snapshot of them were replayed, then the next write
// is a ShareSnapshot of the merged state at the next snapshot epoch with the clock's timestamps;
// a read at a new leader epoch records it (an update carrying the epoch, no batches), the same
// epoch writes nothing; deliveryCompleteCount follows Kafka's rules for the start offset; the
// state replayed from the records alone (a load) equals the live one.
import t from 'tap';
import { ShareCoordinatorShard, type ShardResult } from '../../../src/coordinator/share/shard.js';
import { decodeShareRecord } from '../../../src/coordinator/share/records.js';
import type { StoredRecord } from '../../../src/coordinator/group/offsets-topic.js';
import { ErrorCode as E } from '../../../src/protocol/errors.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const TOPIC = 'Ag8-x0zWQeKL8jW5mN3a1A';
const key = { groupId: 'g', topicId: TOPIC, partition: 0 };
const b = (firstOffset: number, lastOffset: number, deliveryState: number, deliveryCount: number) => ({ firstOffset, lastOffset, deliveryState, deliveryCount });

function setup(updatesPerSnapshot = 3) {
  const clock = new ManualClock();
  const log: StoredRecord[] = [];
  const shard = new ShareCoordinatorShard({ updatesPerSnapshot, now: clock.now, partitionCount: (id) => (id === TOPIC ? 2 : undefined) });
  /** What the coordinator does once a result's records are written: replay them. */
  const done = <R extends { errorCode: number }>(r: ShardResult<R & { errorMessage: string | null }>) => {
    for (const rec of r.records) {
      log.push(rec);
      shard.replay(rec);
    }
    return r;
  };
  return { clock, log, shard, done };
}

t.test('initialize, then updates, then a snapshot after N updates', async (t) => {
  const { clock, log, shard, done } = setup(3);
  t.equal(done(shard.initializeState(key, 0, 10)).result.errorCode, E.NONE);
  t.match(decodeShareRecord(log[0]), { type: 'snapshot', value: { snapshotEpoch: 0, stateEpoch: 0, leaderEpoch: 0, startOffset: 10, deliveryCompleteCount: 0, stateBatches: [], createTimestamp: clock.now(), writeTimestamp: clock.now() } });
  for (let i = 0; i < 3; i++) {
    clock.advance(1000);
    const r = done(shard.writeState(key, { stateEpoch: 0, leaderEpoch: 1, startOffset: 10, deliveryCompleteCount: -1, stateBatches: [b(10 + i, 10 + i, 2, 1)] }));
    t.equal(r.result.errorCode, E.NONE);
    t.match(decodeShareRecord(r.records[0]), { type: 'update', value: { snapshotEpoch: 0, leaderEpoch: 0, startOffset: 10, stateBatches: [b(10 + i, 10 + i, 2, 1)] } }, `write ${i + 1} is an update with the stored leader epoch`);
  }
  clock.advance(1000);
  const snap = done(shard.writeState(key, { stateEpoch: 0, leaderEpoch: 1, startOffset: 11, deliveryCompleteCount: 3, stateBatches: [b(13, 15, 0, 1)] }));
  t.match(decodeShareRecord(snap.records[0]), {
    type: 'snapshot',
    value: { snapshotEpoch: 1, stateEpoch: 0, startOffset: 11, deliveryCompleteCount: 3, stateBatches: [b(11, 12, 2, 1), b(13, 15, 0, 1)], createTimestamp: clock.now(), writeTimestamp: clock.now() },
  }, 'the 4th write snapshots the merged state');
  const next = done(shard.writeState(key, { stateEpoch: 0, leaderEpoch: 1, startOffset: 11, deliveryCompleteCount: 3, stateBatches: [b(16, 16, 0, 1)] }));
  t.match(decodeShareRecord(next.records[0]), { type: 'update', value: { snapshotEpoch: 1 } }, 'updates again after the snapshot');
  t.same(shard.state(key)?.stateBatches, [b(11, 12, 2, 1), b(13, 16, 0, 1)]);

  // A load replays the same records into a fresh shard: the same state.
  const loaded = new ShareCoordinatorShard({ updatesPerSnapshot: 3, now: clock.now, partitionCount: () => 2 });
  for (const rec of log) loaded.replay(rec);
  t.same(loaded.state(key), shard.state(key));
});

t.test('a read at a new leader epoch writes it; writers of older epochs are fenced', async (t) => {
  const { shard, done, log } = setup();
  done(shard.initializeState(key, 0, 0));
  const r = done(shard.readState(key, 4));
  t.same([r.result.errorCode, r.result.startOffset, r.result.stateEpoch], [E.NONE, 0, 0]);
  t.match(decodeShareRecord(r.records[0]), { type: 'update', value: { leaderEpoch: 4, startOffset: 0, stateBatches: [] } });
  t.equal(done(shard.readState(key, 4)).records.length, 0, 'the same epoch again: nothing to write');
  t.equal(shard.readState(key, 3).result.errorCode, E.FENCED_LEADER_EPOCH);
  t.equal(shard.writeState(key, { stateEpoch: 0, leaderEpoch: 3, startOffset: 0, deliveryCompleteCount: -1, stateBatches: [] }).result.errorCode, E.FENCED_LEADER_EPOCH);
  t.equal(shard.readSummary(key).leaderEpoch, 4);
  t.equal(log.length, 2);
});

t.test('deliveryCompleteCount follows the start offset', async (t) => {
  const { shard, done } = setup(100);
  done(shard.initializeState(key, 0, 50));
  done(shard.writeState(key, { stateEpoch: 0, leaderEpoch: 0, startOffset: 50, deliveryCompleteCount: 5, stateBatches: [] }));
  t.equal(shard.state(key)?.deliveryCompleteCount, 5);
  done(shard.writeState(key, { stateEpoch: 0, leaderEpoch: 0, startOffset: 50, deliveryCompleteCount: 3, stateBatches: [] }));
  t.equal(shard.state(key)?.deliveryCompleteCount, 5, 'same start offset: the larger count');
  done(shard.writeState(key, { stateEpoch: 0, leaderEpoch: 0, startOffset: 40, deliveryCompleteCount: 1, stateBatches: [] }));
  t.same([shard.state(key)?.startOffset, shard.state(key)?.deliveryCompleteCount], [50, 5], 'an older start offset: the stored count and start');
  done(shard.writeState(key, { stateEpoch: 0, leaderEpoch: 0, startOffset: 60, deliveryCompleteCount: 2, stateBatches: [] }));
  t.same([shard.state(key)?.startOffset, shard.state(key)?.deliveryCompleteCount], [60, 2], 'a newer start offset: the given count');
  t.equal(setup().shard.initializeState(key, 0, -1).records.length, 1);
  const s = setup();
  s.done(s.shard.initializeState(key, 0, -1));
  t.same([s.shard.state(key)?.startOffset, s.shard.state(key)?.deliveryCompleteCount], [-1, -1], 'no start offset yet: no count');
});

t.test('delete writes a tombstone that removes every trace of the key', async (t) => {
  const { shard, done } = setup();
  done(shard.initializeState(key, 3, 0));
  done(shard.readState(key, 9));
  const d = done(shard.deleteState(key));
  t.equal(d.records[0].value, null);
  t.equal(shard.state(key), undefined);
  t.equal(shard.size, 0);
  t.equal(done(shard.initializeState(key, 0, 0)).result.errorCode, E.NONE, 'after delete, state epoch 0 is accepted again');
  t.equal(shard.readState(key, 0).result.errorCode, E.NONE, 'and leader epoch 0');
  t.equal(shard.deleteState({ ...key, partition: 1 }).records.length, 0, 'deleting nothing writes nothing');
});

t.test('validation order and messages', async (t) => {
  const { shard } = setup();
  t.same(shard.writeState({ ...key, partition: -1 }, { stateEpoch: 0, leaderEpoch: 0, startOffset: 0, deliveryCompleteCount: -1, stateBatches: [] }).result, { errorCode: E.INVALID_REQUEST, errorMessage: 'The partition id cannot be a negative number.' });
  t.same(shard.writeState(key, { stateEpoch: -1, leaderEpoch: 0, startOffset: 0, deliveryCompleteCount: -1, stateBatches: [] }).result, { errorCode: E.INVALID_REQUEST, errorMessage: 'The state epoch cannot be a negative number.' });
  t.same(shard.initializeState(key, -1, 0).result, { errorCode: E.INVALID_REQUEST, errorMessage: 'The state epoch cannot be a negative number.' });
  t.equal(shard.readState(key, -1).result.errorMessage, 'The leader epoch cannot be a negative number.');
  t.equal(shard.initializeState({ ...key, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }, 0, 0).result.errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
  t.equal(shard.readSummary({ ...key, partition: 2 }).errorCode, E.UNKNOWN_TOPIC_OR_PARTITION);
});

t.test('cold states are snapshotted again after the interval; deleted topics get tombstones', async (t) => {
  let topics = new Set([TOPIC, 'BBBBBBBBBBBBBBBBBBBBBA']);
  const clock = new ManualClock();
  const shard = new ShareCoordinatorShard({ updatesPerSnapshot: 10, now: clock.now, partitionCount: (id) => (topics.has(id) ? 1 : undefined) });
  const replay = (records: StoredRecord[]) => records.forEach((r) => shard.replay(r));
  const hot = key;
  const other = { groupId: 'g', topicId: 'BBBBBBBBBBBBBBBBBBBBBA', partition: 0 };
  replay(shard.initializeState(hot, 0, 0).records);
  replay(shard.initializeState(other, 0, 7).records);
  clock.advance(60_000);
  t.same(shard.coldSnapshots(300_000), [], 'not cold yet');
  clock.advance(240_000);
  const cold = shard.coldSnapshots(300_000);
  t.equal(cold.length, 2);
  t.match(decodeShareRecord(cold[1]), { type: 'snapshot', key: other, value: { snapshotEpoch: 1, startOffset: 7, createTimestamp: clock.now() - 300_000, writeTimestamp: clock.now() } });
  replay(cold);
  clock.advance(600_000);
  t.same(shard.coldSnapshots(300_000), [], 'every state was rewritten since its creation: Kafka skips the pass');
  topics = new Set([TOPIC]);
  const tombs = shard.deletedTopicTombstones();
  t.same(tombs.map((r) => decodeShareRecord(r)), [{ type: 'snapshot', key: other, value: null }]);
  replay(tombs);
  t.equal(shard.state(other), undefined);
  t.ok(shard.state(hot));
});
