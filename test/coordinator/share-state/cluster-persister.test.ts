// The Persister across brokers (3 in-process nodes on real sockets): a broker that does not lead a
// key's __share_group_state partition reaches the coordinator on the broker that does with the
// 83-87 requests (initialize, read at a leader epoch, write, summary, delete), the state lives in
// that broker's shard only, and is replicated: when the coordinator's node is killed, the new
// leader of the partition loads it and the persister, retrying through NOT_COORDINATOR and the
// unreachable broker, reads the same state, epochs included.
import t from 'tap';
import { startCluster, type RunningCluster } from '../../../src/node/cluster.js';
import type { Broker } from '../../../src/broker.js';
import { SHARE_GROUP_STATE_TOPIC, shareStatePartitionFor } from '../../../src/coordinator/share/records.js';
import { ErrorCode as E } from '../../../src/protocol/errors.js';
import { waitUntil } from '../../helpers/cluster-wait.js';
import { tempDir } from '../../helpers/tmp.js';

t.setTimeout(240_000);

const broker = (c: RunningCluster, id: number): Broker => c.node(id).node!.broker!;
const leaderOf = (c: RunningCluster, viewer: number, partition: number) => broker(c, viewer).image.topics.get(SHARE_GROUP_STATE_TOPIC)?.registrations.get(partition)?.leader ?? -1;
const b = (firstOffset: number, lastOffset: number, deliveryState: number, deliveryCount: number) => ({ firstOffset, lastOffset, deliveryState, deliveryCount });

t.test('a non-coordinator broker persists through the coordinator on another broker', async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t) });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  const topicId = (await waitUntil('topic created', 30_000, async () => broker(c, 1).createTopic('sp', 4, {}, 3).catch(() => undefined))).topicId;
  await waitUntil('__share_group_state created', 30_000, async () => broker(c, 1).shareCoordinator.activate().then(() => true, () => false));
  await waitUntil('every state partition led', 60_000, () => {
    for (let p = 0; p < 50; p++) if (leaderOf(c, 1, p) < 0) return false;
    return true;
  });
  t.equal(broker(c, 1).image.topics.get(SHARE_GROUP_STATE_TOPIC)?.registrations.get(0)?.replicas.length, 3, 'replicated on the three brokers');

  // A key whose state partition node 1 does not lead.
  let key = { groupId: 'sg', topicId, partition: 0 };
  for (let i = 0; leaderOf(c, 1, shareStatePartitionFor(key, 50)) === 1; i++) key = { ...key, groupId: `sg-${i}` };
  const sp = shareStatePartitionFor(key, 50);
  const leader = leaderOf(c, 1, sp);
  t.not(leader, 1);
  const p1 = broker(c, 1).sharePersister;

  t.same(await p1.initializeState(key, 1, 100), { errorCode: E.NONE, errorMessage: null });
  const r0 = await p1.readState(key, 3);
  t.same([r0.errorCode, r0.stateEpoch, r0.startOffset, r0.stateBatches], [E.NONE, 1, 100, []]);
  t.equal(r0.deliveryCompleteCount, -1, 'ReadShareGroupState carries no count: unknown from a remote coordinator');
  t.equal((await p1.writeState(key, { stateEpoch: 1, leaderEpoch: 3, startOffset: 100, deliveryCompleteCount: 2, stateBatches: [b(100, 101, 2, 1), b(102, 109, 0, 1)] })).errorCode, E.NONE);
  const s = await p1.readSummary(key, 3);
  t.same([s.errorCode, s.stateEpoch, s.leaderEpoch, s.startOffset, s.deliveryCompleteCount], [E.NONE, 1, 3, 100, 2]);
  t.ok(broker(c, leader).shareCoordinator.shard(sp)?.state(key), 'the state lives on the coordinator');
  t.equal(broker(c, 1).shareCoordinator.shard(sp), undefined, 'node 1 does not coordinate that partition');
  t.equal((await p1.writeState(key, { stateEpoch: 1, leaderEpoch: 2, startOffset: 100, deliveryCompleteCount: 2, stateBatches: [] })).errorCode, E.FENCED_LEADER_EPOCH, 'a stale share-partition leader is fenced remotely');

  // The coordinator's node dies: the partition's new leader loads the replicated state.
  await c.node(leader).kill();
  const survivor = [1, 2, 3].find((id) => id !== leader && id !== 1)!;
  await waitUntil('a new leader of the state partition', 60_000, () => {
    const l = leaderOf(c, 1, sp);
    return l >= 0 && l !== leader;
  });
  const r1 = await waitUntil('the state read through the new coordinator', 60_000, async () => {
    const r = await p1.readState(key, 3);
    return r.errorCode === E.NONE ? r : undefined;
  });
  t.same([r1.stateEpoch, r1.startOffset, r1.stateBatches], [1, 100, [b(100, 101, 2, 1), b(102, 109, 0, 1)]]);
  t.equal((await p1.writeState(key, { stateEpoch: 1, leaderEpoch: 2, startOffset: 100, deliveryCompleteCount: 2, stateBatches: [] })).errorCode, E.FENCED_LEADER_EPOCH, 'the leader epoch survived the failover');
  // Re-initialized at a new state epoch: the records below that snapshot are pruned, once replicated.
  t.equal((await p1.initializeState(key, 2, 500)).errorCode, E.NONE);
  const now = leaderOf(c, survivor, sp);
  const stateLog = () => broker(c, now).partitionLog(SHARE_GROUP_STATE_TOPIC, sp)!;
  const end = stateLog().logEndOffset;
  await broker(c, now).shareCoordinator.prune();
  t.equal(stateLog().logStartOffset, end - 1, 'only the last snapshot is kept');
  const s2 = await p1.readSummary(key, 3);
  t.same([s2.stateEpoch, s2.startOffset], [2, 500]);
  t.equal((await broker(c, survivor).sharePersister.deleteState(key)).errorCode, E.NONE);
  t.equal((await p1.readSummary(key, 0)).startOffset, -1, 'deleted');
});
