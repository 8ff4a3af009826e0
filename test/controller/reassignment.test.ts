// AlterPartitionReassignments / ListPartitionReassignments on a controller, checked against Kafka
// 4.4's ReplicationControlManager rules (its ReplicationControlManagerTest.testReassignPartitions
// and friends, broker ids shifted by 2 as node 1 runs the quorum): the merged replica list with
// adding/removing sets in one PartitionChangeRecord v2, completion at the request (a reorder, a
// shrink) and on an AlterPartition ISR expansion (NEW_LEADER_ELECTED when the sender is moved off),
// cancel, the per-partition errors, KIP-860's replication factor check, and listing.
import t from 'tap';
import { ErrorCode } from '../../src/protocol/errors.js';
import { RecordType, ResourceType, type MetadataRecord } from '../../src/metadata/records.js';
import type { AlterPartitionRequest } from '../../src/protocol/generated/alter-partition-request.js';
import { heartbeat, quorumOfOne, registration } from './helpers.js';

const SET = 0;

async function cluster(brokers: number[], config: Record<string, string> = {}) {
  const q = await quorumOfOne({ 'broker.session.timeout.ms': '9000', ...config });
  const epochs = new Map<number, number>();
  for (const id of brokers) epochs.set(id, await q.controller.registerBrokerRequest(registration(q.clusterId, id)));
  for (const id of brokers) await q.controller.brokerHeartbeat(heartbeat(id, epochs.get(id)!, q.manager.metadataLog.endOffset));
  const part = (topic: string, p = 0) => q.manager.image.topics.get(topic)!.registrations.get(p)!;
  const dir = (id: number) => q.manager.image.cluster.brokers.get(id)!.logDirs[0];
  const topicId = (name: string) => q.manager.image.topics.get(name)!.topicId;
  const create = async (name: string, assignments: number[][], configs: { name: string; value: string }[] = []) => {
    const r = await q.controller.createTopics(
      [{ name, numPartitions: -1, replicationFactor: -1, assignments: assignments.map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })), configs }],
      false,
    );
    if (r[0].errorCode !== 0) throw new Error(r[0].errorMessage ?? 'create failed');
  };
  const reassign = async (topics: { name: string; partitions: { partitionIndex: number; replicas: number[] | null }[] }[], allowReplicationFactorChange = true) => {
    const before = q.committed.length;
    const responses = await q.controller.alterPartitionReassignments({ timeoutMs: 30000, allowReplicationFactorChange, topics });
    return { responses, records: q.committed.slice(before).flat() };
  };
  /** AlterPartition from the partition's leader, the ISR members with their broker epochs (v3). */
  const alterIsr = async (topic: string, isr: number[], p = 0) => {
    const reg = part(topic, p);
    const req: AlterPartitionRequest = {
      brokerId: reg.leader,
      brokerEpoch: epochs.get(reg.leader)!,
      topics: [{ topicId: topicId(topic), partitions: [{ partitionIndex: p, leaderEpoch: reg.leaderEpoch, partitionEpoch: reg.partitionEpoch, leaderRecoveryState: 0, newIsrWithEpochs: isr.map((brokerId) => ({ brokerId, brokerEpoch: epochs.get(brokerId)! })) }] }],
    };
    const before = q.committed.length;
    const r = await q.controller.alterPartition(req);
    return { answer: r.topics[0].partitions[0], records: q.committed.slice(before).flat() };
  };
  return { ...q, epochs, part, dir, topicId, create, reassign, alterIsr };
}

const changes = (records: MetadataRecord[]) => records.filter((r) => r.type === RecordType.PARTITION_CHANGE);

t.test("Kafka's testReassignPartitions: reorder completes at once, a move waits, cancel, completion by AlterPartition", async (t) => {
  const c = await cluster([2, 3, 4, 5]);
  await c.create('foo', [[3, 4, 5], [5, 4, 3]]);
  await c.create('bar', [[3, 4, 5]]);
  t.same(await c.controller.listPartitionReassignments(null), [], 'nothing in progress');

  const { responses, records } = await c.reassign([
    { name: 'foo', partitions: [{ partitionIndex: 0, replicas: [5, 4, 3] }, { partitionIndex: 1, replicas: [2, 4, 3] }, { partitionIndex: 2, replicas: [2, 4, 3] }] },
    { name: 'bar', partitions: [] },
  ]);
  t.same(responses, [
    { name: 'foo', partitions: [
      { partitionIndex: 0, errorCode: 0, errorMessage: null },
      { partitionIndex: 1, errorCode: 0, errorMessage: null },
      { partitionIndex: 2, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find partition foo:2.' },
    ] },
    { name: 'bar', partitions: [] },
  ]);
  const fooId = c.topicId('foo');
  t.same(changes(records), [
    // A reorder: the ISR already holds every replica, so it completes; leader 3 stays (still valid, nothing removed).
    { type: RecordType.PARTITION_CHANGE, version: 2, data: { partitionId: 0, topicId: fooId, directories: [c.dir(5), c.dir(4), c.dir(3)], replicas: [5, 4, 3] } },
    // A move: the target then the removing replicas, 2 to add, 5 to remove; no ISR or leader change yet.
    { type: RecordType.PARTITION_CHANGE, version: 2, data: { partitionId: 1, topicId: fooId, directories: [c.dir(2), c.dir(4), c.dir(3), c.dir(5)], replicas: [2, 4, 3, 5], removingReplicas: [5], addingReplicas: [2] } },
  ], 'the records Kafka writes');
  t.same([c.part('foo', 0).replicas, c.part('foo', 0).leader, c.part('foo', 0).leaderEpoch], [[5, 4, 3], 3, 0]);
  const p1 = c.part('foo', 1);
  t.same([p1.replicas, p1.addingReplicas, p1.removingReplicas, p1.isr, p1.leader, p1.leaderEpoch], [[2, 4, 3, 5], [2], [5], [5, 4, 3], 5, 0], 'the image keeps the merged list and the sets');

  const ongoing = [{ name: 'foo', partitions: [{ partitionIndex: 1, replicas: [2, 4, 3, 5], addingReplicas: [2], removingReplicas: [5] }] }];
  t.same(await c.controller.listPartitionReassignments(null), ongoing, 'all: only the partition in progress');
  t.same(await c.controller.listPartitionReassignments([{ name: 'bar', partitionIndexes: [0, 1, 2] }]), []);
  t.same(await c.controller.listPartitionReassignments([{ name: 'foo', partitionIndexes: [0, 1, 2] }]), ongoing, 'named: unknown partitions left out');
  t.same(await c.controller.listPartitionReassignments([{ name: 'nope', partitionIndexes: [0] }]), [], 'an unknown topic is left out');

  // An ISR that does not yet hold the adding replica: a plain ISR change, still in progress.
  const shrink = await c.alterIsr('foo', [5, 4], 1);
  t.same(shrink.answer, { partitionIndex: 1, errorCode: 0, leaderId: 5, leaderEpoch: 0, isr: [5, 4], leaderRecoveryState: 0, partitionEpoch: 2 });
  t.same(changes(shrink.records).map((r) => r.data), [{ partitionId: 1, topicId: fooId, isr: [5, 4] }]);
  t.same(await c.controller.listPartitionReassignments(null), ongoing);

  // The leader (5, being removed) brings the adding replica into the ISR: the reassignment completes,
  // 5 leaves the replicas and the ISR, 2 leads (the first valid target replica).
  const done = await c.alterIsr('foo', [5, 4, 3, 2], 1);
  t.same(done.answer, { partitionIndex: 1, errorCode: ErrorCode.NEW_LEADER_ELECTED, leaderId: 0, leaderEpoch: 0, isr: [], leaderRecoveryState: 0, partitionEpoch: 0 }, 'NEW_LEADER_ELECTED to the leader moved off, the other fields at their defaults as in Kafka');
  t.same(changes(done.records).map((r) => r.data), [
    { partitionId: 1, topicId: fooId, leader: 2, isr: [4, 3, 2], directories: [c.dir(2), c.dir(4), c.dir(3)], replicas: [2, 4, 3], removingReplicas: [], addingReplicas: [] },
  ]);
  const after = c.part('foo', 1);
  t.same([after.replicas, after.isr, after.leader, after.leaderEpoch, after.addingReplicas, after.removingReplicas], [[2, 4, 3], [4, 3, 2], 2, 1, [], []]);
  t.same(await c.controller.listPartitionReassignments(null), [], 'nothing in progress once complete');
});

t.test('an adding replica joining the ISR completes; the leader stays when it is not removed (epoch bumped)', async (t) => {
  const c = await cluster([2, 3, 4, 5]);
  await c.create('m', [[2, 3, 4]]);
  const { records } = await c.reassign([{ name: 'm', partitions: [{ partitionIndex: 0, replicas: [2, 3, 5] }] }]);
  t.same(changes(records).map((r) => r.data.replicas), [[2, 3, 5, 4]]);
  const done = await c.alterIsr('m', [2, 3, 4, 5]);
  t.same(done.answer, { partitionIndex: 0, errorCode: 0, leaderId: 2, leaderEpoch: 1, isr: [2, 3, 5], leaderRecoveryState: 0, partitionEpoch: 2 }, 'the partition as it will be');
  t.same(changes(done.records).map((r) => r.data), [
    { partitionId: 0, topicId: c.topicId('m'), leader: 2, isr: [2, 3, 5], directories: [c.dir(2), c.dir(3), c.dir(5)], replicas: [2, 3, 5], removingReplicas: [], addingReplicas: [] },
  ], 'a replica leaves the list: the leader field is set, so the leader epoch moves');
  t.same([c.part('m').replicas, c.part('m').leaderEpoch], [[2, 3, 5], 1]);
});

t.test('the removed leader fenced mid-move: the next leader completes it when the adding replica joins', async (t) => {
  const c = await cluster([2, 3, 4, 5]);
  await c.create('f', [[2, 3, 4]]);
  await c.reassign([{ name: 'f', partitions: [{ partitionIndex: 0, replicas: [3, 4, 5] }] }]);
  c.clock.advance(8000);
  for (const id of [3, 4, 5]) await c.controller.brokerHeartbeat(heartbeat(id, c.epochs.get(id)!, c.manager.metadataLog.endOffset));
  c.clock.advance(1001);
  t.same(await c.controller.fenceStaleBrokers(), [2]);
  const mid = c.part('f');
  t.same([mid.leader, mid.isr, mid.replicas, mid.addingReplicas, mid.removingReplicas], [3, [3, 4], [3, 4, 5, 2], [5], [2]], 'still in progress under the new leader');
  const done = await c.alterIsr('f', [3, 4, 5]);
  t.same(done.answer, { partitionIndex: 0, errorCode: 0, leaderId: 3, leaderEpoch: mid.leaderEpoch + 1, isr: [3, 4, 5], leaderRecoveryState: 0, partitionEpoch: mid.partitionEpoch + 1 });
  const p = c.part('f');
  t.same([p.leader, p.isr, p.replicas, p.addingReplicas, p.removingReplicas], [3, [3, 4, 5], [3, 4, 5], [], []]);
});

t.test("a leader fenced mid-move: the next one is the first in-sync replica in the merged list's order (the target's)", async (t) => {
  const c = await cluster([2, 3, 4, 5]);
  await c.create('o', [[2, 3, 4]]);
  await c.reassign([{ name: 'o', partitions: [{ partitionIndex: 0, replicas: [4, 3, 5] }] }]);
  t.same([c.part('o').replicas, c.part('o').isr], [[4, 3, 5, 2], [2, 3, 4]]);
  c.clock.advance(8000);
  for (const id of [3, 4, 5]) await c.controller.brokerHeartbeat(heartbeat(id, c.epochs.get(id)!, c.manager.metadataLog.endOffset));
  c.clock.advance(1001);
  t.same(await c.controller.fenceStaleBrokers(), [2]);
  t.same([c.part('o').leader, c.part('o').isr], [4, [3, 4]], '4 leads (Kafka elects in replica order), not 3 (first in the ISR)');
});

t.test('a shrink completes at the request and moves leadership off a removed leader', async (t) => {
  const c = await cluster([2, 3, 4]);
  await c.create('s', [[2, 3, 4]]);
  const { responses, records } = await c.reassign([{ name: 's', partitions: [{ partitionIndex: 0, replicas: [3, 4] }] }]);
  t.same(responses[0].partitions, [{ partitionIndex: 0, errorCode: 0, errorMessage: null }]);
  t.same(changes(records).map((r) => r.data), [
    { partitionId: 0, topicId: c.topicId('s'), leader: 3, isr: [3, 4], directories: [c.dir(3), c.dir(4)], replicas: [3, 4] },
  ], 'never in progress (no adding/removing fields): the ISR without 2 already holds the target');
  t.same([c.part('s').leader, c.part('s').replicas, c.part('s').addingReplicas], [3, [3, 4], []]);
  const same = await c.reassign([{ name: 's', partitions: [{ partitionIndex: 0, replicas: [3, 4] }] }]);
  t.same([same.responses[0].partitions[0].errorCode, same.records], [0, []], 'the current replicas: success, nothing written');
});

t.test('cancel: back to the original replicas; NO_REASSIGNMENT_IN_PROGRESS when none', async (t) => {
  const c = await cluster([2, 3, 4, 5]);
  await c.create('x', [[2, 3, 4]]);
  await c.reassign([{ name: 'x', partitions: [{ partitionIndex: 0, replicas: [3, 4, 5] }] }]);
  t.same(c.part('x').replicas, [3, 4, 5, 2]);
  const { responses, records } = await c.reassign([{ name: 'x', partitions: [{ partitionIndex: 0, replicas: null }] }]);
  t.same(responses[0].partitions, [{ partitionIndex: 0, errorCode: 0, errorMessage: null }]);
  t.same(changes(records).map((r) => r.data), [
    { partitionId: 0, topicId: c.topicId('x'), leader: 2, directories: [c.dir(3), c.dir(4), c.dir(2)], replicas: [3, 4, 2], removingReplicas: [], addingReplicas: [] },
  ], "Kafka's revert: the replicas without the adding one, in the merged order; a replica leaves, so a new leader epoch");
  const p = c.part('x');
  t.same([p.replicas, p.isr, p.leader, p.leaderEpoch, p.addingReplicas, p.removingReplicas], [[3, 4, 2], [2, 3, 4], 2, 1, [], []]);
  const again = await c.reassign([{ name: 'x', partitions: [{ partitionIndex: 0, replicas: null }] }]);
  t.same(again.responses[0].partitions, [{ partitionIndex: 0, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: null }]);
  t.same(again.records, []);
});

t.test('cancel that needs an unclean election: refused unless unclean.leader.election.enable', async (t) => {
  const c = await cluster([2, 3], { 'unclean.leader.election.enable': 'false' });
  await c.create('u', [[2]]);
  await c.reassign([{ name: 'u', partitions: [{ partitionIndex: 0, replicas: [3] }] }]);
  // Broker 2 (the only ISR member and the replica being removed) is fenced: the ISR empties.
  c.clock.advance(8000);
  await c.controller.brokerHeartbeat(heartbeat(3, c.epochs.get(3)!, c.manager.metadataLog.endOffset));
  c.clock.advance(1001);
  t.same(await c.controller.fenceStaleBrokers(), [2]);
  t.same([c.part('u').isr, c.part('u').leader, c.part('u').replicas], [[], -1, [3, 2]]);
  const refused = await c.reassign([{ name: 'u', partitions: [{ partitionIndex: 0, replicas: null }] }]);
  t.same(refused.responses[0].partitions, [
    { partitionIndex: 0, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'Unable to revert partition assignment for u:0 because it would require an unclean leader election.' },
  ]);
  t.same(refused.records, []);
  await c.controller.incrementalAlterConfigs([{ resourceType: ResourceType.TOPIC, resourceName: 'u', configs: [{ name: 'unclean.leader.election.enable', op: SET, value: 'true' }] }], false);
  const cancelled = await c.reassign([{ name: 'u', partitions: [{ partitionIndex: 0, replicas: null }] }]);
  t.same(cancelled.responses[0].partitions, [{ partitionIndex: 0, errorCode: 0, errorMessage: null }]);
  const p = c.part('u');
  t.same([p.replicas, p.isr, p.addingReplicas, p.removingReplicas], [[2], [2], [], []], 'the original replica is the ISR again');
});

t.test('per-partition errors and the replication factor check of v1', async (t) => {
  const c = await cluster([2, 3, 4, 5]);
  await c.create('e', [[2, 3, 4]]);
  const one = async (replicas: number[] | null, allow = true, topic = 'e', partitionIndex = 0) =>
    (await c.reassign([{ name: topic, partitions: [{ partitionIndex, replicas }] }], allow)).responses[0].partitions[0];
  const invalid = (errorMessage: string) => ({ partitionIndex: 0, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage });
  t.same(await one([2], true, 'nope'), { partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find a topic named nope.' });
  t.same(await one([2], true, 'e', 3), { partitionIndex: 3, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find partition e:3.' });
  t.same(await one([]), invalid('The manual partition assignment includes an empty replica list.'));
  t.same(await one([2, 9]), invalid('The manual partition assignment includes broker 9, but no such broker is registered.'));
  t.same(await one([1]), invalid('The manual partition assignment includes broker 1, but no such broker is registered.'), 'the controller-only node is no broker');
  t.same(await one([4, 2, 2]), invalid('The manual partition assignment includes the broker 2 more than once.'));
  t.same(await one([2, 3], false), { partitionIndex: 0, errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: 'The replication factor is changed from 3 to 2' });
  t.same(await one([9], false), invalid('The manual partition assignment includes broker 9, but no such broker is registered.'), 'the assignment is checked before the factor');
  t.same(await one([2, 3, 4, 5], true), { partitionIndex: 0, errorCode: 0, errorMessage: null }, 'allowed by default: 3 to 4 replicas');
  t.same(c.part('e').addingReplicas, [5]);
  t.same(await one([3, 4, 5], false), { partitionIndex: 0, errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: 'The replication factor is changed from 4 to 3' }, 'in progress: counted from the set the partition is headed for');
  t.same(await one([5, 4, 3, 2], false), { partitionIndex: 0, errorCode: 0, errorMessage: null });
  t.same(c.part('e').replicas, [5, 4, 3, 2]);
});

t.test('reassignments are in the metadata log: the records, and the image written as a snapshot, replay to the sets', async (t) => {
  const c = await cluster([2, 3, 4, 5]);
  await c.create('r', [[2, 3, 4]]);
  await c.reassign([{ name: 'r', partitions: [{ partitionIndex: 0, replicas: [3, 4, 5] }] }]);
  const { MetadataDelta } = await import('../../src/metadata/delta.js');
  const { MetadataImage } = await import('../../src/metadata/image.js');
  const { imageToRecords } = await import('../../src/metadata/image-records.js');
  const fromLog = new MetadataDelta(MetadataImage.empty(c.clusterId));
  for (const batch of c.committed) for (const r of batch) fromLog.replay(r);
  const image = fromLog.apply(c.manager.image.provenance);
  const sets = (img: typeof image) => {
    const p = img.topics.get('r')!.registrations.get(0)!;
    return [p.replicas, p.addingReplicas, p.removingReplicas, p.partitionEpoch];
  };
  t.same(sets(image), [[3, 4, 5, 2], [5], [2], 1], 'replayed from the log');
  const fromSnapshot = new MetadataDelta(MetadataImage.empty(c.clusterId));
  for (const r of imageToRecords(image)) fromSnapshot.replay(r);
  t.same(sets(fromSnapshot.apply(image.provenance)), sets(image), 'a snapshot keeps them');
  t.same(await c.controller.listPartitionReassignments(null), [{ name: 'r', partitions: [{ partitionIndex: 0, replicas: [3, 4, 5, 2], addingReplicas: [5], removingReplicas: [2] }] }]);
});
