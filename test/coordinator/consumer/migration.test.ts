// KIP-848 online migration inside the GroupCoordinator (real broker storage, ManualClock): a classic
// group of consumers upgraded by a consumer-protocol member, its classic members served inside the
// consumer group (JoinGroup/SyncGroup/Heartbeat/LeaveGroup), the downgrade back to classic when the
// last consumer-protocol member leaves, and the refusals group.consumer.migration.policy gives.
import t, { type Test } from 'tap';
import { startBroker } from '../../../src/index.js';
import { GroupCoordinator } from '../../../src/coordinator/group/coordinator.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ConsumerProtocolSubscription } from '../../../src/protocol/generated/consumer-protocol-subscription.js';
import { ConsumerProtocolAssignment } from '../../../src/protocol/generated/consumer-protocol-assignment.js';
import { Writer } from '../../../src/protocol/writer.js';
import { decodeAssignment } from '../../../src/coordinator/group/consumer/migration.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const CTX = { clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 1 };
const JOIN_CTX = { clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 3 };
const HB = { instanceId: null, rackId: null, subscribedTopicRegex: null, serverAssignor: null };

function subscription(topics: string[], owned: { topic: string; partitions: number[] }[] = []): Buffer {
  const w = new Writer();
  w.int16(1);
  ConsumerProtocolSubscription.encode(w, 1, { topics, userData: null, ownedPartitions: owned });
  return w.toBuffer();
}

function assignment(topic: string, partitions: number[], userData: Buffer | null = null): Buffer {
  const w = new Writer();
  w.int16(1);
  ConsumerProtocolAssignment.encode(w, 1, { assignedPartitions: [{ topic, partitions }], userData });
  return w.toBuffer();
}

const partitionsOf = (bytes: Buffer) => decodeAssignment(bytes).assignedPartitions.flatMap((t) => t.partitions.map((p) => `${t.topic}-${p}`));

async function setup(t: Test, config: Record<string, string> = {}) {
  const b = await startBroker({ port: 0, memory: true, config: { 'offsets.topic.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0', ...config } });
  t.teardown(() => b.close());
  await b.broker.groups.whenLoaded();
  await b.broker.createTopic('x', 4, {});
  const clock = new ManualClock(Date.now());
  const make = async () => {
    const c = new GroupCoordinator(b.broker, { now: clock.now, scheduler: clock });
    t.teardown(() => c.close());
    await c.start();
    await c.whenLoaded();
    return c;
  };
  return { clock, make, c: await make() };
}

type Coordinator = GroupCoordinator;

/** Moves the clock on until `p` settles (the rebalance timers are scheduled a few ticks after the call). */
async function settle<T>(clock: ManualClock, p: Promise<T>): Promise<T> {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  for (let i = 0; i < 200 && !done; i++) {
    await new Promise((r) => setTimeout(r, 5));
    clock.advance(100);
  }
  return p;
}

function join(c: Coordinator, memberId: string, owned: { topic: string; partitions: number[] }[] = [], protocolType = 'consumer') {
  return c.joinGroup(
    { groupId: 'g', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, memberId, groupInstanceId: null, protocolType, protocols: [{ name: 'range', metadata: subscription(['x'], owned) }], reason: null },
    JOIN_CTX,
  );
}

/** Two classic members c1 (x-0, x-1) and c2 (x-2, x-3), Stable at generation 1. */
async function classicGroup(t: Test, c: Coordinator, clock: ManualClock, protocolType = 'consumer', userData: Buffer | null = null) {
  const p1 = join(c, '', [], protocolType);
  const p2 = join(c, '', [], protocolType);
  const [j1, j2] = await settle(clock, Promise.all([p1, p2]));
  const leader = j1.leader === j1.memberId ? j1 : j2;
  const follower = leader === j1 ? j2 : j1;
  t.equal(leader.generationId, 1, 'classic generation 1');
  const [s1] = await Promise.all([
    c.syncGroup({ groupId: 'g', generationId: 1, memberId: leader.memberId, groupInstanceId: null, protocolType, protocolName: 'range', assignments: [
      { memberId: leader.memberId, assignment: assignment('x', [0, 1], userData) },
      { memberId: follower.memberId, assignment: assignment('x', [2, 3]) },
    ] }),
    c.syncGroup({ groupId: 'g', generationId: 1, memberId: follower.memberId, groupInstanceId: null, protocolType, protocolName: 'range', assignments: [] }),
  ]);
  t.equal(s1.errorCode, ErrorCode.NONE);
  return { c1: leader.memberId, c2: follower.memberId };
}

t.test('upgrade: a consumer-protocol member converts the classic group; classic members rejoin inside it; every partition owned once', async (t) => {
  const { c, clock, make } = await setup(t);
  const { c1, c2 } = await classicGroup(t, c, clock);

  const n = await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
  t.equal(n.errorCode, ErrorCode.NONE, 'the consumer-protocol member joins the classic group');
  t.equal(n.memberEpoch, 2, 'at the epoch after the classic generation');
  t.same(n.assignment?.topicPartitions, [], 'its partitions are still owned by the classic members');
  t.same(c.listGroups([], []).groups.map((g) => [g.groupId, g.groupType, g.protocolType]), [['g', 'consumer', 'consumer']], 'the group is a consumer group now');
  const d = c.consumerGroupDescribe(['g'], false)[0];
  t.equal(d.groupEpoch, 2);
  t.same(
    d.members.map((m) => [m.memberId, m.memberType, m.memberEpoch, m.assignment.topicPartitions.flatMap((tp) => tp.partitions)]).sort(),
    [[c1, 0, 1, [0, 1]], [c2, 0, 1, [2, 3]], ['n', 1, 2, []]].sort(),
    'classic members keep their assignment at the old generation (memberType 0 = classic)',
  );

  // A classic member learns of the rebalance from its heartbeat, rejoins (eager: it owns nothing now) and syncs.
  t.equal(c.heartbeat({ groupId: 'g', generationId: 1, memberId: c1, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS);
  t.equal(c.heartbeat({ groupId: 'g', generationId: 0, memberId: c1, groupInstanceId: null }), ErrorCode.ILLEGAL_GENERATION);
  const owned = new Map<string, string[]>();
  for (const m of [c1, c2]) {
    const j = await join(c, m);
    t.equal(j.errorCode, ErrorCode.NONE, `${m === c1 ? 'c1' : 'c2'} rejoins`);
    t.equal(j.generationId, 2, 'at the group epoch');
    t.equal(j.leader, '', 'no classic leader: the coordinator assigns');
    t.equal(j.protocolName, 'range');
    const s = await c.syncGroup({ groupId: 'g', generationId: j.generationId, memberId: m, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] });
    t.equal(s.errorCode, ErrorCode.NONE);
    owned.set(m, partitionsOf(s.assignment));
    t.equal(c.heartbeat({ groupId: 'g', generationId: 2, memberId: m, groupInstanceId: null }), ErrorCode.NONE, 'reconciled: heartbeats are fine');
  }
  const commit = (epoch: number) =>
    c.commitOffsets({ groupId: 'g', generationIdOrMemberEpoch: epoch, memberId: c1, groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 'x', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }] }, 8);
  t.same((await commit(2)).map((r) => r.errorCode), [ErrorCode.NONE], 'a classic member commits with its generation (OffsetCommit v8 is fine for it)');
  t.same((await commit(1)).map((r) => r.errorCode), [ErrorCode.ILLEGAL_GENERATION], 'an old generation is ILLEGAL_GENERATION, as for classic groups');
  t.equal(c.fetchOffsets('g', null, false, { memberId: c1, memberEpoch: 2 }).errorCode, ErrorCode.NONE, 'OffsetFetch with the classic member\'s generation');
  t.equal(c.fetchOffsets('g', null, false, { memberId: c1, memberEpoch: 1 }).errorCode, ErrorCode.ILLEGAL_GENERATION, 'an old one is ILLEGAL_GENERATION (not STALE_MEMBER_EPOCH) for a classic member');
  const n2 = await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 2, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [] }, CTX);
  owned.set('n', (n2.assignment?.topicPartitions ?? []).flatMap((tp) => tp.partitions.map((p) => `x-${p}`)));
  const all = [...owned.values()].flat().sort();
  t.same(all, ['x-0', 'x-1', 'x-2', 'x-3'], 'every partition is owned by exactly one member');
  t.ok([...owned.values()].every((ps) => ps.length >= 1), 'each of the three members owns some');

  const before = c.consumerGroupDescribe(['g'], false)[0];
  await c.close();
  const again = await make();
  t.same(again.consumerGroupDescribe(['g'], false)[0], before, 'the converted group (classic members included) is reloaded from its records');
});

t.test('downgrade: the last consumer-protocol member leaving turns the group back into a classic group, which rebalances', async (t) => {
  const { c, clock, make } = await setup(t);
  const { c1, c2 } = await classicGroup(t, c, clock);
  await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
  const left = await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: -1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: null }, CTX);
  t.equal(left.errorCode, ErrorCode.NONE);
  const listed = c.listGroups([], []).groups;
  t.same(listed.map((g) => [g.groupType, g.groupState]), [['classic', 'PreparingRebalance']], 'classic again, rebalancing');
  t.same(c.consumerGroupDescribe(['g'], false)[0].errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  t.equal(c.heartbeat({ groupId: 'g', generationId: 2, memberId: c1, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS, 'the classic members are told to rejoin');

  const [j1, j2] = await settle(clock, Promise.all([join(c, c1), join(c, c2)]));
  t.equal(j1.errorCode, ErrorCode.NONE);
  t.equal(j1.generationId, 3, 'the next generation after the consumer group epoch');
  t.equal(j2.generationId, 3);
  const described = c.describeGroups(['g'], false)[0];
  t.equal(described.protocolType, 'consumer');
  t.equal(described.members.length, 2);

  await c.close();
  const again = await make();
  t.same(again.listGroups([], []).groups.map((g) => g.groupType), ['classic'], 'the log says classic after a reload');
});

t.test('downgrade on the session timeout of the last consumer-protocol member', async (t) => {
  const { c, clock } = await setup(t);
  const { c1, c2 } = await classicGroup(t, c, clock);
  await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
  for (let i = 0; i < 5; i++) {
    clock.advance(10_000);
    for (const m of [c1, c2]) c.heartbeat({ groupId: 'g', generationId: 1, memberId: m, groupInstanceId: null });
  }
  await new Promise((r) => setTimeout(r, 50));
  t.same(c.listGroups([], []).groups.map((g) => [g.groupType, g.groupState]), [['classic', 'PreparingRebalance']], 'n fenced after 45 s: classic again');
  t.same(c.describeGroups(['g'], false)[0].members.map((m) => m.memberId).sort(), [c1, c2].sort(), 'with the two classic members');
});

t.test('downgrade when the last consumer-protocol static member is replaced by a classic incarnation (no rebalance)', async (t) => {
  const { c, clock } = await setup(t);
  const { c1, c2 } = await classicGroup(t, c, clock);
  await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', instanceId: 'i1', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
  const j = await c.joinGroup(
    { groupId: 'g', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, memberId: '', groupInstanceId: 'i1', protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['x']) }], reason: null },
    { ...JOIN_CTX, apiVersion: 5 },
  );
  t.equal(j.errorCode, ErrorCode.NONE);
  await new Promise((r) => setTimeout(r, 50));
  t.same(c.listGroups([], []).groups.map((g) => [g.groupType, g.groupState]), [['classic', 'Stable']], 'classic, Stable: the replacement starts no rebalance');
  const d = c.describeGroups(['g'], false)[0];
  t.same(d.members.map((m) => m.memberId).sort(), [c1, c2, j.memberId].sort(), 'the replacement in place of n');
  t.equal(d.members.find((m) => m.memberId === j.memberId)?.groupInstanceId, 'i1');
  const s = await c.syncGroup({ groupId: 'g', generationId: j.generationId, memberId: j.memberId, groupInstanceId: 'i1', protocolType: 'consumer', protocolName: 'range', assignments: [] });
  t.equal(s.errorCode, ErrorCode.NONE, 'its SyncGroup in the classic group answers at the generation of its JoinGroup');
  t.same(partitionsOf(s.assignment), [], "with n's assignment, empty here (c1 and c2 never released theirs)");
});

t.test('a classic member leaving a consumer group (LeaveGroup) bumps the group epoch; unknown members are refused', async (t) => {
  const { c, clock } = await setup(t);
  const { c1 } = await classicGroup(t, c, clock);
  await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
  const res = c.leaveGroup('g', [{ memberId: c1, groupInstanceId: null }, { memberId: 'nobody', groupInstanceId: null }, { memberId: 'n', groupInstanceId: null }]);
  t.same(res.members.map((m) => m.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.UNKNOWN_MEMBER_ID], 'a consumer-protocol member cannot leave with LeaveGroup');
  await new Promise((r) => setTimeout(r, 50));
  const d = c.consumerGroupDescribe(['g'], false)[0];
  t.equal(d.members.length, 2);
  t.equal(d.groupEpoch, 3);
  t.equal(c.syncGroup !== undefined, true);
  const s = await c.syncGroup({ groupId: 'g', generationId: 1, memberId: c1, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] });
  t.equal(s.errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'gone');
});

t.test('a classic member that does not rejoin within its session is fenced from the consumer group', async (t) => {
  const { c, clock } = await setup(t);
  const { c1, c2 } = await classicGroup(t, c, clock);
  await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
  for (let i = 0; i < 4; i++) {
    clock.advance(10_000);
    t.equal(c.heartbeat({ groupId: 'g', generationId: 1, memberId: c1, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS);
    await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 2, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: null }, CTX);
  }
  await new Promise((r) => setTimeout(r, 50));
  const ids = c.consumerGroupDescribe(['g'], false)[0].members.map((m) => m.memberId).sort();
  t.same(ids, [c1, 'n'].sort(), `c2 (session 30 s, silent) is fenced; c1 heartbeats`);
  t.not(ids.includes(c2), true);
});

t.test('a classic member that rejoins but sends no SyncGroup within its rebalance timeout is fenced, though it heartbeats', async (t) => {
  const { c, clock } = await setup(t);
  const { c1 } = await classicGroup(t, c, clock);
  await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
  const j = await join(c, c1);
  t.equal(j.errorCode, ErrorCode.NONE);
  for (let i = 0; i < 7; i++) {
    clock.advance(10_000);
    c.heartbeat({ groupId: 'g', generationId: j.generationId, memberId: c1, groupInstanceId: null });
    await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 2, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: null }, CTX);
  }
  await new Promise((r) => setTimeout(r, 50));
  t.notOk(c.consumerGroupDescribe(['g'], false)[0].members.some((m) => m.memberId === c1), 'fenced 60 s (its rebalance timeout) after its JoinGroup');
});

t.test('static classic members in a consumer group: a rejoin without member id replaces the old incarnation; a wrong member id is fenced', async (t) => {
  const { c, clock } = await setup(t);
  await classicGroup(t, c, clock);
  await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
  const staticJoin = (memberId: string) =>
    c.joinGroup(
      { groupId: 'g', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, memberId, groupInstanceId: 'i1', protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['x']) }], reason: null },
      { ...JOIN_CTX, apiVersion: 5 },
    );
  const first = await staticJoin('');
  t.equal(first.errorCode, ErrorCode.NONE, 'a static member needs no MEMBER_ID_REQUIRED round');
  const second = await staticJoin('');
  t.equal(second.errorCode, ErrorCode.NONE);
  t.not(second.memberId, first.memberId, 'a new incarnation');
  const ids = c.consumerGroupDescribe(['g'], false)[0].members.map((m) => m.memberId);
  t.ok(ids.includes(second.memberId) && !ids.includes(first.memberId), 'which replaces the old one');
  t.equal(c.consumerGroupDescribe(['g'], false)[0].members.find((m) => m.memberId === second.memberId)?.instanceId, 'i1');
  t.equal((await staticJoin(first.memberId)).errorCode, ErrorCode.FENCED_INSTANCE_ID, 'the old incarnation is fenced');
  t.equal(c.heartbeat({ groupId: 'g', generationId: first.generationId, memberId: first.memberId, groupInstanceId: 'i1' }), ErrorCode.FENCED_INSTANCE_ID);
});

t.test('migration policy refusals and sizes, with Kafka 4.4 messages', async (t) => {
  t.test('disabled: no upgrade (GROUP_ID_NOT_FOUND), no classic join to a consumer group (INCONSISTENT_GROUP_PROTOCOL)', async (t) => {
    const { c, clock } = await setup(t, { 'group.consumer.migration.policy': 'disabled' });
    await classicGroup(t, c, clock);
    const r = await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
    t.equal(r.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    t.equal(r.errorMessage, 'Cannot upgrade classic group g to consumer group because online upgrade is disabled.');
    t.same(c.listGroups([], []).groups.map((g) => g.groupType), ['classic'], 'still classic');
    await c.consumerGroupHeartbeat({ ...HB, groupId: 'k', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
    const j = await c.joinGroup(
      { groupId: 'k', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['x']) }], reason: null },
      JOIN_CTX,
    );
    t.equal(j.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });
  t.test('downgrade only: no upgrade', async (t) => {
    const { c, clock } = await setup(t, { 'group.consumer.migration.policy': 'downgrade' });
    await classicGroup(t, c, clock);
    const r = await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
    t.equal(r.errorMessage, 'Cannot upgrade classic group g to consumer group because online upgrade is disabled.');
  });
  t.test('upgrade only: the last consumer member leaving keeps the consumer group', async (t) => {
    const { c, clock } = await setup(t, { 'group.consumer.migration.policy': 'upgrade' });
    await classicGroup(t, c, clock);
    await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
    await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: -1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: null }, CTX);
    await new Promise((r) => setTimeout(r, 50));
    t.same(c.listGroups([], []).groups.map((g) => g.groupType), ['consumer'], 'no downgrade');
    t.equal(c.consumerGroupDescribe(['g'], false)[0].members.length, 2, 'the two classic members stay in the consumer group');
  });
  t.test('group.consumer.max.size counts the classic members', async (t) => {
    const { c, clock } = await setup(t, { 'group.consumer.max.size': '2' });
    await classicGroup(t, c, clock);
    const r = await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
    t.equal(r.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED, 'two classic members converted, the third is one too many');
    t.same(c.listGroups([], []).groups.map((g) => g.groupType), ['classic'], 'nothing converted');
  });
  t.test('group.consumer.max.size below the classic group size refuses the upgrade', async (t) => {
    const { c, clock } = await setup(t, { 'group.consumer.max.size': '1' });
    await classicGroup(t, c, clock);
    const r = await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
    t.equal(r.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    t.equal(r.errorMessage, 'Cannot upgrade classic group g to consumer group because the group size exceeds the consumer group maximum size.');
  });
  t.test('a classic group whose assignor sends user data is not upgraded (it would be lost)', async (t) => {
    const { c, clock } = await setup(t);
    await classicGroup(t, c, clock, 'consumer', Buffer.from('custom'));
    const r = await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
    t.equal(r.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    t.equal(r.errorMessage, 'Cannot upgrade classic group g to consumer group because an unsupported custom assignor is in use. Please refer to the documentation or switch to a default assignor before re-attempting the upgrade.');
    t.same(c.listGroups([], []).groups.map((g) => [g.groupType, g.groupState]), [['classic', 'Stable']], 'the classic group goes on');
  });
  t.test('a classic group of another protocol type is not upgraded', async (t) => {
    const { c, clock } = await setup(t);
    await classicGroup(t, c, clock, 'connect');
    const r = await c.consumerGroupHeartbeat({ ...HB, groupId: 'g', memberId: 'n', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
    t.equal(r.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    t.equal(r.errorMessage, 'Cannot upgrade classic group g to consumer group because the group does not use the consumer embedded protocol.');
  });
  t.end();
});
