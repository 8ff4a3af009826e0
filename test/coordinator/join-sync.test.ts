// The classic group protocol request by request: MEMBER_ID_REQUIRED, leader election, protocol
// selection, the leader's assignment handed out by SyncGroup, generation fencing, and the error
// code Kafka returns for each illegal step.
import t from 'tap';
import { GroupWire, groupBroker, E } from './group-wire.js';

const meta = (s: string) => Buffer.from(s);

/** Heartbeats as a member would until the coordinator asks it to rejoin. */
async function untilRebalancing(c: GroupWire, groupId: string, generationId: number, memberId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await c.heartbeat(3, { groupId, generationId, memberId })) === E.REBALANCE_IN_PROGRESS) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${memberId} never saw REBALANCE_IN_PROGRESS`);
}

t.test('a first JoinGroup (v4+) gets MEMBER_ID_REQUIRED and an id; the rejoin forms generation 1', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  const first = await c.join(5, { groupId: 'g' });
  t.equal(first.errorCode, E.MEMBER_ID_REQUIRED);
  t.match(first.memberId, /^samsa-wire-test-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'client id, "-", a UUID');
  t.equal(first.generationId, -1);
  t.equal(first.leader, '');
  t.same(first.members, []);
  t.equal(first.protocolName, '', 'v5 cannot send a null protocol name');

  const joined = await c.join(5, { groupId: 'g', memberId: first.memberId, protocols: [{ name: 'range', metadata: meta('m1') }] });
  t.equal(joined.errorCode, E.NONE);
  t.equal(joined.generationId, 1);
  t.equal(joined.memberId, first.memberId);
  t.equal(joined.leader, first.memberId, 'the only member leads');
  t.equal(joined.protocolName, 'range');
  t.same(joined.members.map((m) => [m.memberId, m.groupInstanceId, m.metadata.toString()]), [[first.memberId, null, 'm1']]);

  const synced = await c.sync(3, {
    groupId: 'g',
    generationId: 1,
    memberId: first.memberId,
    assignments: [{ memberId: first.memberId, assignment: Buffer.from('mine') }],
  });
  t.equal(synced.errorCode, E.NONE);
  t.equal(synced.assignment.toString(), 'mine');
  t.equal(await c.heartbeat(3, { groupId: 'g', generationId: 1, memberId: first.memberId }), E.NONE);
});

t.test('JoinGroup v7+ sends protocol type and name, null on errors; v9 skipAssignment false for a normal join', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  const first = await c.join(9, { groupId: 'g9' });
  t.equal(first.errorCode, E.MEMBER_ID_REQUIRED);
  t.equal(first.protocolName, null);
  t.equal(first.protocolType, null);
  const joined = await c.join(9, { groupId: 'g9', memberId: first.memberId });
  t.equal(joined.protocolType, 'consumer');
  t.equal(joined.protocolName, 'range');
  t.equal(joined.skipAssignment, false);
});

t.test('JoinGroup v0-v3 join at once without MEMBER_ID_REQUIRED', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  for (const v of [0, 1, 2, 3]) {
    const res = await c.join(v, { groupId: `old-${v}` });
    t.equal(res.errorCode, E.NONE, `v${v}`);
    t.equal(res.generationId, 1, `v${v}`);
    t.not(res.memberId, '', `v${v}`);
  }
});

t.test('JoinGroup errors', async (t) => {
  const b = await groupBroker(t, { 'group.min.session.timeout.ms': '6000', 'group.max.session.timeout.ms': '60000' });
  const c = await GroupWire.connect(t, b);
  t.equal((await c.join(5, { groupId: '' })).errorCode, E.INVALID_GROUP_ID, 'empty group id');
  t.equal((await c.join(5, { groupId: 'e', sessionTimeoutMs: 5999 })).errorCode, E.INVALID_SESSION_TIMEOUT, 'below group.min.session.timeout.ms');
  t.equal((await c.join(5, { groupId: 'e', sessionTimeoutMs: 60001 })).errorCode, E.INVALID_SESSION_TIMEOUT, 'above group.max.session.timeout.ms');
  const stale = await c.join(5, { groupId: 'nope', memberId: 'ghost', sessionTimeoutMs: 6000 });
  t.equal(stale.errorCode, E.UNKNOWN_MEMBER_ID, 'a member id for a group that does not exist');
  t.equal(stale.memberId, 'ghost');
  t.equal((await c.join(5, { groupId: 'e', sessionTimeoutMs: 6000, protocolType: '' })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL, 'empty protocol type');
  t.equal((await c.join(5, { groupId: 'e2', sessionTimeoutMs: 6000, protocols: [] })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL, 'no protocols');

  const m = await c.joinFully({ groupId: 'p', sessionTimeoutMs: 6000 });
  t.equal(m.errorCode, E.NONE);
  const other = await GroupWire.connect(t, b);
  t.equal(
    (await other.join(5, { groupId: 'p', sessionTimeoutMs: 6000, protocolType: 'connect' })).errorCode,
    E.INCONSISTENT_GROUP_PROTOCOL,
    'another protocol type',
  );
  t.equal(
    (await other.join(5, { groupId: 'p', sessionTimeoutMs: 6000, protocols: [{ name: 'sticky', metadata: meta('x') }] })).errorCode,
    E.INCONSISTENT_GROUP_PROTOCOL,
    'no protocol in common with the members',
  );
  t.equal((await other.join(5, { groupId: 'p', memberId: 'nobody', sessionTimeoutMs: 6000 })).errorCode, E.UNKNOWN_MEMBER_ID, 'unknown member id');
});

t.test('two members: the first leads, the leader sees every member, followers wait for its assignment', async (t) => {
  const b = await groupBroker(t);
  const a = await GroupWire.connect(t, b);
  const c = await GroupWire.connect(t, b);
  const ja = await a.joinFully({ groupId: 'two', protocols: [{ name: 'range', metadata: meta('A') }] });
  await a.sync(3, { groupId: 'two', generationId: 1, memberId: ja.memberId, assignments: [{ memberId: ja.memberId, assignment: meta('all') }] });

  // B joins: the Stable group starts rebalancing; A learns it from its heartbeat and rejoins.
  const idB = (await c.join(5, { groupId: 'two' })).memberId;
  const joinB = c.join(5, { groupId: 'two', memberId: idB, protocols: [{ name: 'range', metadata: meta('B') }] });
  await untilRebalancing(a, 'two', 1, ja.memberId);
  t.equal(
    (await a.sync(3, { groupId: 'two', generationId: 1, memberId: ja.memberId })).errorCode,
    E.REBALANCE_IN_PROGRESS,
    'SyncGroup while PreparingRebalance',
  );
  const rejoinA = await a.join(5, { groupId: 'two', memberId: ja.memberId, protocols: [{ name: 'range', metadata: meta('A') }] });
  const jb = await joinB;
  t.equal(rejoinA.generationId, 2);
  t.equal(jb.generationId, 2);
  t.equal(rejoinA.leader, ja.memberId, 'the leader keeps leading');
  t.equal(jb.leader, ja.memberId);
  t.same(
    rejoinA.members.map((m) => [m.memberId, m.metadata.toString()]),
    [
      [ja.memberId, 'A'],
      [idB, 'B'],
    ],
  );
  t.same(jb.members, [], 'followers get no member list');

  // The follower's SyncGroup waits for the leader's.
  let bSynced = false;
  const syncB = c.sync(3, { groupId: 'two', generationId: 2, memberId: idB }).then((r) => ((bSynced = true), r));
  await new Promise((r) => setTimeout(r, 100));
  t.notOk(bSynced, 'the follower waits for the leader');
  // (On another connection: responses on one connection leave in request order.)
  const c2 = await GroupWire.connect(t, b);
  t.equal(await c2.heartbeat(3, { groupId: 'two', generationId: 2, memberId: idB }), E.NONE, 'heartbeats are fine while CompletingRebalance');
  const syncA = await a.sync(3, {
    groupId: 'two',
    generationId: 2,
    memberId: ja.memberId,
    assignments: [
      { memberId: ja.memberId, assignment: meta('for-A') },
      { memberId: idB, assignment: meta('for-B') },
    ],
  });
  t.equal(syncA.assignment.toString(), 'for-A');
  t.equal((await syncB).assignment.toString(), 'for-B');

  // Generation fencing.
  t.equal(await c.heartbeat(3, { groupId: 'two', generationId: 1, memberId: idB }), E.ILLEGAL_GENERATION);
  t.equal((await c.sync(3, { groupId: 'two', generationId: 1, memberId: idB })).errorCode, E.ILLEGAL_GENERATION);
  t.equal(await c.heartbeat(3, { groupId: 'two', generationId: 2, memberId: 'nobody' }), E.UNKNOWN_MEMBER_ID);
  t.equal((await c.sync(3, { groupId: 'two', generationId: 2, memberId: 'nobody' })).errorCode, E.UNKNOWN_MEMBER_ID);
  t.equal(await c.heartbeat(3, { groupId: 'elsewhere', generationId: 2, memberId: idB }), E.UNKNOWN_MEMBER_ID, 'group does not exist');
  t.equal((await c.sync(3, { groupId: 'elsewhere', generationId: 2, memberId: idB })).errorCode, E.UNKNOWN_MEMBER_ID);
  t.equal(await c.heartbeat(3, { groupId: '', generationId: 2, memberId: idB }), E.INVALID_GROUP_ID);
  t.equal((await c.sync(3, { groupId: '', generationId: 2, memberId: idB })).errorCode, E.INVALID_GROUP_ID);

  // A Stable follower rejoining with the same metadata gets the current generation back.
  const again = await c.join(5, { groupId: 'two', memberId: idB, protocols: [{ name: 'range', metadata: meta('B') }] });
  t.equal(again.generationId, 2);
  t.equal(await a.heartbeat(3, { groupId: 'two', generationId: 2, memberId: ja.memberId }), E.NONE, 'no rebalance for that');
  const stableSync = await c.sync(3, { groupId: 'two', generationId: 2, memberId: idB });
  t.equal(stableSync.assignment.toString(), 'for-B', 'SyncGroup in Stable returns the current assignment');
});

t.test('SyncGroup v5 checks protocol type and name (KIP-559); members left out get an empty assignment', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  const j = await c.joinFully({ groupId: 's5' });
  const base = { groupId: 's5', generationId: 1, memberId: j.memberId };
  t.equal((await c.sync(5, { ...base, protocolType: null, protocolName: 'range' })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL, 'null type');
  t.equal((await c.sync(5, { ...base, protocolType: 'consumer', protocolName: null })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL, 'null name');
  t.equal((await c.sync(5, { ...base, protocolType: 'consumer', protocolName: 'roundrobin' })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL, 'other name');
  t.equal((await c.sync(5, { ...base, protocolType: 'connect', protocolName: 'range' })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL, 'other type');
  const ok = await c.sync(5, { ...base, protocolType: 'consumer', protocolName: 'range', assignments: [] });
  t.equal(ok.errorCode, E.NONE);
  t.equal(ok.protocolType, 'consumer');
  t.equal(ok.protocolName, 'range');
  t.equal(ok.assignment.length, 0, 'no assignment given: empty');
});

t.test('protocol selection: only protocols every member supports, the most preferred wins', async (t) => {
  // An initial delay long enough for the three joins to form one generation.
  const b = await groupBroker(t, { 'group.initial.rebalance.delay.ms': '300' });
  const conns = [await GroupWire.connect(t, b), await GroupWire.connect(t, b), await GroupWire.connect(t, b)];
  const prefs = [
    ['x', 'y', 'z'],
    ['y', 'x', 'z'],
    ['y', 'z'],
  ];
  const ids: string[] = [];
  for (const c of conns) ids.push((await c.join(5, { groupId: 'vote' })).memberId);
  const results = await Promise.all(
    conns.map((c, i) => c.join(5, { groupId: 'vote', memberId: ids[i], protocols: prefs[i].map((name) => ({ name, metadata: meta(name + i) })) })),
  );
  for (const r of results) {
    t.equal(r.errorCode, E.NONE);
    t.equal(r.generationId, 1, 'one generation holds all three');
    // x is not supported by member 2; y gets two votes, z none.
    t.equal(r.protocolName, 'y');
  }
  const leader = results.find((r) => r.members.length > 0)!;
  t.equal(leader.memberId, ids[0], 'the first member to join leads');
  t.same(
    leader.members.map((m) => [m.memberId, m.metadata.toString()]),
    ids.map((id, i) => [id, 'y' + i]),
    "the leader sees each member's metadata for the selected protocol",
  );
});

t.test('LeaveGroup: v0-2 one member, v3+ batches, static members by instance id, unknown groups', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  t.equal((await c.leave(1, { groupId: 'none', memberId: 'm' })).errorCode, E.UNKNOWN_MEMBER_ID, 'v1, unknown group');
  const v3 = await c.leave(3, { groupId: 'none', members: [{ memberId: 'm', groupInstanceId: null }] });
  t.equal(v3.errorCode, E.NONE, 'v3, unknown group: top level NONE');
  t.same(v3.members, [{ memberId: 'm', groupInstanceId: null, errorCode: E.UNKNOWN_MEMBER_ID }]);
  t.equal((await c.leave(3, { groupId: '', members: [] })).errorCode, E.INVALID_GROUP_ID);

  const a = await c.joinFully({ groupId: 'lg' });
  const d = await GroupWire.connect(t, b);
  // The static member's join starts a rebalance; A's rejoin completes it.
  const joining = d.join(5, { groupId: 'lg', groupInstanceId: 'static-1' });
  await untilRebalancing(c, 'lg', 1, a.memberId);
  const ra = await c.join(5, { groupId: 'lg', memberId: a.memberId });
  const s = await joining;
  t.equal(s.errorCode, E.NONE, 'static members need no MEMBER_ID_REQUIRED round');
  t.match(s.memberId, /^static-1-/, 'a static member id starts with the instance id');
  t.equal(ra.generationId, 2);
  t.equal(s.generationId, 2);
  const batch = await c.leave(5, {
    groupId: 'lg',
    members: [
      { memberId: a.memberId, groupInstanceId: null, reason: 'bye' },
      { memberId: 'ghost', groupInstanceId: null, reason: null },
      { memberId: 'wrong-id', groupInstanceId: 'static-1', reason: null },
      { memberId: '', groupInstanceId: 'nobody', reason: null },
    ],
  });
  t.same(batch.members, [
    { memberId: a.memberId, groupInstanceId: null, errorCode: E.NONE },
    { memberId: 'ghost', groupInstanceId: null, errorCode: E.UNKNOWN_MEMBER_ID },
    { memberId: 'wrong-id', groupInstanceId: 'static-1', errorCode: E.FENCED_INSTANCE_ID },
    { memberId: '', groupInstanceId: 'nobody', errorCode: E.UNKNOWN_MEMBER_ID },
  ]);
  const byInstance = await c.leave(4, { groupId: 'lg', members: [{ memberId: '', groupInstanceId: 'static-1' }] });
  t.same(byInstance.members, [{ memberId: '', groupInstanceId: 'static-1', errorCode: E.NONE }], 'admin removal by instance id');
  const described = await c.describe(5, ['lg']);
  t.equal(described.groups[0].groupState, 'Empty');
  t.same(described.groups[0].members, []);
});

t.test('the last member leaving empties the group and bumps the generation', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  const j = await c.joinFully({ groupId: 'last' });
  await c.sync(3, { groupId: 'last', generationId: 1, memberId: j.memberId });
  t.equal((await c.leave(2, { groupId: 'last', memberId: j.memberId })).errorCode, E.NONE);
  t.equal(await c.heartbeat(3, { groupId: 'last', generationId: 1, memberId: j.memberId }), E.UNKNOWN_MEMBER_ID);
  t.equal((await c.leave(2, { groupId: 'last', memberId: j.memberId })).errorCode, E.UNKNOWN_MEMBER_ID, 'leaving twice');
  // The group is Empty at generation 2: commits from outside group management are accepted again.
  const d = await c.describe(1, ['last']);
  t.equal(d.groups[0].groupState, 'Empty');
  t.equal((await c.join(5, { groupId: 'last', memberId: j.memberId })).errorCode, E.UNKNOWN_MEMBER_ID, 'rejoining an Empty group with an old id');
  const again = await c.joinFully({ groupId: 'last' });
  t.equal(again.generationId, 3, 'the next generation after the empty one');
});

t.test('group.max.size turns away members beyond it (GROUP_MAX_SIZE_REACHED)', async (t) => {
  const b = await groupBroker(t, { 'group.max.size': '1' });
  const c = await GroupWire.connect(t, b);
  const j = await c.joinFully({ groupId: 'small' });
  await c.sync(3, { groupId: 'small', generationId: 1, memberId: j.memberId });
  const d = await GroupWire.connect(t, b);
  const refused = await d.join(5, { groupId: 'small' });
  t.equal(refused.errorCode, 81, 'GROUP_MAX_SIZE_REACHED');
  t.equal(refused.memberId, '');
  t.equal(await c.heartbeat(3, { groupId: 'small', generationId: 1, memberId: j.memberId }), E.NONE, 'the member inside is undisturbed');
});
