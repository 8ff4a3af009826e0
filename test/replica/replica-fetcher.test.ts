// The follower's side of KIP-320, as Kafka's fetcher computes it: lastFetchedEpoch is the epoch of
// the log's last batch (a leadership that ended with no append leaves an empty epoch at the end,
// which the follower must not name, or the leader would answer a divergence with nothing to cut);
// the truncation point is the smaller of the leader's and the follower's end offsets of the
// epoch the leader names.
import t from 'tap';
import { Partition } from '../../src/replica/partition.js';
import { lastFetchedEpoch, truncationOffset } from '../../src/replica/replica-fetcher.js';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { batch, logConfig } from '../storage/helpers.js';

async function newLog(t: Tap.Test) {
  const engine = new MemoryStorageEngine(true);
  await engine.open();
  t.teardown(() => engine.close());
  return engine.create('t', 0, logConfig());
}

t.test('lastFetchedEpoch: the epoch of the last batch, not an empty one at the end', async (t) => {
  const log = await newLog(t);
  t.equal(lastFetchedEpoch(log), -1, 'an empty log');
  await log.assignLeaderEpoch(1, 0);
  t.equal(lastFetchedEpoch(log), -1, 'an epoch with no batch yet');
  await log.append(batch(3), { now: 0 });
  t.equal(lastFetchedEpoch(log), 1);
  // Led in epochs 4 and 6 without appending anything.
  await log.assignLeaderEpoch(4, 3);
  await log.assignLeaderEpoch(6, 3);
  t.equal(log.leaderEpoch, 6);
  t.equal(lastFetchedEpoch(log), 1, 'epochs 4 and 6 hold nothing');
  await log.append(batch(2), { now: 0 });
  t.equal(lastFetchedEpoch(log), 6);
});

t.test("truncation: the smaller of both logs' ends of the epoch the leader names", async (t) => {
  const log = await newLog(t);
  await log.assignLeaderEpoch(1, 0);
  await log.append(batch(5), { now: 0 });
  await log.assignLeaderEpoch(2, 5);
  await log.append(batch(5), { now: 0 });
  const p = new Partition(2, 'id', log);
  t.equal(truncationOffset(p, 1, 3), 3, 'the leader ended epoch 1 earlier');
  t.equal(truncationOffset(p, 1, 7), 5, 'this log ended epoch 1 earlier');
  t.equal(truncationOffset(p, 2, 8), 8);
});
