// Builders for assignor tests: a group spec from plain objects, a describer over partition counts,
// and the checks Kafka's assignor tests make (every partition once, to a subscriber; balance).
import type {
  GroupSpec,
  MemberSubscriptionSpec,
  SubscribedTopicDescriber,
  TopicPartitions,
} from '../../../src/coordinator/group/assignor/types.js';

export interface MemberInput {
  subscribed: string[];
  assigned?: Record<string, number[]>;
  instanceId?: string | null;
  rackId?: string | null;
}

export function partitions(a: Record<string, number[]> = {}): TopicPartitions {
  return new Map(Object.entries(a).map(([t, ps]) => [t, new Set(ps)]));
}

export function groupSpec(members: Record<string, MemberInput>, type?: GroupSpec['subscriptionType']): GroupSpec {
  const map = new Map<string, MemberSubscriptionSpec>();
  for (const [id, m] of Object.entries(members)) {
    map.set(id, {
      rackId: m.rackId ?? null,
      instanceId: m.instanceId ?? null,
      subscribedTopicIds: new Set(m.subscribed),
      assignedPartitions: partitions(m.assigned),
    });
  }
  const subs = new Set([...map.values()].map((m) => [...m.subscribedTopicIds].sort().join(',')));
  return { members: map, subscriptionType: type ?? (subs.size <= 1 ? 'homogeneous' : 'heterogeneous') };
}

export function describer(counts: Record<string, number>): SubscribedTopicDescriber {
  return {
    numPartitions: (id) => counts[id] ?? -1,
    racksForPartition: () => new Set(),
  };
}

/** The assignment as plain sorted objects, for deep equality. */
export function plain(result: Map<string, TopicPartitions>): Record<string, Record<string, number[]>> {
  const out: Record<string, Record<string, number[]>> = {};
  for (const [m, a] of result) {
    const o: Record<string, number[]> = {};
    for (const [t, ps] of a) if (ps.size > 0) o[t] = [...ps].sort((x, y) => x - y);
    out[m] = o;
  }
  return out;
}

/** Problems found: partitions assigned twice, to non-subscribers, or left out. */
export function validity(spec: GroupSpec, counts: Record<string, number>, result: Map<string, TopicPartitions>): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const [m, a] of result) {
    const sub = spec.members.get(m)?.subscribedTopicIds;
    for (const [t, ps] of a) {
      for (const p of ps) {
        if (!sub?.has(t)) problems.push(`${m} got ${t}-${p} without subscribing`);
        if (p >= (counts[t] ?? 0)) problems.push(`${m} got missing partition ${t}-${p}`);
        const k = `${t}-${p}`;
        if (seen.has(k)) problems.push(`${k} to both ${seen.get(k)} and ${m}`);
        seen.set(k, m);
      }
    }
  }
  const subscribed = new Set([...spec.members.values()].flatMap((m) => [...m.subscribedTopicIds]));
  for (const t of subscribed) for (let p = 0; p < (counts[t] ?? 0); p++) if (!seen.has(`${t}-${p}`)) problems.push(`${t}-${p} unassigned`);
  return problems;
}

export function sizes(result: Map<string, TopicPartitions>): number[] {
  return [...result.values()].map((a) => [...a.values()].reduce((n, ps) => n + ps.size, 0));
}
