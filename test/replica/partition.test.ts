// A partition's leader state as Kafka's Partition keeps it: a new leadership records its epoch at
// the log end; the high watermark is the smallest log end over the leader and the ISR (a pending
// expansion counted), waits for every ISR member to fetch in the new leadership, never moves
// back; a follower out of the ISR joins once at the high watermark and past the epoch start;
// members lagging past replica.lag.time.max.ms are out of sync; acks=all's min ISR is capped by
// the replica count.
import t from 'tap';
import type { PartitionRegistration } from '../../src/metadata/image.js';
import { Partition } from '../../src/replica/partition.js';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { batch, logConfig } from '../storage/helpers.js';

function reg(over: Partial<PartitionRegistration> = {}): PartitionRegistration {
  return { replicas: [1, 2, 3], isr: [1, 2, 3], removingReplicas: [], addingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0, directories: [], ...over };
}

async function leaderLog(t: Tap.Test, config: Record<string, string> = {}) {
  const engine = new MemoryStorageEngine(true);
  await engine.open();
  t.teardown(() => engine.close());
  return engine.create('t', 0, logConfig(config));
}

t.test('the high watermark: smallest log end over the ISR, every member heard from, never back', async (t) => {
  const log = await leaderLog(t);
  await log.append(batch(2, 'old'), { now: 0 });
  const p = new Partition(1, 'id', log);
  t.equal(await p.makeLeader(reg({ leaderEpoch: 3 }), 0), true);
  t.equal(log.leaderEpoch, 3, 'the new epoch is in the log');
  t.same(log.endOffsetForEpoch(3), { leaderEpoch: 3, endOffset: 2 });
  t.equal(p.leaderEpochStartOffset, 2);
  await log.append(batch(5), { now: 0 });
  t.equal(log.highWatermark, 0, 'nobody fetched yet');
  p.updateFollowerFetchState(2, 7, 10, 1);
  t.equal(log.highWatermark, 0, 'broker 3 has not fetched in this leadership');
  p.updateFollowerFetchState(3, 4, 11, 1);
  t.equal(log.highWatermark, 4);
  p.updateFollowerFetchState(3, 7, 11, 2);
  t.equal(log.highWatermark, 7);
  // Kafka's ISR shrink moves nothing back.
  p.updateFollowerFetchState(2, 3, 10, 3);
  t.equal(log.highWatermark, 7, 'never backwards');
});

t.test('a follower outside the ISR holds nothing back and joins once caught up', async (t) => {
  const log = await leaderLog(t);
  const p = new Partition(1, 'id', log);
  await p.makeLeader(reg({ isr: [1, 2] }), 0);
  await log.append(batch(4), { now: 0 });
  p.updateFollowerFetchState(2, 4, 10, 1);
  t.equal(log.highWatermark, 4, 'broker 3 is not in the ISR');
  p.updateFollowerFetchState(3, 2, 11, 1);
  t.same(p.candidatesToJoin(), [], 'below the high watermark');
  p.updateFollowerFetchState(3, 4, 11, 2);
  t.same(p.candidatesToJoin(), [3]);
  // While the expansion is pending its ISR counts for the high watermark (Kafka's maximal ISR).
  p.pendingIsr = { isr: [1, 2, 3], kind: 'expand' };
  t.same(p.candidatesToJoin(), [], 'one change at a time');
  await log.append(batch(2), { now: 0 });
  p.updateFollowerFetchState(2, 6, 10, 3);
  t.equal(log.highWatermark, 4, 'waits for broker 3 too');
  p.updateFollowerFetchState(3, 6, 11, 3);
  t.equal(log.highWatermark, 6);
});

t.test('the epoch start: a follower joins only past it', async (t) => {
  const log = await leaderLog(t);
  await log.append(batch(5, 'prev'), { now: 0 });
  const p = new Partition(1, 'id', log);
  await p.makeLeader(reg({ isr: [1], leaderEpoch: 1 }), 0);
  // The high watermark is the log end (a lone ISR) but a follower at an older end stays out.
  p.maybeIncrementHighWatermark();
  t.equal(log.highWatermark, 5);
  p.updateFollowerFetchState(2, 4, 10, 1);
  t.same(p.candidatesToJoin(), []);
  p.updateFollowerFetchState(2, 5, 10, 1);
  t.same(p.candidatesToJoin(), [2]);
});

t.test('out of sync after replica.lag.time.max.ms without catching up', async (t) => {
  const log = await leaderLog(t);
  const p = new Partition(1, 'id', log);
  await p.makeLeader(reg(), 1000);
  await log.append(batch(3), { now: 0 });
  p.updateFollowerFetchState(2, 3, 10, 1500);
  p.updateFollowerFetchState(3, 1, 11, 1500);
  t.same(p.outOfSyncReplicas(1000 + 30_000, 30_000), [], 'within the lag time of the leadership start');
  t.same(p.outOfSyncReplicas(1000 + 30_001, 30_000), [3], 'broker 3 never caught up since');
  // Caught up with the log end the leader had at its previous fetch: caught up as of that fetch.
  await log.append(batch(1), { now: 0 });
  p.updateFollowerFetchState(2, 4, 10, 40_000);
  p.updateFollowerFetchState(3, 3, 11, 40_000);
  t.same(p.outOfSyncReplicas(40_000, 30_000), [3], 'reached only the previous log end: caught up as of 1500');
  p.updateFollowerFetchState(3, 4, 11, 40_001);
  t.same(p.outOfSyncReplicas(40_001, 30_000), [], 'at the log end');
});

t.test('effective min ISR: min.insync.replicas capped by the replicas', async (t) => {
  const log = await leaderLog(t, { 'min.insync.replicas': '5' });
  const p = new Partition(1, 'id', log);
  await p.makeLeader(reg(), 0);
  t.equal(p.effectiveMinIsr(), 3);
});

t.test('becoming a follower drops the leader state', async (t) => {
  const log = await leaderLog(t);
  const p = new Partition(1, 'id', log);
  await p.makeLeader(reg(), 0);
  t.equal(p.makeFollower(reg({ leader: 2, leaderEpoch: 1 })), true);
  t.equal(p.isLeader, false);
  t.equal(p.followers.size, 0);
  t.equal(p.makeFollower(reg({ leader: 2, leaderEpoch: 1, isr: [1, 2] })), false, 'an ISR change alone keeps the fetcher going');
  t.equal(p.maybeIncrementHighWatermark(), false);
});

t.test("Kafka 4's rules: no high watermark under min.insync.replicas; a caught-up eligible follower is waited for", async (t) => {
  const log = await leaderLog(t, { 'min.insync.replicas': '2' });
  const p = new Partition(1, 'id', log, 30_000);
  await p.makeLeader(reg({ isr: [1] }), 0);
  await log.append(batch(4), { now: 0 });
  p.maybeIncrementHighWatermark(1);
  t.equal(log.highWatermark, 0, 'an ISR of one under min.insync.replicas=2 commits nothing');
  await p.makeLeader(reg({ isr: [1, 2], partitionEpoch: 1 }), 2);
  p.updateFollowerFetchState(2, 4, 10, 3);
  t.equal(log.highWatermark, 4, 'two in sync: committed');
  // Broker 3 (not in the ISR) caught up within the lag time: the high watermark waits for it.
  await log.append(batch(2), { now: 0 });
  p.updateFollowerFetchState(3, 4, 11, 4);
  p.updateFollowerFetchState(2, 6, 10, 5);
  t.equal(log.highWatermark, 4, 'waits for broker 3, about to join');
  p.isrEligible = (id) => id !== 3;
  p.maybeIncrementHighWatermark(6);
  t.equal(log.highWatermark, 6, 'not for a broker that may not join (fenced, shutting down)');
});
