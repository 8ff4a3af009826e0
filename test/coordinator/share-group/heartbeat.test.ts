// ShareGroupHeartbeat in the group coordinator (KIP-932) on a ManualClock: join, share partition
// initialization through the Persister, assignment by the simple assignor, epochs and their errors,
// leave, session expiry, group.share.max.size, and what a reload rebuilds from the records.
import t from 'tap';
import { ErrorCode as E } from '../../../src/protocol/errors.js';
import { ClassicGroup } from '../../../src/coordinator/group/classic/group.js';
import { CLIENT, byName, hb, shareFixture, shareGroupOf, until } from './fixture.js';

t.test('a member joins at epoch 0, its share partitions are initialized, the next heartbeat assigns them', async (t) => {
  const f = await shareFixture(t);
  await f.broker.broker.createTopic('orders', 3, {});
  const ordersId = f.broker.broker.topics.get('orders')!.topicId;
  const s = f.coordinator.shareGroups;

  const join = await s.heartbeat(hb('g', 'm1', 0, ['orders']), CLIENT);
  t.equal(join.errorCode, E.NONE);
  t.equal(join.memberId, 'm1');
  t.equal(join.memberEpoch, 1, 'the group epoch after the join');
  t.equal(join.heartbeatIntervalMs, 5000, 'group.share.heartbeat.interval.ms');
  t.same(join.assignment, { topicPartitions: [] }, 'nothing is initialized yet, so nothing is assigned');

  // The Persister is asked for every partition, at the group epoch, start offset -1 (share.auto.offset.reset decides).
  await until(() => shareGroupOf(f.coordinator, 'g').statePartitions?.initialized.size === 1, 'partitions initialized');
  t.same(
    f.persister.calls.map((c) => [c.op, c.key, c.stateEpoch, c.startOffset]).sort(),
    [0, 1, 2].map((p) => ['initialize', `g:${ordersId}:${p}`, 1, -1]),
  );

  f.clock.advance(5000);
  const next = await s.heartbeat(hb('g', 'm1', 1), CLIENT);
  t.equal(next.errorCode, E.NONE);
  t.equal(next.memberEpoch, 2, 'initialized partitions waiting to be assigned bump the epoch');
  t.same(byName(f.broker, next.assignment), { orders: [0, 1, 2] });

  // Nothing changed: the same epoch and no assignment in the answer.
  const quiet = await s.heartbeat(hb('g', 'm1', 2), CLIENT);
  t.equal(quiet.memberEpoch, 2);
  t.equal(quiet.assignment, null);

  const [d] = await s.describe(['g'], false);
  t.equal(d.errorCode, E.NONE);
  t.equal(d.groupState, 'Stable');
  t.equal(d.groupEpoch, 2);
  t.equal(d.assignmentEpoch, 2);
  t.equal(d.assignorName, 'simple');
  t.same(
    d.members.map((m) => ({ id: m.memberId, epoch: m.memberEpoch, client: m.clientId, host: m.clientHost, subs: m.subscribedTopicNames, a: m.assignment.topicPartitions })),
    [{ id: 'm1', epoch: 2, client: 'share-client', host: '/127.0.0.1', subs: ['orders'], a: [{ topicId: ordersId, topicName: 'orders', partitions: [0, 1, 2] }] }],
  );
});

t.test('two members share the partitions as the simple assignor does', async (t) => {
  const f = await shareFixture(t);
  await f.broker.broker.createTopic('tp', 3, {});
  const s = f.coordinator.shareGroups;
  await s.heartbeat(hb('g', 'a', 0, ['tp']), CLIENT);
  await until(() => shareGroupOf(f.coordinator, 'g').statePartitions?.initialized.size === 1, 'initialized');
  f.clock.advance(2000);
  t.same(byName(f.broker, (await s.heartbeat(hb('g', 'a', 1), CLIENT)).assignment), { tp: [0, 1, 2] });

  const b = await s.heartbeat(hb('g', 'b', 0, ['tp']), CLIENT);
  t.equal(shareGroupOf(f.coordinator, 'g').groupEpoch, 3, 'a new subscription bumps the group epoch');
  // The last assignment was computed less than group.share.assignment.interval.ms ago: b gets the current one (nothing) for now.
  t.same([b.memberEpoch, b.assignment], [2, { topicPartitions: [] }]);
  f.clock.advance(2000);
  const a = await s.heartbeat(hb('g', 'a', 2), CLIENT);
  t.equal(a.memberEpoch, 3, 'the assignment of epoch 3');
  const b2 = await s.heartbeat(hb('g', 'b', 2), CLIENT);
  t.equal(b2.memberEpoch, 3);
  // 2 members, 3 partitions: each partition once; one member gets 2, the other 1, and together all 3.
  const pa = byName(f.broker, a.assignment)?.tp ?? [];
  const pb = byName(f.broker, b2.assignment)?.tp ?? [];
  t.same([pa.length, pb.length].sort(), [1, 2], `a ${pa} b ${pb}`);
  t.same([...pa, ...pb].sort(), [0, 1, 2]);

  // Four members on one partition all share it.
  await f.broker.broker.createTopic('one', 1, {});
  for (const m of ['w', 'x', 'y', 'z']) await s.heartbeat(hb('h', m, 0, ['one']), CLIENT);
  await until(() => shareGroupOf(f.coordinator, 'h').statePartitions?.initialized.size === 1, 'initialized');
  f.clock.advance(2000);
  const epochs = new Map<string, number>();
  for (const m of ['w', 'x', 'y', 'z']) epochs.set(m, shareGroupOf(f.coordinator, 'h').members.get(m)!.memberEpoch);
  for (const m of ['w', 'x', 'y', 'z']) {
    const r = await s.heartbeat(hb('h', m, epochs.get(m)!), CLIENT);
    t.same(byName(f.broker, r.assignment), { one: [0] }, `${m} shares partition 0`);
  }
});

t.test('epochs: fenced when ahead or behind (the previous epoch is still accepted); unknown members and groups', async (t) => {
  const f = await shareFixture(t);
  await f.broker.broker.createTopic('e', 1, {});
  const s = f.coordinator.shareGroups;
  await s.heartbeat(hb('g', 'm', 0, ['e']), CLIENT);
  await until(() => shareGroupOf(f.coordinator, 'g').statePartitions?.initialized.size === 1, 'initialized');
  f.clock.advance(2000);
  t.equal((await s.heartbeat(hb('g', 'm', 1), CLIENT)).memberEpoch, 2);

  const ahead = await s.heartbeat(hb('g', 'm', 5), CLIENT);
  t.equal(ahead.errorCode, E.FENCED_MEMBER_EPOCH);
  t.equal(ahead.errorMessage, 'The share group member has a greater member epoch (5) than the one known by the group coordinator (2). The member must abandon all its partitions and rejoin.');
  t.equal((await s.heartbeat(hb('g', 'm', 1), CLIENT)).errorCode, E.NONE, 'the previous epoch: the answer with the new one may have been lost');
  const behind = await s.heartbeat(hb('g', 'm', 0, ['e']), CLIENT);
  t.equal(behind.errorCode, E.FENCED_MEMBER_EPOCH);
  t.equal(behind.errorMessage, 'The share group member has a smaller member epoch (0) than the one known by the group coordinator (2), and it does not match the previous member epoch (1). The member must abandon all its partitions and rejoin.');

  const stranger = await s.heartbeat(hb('g', 'nobody', 2), CLIENT);
  t.equal(stranger.errorCode, E.UNKNOWN_MEMBER_ID);
  t.equal(stranger.errorMessage, 'Member nobody is not a member of group g.');
  const noGroup = await s.heartbeat(hb('missing', 'm', 3), CLIENT);
  t.equal(noGroup.errorCode, E.GROUP_ID_NOT_FOUND);
  t.equal(noGroup.errorMessage, 'Share group missing not found.');

  // A classic group of the same name is not a share group.
  f.coordinator.addGroup(new ClassicGroup('classic', 'Empty', f.clock.now()));
  const other = await s.heartbeat(hb('classic', 'm', 0, ['e']), CLIENT);
  t.equal(other.errorCode, E.GROUP_ID_NOT_FOUND);
  t.equal(other.errorMessage, 'Group classic is not a share group.');
});

t.test('invalid requests are INVALID_REQUEST with Kafka messages', async (t) => {
  const f = await shareFixture(t);
  const s = f.coordinator.shareGroups;
  const cases: [Parameters<typeof hb>, string][] = [
    [['g', '', 0, ['t']], "MemberId can't be empty."],
    [['', 'm', 0, ['t']], "GroupId can't be empty."],
    [['g', 'm', 0, ['t'], ''], "RackId can't be empty."],
    [['g', 'm', 0, null], 'SubscribedTopicNames must be set in first request.'],
    [['g', 'm', 0, []], 'SubscribedTopicNames must be set in first request.'],
    [['g', 'm', -2, null], 'MemberEpoch is invalid.'],
  ];
  for (const [args, message] of cases) {
    const r = await s.heartbeat(hb(...args), CLIENT);
    t.same([r.errorCode, r.errorMessage], [E.INVALID_REQUEST, message], message);
  }
});

t.test('leaving (epoch -1) and session expiry remove the member and bump the group epoch', async (t) => {
  const f = await shareFixture(t, { 'group.share.session.timeout.ms': '45000' });
  await f.broker.broker.createTopic('l', 2, {});
  const s = f.coordinator.shareGroups;
  await s.heartbeat(hb('g', 'a', 0, ['l']), CLIENT);
  await s.heartbeat(hb('g', 'b', 0, ['l']), CLIENT);
  const g = shareGroupOf(f.coordinator, 'g');
  const before = g.groupEpoch;

  const left = await s.heartbeat(hb('g', 'a', -1), CLIENT);
  t.same([left.errorCode, left.memberId, left.memberEpoch], [E.NONE, 'a', -1]);
  t.same([...g.members.keys()], ['b']);
  t.equal(g.groupEpoch, before + 1);
  t.equal((await s.heartbeat(hb('g', 'a', -1), CLIENT)).errorCode, E.UNKNOWN_MEMBER_ID, 'leaving twice');

  // b stops heartbeating: fenced after the session timeout, and the group is Empty.
  f.clock.advance(44_000);
  t.ok(g.members.has('b'), 'still there before the timeout');
  f.clock.advance(2_000);
  await until(() => g.members.size === 0, 'b fenced');
  t.equal(g.stateName(), 'Empty');
  t.equal(g.groupEpoch, before + 2);
  const [d] = await s.describe(['g'], true);
  t.same([d.groupState, d.members.length, d.authorizedOperations], ['Empty', 0, (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11)]);
});

t.test('group.share.max.size refuses a new member with GROUP_MAX_SIZE_REACHED', async (t) => {
  const f = await shareFixture(t, { 'group.share.max.size': '1' });
  await f.broker.broker.createTopic('x', 1, {});
  const s = f.coordinator.shareGroups;
  t.equal((await s.heartbeat(hb('g', 'a', 0, ['x']), CLIENT)).errorCode, E.NONE);
  const full = await s.heartbeat(hb('g', 'b', 0, ['x']), CLIENT);
  t.same([full.errorCode, full.errorMessage], [E.GROUP_MAX_SIZE_REACHED, 'The share group has reached its maximum capacity of 1 members.']);
  t.equal((await s.heartbeat(hb('g', 'a', 1), CLIENT)).errorCode, E.NONE, 'a member already in still heartbeats');
});

t.test('a failed initialization is retried by a later heartbeat; a reload rebuilds the group from its records', async (t) => {
  const f = await shareFixture(t);
  await f.broker.broker.createTopic('r', 2, {});
  const s = f.coordinator.shareGroups;
  f.persister.failWith = E.COORDINATOR_NOT_AVAILABLE;
  await s.heartbeat(hb('g', 'm', 0, ['r'], 'rack-1'), CLIENT);
  const g = shareGroupOf(f.coordinator, 'g');
  await until(() => f.persister.calls.length === 2 && g.statePartitions?.initializing.size === 0, 'initializing dropped after the error');
  t.equal(g.statePartitions?.initialized.size, 0);

  f.persister.failWith = E.NONE;
  f.clock.advance(5000);
  await s.heartbeat(hb('g', 'm', 1), CLIENT);
  await until(() => g.statePartitions?.initialized.size === 1, 'initialized on retry');
  f.clock.advance(5000);
  const r = await s.heartbeat(hb('g', 'm', 1), CLIENT);
  t.same(byName(f.broker, r.assignment), { r: [0, 1] });

  const again = await f.reload();
  const g2 = shareGroupOf(again, 'g');
  t.equal(g2.groupEpoch, g.groupEpoch);
  t.equal(g2.assignmentEpoch, g.assignmentEpoch);
  t.equal(g2.metadataHash, g.metadataHash);
  const m = g2.members.get('m')!;
  t.same([m.memberEpoch, m.previousMemberEpoch, m.rackId, m.clientId, m.clientHost, [...m.subscribedTopicNames]], [r.memberEpoch, 1, 'rack-1', 'share-client', '/127.0.0.1', ['r']]);
  t.same([...g2.targetAssignment.get('m')!.values()].map((ps) => [...ps].sort()), [[0, 1]]);
  t.same([...g2.statePartitions!.initialized.values()].map((v) => [v.name, [...v.partitions].sort()]), [['r', [0, 1]]]);
  // The reloaded coordinator serves the member at its epoch.
  t.equal((await again.shareGroups.heartbeat(hb('g', 'm', r.memberEpoch), CLIENT)).errorCode, E.NONE);
  // A member loaded gets a session: without heartbeats it is fenced (the other coordinators closed, their timers gone).
  await f.coordinator.close();
  await again.close();
  const third = await f.reload();
  const g3 = shareGroupOf(third, 'g');
  t.ok(g3.members.has('m'));
  f.clock.advance(44_000);
  t.ok(g3.members.has('m'), 'within the session timeout');
  f.clock.advance(2_000);
  await until(() => g3.members.size === 0, 'the loaded member fenced');
  t.equal(g3.stateName(), 'Empty');
});

t.test('a topic created after the subscription is initialized and assigned once it exists', async (t) => {
  const f = await shareFixture(t);
  const s = f.coordinator.shareGroups;
  const first = await s.heartbeat(hb('g', 'm', 0, ['later']), CLIENT);
  t.same([first.errorCode, first.assignment], [E.NONE, { topicPartitions: [] }]);
  await f.broker.broker.createTopic('later', 1, {});
  f.clock.advance(5000);
  const seen = await s.heartbeat(hb('g', 'm', first.memberEpoch), CLIENT);
  t.equal(seen.memberEpoch, first.memberEpoch + 1, 'the subscribed topics changed: a new epoch');
  await until(() => shareGroupOf(f.coordinator, 'g').statePartitions?.initialized.size === 1, 'initialized');
  f.clock.advance(5000);
  const assigned = await s.heartbeat(hb('g', 'm', seen.memberEpoch), CLIENT);
  t.same(byName(f.broker, assigned.assignment), { later: [0] });
});

t.test('a subscribed topic deleted and created again: no epoch storm, the new topic is initialized and assigned', async (t) => {
  const f = await shareFixture(t);
  await f.broker.broker.createTopic('d', 1, {});
  const s = f.coordinator.shareGroups;
  let r = await s.heartbeat(hb('g', 'm', 0, ['d']), CLIENT);
  const g = shareGroupOf(f.coordinator, 'g');
  await until(() => g.statePartitions?.initialized.size === 1, 'initialized');
  f.clock.advance(5000);
  r = await s.heartbeat(hb('g', 'm', r.memberEpoch), CLIENT);
  t.same(byName(f.broker, r.assignment), { d: [0] });

  const { ZERO_UUID } = await import('../../../src/metadata/uuid.js');
  const [deleted] = await f.broker.broker.controller.deleteTopics([{ name: 'd', topicId: ZERO_UUID }]);
  t.equal(deleted.errorCode, E.NONE);
  f.clock.advance(5000);
  r = await s.heartbeat(hb('g', 'm', r.memberEpoch), CLIENT);
  const afterDelete = r.memberEpoch;
  t.same(r.assignment, { topicPartitions: [] }, 'the deleted topic is no longer assigned');
  t.same([g.statePartitions!.initialized.size, g.statePartitions!.initializing.size], [0, 0], 'and no longer in the share-state metadata');
  f.clock.advance(5000);
  r = await s.heartbeat(hb('g', 'm', r.memberEpoch), CLIENT);
  t.equal(r.memberEpoch, afterDelete, 'no new epoch while nothing changes');

  await f.broker.broker.createTopic('d', 1, {});
  const newId = f.broker.broker.topics.get('d')!.topicId;
  f.clock.advance(5000);
  r = await s.heartbeat(hb('g', 'm', r.memberEpoch), CLIENT);
  await until(() => g.statePartitions?.initialized.has(newId) === true, 'the new topic initialized');
  t.same(f.persister.calls.filter((c) => c.key.includes(newId)).map((c) => c.startOffset), [-1], 'a new topic: the start offset is left to share.auto.offset.reset');
  f.clock.advance(5000);
  r = await s.heartbeat(hb('g', 'm', r.memberEpoch), CLIENT);
  t.same(r.assignment?.topicPartitions, [{ topicId: newId, partitions: [0] }]);
  const settled = r.memberEpoch;
  f.clock.advance(5000);
  t.equal((await s.heartbeat(hb('g', 'm', settled), CLIENT)).memberEpoch, settled, 'stable again');
});

t.test('partitions added to a subscribed topic are initialized at offset 0 and assigned', async (t) => {
  const f = await shareFixture(t);
  await f.broker.broker.createTopic('grow', 1, {});
  const id = f.broker.broker.topics.get('grow')!.topicId;
  const s = f.coordinator.shareGroups;
  let r = await s.heartbeat(hb('g', 'm', 0, ['grow']), CLIENT);
  const g = shareGroupOf(f.coordinator, 'g');
  await until(() => g.statePartitions?.initialized.get(id)?.partitions.size === 1, 'partition 0 initialized');
  f.clock.advance(5000);
  r = await s.heartbeat(hb('g', 'm', r.memberEpoch), CLIENT);
  t.same(byName(f.broker, r.assignment), { grow: [0] });

  const [grown] = await f.broker.broker.controller.createPartitions([{ name: 'grow', count: 3, assignments: null }], false);
  t.equal(grown.errorCode, E.NONE);
  f.clock.advance(5000);
  const bumped = await s.heartbeat(hb('g', 'm', r.memberEpoch), CLIENT);
  t.equal(bumped.memberEpoch, r.memberEpoch + 1, 'the subscribed topic changed: a new epoch');
  await until(() => g.statePartitions?.initialized.get(id)?.partitions.size === 3, 'partitions 1 and 2 initialized');
  // Records of partitions added later are all new to the group: Kafka 4.4 starts them at 0, not at share.auto.offset.reset.
  t.same(
    f.persister.calls.filter((c) => c.op === 'initialize').map((c) => [c.key.split(':')[2], c.startOffset]).sort(),
    [['0', -1], ['1', 0], ['2', 0]],
  );
  f.clock.advance(5000);
  r = await s.heartbeat(hb('g', 'm', bumped.memberEpoch), CLIENT);
  t.same(byName(f.broker, r.assignment), { grow: [0, 1, 2] });
});
