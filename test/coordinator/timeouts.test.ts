// The coordinator's clocks: session timeouts expire silent members, the rebalance timeout ends a
// join phase without the members that did not rejoin, members that never send SyncGroup are
// dropped, pending (MEMBER_ID_REQUIRED) members expire, and the initial rebalance delay gathers
// members that join a new group close together into one generation.
import t from 'tap';
import { GroupWire, groupBroker, E } from './group-wire.js';
import { sleep } from '../helpers/timeout.js';

async function stableMember(c: GroupWire, groupId: string, sessionTimeoutMs: number, rebalanceTimeoutMs = 5000) {
  const j = await c.joinFully({ groupId, sessionTimeoutMs, rebalanceTimeoutMs });
  const s = await c.sync(3, { groupId, generationId: j.generationId, memberId: j.memberId, assignments: [{ memberId: j.memberId, assignment: Buffer.from('x') }] });
  if (s.errorCode !== 0) throw new Error(`sync failed: ${s.errorCode}`);
  return j;
}

t.test('a member that stops heartbeating is removed after its session timeout', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  const j = await stableMember(c, 'sess', 300);
  // Heartbeats keep it alive well past one session timeout.
  for (let i = 0; i < 8; i++) {
    await sleep(100);
    t.equal(await c.heartbeat(3, { groupId: 'sess', generationId: 1, memberId: j.memberId }), E.NONE);
  }
  await sleep(500);
  t.equal(await c.heartbeat(3, { groupId: 'sess', generationId: 1, memberId: j.memberId }), E.UNKNOWN_MEMBER_ID, 'expired');
  const d = (await c.describe(1, ['sess'])).groups[0];
  t.equal(d.groupState, 'Empty');
  t.same(d.members, []);
});

t.test('the survivors rebalance without a member whose session expired', async (t) => {
  const b = await groupBroker(t);
  const a = await GroupWire.connect(t, b);
  const c = await GroupWire.connect(t, b);
  const idA = (await a.join(5, { groupId: 'surv' })).memberId;
  const idC = (await c.join(5, { groupId: 'surv' })).memberId;
  // Both join gen 1 (A's join may form gen 1 alone first; rejoin until both are in).
  let [ja, jc] = await Promise.all([
    a.join(5, { groupId: 'surv', memberId: idA, sessionTimeoutMs: 5000, rebalanceTimeoutMs: 3000 }),
    c.join(5, { groupId: 'surv', memberId: idC, sessionTimeoutMs: 300, rebalanceTimeoutMs: 3000 }),
  ]);
  while (ja.generationId !== jc.generationId) {
    [ja, jc] = await Promise.all([
      a.join(5, { groupId: 'surv', memberId: idA, sessionTimeoutMs: 5000, rebalanceTimeoutMs: 3000 }),
      c.join(5, { groupId: 'surv', memberId: idC, sessionTimeoutMs: 300, rebalanceTimeoutMs: 3000 }),
    ]);
  }
  const gen = ja.generationId;
  const leader = ja.leader === idA ? a : c;
  const follower = ja.leader === idA ? c : a;
  const fId = ja.leader === idA ? idC : idA;
  const lId = ja.leader === idA ? idA : idC;
  const fs = follower.sync(3, { groupId: 'surv', generationId: gen, memberId: fId });
  await leader.sync(3, { groupId: 'surv', generationId: gen, memberId: lId, assignments: [] });
  await fs;
  // C goes silent; A keeps heartbeating and is told to rejoin once C's session is over.
  let seen = 0;
  for (let i = 0; i < 50 && seen !== E.REBALANCE_IN_PROGRESS; i++) {
    await sleep(50);
    seen = await a.heartbeat(3, { groupId: 'surv', generationId: gen, memberId: idA });
  }
  t.equal(seen, E.REBALANCE_IN_PROGRESS, "C's expiry starts a rebalance");
  const re = await a.join(5, { groupId: 'surv', memberId: idA, sessionTimeoutMs: 5000, rebalanceTimeoutMs: 3000 });
  t.equal(re.generationId, gen + 1);
  t.equal(re.leader, idA);
  t.same(re.members.map((m) => m.memberId), [idA], 'C is gone');
  t.equal(await c.heartbeat(3, { groupId: 'surv', generationId: gen, memberId: idC }), E.UNKNOWN_MEMBER_ID);
});

t.test('the rebalance timeout completes the join phase without members that did not rejoin', async (t) => {
  const b = await groupBroker(t);
  const a = await GroupWire.connect(t, b);
  const c = await GroupWire.connect(t, b);
  const ja = await stableMember(a, 'rt', 10_000, 400);
  // C joins: A must rejoin within the rebalance timeout (the largest member's: 400 ms) but does not.
  const idC = (await c.join(5, { groupId: 'rt' })).memberId;
  const started = Date.now();
  const jc = await c.join(5, { groupId: 'rt', memberId: idC, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 400 });
  const waited = Date.now() - started;
  t.ok(waited >= 350 && waited < 3000, `C's JoinGroup waited out the rebalance timeout (${waited} ms)`);
  t.equal(jc.errorCode, E.NONE);
  t.equal(jc.generationId, 2);
  t.equal(jc.leader, idC, 'the leader that did not rejoin is replaced by one that did');
  t.same(jc.members.map((m) => m.memberId), [idC]);
  t.equal(await a.heartbeat(3, { groupId: 'rt', generationId: 1, memberId: ja.memberId }), E.UNKNOWN_MEMBER_ID, 'A was removed');
  t.equal((await a.join(5, { groupId: 'rt', memberId: ja.memberId })).errorCode, E.UNKNOWN_MEMBER_ID);
});

t.test('members that send no SyncGroup within the rebalance timeout are removed', async (t) => {
  const b = await groupBroker(t);
  const a = await GroupWire.connect(t, b);
  const j = await a.joinFully({ groupId: 'ps', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 300 });
  t.equal(j.generationId, 1);
  // Heartbeats do not replace the SyncGroup.
  for (let i = 0; i < 3; i++) {
    await sleep(100);
    await a.heartbeat(3, { groupId: 'ps', generationId: 1, memberId: j.memberId });
  }
  await sleep(200);
  t.equal(await a.heartbeat(3, { groupId: 'ps', generationId: 1, memberId: j.memberId }), E.UNKNOWN_MEMBER_ID);
  const d = (await a.describe(1, ['ps'])).groups[0];
  t.equal(d.groupState, 'Empty', 'the rebalance without it leaves the group empty');
});

t.test('a MEMBER_ID_REQUIRED id that is never used expires after the session timeout', async (t) => {
  const b = await groupBroker(t);
  const a = await GroupWire.connect(t, b);
  const stable = await stableMember(a, 'pend', 10_000, 10_000);
  const c = await GroupWire.connect(t, b);
  const pending = await c.join(5, { groupId: 'pend', sessionTimeoutMs: 200 });
  t.equal(pending.errorCode, E.MEMBER_ID_REQUIRED);
  await sleep(400);
  t.equal((await c.join(5, { groupId: 'pend', memberId: pending.memberId, sessionTimeoutMs: 200 })).errorCode, E.UNKNOWN_MEMBER_ID, 'the id expired');
  t.equal(await a.heartbeat(3, { groupId: 'pend', generationId: 1, memberId: stable.memberId }), E.NONE, 'no rebalance for a pending member');
});

t.test('group.initial.rebalance.delay.ms gathers the first members into one generation', async (t) => {
  const b = await groupBroker(t, { 'group.initial.rebalance.delay.ms': '300' });
  const conns = [await GroupWire.connect(t, b), await GroupWire.connect(t, b), await GroupWire.connect(t, b)];
  const started = Date.now();
  const joins = [];
  for (const c of conns) {
    joins.push(c.join(3, { groupId: 'delay', rebalanceTimeoutMs: 5000 }));
    await sleep(100);
  }
  const results = await Promise.all(joins);
  const took = Date.now() - started;
  for (const r of results) t.equal(r.generationId, 1, 'all in the first generation');
  t.equal(results.find((r) => r.members.length > 0)?.members.length, 3);
  // Each member joining during the delay extends it by the delay (up to the rebalance timeout).
  t.ok(took >= 500, `the delay was extended for the later joiners (${took} ms)`);
});

t.test('without the delay (0) the first member forms a generation alone', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  const r = await c.join(3, { groupId: 'nodelay' });
  t.equal(r.generationId, 1);
  t.equal(r.members.length, 1);
});

t.test("Kafka's default initial delay is 3000 ms", async (t) => {
  const { BrokerConfig } = await import('../../src/config.js');
  t.equal(new BrokerConfig({}).number('group.initial.rebalance.delay.ms'), 3000);
});
