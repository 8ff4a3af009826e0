// Consumer group members over time (ManualClock): session timeouts, rebalance timeouts, static
// membership (leave with -2 and come back as a new member id), ConsumerGroupDescribe, offset
// commit/fetch checks, and the records: replaying what was written rebuilds the same group.
import t from 'tap';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { MemberState } from '../../../src/coordinator/group/consumer/member.js';
import { ConsumerGroup } from '../../../src/coordinator/group/consumer/group.js';
import { Harness, flat, owned, TOPIC_A } from './harness.js';

const ALL_A = ['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'a-5'];

/** Everything a group is made of, comparable with t.same. */
function shape(g: ConsumerGroup) {
  const tp = (m: Map<string, Set<number>>) => [...m].map(([k, v]) => [k, [...v].sort()]).sort();
  return {
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    metadataHash: g.metadataHash,
    state: g.state(),
    statics: [...g.staticMembers].sort(),
    targets: [...g.targetAssignment].map(([id, a]) => [id, tp(a)]).sort(),
    members: [...g.members.values()]
      .map((m) => ({ ...m, assignedPartitions: tp(m.assignedPartitions), partitionsPendingRevocation: tp(m.partitionsPendingRevocation) }))
      .sort((a, b) => (a.memberId < b.memberId ? -1 : 1)),
  };
}

t.test('a member silent for its session timeout is fenced; the group epoch is bumped', async (t) => {
  const h = new Harness({ sessionTimeoutMs: 45_000 });
  await h.join('m1');
  await h.join('m2');
  h.clock.advance(30_000);
  await h.hb({ memberId: 'm1', memberEpoch: 1 });
  h.clock.advance(20_000);
  await Promise.resolve();
  const g = h.consumer();
  t.same([...g.members.keys()], ['m1'], 'm2 expired, m1 heartbeated in time');
  t.equal(g.groupEpoch, 3);
  t.equal((await h.hb({ memberId: 'm2', memberEpoch: 2 })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  h.clock.advance(45_000);
  await Promise.resolve();
  t.equal(g.members.size, 0, 'm1 too, once silent');
  t.equal(g.state(), 'Empty');
  t.equal(h.clock.pendingCount(), 0, 'no timer left');
});

t.test('a member that does not revoke within its rebalance timeout is fenced', async (t) => {
  const h = new Harness();
  await h.join('m1', ['a'], { rebalanceTimeoutMs: 10_000 });
  await h.join('m2');
  const r = await h.hb({ memberId: 'm1', memberEpoch: 1, topicPartitions: owned(ALL_A) });
  t.equal(h.consumer().members.get('m1')!.state, MemberState.UNREVOKED_PARTITIONS);
  t.equal(flat(r.assignment).length, 3);
  // Heartbeats still claiming the revoked partitions keep the session alive, not the epoch.
  for (let i = 0; i < 3; i++) {
    h.clock.advance(3000);
    await h.hb({ memberId: 'm1', memberEpoch: 1, topicPartitions: owned(ALL_A) });
  }
  h.clock.advance(1500);
  await Promise.resolve();
  t.notOk(h.consumer().members.has('m1'), 'fenced 10 s after it was asked to revoke');
  const again = await h.hb({ memberId: 'm1', memberEpoch: 1, topicPartitions: owned(ALL_A) });
  t.equal(again.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  // m2 now gets everything.
  const m2 = await h.hb({ memberId: 'm2', memberEpoch: 2, topicPartitions: [] });
  t.same(flat(m2.assignment), ALL_A);
});

t.test('a member that revokes in time is not fenced by the rebalance timer', async (t) => {
  const h = new Harness();
  await h.join('m1', ['a'], { rebalanceTimeoutMs: 10_000 });
  await h.join('m2');
  const r = await h.hb({ memberId: 'm1', memberEpoch: 1, topicPartitions: owned(ALL_A) });
  h.clock.advance(5000);
  await h.hb({ memberId: 'm1', memberEpoch: 1, topicPartitions: owned(flat(r.assignment)) });
  h.clock.advance(20_000);
  await Promise.resolve();
  t.ok(h.consumer().members.has('m1'));
  t.equal(h.consumer().members.get('m1')!.memberEpoch, 2);
});

t.test('static membership: leave with -2, rejoin as a new member id with the same assignment and no rebalance', async (t) => {
  const h = new Harness();
  await h.join('s1', ['a'], { instanceId: 'i1' });
  await h.join('m2');
  await h.hb({ memberId: 's1', memberEpoch: 1, instanceId: 'i1', topicPartitions: owned(ALL_A) });
  const s1 = h.consumer().members.get('s1')!;
  const mine = flat({ topicPartitions: [{ topicId: TOPIC_A, partitions: [...s1.assignedPartitions.get(TOPIC_A)!] }] });
  await h.hb({ memberId: 's1', memberEpoch: 1, instanceId: 'i1', topicPartitions: owned(mine) });
  const epoch = h.consumer().groupEpoch;

  // The instance id is taken while its member is in the group.
  const taken = await h.join('s1-bis', ['a'], { instanceId: 'i1' });
  t.equal(taken.errorCode, ErrorCode.UNRELEASED_INSTANCE_ID);
  t.equal(taken.errorMessage, 'Static member s1-bis with instance id i1 cannot join the group because the instance id is owned by s1 member.');

  const left = await h.hb({ memberId: 's1', memberEpoch: -2, instanceId: 'i1' });
  t.equal(left.errorCode, ErrorCode.NONE);
  t.equal(left.memberEpoch, -2);
  t.equal(h.consumer().members.get('s1')!.memberEpoch, -2, 'kept, at epoch -2');
  t.equal(h.consumer().groupEpoch, epoch, 'no rebalance');

  const back = await h.join('s1-new', ['a'], { instanceId: 'i1' });
  t.equal(back.errorCode, ErrorCode.NONE);
  t.equal(back.memberId, 's1-new');
  t.equal(back.memberEpoch, epoch, 'back at the group epoch');
  t.same(flat(back.assignment), mine, 'with the partitions it had');
  t.equal(h.consumer().groupEpoch, epoch, 'still no rebalance');
  t.notOk(h.consumer().members.has('s1'));
  t.equal(h.consumer().staticMembers.get('i1'), 's1-new');

  // The old member id is fenced by the new one.
  const old = await h.hb({ memberId: 's1', memberEpoch: epoch, instanceId: 'i1' });
  t.equal(old.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  t.equal(old.errorMessage, 'Static member s1 with instance id i1 was fenced by member s1-new.');
  const unknown = await h.hb({ memberId: 'x', memberEpoch: 3, instanceId: 'nope' });
  t.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(unknown.errorMessage, 'Instance id nope is unknown.');

  // A static member that leaves for good (-1) is removed.
  await h.hb({ memberId: 's1-new', memberEpoch: -1, instanceId: 'i1' });
  t.notOk(h.consumer().staticMembers.has('i1'));
  t.equal(h.consumer().groupEpoch, epoch + 1);
});

t.test('a static member that left (-2) and does not come back is fenced by its session timeout', async (t) => {
  const h = new Harness({ sessionTimeoutMs: 10_000 });
  await h.join('s1', ['a'], { instanceId: 'i1' });
  await h.hb({ memberId: 's1', memberEpoch: -2, instanceId: 'i1' });
  h.clock.advance(10_000);
  await Promise.resolve();
  t.equal(h.consumer().members.size, 0);
  t.equal(h.consumer().groupEpoch, 2);
});

t.test('replaying the written records rebuilds the group, member for member', async (t) => {
  const h = new Harness();
  await h.join('m1', ['a', 'b']);
  await h.join('m2', ['a']);
  await h.join('s3', ['b'], { instanceId: 'i3', rackId: 'r1', serverAssignor: 'uniform' });
  await h.hb({ memberId: 'm1', memberEpoch: 1, topicPartitions: owned([...ALL_A, 'b-0', 'b-1', 'b-2']) });
  await h.hb({ memberId: 'm2', memberEpoch: 2, topicPartitions: [] });
  await h.hb({ memberId: 's3', memberEpoch: -2, instanceId: 'i3' });
  const replayed = h.replayed();
  t.same(shape(replayed.consumer()), shape(h.consumer()));
  t.ok(replayed.clock.pendingCount() >= 3, 'sessions (and the rebalance timer of a member revoking) armed after the load');

  // Deleting the group's records leaves nothing to replay.
  await h.hb({ memberId: 'm1', memberEpoch: -1 });
  await h.hb({ memberId: 'm2', memberEpoch: -1 });
  await h.hb({ memberId: 's3', memberEpoch: -1, instanceId: 'i3' });
  t.equal(h.consumer().validateDeleteGroup(), ErrorCode.NONE);
  h.log.push(...h.manager.deleteRecords(h.consumer()));
  t.notOk(h.replayed().groups.has('g'), 'the group is gone after its tombstones');
});

t.test('ConsumerGroupDescribe: state, epochs, assignor and members with current and target assignments', async (t) => {
  const h = new Harness();
  await h.join('m1');
  await h.join('m2');
  const d = h.manager.describe('g', true, 1234);
  t.equal(d.errorCode, ErrorCode.NONE);
  t.equal(d.groupState, 'Reconciling');
  t.equal(d.groupEpoch, 2);
  t.equal(d.assignmentEpoch, 2);
  t.equal(d.assignorName, 'uniform');
  t.equal(d.authorizedOperations, 1234);
  const m1 = d.members.find((m) => m.memberId === 'm1')!;
  t.equal(m1.memberEpoch, 1);
  t.equal(m1.clientId, 'client');
  t.equal(m1.clientHost, '/127.0.0.1');
  t.same(m1.subscribedTopicNames, ['a']);
  t.equal(m1.memberType, 1);
  t.same(m1.assignment.topicPartitions, [{ topicId: TOPIC_A, topicName: 'a', partitions: [0, 1, 2, 3, 4, 5] }]);
  t.equal(m1.targetAssignment.topicPartitions[0].partitions.length, 3);
  t.equal(h.manager.describe('g', false, 1234).authorizedOperations, -2147483648);
  const missing = h.manager.describe('none', false, 0);
  t.equal(missing.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  t.equal(missing.errorMessage, 'Group none not found.');
});

t.test('offset commits and fetches are checked against the member epoch', async (t) => {
  const h = new Harness();
  await h.join('m1');
  const g = h.consumer();
  t.equal(g.validateOffsetCommit('m1', null, 1, false, 9), ErrorCode.NONE);
  t.equal(g.validateOffsetCommit('m1', null, 2, false, 9), ErrorCode.STALE_MEMBER_EPOCH);
  t.equal(g.validateOffsetCommit('m1', null, 0, false, 9), ErrorCode.NONE, 'an older epoch is judged per partition');
  t.equal(g.validateOffsetCommitPartition('m1', 0, 'a', 0), ErrorCode.STALE_MEMBER_EPOCH, 'a-0 was assigned at epoch 1');
  t.equal(g.validateOffsetCommit('zz', null, 1, false, 9), ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(g.validateOffsetCommit('m1', null, 1, false, 8), ErrorCode.UNSUPPORTED_VERSION, 'OffsetCommit before v9 from a consumer member');
  t.equal(g.validateOffsetCommit('', null, -1, false, 8), ErrorCode.UNKNOWN_MEMBER_ID, 'an admin commit while members are in the group');
  t.equal(g.validateOffsetCommit('', null, -1, true, 0), ErrorCode.NONE, 'a transactional commit without group metadata');
  t.equal(g.validateOffsetFetch('m1', 1), ErrorCode.NONE);
  t.equal(g.validateOffsetFetch('m1', 3), ErrorCode.STALE_MEMBER_EPOCH);
  t.equal(g.validateOffsetFetch('zz', 1), ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(g.validateOffsetFetch(null, -1), ErrorCode.NONE, 'an admin fetch');
  t.equal(g.validateDeleteGroup(), ErrorCode.NON_EMPTY_GROUP);
  t.ok(g.isSubscribedToTopic('a'));
  t.notOk(g.isSubscribedToTopic('b'));
  await h.hb({ memberId: 'm1', memberEpoch: -1 });
  t.equal(g.validateOffsetCommit('', null, -1, false, 2), ErrorCode.NONE, 'an admin commit to the empty group');
  t.equal(g.validateDeleteGroup(), ErrorCode.NONE);
});

t.test('Kafka 4.4: a commit with an older epoch is fine for partitions the member had since then', async (t) => {
  const h = new Harness();
  await h.join('m1');
  await h.join('m2');
  // m1 gives up three partitions and moves to epoch 2 keeping the others, assigned at epoch 1.
  const r = await h.hb({ memberId: 'm1', memberEpoch: 1, topicPartitions: owned(ALL_A) });
  const kept = flat(r.assignment);
  await h.hb({ memberId: 'm1', memberEpoch: 1, topicPartitions: owned(kept) });
  const g = h.consumer();
  t.equal(g.members.get('m1')!.memberEpoch, 2);
  const keptP = Number(kept[0].split('-')[1]);
  const gone = ALL_A.map((x) => Number(x.split('-')[1])).find((p) => !kept.includes(`a-${p}`))!;
  t.equal(g.validateOffsetCommit('m1', null, 1, false, 9), ErrorCode.NONE);
  t.equal(g.validateOffsetCommitPartition('m1', 1, 'a', keptP), ErrorCode.NONE, 'kept since epoch 1');
  t.equal(g.validateOffsetCommitPartition('m1', 1, 'a', gone), ErrorCode.STALE_MEMBER_EPOCH, 'no longer its partition');
  t.equal(g.validateOffsetCommitPartition('m1', 2, 'a', gone), ErrorCode.NONE, 'the current epoch is not checked per partition');
  // m2 got its partitions at epoch 2: a commit at epoch 1 for them is stale.
  const m2 = await h.hb({ memberId: 'm2', memberEpoch: 2, topicPartitions: [] });
  const p2 = Number(flat(m2.assignment)[0].split('-')[1]);
  await h.hb({ memberId: 'm2', memberEpoch: 2, topicPartitions: owned(flat(m2.assignment)) });
  t.equal(g.members.get('m2')!.assignmentEpochs.get(TOPIC_A)!.get(p2), 2);
  t.equal(h.replayed().consumer().members.get('m2')!.assignmentEpochs.get(TOPIC_A)!.get(p2), 2, 'assignment epochs are in the records');
  t.equal(h.replayed().consumer().members.get('m1')!.assignmentEpochs.get(TOPIC_A)!.get(keptP), 1);
});

t.test("a group's own consumer.session.timeout.ms and consumer.heartbeat.interval.ms (GROUP configs) win over the broker's", async (t) => {
  const own: Record<string, number> = { 'consumer.session.timeout.ms': 20_000, 'consumer.heartbeat.interval.ms': 7000 };
  const h = new Harness({ groupNumber: (groupId, name) => (groupId === 'g' ? own[name] : undefined) });
  const r = await h.join('m1');
  t.equal(r.heartbeatIntervalMs, 7000);
  const other = await h.hb({ groupId: 'other', memberId: 'o', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['a'], topicPartitions: [] });
  t.equal(other.heartbeatIntervalMs, 5000, 'another group: the broker value');
  h.clock.advance(20_000);
  await Promise.resolve();
  t.equal(h.consumer().members.size, 0, 'fenced after the group session timeout');
  t.equal(h.consumer('other').members.size, 1, 'the other group keeps the 45 s one');
});
