// The share coordinator on 3 samsa processes: FindCoordinator v6 key type 2 asked of any broker
// creates __share_group_state (RF 3) and names the leader of the key's partition; the state APIs
// there initialize, read and write the key, while the other brokers answer NOT_COORDINATOR; the
// coordinator's process is SIGKILLed; FindCoordinator then names another broker, which loaded the
// replicated state: the same batches, start offset, state and leader epochs (a stale writer is
// fenced) and deliveryCompleteCount.
import t from 'tap';
import { startProcCluster, type ProcCluster } from '../../helpers/cluster-procs.js';
import { waitUntil } from '../../helpers/cluster-wait.js';
import { codecRequest } from '../../metadata/helpers.js';
import { ErrorCode as E } from '../../../src/protocol/errors.js';

t.setTimeout(300_000);

const b = (firstOffset: number, lastOffset: number, deliveryState: number, deliveryCount: number) => ({ firstOffset, lastOffset, deliveryState, deliveryCount });

function at(c: ProcCluster, nodeId: number) {
  const port = c.node(nodeId).spec.port!;
  return (name: string, version: number, body: unknown) => codecRequest('127.0.0.1', port, name, version, body);
}

async function coordinatorOf(c: ProcCluster, key: string, exclude: number[] = []): Promise<number> {
  return waitUntil(`a coordinator for ${key}`, 90_000, async () => {
    for (const n of c.nodes) {
      if (!n.alive || exclude.includes(n.nodeId)) continue;
      const r = await at(c, n.nodeId)('FindCoordinator', 6, { key: '', keyType: 2, coordinatorKeys: [key] }).catch(() => null);
      const x = r?.coordinators?.[0];
      if (x?.errorCode === E.NONE && !exclude.includes(x.nodeId)) return x.nodeId as number;
    }
    return undefined;
  }, 500);
}

t.test('the coordinator of a share-partition key is killed: its state is served by the next leader', async (t) => {
  const c = await startProcCluster(t, { nodes: 3 });
  const created = await waitUntil('topic created', 90_000, async () => {
    const r = await at(c, 1)('CreateTopics', 7, { topics: [{ name: 'work', numPartitions: 2, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false }).catch(() => null);
    const x = r?.topics?.[0];
    return x && (x.errorCode === E.NONE || x.errorCode === E.TOPIC_ALREADY_EXISTS) ? x : undefined;
  }, 500);
  const topicId: string = created.topicId;
  const key = `ledger:${topicId}:1`;
  const coordinator = await coordinatorOf(c, key);
  const call = (nodeId: number, name: string, version: number, partitionData: Record<string, unknown>) =>
    at(c, nodeId)(name, version, { groupId: 'ledger', topics: [{ topicId, partitions: [{ partition: 1, ...partitionData }] }] }).then((r) => r.results[0].partitions[0]);

  const init = await waitUntil('initialized', 60_000, async () => {
    const r = await call(coordinator, 'InitializeShareGroupState', 0, { stateEpoch: 2, startOffset: 0 });
    return r.errorCode === E.COORDINATOR_LOAD_IN_PROGRESS ? undefined : r;
  });
  t.equal(init.errorCode, E.NONE);
  t.equal((await call(coordinator, 'ReadShareGroupState', 0, { leaderEpoch: 4 })).errorCode, E.NONE);
  const batches = [b(0, 9, 2, 1), b(10, 19, 0, 2), b(20, 29, 4, 5)];
  t.equal((await call(coordinator, 'WriteShareGroupState', 1, { stateEpoch: 2, leaderEpoch: 4, startOffset: 0, deliveryCompleteCount: 20, stateBatches: batches })).errorCode, E.NONE);
  const other = [1, 2, 3].find((id) => id !== coordinator)!;
  t.equal((await call(other, 'ReadShareGroupState', 0, { leaderEpoch: 4 })).errorCode, E.NOT_COORDINATOR, 'a broker not leading the partition');

  t.same(await c.node(coordinator).kill9(), { code: null, signal: 'SIGKILL' });
  const next = await coordinatorOf(c, key, [coordinator]);
  t.not(next, coordinator);
  const read = await waitUntil('the state loaded by the new coordinator', 90_000, async () => {
    const r = await call(next, 'ReadShareGroupState', 0, { leaderEpoch: 4 }).catch(() => null);
    return r && r.errorCode === E.NONE ? r : undefined;
  }, 500);
  t.same([read.stateEpoch, read.startOffset, read.stateBatches.map((x: ReturnType<typeof b>) => b(x.firstOffset, x.lastOffset, x.deliveryState, x.deliveryCount))], [2, 0, batches]);
  const summary = await call(next, 'ReadShareGroupStateSummary', 1, { leaderEpoch: 4 });
  t.same([summary.errorCode, summary.leaderEpoch, summary.stateEpoch, summary.deliveryCompleteCount], [E.NONE, 4, 2, 20]);
  t.equal((await call(next, 'WriteShareGroupState', 1, { stateEpoch: 2, leaderEpoch: 3, startOffset: 0, deliveryCompleteCount: -1, stateBatches: [] })).errorCode, E.FENCED_LEADER_EPOCH);
  t.equal((await call(next, 'InitializeShareGroupState', 0, { stateEpoch: 1, startOffset: 0 })).errorCode, E.FENCED_STATE_EPOCH);
});
