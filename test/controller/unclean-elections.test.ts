// unclean.leader.election.enable on the controller, as Kafka 4.4's (ReplicationControlManager's
// maybeElectUncleanLeaders and generateLeaderAndIsrUpdates with Election.UNCLEAN, the
// PartitionChangeBuilder's unclean election, KIP-704's leader recovery state): a leaderless
// partition whose ISR and ELR are all down stays leaderless while the setting is off, even after
// a live out-of-sync replica comes back; turned on (topic, node or cluster level; the topic's
// setting first) the controller's periodic pass elects that replica as the ISR alone, RECOVERING,
// the ELR and last known leader cleared. The leader then answers AlterPartition with RECOVERED
// (as Kafka's Partition.makeLeader does), and only then may the ISR grow (an ISR of two while
// RECOVERING is INVALID_REQUEST; RECOVERED to RECOVERING too). Fencing the last ISR member of a
// topic that allows it elects at once; ElectLeaders UNCLEAN marks RECOVERING as well.
import t from 'tap';
import { ErrorCode } from '../../src/protocol/errors.js';
import { RecordType, ResourceType } from '../../src/metadata/records.js';
import type { MetadataRecord } from '../../src/metadata/records.js';
import type { AlterPartitionRequest } from '../../src/protocol/generated/alter-partition-request.js';
import { heartbeat, quorumOfOne, registration } from './helpers.js';

const RECOVERING = 1;
const RECOVERED = 0;
const SET = 0;
const DELETE = 1;
const UNCLEAN_ELECTION = 1;

async function cluster(config: Record<string, string> = {}) {
  const q = await quorumOfOne({ 'unclean.leader.election.interval.ms': '50', ...config });
  const epochs = new Map<number, number>();
  for (const id of [1, 2, 3]) epochs.set(id, await q.controller.registerBrokerRequest(registration(q.clusterId, id)));
  const beat = (id: number, more: { wantFence?: boolean } = {}) => q.controller.brokerHeartbeat(heartbeat(id, epochs.get(id)!, q.manager.metadataLog.endOffset, more));
  for (const id of [1, 2, 3]) await beat(id);
  const [created] = await q.controller.createTopics([{ name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2, 3] }], configs: [] }], false);
  if (created.errorCode !== ErrorCode.NONE) throw new Error(`creating t failed: ${created.errorCode}`);
  const topicId = q.manager.image.topics.get('t')!.topicId;
  const reg = () => q.manager.image.topics.get('t')!.registrations.get(0)!;
  const changes = () => q.committed.flat().filter((r: MetadataRecord) => r.type === RecordType.PARTITION_CHANGE).map((r) => r.data as Record<string, unknown>);
  const setConfig = (resourceType: number, resourceName: string, value: string | null) =>
    q.controller.incrementalAlterConfigs([{ resourceType, resourceName, configs: [{ name: 'unclean.leader.election.enable', op: value === null ? DELETE : SET, value }] }], false);
  const alter = (brokerId: number, isr: number[], leaderRecoveryState: number): AlterPartitionRequest => ({
    brokerId,
    brokerEpoch: epochs.get(brokerId)!,
    topics: [{ topicId, partitions: [{ partitionIndex: 0, leaderEpoch: reg().leaderEpoch, newIsrWithEpochs: isr.map((id) => ({ brokerId: id, brokerEpoch: epochs.get(id)! })), leaderRecoveryState, partitionEpoch: reg().partitionEpoch }] }],
  });
  return { ...q, epochs, beat, topicId, reg, changes, setConfig, alter };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, f: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Replica 3 fenced first (out of the ISR), then 2 and 1: leaderless, ELR [1]. */
async function leaderless(s: Awaited<ReturnType<typeof cluster>>) {
  for (const id of [3, 2, 1]) await s.beat(id, { wantFence: true });
  const p = s.reg();
  if (p.leader !== -1) throw new Error(`expected no leader, got ${p.leader}`);
}

t.test('off: no election; turned on for the topic: the periodic pass elects the live out-of-sync replica, RECOVERING', async (t) => {
  const s = await cluster();
  await leaderless(s);
  t.same([s.reg().isr, s.reg().elr, s.reg().lastKnownElr], [[], [1], [1]], 'ISR empty, the last member eligible and the last known leader');
  await s.beat(3);
  t.equal(s.manager.image.cluster.brokers.get(3)!.fenced, false, 'replica 3 is back');
  const count = s.changes().length;
  await sleep(300);
  t.equal(s.reg().leader, -1, 'not eligible and unclean elections off: still no leader');
  t.equal(s.changes().length, count, 'nothing written');

  const [res] = await s.setConfig(ResourceType.TOPIC, 't', 'true');
  t.equal(res.errorCode, ErrorCode.NONE);
  await until('an unclean election', () => s.reg().leader !== -1);
  const before = s.changes().length;
  t.same(s.changes().at(-1), { partitionId: 0, topicId: s.topicId, leader: 3, isr: [3], leaderRecoveryState: RECOVERING, eligibleLeaderReplicas: [], lastKnownElr: [] }, 'the record Kafka 4.4 writes');
  const p = s.reg();
  t.same([p.leader, p.isr, p.elr, p.lastKnownElr, p.leaderRecoveryState], [3, [3], [], [], RECOVERING]);
  t.equal(p.leaderEpoch, 2, 'a new leader epoch (the leader fenced: 1, the election: 2)');

  // The ISR may not grow while RECOVERING.
  await s.beat(1);
  const early = await s.controller.alterPartition(s.alter(3, [3, 1], RECOVERING));
  t.equal(early.topics[0].partitions[0].errorCode, ErrorCode.INVALID_REQUEST, 'ISR of two while RECOVERING');
  // Kafka's leader asks with RECOVERED (its makeLeader marked it so) as the follower joins.
  const joined = await s.controller.alterPartition(s.alter(3, [3, 1], RECOVERED));
  t.match(joined.topics[0].partitions[0], { errorCode: ErrorCode.NONE, leaderId: 3, isr: [3, 1], leaderRecoveryState: RECOVERED, partitionEpoch: p.partitionEpoch + 1 });
  t.same(s.changes().at(-1), { partitionId: 0, topicId: s.topicId, isr: [3, 1], leaderRecoveryState: RECOVERED });
  t.equal(s.reg().leaderRecoveryState, RECOVERED);
  t.equal(s.changes().length, before + 1);
  const back = await s.controller.alterPartition(s.alter(3, [3, 1], RECOVERING));
  t.equal(back.topics[0].partitions[0].errorCode, ErrorCode.INVALID_REQUEST, 'RECOVERED never goes back to RECOVERING');
  s.controller.deactivate();
});

t.test("the setting's layers: topic over node over cluster over the static default", async (t) => {
  const s = await cluster();
  await leaderless(s);
  await s.beat(3);
  await s.setConfig(ResourceType.BROKER, '', 'true');
  await s.setConfig(ResourceType.TOPIC, 't', 'false');
  await sleep(300);
  t.equal(s.reg().leader, -1, 'the topic says false over the cluster-wide true');
  await s.setConfig(ResourceType.TOPIC, 't', null);
  await until('the cluster-wide setting elects', () => s.reg().leader === 3);
  t.equal(s.reg().leaderRecoveryState, RECOVERING);
  s.controller.deactivate();

  const n = await cluster();
  await leaderless(n);
  await n.beat(3);
  await n.setConfig(ResourceType.BROKER, '1', 'true');
  await until("the controller node's own setting elects", () => n.reg().leader === 3);
  n.controller.deactivate();

  const st = await cluster({ 'unclean.leader.election.enable': 'true' });
  for (const id of [3, 2]) await st.beat(id, { wantFence: true });
  await st.beat(3);
  await st.beat(1, { wantFence: true });
  // Fencing the last ISR member elects at once where the topic allows it (Kafka's generateLeaderAndIsrUpdates, Election.UNCLEAN).
  const fenced = st.changes().at(-1);
  t.same(fenced, { partitionId: 0, topicId: st.topicId, leader: 3, isr: [3], leaderRecoveryState: RECOVERING }, 'the static true: elected as 1 is fenced');
  st.controller.deactivate();
});

t.test('unfencing a replica of a leaderless partition elects it uncleanly where allowed', async (t) => {
  const s = await cluster();
  await s.setConfig(ResourceType.TOPIC, 't', 'true');
  // 3 leaves first, then 2; fencing 1 finds no live replica: leaderless.
  for (const id of [3, 2, 1]) await s.beat(id, { wantFence: true });
  t.equal(s.reg().leader, -1);
  await s.beat(3);
  t.same([s.reg().leader, s.reg().isr, s.reg().leaderRecoveryState], [3, [3], RECOVERING], 'elected as it is unfenced (Kafka: handleBrokerUnfenced over the leaderless partitions)');
  s.controller.deactivate();
});

t.test('ElectLeaders UNCLEAN marks the leader RECOVERING', async (t) => {
  const s = await cluster();
  await leaderless(s);
  await s.beat(2);
  const [r] = await s.controller.electLeaders(UNCLEAN_ELECTION, [{ topic: 't', partitions: [0] }]);
  t.same(r.partitionResult, [{ partitionId: 0, errorCode: ErrorCode.NONE, errorMessage: null }]);
  t.same(s.changes().at(-1), { partitionId: 0, topicId: s.topicId, leader: 2, isr: [2], leaderRecoveryState: RECOVERING, eligibleLeaderReplicas: [], lastKnownElr: [] });
  s.controller.deactivate();
});
