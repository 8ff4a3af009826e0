// Kafka's SimpleAssignor for share groups (src/coordinator/group/assignor/simple.ts): partitions are
// shared by ceil(members / partitions) members, members get their fair share of assignments, current
// assignments stay where they still fit, and only assignable (initialized) partitions are given.
import t from 'tap';
import { SimpleAssignor, PartitionAssignorError, type ShareGroupSpec } from '../../../src/coordinator/group/assignor/simple.js';
import type { MemberSubscriptionSpec, TopicPartitions } from '../../../src/coordinator/group/assignor/types.js';

const topics = (counts: Record<string, number>) => ({ numPartitions: (id: string) => counts[id] ?? -1, racksForPartition: () => new Set<string>() });

function spec(members: Record<string, { topics: string[]; owned?: Record<string, number[]> }>, assignable?: (t: string, p: number) => boolean): ShareGroupSpec {
  const m = new Map<string, MemberSubscriptionSpec>();
  for (const [id, v] of Object.entries(members)) {
    const owned: TopicPartitions = new Map(Object.entries(v.owned ?? {}).map(([t, ps]) => [t, new Set(ps)]));
    m.set(id, { rackId: null, instanceId: null, subscribedTopicIds: new Set(v.topics), assignedPartitions: owned });
  }
  const sets = [...m.values()].map((s) => [...s.subscribedTopicIds].sort().join());
  return { members: m, subscriptionType: sets.every((s) => s === sets[0]) ? 'homogeneous' : 'heterogeneous', isPartitionAssignable: assignable };
}

function plain(a: Map<string, TopicPartitions>): Record<string, Record<string, number[]>> {
  const out: Record<string, Record<string, number[]>> = {};
  for (const [id, tps] of a) out[id] = Object.fromEntries([...tps].map(([t, ps]) => [t, [...ps].sort((x, y) => x - y)]));
  return out;
}

const owners = (a: Map<string, TopicPartitions>, topic: string, p: number) => [...a].filter(([, tps]) => tps.get(topic)?.has(p)).map(([id]) => id);

t.test('one member gets every partition of its topics', async (t) => {
  const a = new SimpleAssignor().assign(spec({ m: { topics: ['A', 'B'] } }), topics({ A: 2, B: 1 }));
  t.same(plain(a), { m: { A: [0, 1], B: [0] } });
});

t.test('more partitions than members: each partition once, counts differ by at most one', async (t) => {
  const a = new SimpleAssignor().assign(spec({ m1: { topics: ['A'] }, m2: { topics: ['A'] }, m3: { topics: ['A'] } }), topics({ A: 7 }));
  for (let p = 0; p < 7; p++) t.equal(owners(a, 'A', p).length, 1, `partition ${p} once`);
  const counts = [...a.values()].map((tps) => tps.get('A')?.size ?? 0).sort();
  t.same(counts, [2, 2, 3]);
});

t.test('more members than partitions: every partition is shared by ceil(members / partitions)', async (t) => {
  const a = new SimpleAssignor().assign(spec({ a: { topics: ['A'] }, b: { topics: ['A'] }, c: { topics: ['A'] }, d: { topics: ['A'] }, e: { topics: ['A'] } }), topics({ A: 2 }));
  // 5 members, 2 partitions: desired sharing 3, 6 assignments, one each but one member gets 2.
  t.same([owners(a, 'A', 0).length, owners(a, 'A', 1).length], [3, 3]);
  t.ok([...a.values()].every((tps) => (tps.get('A')?.size ?? 0) >= 1), 'every member reads something');
});

t.test('current assignments are kept where they fit; a member over its count gives the excess back', async (t) => {
  const s = spec({ a: { topics: ['A'], owned: { A: [0, 1, 2, 3] } }, b: { topics: ['A'] } });
  const a = new SimpleAssignor().assign(s, topics({ A: 4 }));
  t.equal(a.get('a')!.get('A')!.size, 2);
  t.equal(a.get('b')!.get('A')!.size, 2);
  t.ok([...a.get('a')!.get('A')!].every((p) => [0, 1, 2, 3].includes(p)), 'a keeps two of its own');
  for (let p = 0; p < 4; p++) t.equal(owners(a, 'A', p).length, 1);
  // The input is not changed.
  t.same([...s.members.get('a')!.assignedPartitions.get('A')!], [0, 1, 2, 3]);
});

t.test('unsubscribed topics and partitions no longer assignable are revoked', async (t) => {
  const s = spec({ a: { topics: ['B'], owned: { A: [0], B: [0, 1] } } }, (topic, p) => !(topic === 'B' && p === 1));
  t.same(plain(new SimpleAssignor().assign(s, topics({ A: 1, B: 2 }))), { a: { B: [0] } });
});

t.test('only assignable partitions are given (share partitions whose state is initialized)', async (t) => {
  const s = spec({ a: { topics: ['A'] }, b: { topics: ['A'] } }, (_t, p) => p === 1);
  t.same(plain(new SimpleAssignor().assign(s, topics({ A: 3 }))), { a: { A: [1] }, b: { A: [1] } });
});

t.test('heterogeneous subscriptions: each topic among its own subscribers', async (t) => {
  const a = new SimpleAssignor().assign(spec({ a: { topics: ['A'] }, b: { topics: ['A', 'B'] }, c: { topics: ['B'] } }), topics({ A: 2, B: 1 }));
  t.same(owners(a, 'A', 0).length + owners(a, 'A', 1).length, 2, 'A: each partition once among a and b');
  t.ok(owners(a, 'A', 0).every((m) => m !== 'c') && owners(a, 'A', 1).every((m) => m !== 'c'));
  t.same(owners(a, 'B', 0).sort(), ['b', 'c'], 'B has one partition and two subscribers: shared');
  t.ok(a.get('a')!.get('A')!.size === 1 && a.get('b')!.get('A')!.size === 1);
});

t.test('a subscribed topic missing from the metadata fails the assignment, no member: nothing', async (t) => {
  t.throws(() => new SimpleAssignor().assign(spec({ a: { topics: ['X'] } }), topics({})), PartitionAssignorError);
  t.same(plain(new SimpleAssignor().assign(spec({}), topics({}))), {});
  t.same(plain(new SimpleAssignor().assign(spec({ a: { topics: [] } }), topics({}))), { a: {} });
});
