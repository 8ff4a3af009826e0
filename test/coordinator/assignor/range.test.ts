// The server-side range assignor on the inputs of Kafka's RangeAssignorTest (same members, topics and
// expected assignments), and its properties: co-partitioned ranges, static members first.
import t from 'tap';
import { PartitionAssignorError } from '../../../src/coordinator/group/assignor/index.js';
import { RangeAssignor } from '../../../src/coordinator/group/assignor/range.js';
import { describer, groupSpec, plain } from './helpers.js';

const T1 = 'T1-A4s3VTwiI5CTbEp6POw';
const T2 = 'T2-B4s3VTwiI5YHbPp6YUe';
const T3 = 'T3-CU8fVTLCz5YMkLoDQsa';
const range = new RangeAssignor();

t.test('Kafka test cases', async (t) => {
  t.same(plain(range.assign(groupSpec({ A: { subscribed: [] } }), describer({ [T1]: 3 }))), { A: {} });
  t.throws(() => range.assign(groupSpec({ A: { subscribed: [T2] } }), describer({ [T1]: 3 })), new PartitionAssignorError('Member is subscribed to a non-existent topic'));
  t.same(
    plain(range.assign(groupSpec({ A: { subscribed: [T1, T3] }, B: { subscribed: [T1, T3] } }), describer({ [T1]: 3, [T3]: 2 }))),
    { A: { [T1]: [0, 1], [T3]: [0] }, B: { [T1]: [2], [T3]: [1] } },
    'two members, same subscriptions: co-partitioned',
  );
  t.same(
    plain(range.assign(groupSpec({ A: { subscribed: [T1, T2] }, B: { subscribed: [T3] }, C: { subscribed: [T2, T3] } }), describer({ [T1]: 3, [T2]: 3, [T3]: 2 }))),
    { A: { [T1]: [0, 1, 2], [T2]: [0, 1] }, B: { [T3]: [0] }, C: { [T2]: [2], [T3]: [1] } },
    'three members, different subscriptions',
  );
  t.same(
    plain(range.assign(groupSpec({ A: { subscribed: [T1] }, B: { subscribed: [T1] }, C: { subscribed: [T1] } }), describer({ [T1]: 2 }))),
    { A: { [T1]: [0] }, B: { [T1]: [1] }, C: {} },
    'more members than partitions',
  );
});

t.test('static members keep their ranges under a new member id', async (t) => {
  const counts = { [T1]: 3 };
  const before = range.assign(groupSpec({ A: { subscribed: [T1], instanceId: 'instanceA' }, B: { subscribed: [T1], instanceId: 'instanceB' } }), describer(counts));
  // memberA restarts as memberA1 (sorts after B by member id, but its instance id sorts first).
  const after = range.assign(groupSpec({ B: { subscribed: [T1], instanceId: 'instanceB' }, memberA1: { subscribed: [T1], instanceId: 'instanceA' } }), describer(counts));
  t.same(plain(after).memberA1, plain(before).A);
  t.same(plain(after).B, plain(before).B);

  // Mixed: static members first (by instance id), then dynamic ones by member id.
  const mixed = range.assign(
    groupSpec({ A: { subscribed: [T1], instanceId: 'instanceA' }, C: { subscribed: [T1], instanceId: 'instanceC' }, B: { subscribed: [T1] } }),
    describer({ [T1]: 5 }),
  );
  t.same(plain(mixed), { A: { [T1]: [0, 1] }, C: { [T1]: [2, 3] }, B: { [T1]: [4] } });
});
