// The ShareCoordinator over real storage (a memory broker's __share_group_state) on a ManualClock:
// its periodic jobs run on the clock — after share.coordinator.cold.partition.snapshot.interval.ms
// a state untouched since its snapshot is snapshotted again (next snapshot epoch, write time now),
// after share.coordinator.state.topic.prune.interval.ms the records below the oldest live snapshot
// leave the log; the state replayed from what is left equals the live one; after close every
// operation answers COORDINATOR_NOT_AVAILABLE with Kafka's message.
import t from 'tap';
import { startBroker } from '../../../src/index.js';
import { ShareCoordinator } from '../../../src/coordinator/share/coordinator.js';
import { SHARE_GROUP_STATE_TOPIC, shareStatePartitionFor } from '../../../src/coordinator/share/records.js';
import { ErrorCode as E } from '../../../src/protocol/errors.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { waitUntil } from '../../helpers/cluster-wait.js';
import { readBatchHeader } from '../../../src/protocol/records/batch.js';

t.test('cold snapshots and pruning run on the clock; a reload sees the same state', async (t) => {
  const b = await startBroker({ port: 0, memory: true, config: { 'share.coordinator.state.topic.num.partitions': '1', 'share.coordinator.cold.partition.snapshot.interval.ms': '60000', 'share.coordinator.state.topic.prune.interval.ms': '120000' } });
  t.teardown(() => b.close());
  const br = b.broker;
  const topicId = (await br.createTopic('t', 2, {})).topicId;
  const clock = new ManualClock();
  const host = {
    config: br.config,
    nodeId: br.nodeId,
    topics: br.topics,
    partitionLog: (topic: string, p: number) => br.partitionLog(topic, p),
    createTopic: (n: string, p: number, cfg: Record<string, string>, rf?: number) => br.createTopic(n, p, cfg, rf),
    partitionCount: (id: string) => br.topics.getById(id)?.partitions,
  };
  const c = new ShareCoordinator(host, { now: clock.now, scheduler: clock });
  await c.start();
  const a = { groupId: 'g', topicId, partition: 0 };
  const z = { groupId: 'g', topicId, partition: 1 };
  t.equal(shareStatePartitionFor(a, 1), 0);
  t.equal((await c.initializeState(a, 0, 0)).errorCode, E.NONE);
  t.equal((await c.initializeState(z, 0, 0)).errorCode, E.NONE);
  for (let i = 0; i < 3; i++) t.equal((await c.writeState(a, { stateEpoch: 0, leaderEpoch: 0, startOffset: i, deliveryCompleteCount: 0, stateBatches: [{ firstOffset: i, lastOffset: i + 5, deliveryState: 0, deliveryCount: i + 1 }] })).errorCode, E.NONE);
  const log = br.partitionLog(SHARE_GROUP_STATE_TOPIC, 0)!;
  t.equal(log.logEndOffset, 5, 'two snapshots and three updates');
  const before = c.shard(0)!.state(a);

  clock.advance(60_000);
  await waitUntil('cold snapshots written', 10_000, () => log.logEndOffset === 7, 20);
  t.match(c.shard(0)!.state(a), { snapshotEpoch: 1, writeTimestamp: clock.now(), createTimestamp: before!.createTimestamp, stateBatches: before!.stateBatches, startOffset: 2 });
  t.equal(c.shard(0)!.state(z)?.snapshotEpoch, 1);

  clock.advance(60_000);
  await waitUntil('pruned below the oldest live snapshot', 10_000, () => log.logStartOffset === 5, 20);
  t.equal(log.logEndOffset, 7, 'the second cold pass found every state rewritten since creation: nothing written');

  // A coordinator loading what is left has the same states.
  const again = new ShareCoordinator(host, { now: clock.now, scheduler: new ManualClock() });
  await again.start();
  await again.whenLoaded();
  t.same(again.shard(0)!.state(a), c.shard(0)!.state(a));
  t.same(again.shard(0)!.state(z), c.shard(0)!.state(z));
  await again.close();

  await c.close();
  const closed = await c.readState(a, 0);
  t.same([closed.errorCode, closed.errorMessage], [E.COORDINATOR_NOT_AVAILABLE, 'Share coordinator is not available.']);
  t.equal((await c.readSummary(a)).errorCode, E.COORDINATOR_NOT_AVAILABLE);
});

t.test('share.coordinator.state.topic.compression.codec=4: zstd batches, read back at load', async (t) => {
  const b = await startBroker({ port: 0, memory: true, config: { 'share.coordinator.state.topic.num.partitions': '1', 'share.coordinator.state.topic.compression.codec': '4' } });
  t.teardown(() => b.close());
  const br = b.broker;
  const topicId = (await br.createTopic('z', 1, {})).topicId;
  const key = { groupId: 'g', topicId, partition: 0 };
  t.equal((await br.sharePersister.initializeState(key, 0, 3)).errorCode, E.NONE);
  t.equal((await br.sharePersister.writeState(key, { stateEpoch: 0, leaderEpoch: 0, startOffset: 3, deliveryCompleteCount: 1, stateBatches: [{ firstOffset: 3, lastOffset: 3, deliveryState: 2, deliveryCount: 1 }] })).errorCode, E.NONE);
  const read = await br.partitionLog(SHARE_GROUP_STATE_TOPIC, 0)!.read(0, 1 << 20, true, false, 'logEnd');
  const chunk = Buffer.concat(read.records);
  t.equal(readBatchHeader(chunk, 0).attributes & 0x07, 4, 'the batch is zstd-compressed');
  const c = new ShareCoordinator(
    { config: br.config, nodeId: br.nodeId, topics: br.topics, partitionLog: (tp, p) => br.partitionLog(tp, p), createTopic: (n, p, cfg, rf) => br.createTopic(n, p, cfg, rf), partitionCount: (id) => br.topics.getById(id)?.partitions },
    { scheduler: new ManualClock() },
  );
  await c.start();
  await c.whenLoaded();
  t.match(c.shard(0)!.state(key), { startOffset: 3, deliveryCompleteCount: 1, stateBatches: [{ firstOffset: 3, lastOffset: 3, deliveryState: 2, deliveryCount: 1 }] });
  await c.close();
});
