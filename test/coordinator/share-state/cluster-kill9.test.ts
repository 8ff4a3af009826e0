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
  const call = (nodeId: number, name: string, version: number, partitionData: Record<string, unknown>) =>
    at(c, nodeId)(name, version, { groupId: 'ledger', topics: [{ topicId, partitions: [{ partition: 1, ...partitionData }] }] }).then((r) => r.results[0].partitions[0]);

  const RETRY = new Set([E.NOT_COORDINATOR, E.COORDINATOR_LOAD_IN_PROGRESS, E.COORDINATOR_NOT_AVAILABLE]);
  /** As a broker's persister does: the coordinator FindCoordinator names, again while it is moving or loading. */
  const onCoordinator = (what: string, name: string, version: number, data: Record<string, unknown>, exclude: number[] = []) =>
    waitUntil(what, 120_000, async () => {
      const id = await coordinatorOf(c, key, exclude);
      const r = await call(id, name, version, data).catch(() => null);
      return r && !RETRY.has(r.errorCode) ? { ...r, coordinator: id } : undefined;
    }, 500);

  t.equal((await onCoordinator('initialized', 'InitializeShareGroupState', 0, { stateEpoch: 2, startOffset: 0 })).errorCode, E.NONE);
  t.equal((await onCoordinator('read at leader epoch 4', 'ReadShareGroupState', 0, { leaderEpoch: 4 })).errorCode, E.NONE);
  const batches = [b(0, 9, 2, 1), b(10, 19, 0, 2), b(20, 29, 4, 5)];
  const written = await onCoordinator('written', 'WriteShareGroupState', 1, { stateEpoch: 2, leaderEpoch: 4, startOffset: 0, deliveryCompleteCount: 20, stateBatches: batches });
  t.equal(written.errorCode, E.NONE);
  const coordinator = written.coordinator;
  const others = [1, 2, 3].filter((id) => id !== coordinator);
  const notCoordinator = await Promise.all(others.map((id) => call(id, 'ReadShareGroupState', 0, { leaderEpoch: 4 }).then((r) => r.errorCode)));
  t.ok(notCoordinator.includes(E.NOT_COORDINATOR), `brokers not leading the partition answer NOT_COORDINATOR (${notCoordinator})`);

  t.same(await c.node(coordinator).kill9(), { code: null, signal: 'SIGKILL' });
  const read = await onCoordinator('the state read from the new coordinator', 'ReadShareGroupState', 0, { leaderEpoch: 4 }, [coordinator]);
  const next = read.coordinator;
  t.not(next, coordinator);
  t.equal(read.errorCode, E.NONE);
  t.same([read.stateEpoch, read.startOffset, read.stateBatches.map((x: ReturnType<typeof b>) => b(x.firstOffset, x.lastOffset, x.deliveryState, x.deliveryCount))], [2, 0, batches]);
  const summary = await call(next, 'ReadShareGroupStateSummary', 1, { leaderEpoch: 4 });
  t.same([summary.errorCode, summary.leaderEpoch, summary.stateEpoch, summary.deliveryCompleteCount], [E.NONE, 4, 2, 20]);
  t.equal((await call(next, 'WriteShareGroupState', 1, { stateEpoch: 2, leaderEpoch: 3, startOffset: 0, deliveryCompleteCount: -1, stateBatches: [] })).errorCode, E.FENCED_LEADER_EPOCH);
  t.equal((await call(next, 'InitializeShareGroupState', 0, { stateEpoch: 1, startOffset: 0 })).errorCode, E.FENCED_STATE_EPOCH);
});
