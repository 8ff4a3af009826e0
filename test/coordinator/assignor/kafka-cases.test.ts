// Differential test against Kafka 4.4.0's own assignors: kafka-4.4.0-cases.jsonl holds 300 seeded
// groups (homogeneous and heterogeneous, empty and messy previous assignments, static members) with
// the target assignment Kafka's UniformAssignor / RangeAssignor computed for each
// (KafkaAssignorCases.java generates it from the 4.4.0 jars). Ours must give the same, partition for
// partition.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { PartitionAssignorError, assignorByName } from '../../../src/coordinator/group/assignor/index.js';
import type { GroupSpec, MemberSubscriptionSpec } from '../../../src/coordinator/group/assignor/types.js';
import { describer, partitions, plain } from './helpers.js';

interface Case {
  assignor: string;
  type: GroupSpec['subscriptionType'];
  topics: Record<string, number>;
  members: Array<{ id: string; instanceId: string | null; subscribed: string[]; assigned: Record<string, number[]> }>;
  expected: Record<string, Record<string, number[]>> | null;
  error?: string;
}

const cases = readFileSync(new URL('./kafka-4.4.0-cases.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Case);

t.equal(cases.length, 300, 'all generated cases are read');

const tally = { uniform: 0, range: 0, heterogeneous: 0, errors: 0 };
cases.forEach((c, i) => {
  const members = new Map<string, MemberSubscriptionSpec>();
  for (const m of c.members) {
    members.set(m.id, {
      rackId: null,
      instanceId: m.instanceId,
      subscribedTopicIds: new Set(m.subscribed),
      assignedPartitions: partitions(m.assigned),
    });
  }
  const assignor = assignorByName(c.assignor)!;
  const spec: GroupSpec = { members, subscriptionType: c.type };
  const label = `case ${i}: ${c.assignor} ${c.type}, ${c.members.length} members, ${Object.keys(c.topics).length} topics`;
  if (c.expected === null) {
    t.throws(() => assignor.assign(spec, describer(c.topics)), new PartitionAssignorError(c.error!), label);
    tally.errors++;
    return;
  }
  const got = plain(assignor.assign(spec, describer(c.topics)));
  const want: Record<string, Record<string, number[]>> = {};
  for (const [m, a] of Object.entries(c.expected)) {
    want[m] = {};
    for (const [tp, ps] of Object.entries(a)) if (ps.length > 0) want[m][tp] = ps;
  }
  t.same(got, want, label);
  tally[c.assignor as 'uniform' | 'range']++;
  if (c.type === 'heterogeneous') tally.heterogeneous++;
});

t.ok(tally.uniform > 100 && tally.range > 100 && tally.heterogeneous > 50, `cases cover both assignors and subscription types ${JSON.stringify(tally)}`);
