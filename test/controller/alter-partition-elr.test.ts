// AlterPartition through the change builder with eligible leader replicas (KIP-966, Kafka 4.4's
// PartitionChangeBuilder.maybePopulateTargetElr): with min.insync.replicas=2 an ISR shrinking to
// 2 writes no ELR; shrinking below 2 puts the replicas it lost into the ELR; growing back to 2
// clears it. The leader holds its high watermark while under min.insync.replicas (the broker's
// rule that makes the ELR safe; test/replica covers it). A controlled shutdown of the leader moves
// leadership to the other ISR member and leaves the shut-down one eligible below min ISR; an
// AlterPartition from it afterwards is fenced (its leader epoch is old).
import t from 'tap';
import { ErrorCode } from '../../src/protocol/errors.js';
import { RecordType } from '../../src/metadata/records.js';
import type { MetadataRecord } from '../../src/metadata/records.js';
import type { AlterPartitionRequest } from '../../src/protocol/generated/alter-partition-request.js';
import { heartbeat, quorumOfOne, registration } from './helpers.js';

async function cluster() {
  const q = await quorumOfOne();
  const epochs = new Map<number, number>();
  for (const id of [1, 2, 3]) epochs.set(id, await q.controller.registerBrokerRequest(registration(q.clusterId, id)));
  for (const id of [1, 2, 3]) await q.controller.brokerHeartbeat(heartbeat(id, epochs.get(id)!, q.manager.metadataLog.endOffset));
  const [created] = await q.controller.createTopics(
    [{ name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2, 3] }], configs: [{ name: 'min.insync.replicas', value: '2' }] }],
    false,
  );
  if (created.errorCode !== ErrorCode.NONE) throw new Error(`creating t failed: ${created.errorCode}`);
  const topicId = q.manager.image.topics.get('t')!.topicId;
  const reg = () => q.manager.image.topics.get('t')!.registrations.get(0)!;
  const last = () => q.committed.flat().filter((r: MetadataRecord) => r.type === RecordType.PARTITION_CHANGE).at(-1)?.data;
  const alter = (isr: number[], brokerId = reg().leader, leaderEpoch = reg().leaderEpoch): AlterPartitionRequest => ({
    brokerId,
    brokerEpoch: epochs.get(brokerId)!,
    topics: [{ topicId, partitions: [{ partitionIndex: 0, leaderEpoch, newIsrWithEpochs: isr.map((id) => ({ brokerId: id, brokerEpoch: epochs.get(id)! })), leaderRecoveryState: 0, partitionEpoch: reg().partitionEpoch }] }],
  });
  return { ...q, epochs, topicId, reg, last, alter };
}

t.test('the ELR fills as the ISR shrinks below min.insync.replicas and clears as it grows back', async (t) => {
  const s = await cluster();
  t.same([s.reg().leader, s.reg().isr], [1, [1, 2, 3]]);

  let res = await s.controller.alterPartition(s.alter([1, 2]));
  t.equal(res.topics[0].partitions[0].errorCode, ErrorCode.NONE);
  t.same(s.last(), { partitionId: 0, topicId: s.topicId, isr: [1, 2] }, 'at min.insync.replicas: no ELR');

  res = await s.controller.alterPartition(s.alter([1]));
  t.match(res.topics[0].partitions[0], { errorCode: ErrorCode.NONE, leaderId: 1, isr: [1] });
  t.same(s.last(), { partitionId: 0, topicId: s.topicId, isr: [1], eligibleLeaderReplicas: [2] }, 'below it: the replica leaving the ISR is eligible');
  t.same(s.reg().elr, [2]);
  t.equal(s.reg().leaderEpoch, 0, 'an ISR change keeps the leader epoch');

  res = await s.controller.alterPartition(s.alter([1, 3]));
  t.match(res.topics[0].partitions[0], { errorCode: ErrorCode.NONE, isr: [1, 3] });
  t.same(s.last(), { partitionId: 0, topicId: s.topicId, isr: [1, 3], eligibleLeaderReplicas: [] }, 'back at min.insync.replicas: the ELR cleared');
  t.same(s.reg().elr, []);
  s.controller.deactivate();
});

t.test("a controlled shutdown moves leadership off the leader; the old leader's AlterPartition is fenced", async (t) => {
  const s = await cluster();
  await s.controller.alterPartition(s.alter([1, 2]));
  const { leaderEpoch } = s.reg();
  const done = await s.controller.brokerHeartbeat(heartbeat(1, s.epochs.get(1)!, s.manager.metadataLog.endOffset, { wantShutDown: true }));
  t.equal(done.inControlledShutdown, true);
  t.same(s.last(), { partitionId: 0, topicId: s.topicId, leader: 2, isr: [2], eligibleLeaderReplicas: [1] }, 'leader 2, the ISR below min: 1 stays eligible');
  const stale = await s.controller.alterPartition(s.alter([1, 2], 1, leaderEpoch));
  t.equal(stale.topics[0].partitions[0].errorCode, ErrorCode.FENCED_LEADER_EPOCH);
  // The new leader taking back a replica in controlled shutdown: INELIGIBLE_REPLICA, as Kafka.
  const back = await s.controller.alterPartition(s.alter([2, 1]));
  t.equal(back.topics[0].partitions[0].errorCode, ErrorCode.INELIGIBLE_REPLICA);
  const third = await s.controller.alterPartition(s.alter([2, 3]));
  t.equal(third.topics[0].partitions[0].errorCode, ErrorCode.NONE);
  t.same(s.last(), { partitionId: 0, topicId: s.topicId, isr: [2, 3], eligibleLeaderReplicas: [] }, 'min ISR again: no ELR');
  s.controller.deactivate();
});
