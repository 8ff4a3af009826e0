// KIP-345 static membership: a member rejoining with its group.instance.id takes over its old
// identity without a rebalance, its previous incarnation is fenced (FENCED_INSTANCE_ID), and
// KIP-814 lets a returning static leader skip the assignment (JoinGroup v9).
import t, { type Test } from 'tap';
import { GroupWire, groupBroker, E } from './group-wire.js';

async function untilRebalancing(c: GroupWire, groupId: string, generationId: number, memberId: string, groupInstanceId: string | null = null) {
  for (let i = 0; i < 200; i++) {
    if ((await c.heartbeat(3, { groupId, generationId, memberId, groupInstanceId })) === E.REBALANCE_IN_PROGRESS) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no rebalance');
}

/** Two static members, ia (leader) and ib, Stable at generation 2 with assignments "A" and "B". */
async function twoStatic(t: Test, groupId: string, version = 5) {
  const b = await groupBroker(t);
  const a = await GroupWire.connect(t, b);
  const c = await GroupWire.connect(t, b);
  const body = { groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5000 };
  const ja1 = await a.join(version, { ...body, groupInstanceId: 'ia' });
  const joinB = c.join(version, { ...body, groupInstanceId: 'ib' });
  await untilRebalancing(a, groupId, ja1.generationId, ja1.memberId, 'ia');
  const ja = await a.join(version, { ...body, memberId: ja1.memberId, groupInstanceId: 'ia' });
  const jb = await joinB;
  t.equal(ja.generationId, 2);
  t.equal(ja.leader, ja.memberId);
  const syncB = c.sync(3, { groupId, generationId: 2, memberId: jb.memberId, groupInstanceId: 'ib' });
  await a.sync(3, {
    groupId,
    generationId: 2,
    memberId: ja.memberId,
    groupInstanceId: 'ia',
    assignments: [
      { memberId: ja.memberId, assignment: Buffer.from('A') },
      { memberId: jb.memberId, assignment: Buffer.from('B') },
    ],
  });
  t.equal((await syncB).assignment.toString(), 'B');
  return { b, a, c, idA: ja.memberId, idB: jb.memberId, body };
}

t.test('a static member restarting within its session gets its assignment back without a rebalance', async (t) => {
  const { b, a, c, idA, idB, body } = await twoStatic(t, 'st');
  // B "restarts": a new connection, no member id, the same instance id.
  const b2 = await GroupWire.connect(t, b);
  const rejoin = await b2.join(5, { ...body, groupInstanceId: 'ib' });
  t.equal(rejoin.errorCode, E.NONE);
  t.equal(rejoin.generationId, 2, 'same generation: no rebalance');
  t.not(rejoin.memberId, idB, 'a new member id');
  t.match(rejoin.memberId, /^ib-/);
  t.equal(rejoin.leader, idA);
  t.same(rejoin.members, []);
  t.equal(rejoin.protocolName, 'range');
  t.equal(await a.heartbeat(3, { groupId: 'st', generationId: 2, memberId: idA, groupInstanceId: 'ia' }), E.NONE, 'the other member sees no rebalance');
  const s = await b2.sync(3, { groupId: 'st', generationId: 2, memberId: rejoin.memberId, groupInstanceId: 'ib' });
  t.equal(s.errorCode, E.NONE);
  t.equal(s.assignment.toString(), 'B', 'its old assignment');
  // The old incarnation is fenced.
  t.equal(await c.heartbeat(3, { groupId: 'st', generationId: 2, memberId: idB, groupInstanceId: 'ib' }), E.FENCED_INSTANCE_ID);
  t.equal(await c.heartbeat(3, { groupId: 'st', generationId: 2, memberId: idB }), E.UNKNOWN_MEMBER_ID, 'the old id without its instance id');
  t.equal((await c.sync(3, { groupId: 'st', generationId: 2, memberId: idB, groupInstanceId: 'ib' })).errorCode, E.FENCED_INSTANCE_ID);
  t.equal((await c.join(5, { ...body, memberId: idB, groupInstanceId: 'ib' })).errorCode, E.FENCED_INSTANCE_ID);
  const commit = await c.commit(7, {
    groupId: 'st',
    generationIdOrMemberEpoch: 2,
    memberId: idB,
    groupInstanceId: 'ib',
    topics: [{ name: '__consumer_offsets', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
  });
  t.equal(commit.topics[0].partitions[0].errorCode, E.FENCED_INSTANCE_ID);
  t.equal((await c.leave(3, { groupId: 'st', members: [{ memberId: idB, groupInstanceId: 'ib' }] })).members![0].errorCode, E.FENCED_INSTANCE_ID);
  // DescribeGroups v4+ shows the instance ids and the new member id.
  const d = (await a.describe(4, ['st'])).groups[0];
  t.equal(d.groupState, 'Stable');
  t.same(
    d.members.map((m) => [m.memberId, m.groupInstanceId, m.memberAssignment.toString()]).sort((x, y) => String(x[1]).localeCompare(String(y[1]))),
    [
      [idA, 'ia', 'A'],
      [rejoin.memberId, 'ib', 'B'],
    ],
  );
});

t.test('a returning static leader: v5 is told the old leader id, v9 learns it leads but skips the assignment', async (t) => {
  const { b, c, idA, idB, body } = await twoStatic(t, 'lead');
  const a2 = await GroupWire.connect(t, b);
  const v5 = await a2.join(5, { ...body, groupInstanceId: 'ia' });
  t.equal(v5.generationId, 2);
  t.equal(v5.leader, idA, 'the previous leader id, so the new incarnation does not assign');
  t.same(v5.members, []);
  const a3 = await GroupWire.connect(t, b);
  const v9 = await a3.join(9, { ...body, groupInstanceId: 'ia' });
  t.equal(v9.errorCode, E.NONE);
  t.equal(v9.generationId, 2);
  t.equal(v9.leader, v9.memberId, 'it leads');
  t.equal(v9.skipAssignment, true);
  t.same(
    v9.members.map((m) => [m.memberId, m.groupInstanceId]).sort((x, y) => String(x[1]).localeCompare(String(y[1]))),
    [
      [v9.memberId, 'ia'],
      [idB, 'ib'],
    ],
  );
  t.equal(await c.heartbeat(3, { groupId: 'lead', generationId: 2, memberId: idB, groupInstanceId: 'ib' }), E.NONE, 'no rebalance');
  t.equal((await a3.sync(3, { groupId: 'lead', generationId: 2, memberId: v9.memberId, groupInstanceId: 'ia' })).assignment.toString(), 'A');
});

t.test('a duplicate instance fences the parked JoinGroup of the one it replaces', async (t) => {
  const { b, a, c, idA, idB, body } = await twoStatic(t, 'dup');
  // A rejoins (the leader's JoinGroup starts a rebalance); its JoinGroup waits for B.
  const parked = a.join(5, { ...body, memberId: idA, groupInstanceId: 'ia' });
  await untilRebalancing(c, 'dup', 2, idB, 'ib');
  // A second process with A's instance id joins: the first one's JoinGroup is answered FENCED_INSTANCE_ID.
  const dup = await GroupWire.connect(t, b);
  const replacing = dup.join(5, { ...body, groupInstanceId: 'ia' });
  const fenced = await parked;
  t.equal(fenced.errorCode, E.FENCED_INSTANCE_ID);
  t.equal(fenced.memberId, idA);
  // B rejoins and the generation completes with the new incarnation.
  const jb = await c.join(5, { ...body, memberId: idB, groupInstanceId: 'ib' });
  const jd = await replacing;
  t.equal(jd.errorCode, E.NONE);
  t.equal(jb.generationId, 3);
  t.equal(jd.generationId, 3);
  t.same(new Set([jb.leader, jd.leader]).size, 1);
  t.not(jd.memberId, idA);
});

t.test('a static member that does not rejoin stays in the group until its session expires', async (t) => {
  const b = await groupBroker(t);
  const a = await GroupWire.connect(t, b);
  const c = await GroupWire.connect(t, b);
  const body = { groupId: 'stay', rebalanceTimeoutMs: 300 };
  const ja1 = await a.join(5, { ...body, groupInstanceId: 'ia', sessionTimeoutMs: 10_000 });
  await a.sync(3, { groupId: 'stay', generationId: 1, memberId: ja1.memberId, groupInstanceId: 'ia' });
  // A dynamic member joins; the static one does not rejoin within the rebalance timeout.
  const idC = (await c.join(5, { groupId: 'stay' })).memberId;
  const jc = await c.join(5, { groupId: 'stay', memberId: idC, rebalanceTimeoutMs: 300 });
  t.equal(jc.generationId, 2);
  t.same(
    jc.members.map((m) => m.groupInstanceId).sort(),
    [null, 'ia'].sort(),
    'the static member is still listed for the leader',
  );
});

t.test('a static member rejoining with protocols that keep the selected one causes no rebalance', async (t) => {
  const { b, a, idA, body } = await twoStatic(t, 'chg');
  const b2 = await GroupWire.connect(t, b);
  // "sticky" is not supported by ia, so "range" stays selected.
  const same = await b2.join(5, { ...body, groupInstanceId: 'ib', protocols: [{ name: 'sticky', metadata: Buffer.from('s') }, { name: 'range', metadata: Buffer.from('r') }] });
  t.equal(same.generationId, 2);
  t.equal(await a.heartbeat(3, { groupId: 'chg', generationId: 2, memberId: idA, groupInstanceId: 'ia' }), E.NONE);
});

t.test('a static member rejoining with protocols that change the selected one triggers a rebalance', async (t) => {
  const b = await groupBroker(t);
  const a = await GroupWire.connect(t, b);
  const both = (first: string, second: string) => [
    { name: first, metadata: Buffer.from(first) },
    { name: second, metadata: Buffer.from(second) },
  ];
  const j = await a.join(5, { groupId: 'sel', groupInstanceId: 'ia', protocols: both('range', 'roundrobin') });
  t.equal(j.protocolName, 'range');
  await a.sync(3, { groupId: 'sel', generationId: 1, memberId: j.memberId, groupInstanceId: 'ia' });
  const a2 = await GroupWire.connect(t, b);
  const re = await a2.join(5, { groupId: 'sel', groupInstanceId: 'ia', protocols: both('roundrobin', 'range') });
  t.equal(re.generationId, 2, 'a new generation');
  t.equal(re.protocolName, 'roundrobin');
  t.equal(re.leader, re.memberId);
});
