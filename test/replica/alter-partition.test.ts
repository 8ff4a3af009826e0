// AlterPartition on the active controller, as Kafka 4.4's ReplicationControlManager decides it: a
// stale broker epoch fails the request; per partition NOT_CONTROLLER for epochs ahead of ours,
// FENCED_LEADER_EPOCH, INVALID_REQUEST from a non-leader or for an ISR without the leader or with a
// non-replica, INVALID_UPDATE_VERSION for an old partition epoch, INELIGIBLE_REPLICA for a fenced
// member or a member's stale broker epoch; an accepted shrink or expand is a PartitionChangeRecord
// (partition epoch + 1, same leader epoch) and the answer carries the new partition state.
import t from 'tap';
import { ErrorCode } from '../../src/protocol/errors.js';
import { RecordType } from '../../src/metadata/records.js';
import type { AlterPartitionRequest } from '../../src/protocol/generated/alter-partition-request.js';
import { heartbeat, quorumOfOne, registration } from '../controller/helpers.js';

async function clusterWithTopic() {
  const q = await quorumOfOne();
  const epochs = new Map<number, number>();
  for (const id of [1, 2, 3]) {
    const epoch = await q.controller.registerBrokerRequest(registration(q.clusterId, id));
    epochs.set(id, epoch);
  }
  for (const id of [1, 2, 3]) await q.controller.brokerHeartbeat(heartbeat(id, epochs.get(id)!, q.manager.metadataLog.endOffset));
  const [created] = await q.controller.createTopics([{ name: 't', numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] }], false);
  if (created.errorCode !== ErrorCode.NONE) throw new Error(`creating t failed: ${created.errorCode}`);
  const topic = q.manager.image.topics.get('t')!;
  return { ...q, epochs, topicId: topic.topicId, reg: () => q.manager.image.topics.get('t')!.registrations.get(0)! };
}

type Setup = Awaited<ReturnType<typeof clusterWithTopic>>;

function request(s: Setup, over: { brokerId?: number; brokerEpoch?: number; leaderEpoch?: number; partitionEpoch?: number; isr?: number[]; memberEpochs?: Record<number, number> } = {}): AlterPartitionRequest {
  const reg = s.reg();
  const brokerId = over.brokerId ?? reg.leader;
  return {
    brokerId,
    brokerEpoch: over.brokerEpoch ?? s.epochs.get(brokerId)!,
    topics: [
      {
        topicId: s.topicId,
        partitions: [
          {
            partitionIndex: 0,
            leaderEpoch: over.leaderEpoch ?? reg.leaderEpoch,
            newIsrWithEpochs: (over.isr ?? [...reg.isr]).map((id) => ({ brokerId: id, brokerEpoch: over.memberEpochs?.[id] ?? s.epochs.get(id) ?? -1 })),
            leaderRecoveryState: 0,
            partitionEpoch: over.partitionEpoch ?? reg.partitionEpoch,
          },
        ],
      },
    ],
  };
}

function partitionError(res: { topics: { partitions: { errorCode: number }[] }[] }): number {
  return res.topics[0].partitions[0].errorCode;
}

t.test('a shrink then an expand: PartitionChangeRecords, partition epoch up, leader epoch kept', async (t) => {
  const s = await clusterWithTopic();
  const before = s.reg();
  const follower = before.replicas.find((id) => id !== before.leader)!;
  const shrunk = before.isr.filter((id) => id !== follower);
  const res = await s.controller.alterPartition(request(s, { isr: shrunk }));
  t.equal(res.errorCode, ErrorCode.NONE);
  t.match(res.topics[0].partitions[0], { errorCode: ErrorCode.NONE, leaderId: before.leader, leaderEpoch: before.leaderEpoch, isr: shrunk, partitionEpoch: before.partitionEpoch + 1 });
  const rec = s.committed.at(-1)![0];
  t.equal(rec.type, RecordType.PARTITION_CHANGE);
  t.same(s.reg().isr, shrunk);
  t.equal(s.reg().leaderEpoch, before.leaderEpoch, 'an ISR change keeps the leader epoch');

  const back = await s.controller.alterPartition(request(s, { isr: [...shrunk, follower] }));
  t.equal(partitionError(back), ErrorCode.NONE);
  t.same(s.reg().isr, [...shrunk, follower]);
  t.equal(s.reg().partitionEpoch, before.partitionEpoch + 2);

  const count = s.committed.length;
  const same = await s.controller.alterPartition(request(s));
  t.equal(partitionError(same), ErrorCode.NONE, 'the ISR it already has');
  t.equal(s.committed.length, count, 'writes nothing');
});

t.test("Kafka's refusals, in its order", async (t) => {
  const s = await clusterWithTopic();
  const reg = s.reg();
  const other = reg.replicas.find((id) => id !== reg.leader)!;
  const stale = await s.controller.alterPartition(request(s, { brokerEpoch: s.epochs.get(reg.leader)! - 1 }));
  t.same([stale.errorCode, stale.topics], [ErrorCode.STALE_BROKER_EPOCH, []], 'a stale broker epoch fails the whole request');
  const unknownTopic = request(s);
  unknownTopic.topics[0].topicId = 'AAAAAAAAAAAAAAAAAAAAAA';
  t.equal(partitionError(await s.controller.alterPartition(unknownTopic)), ErrorCode.UNKNOWN_TOPIC_ID);
  const unknownPartition = request(s);
  unknownPartition.topics[0].partitions[0].partitionIndex = 5;
  t.equal(partitionError(await s.controller.alterPartition(unknownPartition)), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  t.equal(partitionError(await s.controller.alterPartition(request(s, { leaderEpoch: reg.leaderEpoch + 1 }))), ErrorCode.NOT_CONTROLLER, 'leader epoch ahead');
  t.equal(partitionError(await s.controller.alterPartition(request(s, { partitionEpoch: reg.partitionEpoch + 1 }))), ErrorCode.NOT_CONTROLLER, 'partition epoch ahead');
  t.equal(partitionError(await s.controller.alterPartition(request(s, { brokerId: other }))), ErrorCode.INVALID_REQUEST, 'not the leader');
  t.equal(partitionError(await s.controller.alterPartition(request(s, { isr: [other] }))), ErrorCode.INVALID_REQUEST, 'an ISR without the leader');
  t.equal(partitionError(await s.controller.alterPartition(request(s, { isr: [reg.leader, 9] }))), ErrorCode.INVALID_REQUEST, 'a member that is no replica');
  t.equal(partitionError(await s.controller.alterPartition(request(s, { memberEpochs: { [other]: 12345 } }))), ErrorCode.INELIGIBLE_REPLICA, "a member's stale broker epoch");
  // A change moves the partition epoch: the old one is then refused.
  const old = request(s, { isr: [reg.leader, other] });
  t.equal(partitionError(await s.controller.alterPartition(old)), ErrorCode.NONE);
  t.equal(partitionError(await s.controller.alterPartition(old)), ErrorCode.INVALID_UPDATE_VERSION, 'an old partition epoch');
  // A fenced broker may not join.
  const third = reg.replicas.find((id) => id !== reg.leader && id !== other)!;
  await s.controller.brokerHeartbeat(heartbeat(third, s.epochs.get(third)!, s.manager.metadataLog.endOffset, { wantFence: true }));
  t.equal(s.manager.image.cluster.brokers.get(third)!.fenced, true);
  t.equal(partitionError(await s.controller.alterPartition(request(s, { isr: [...s.reg().isr, third] }))), ErrorCode.INELIGIBLE_REPLICA, 'a fenced member');
});
