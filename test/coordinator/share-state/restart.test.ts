// Share-partition state survives kill -9 of the samsa process: a lone broker (a real process on a
// data dir, share.coordinator.snapshot.update.records.per.snapshot=2 so the log holds snapshots and
// updates, pruning every 300 ms) initializes, reads at a leader epoch and writes several keys; after
// SIGKILL a new process replays __share_group_state and answers the same state, epochs included
// (stale writers still fenced), also for a key whose records below its last snapshot were pruned.
import t from 'tap';
import { spawnBroker, type CliBroker } from '../../helpers/cli-broker.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitUntil } from '../../helpers/cluster-wait.js';
import { GroupWire } from '../group-wire.js';
import { CreateTopicsRequest } from '../../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../../src/protocol/generated/create-topics-response.js';
import { InitializeShareGroupStateRequest } from '../../../src/protocol/generated/initialize-share-group-state-request.js';
import { InitializeShareGroupStateResponse } from '../../../src/protocol/generated/initialize-share-group-state-response.js';
import { ReadShareGroupStateRequest } from '../../../src/protocol/generated/read-share-group-state-request.js';
import { ReadShareGroupStateResponse } from '../../../src/protocol/generated/read-share-group-state-response.js';
import { WriteShareGroupStateRequest } from '../../../src/protocol/generated/write-share-group-state-request.js';
import { WriteShareGroupStateResponse } from '../../../src/protocol/generated/write-share-group-state-response.js';
import { ReadShareGroupStateSummaryRequest } from '../../../src/protocol/generated/read-share-group-state-summary-request.js';
import { ReadShareGroupStateSummaryResponse } from '../../../src/protocol/generated/read-share-group-state-summary-response.js';
import { ListOffsetsRequest } from '../../../src/protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse } from '../../../src/protocol/generated/list-offsets-response.js';
import { shareStatePartitionFor } from '../../../src/coordinator/share/records.js';
import { ErrorCode as E } from '../../../src/protocol/errors.js';

t.setTimeout(240_000);

const b = (firstOffset: number, lastOffset: number, deliveryState: number, deliveryCount: number) => ({ firstOffset, lastOffset, deliveryState, deliveryCount });
const args = (dir: string) => ['--data-dir', dir, '--port', '0', '--config', 'share.coordinator.snapshot.update.records.per.snapshot=2', '--config', 'share.coordinator.state.topic.prune.interval.ms=300'];

t.test('kill -9 and restart: the state is replayed from __share_group_state', async (t) => {
  const dir = tempDir(t);
  let broker: CliBroker = await spawnBroker(t, args(dir), { timeoutMs: 60_000 });
  let c = await GroupWire.connect(t, broker);
  const created = await c.call(CreateTopicsRequest, CreateTopicsResponse, 7, { topics: [{ name: 'work', numPartitions: 4, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  const topicId = created.topics[0].topicId!;
  const key = (partition: number) => ({ groupId: 'sg', topicId, partition });
  const init = (partition: number, stateEpoch: number, startOffset: number) =>
    c.call(InitializeShareGroupStateRequest, InitializeShareGroupStateResponse, 0, { groupId: 'sg', topics: [{ topicId, partitions: [{ partition, stateEpoch, startOffset }] }] });
  const read = async (partition: number, leaderEpoch: number) => (await c.call(ReadShareGroupStateRequest, ReadShareGroupStateResponse, 0, { groupId: 'sg', topics: [{ topicId, partitions: [{ partition, leaderEpoch }] }] })).results[0].partitions[0];
  const write = async (partition: number, leaderEpoch: number, startOffset: number, deliveryCompleteCount: number, stateBatches: ReturnType<typeof b>[]) =>
    (await c.call(WriteShareGroupStateRequest, WriteShareGroupStateResponse, 1, { groupId: 'sg', topics: [{ topicId, partitions: [{ partition, stateEpoch: 1, leaderEpoch, startOffset, deliveryCompleteCount, stateBatches }] }] })).results[0].partitions[0].errorCode;
  const summary = async (partition: number) => (await c.call(ReadShareGroupStateSummaryRequest, ReadShareGroupStateSummaryResponse, 1, { groupId: 'sg', topics: [{ topicId, partitions: [{ partition, leaderEpoch: 0 }] }] })).results[0].partitions[0];

  for (const p of [0, 1, 2]) t.equal((await init(p, 1, 0)).results[0].partitions[0].errorCode, E.NONE);
  t.equal((await read(0, 2)).errorCode, E.NONE);
  t.equal(await write(0, 2, 0, 3, [b(0, 2, 2, 1), b(3, 9, 0, 1)]), E.NONE);
  t.equal(await write(0, 2, 3, 0, [b(3, 4, 4, 5)]), E.NONE);
  t.equal(await write(0, 2, 3, 2, [b(5, 5, 2, 2)]), E.NONE, 'the third write after the read is a snapshot');
  t.equal(await write(0, 2, 6, 0, [b(10, 12, 0, 1)]), E.NONE);
  t.equal((await read(1, 7)).errorCode, E.NONE);
  t.equal(await write(1, 7, 0, 1, [b(0, 0, 2, 1)]), E.NONE);
  const before = [await read(0, 2), await read(1, 7), await read(2, 0)];
  const summaries = [await summary(0), await summary(1), await summary(2)];
  t.same(before[0].stateBatches.map((x) => [x.firstOffset, x.lastOffset, x.deliveryState, x.deliveryCount]), [[6, 12, 0, 1]], 'contiguous batches of one state joined');
  t.equal(before[0].startOffset, 6);

  // Pruning: the records below the oldest snapshot a key still needs leave the log.
  const statePartition = shareStatePartitionFor(key(0), 50);
  const logStart = async () =>
    (await c.call(ListOffsetsRequest, ListOffsetsResponse, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: '__share_group_state', partitions: [{ partitionIndex: statePartition, currentLeaderEpoch: -1, timestamp: -2, maxNumOffsets: 1 }] }] })).topics[0].partitions[0].offset;
  const samePartition = [1, 2].filter((p) => shareStatePartitionFor(key(p), 50) === statePartition);
  if (samePartition.length === 0) t.ok(await waitUntil('the state partition pruned', 60_000, async () => (await logStart()) > 0, 200), 'records below the last snapshot pruned');
  else t.comment('another key shares the state partition: its older snapshot keeps the log start');

  t.same(await broker.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
  broker = await spawnBroker(t, args(dir), { timeoutMs: 60_000 });
  c = await GroupWire.connect(t, broker);
  const after = await waitUntil('the state partitions loaded', 60_000, async () => {
    const r = await read(0, 2);
    return r.errorCode === E.COORDINATOR_LOAD_IN_PROGRESS ? undefined : r;
  });
  t.same(after, before[0], 'key 0: batches, start offset and state epoch as before');
  t.same(await read(1, 7), before[1]);
  t.same(await read(2, 0), before[2]);
  t.same([await summary(0), await summary(1), await summary(2)], summaries, 'summaries (leader epochs, deliveryCompleteCount) as before');
  t.equal(await write(0, 1, 6, 0, []), E.FENCED_LEADER_EPOCH, 'the leader epoch survived');
  t.equal((await init(0, 0, 0)).results[0].partitions[0].errorCode, E.FENCED_STATE_EPOCH, 'the state epoch survived');
  t.equal(await write(0, 2, 7, 0, []), E.NONE, 'the current leader writes on');
  t.equal((await read(0, 2)).startOffset, 7);
});
