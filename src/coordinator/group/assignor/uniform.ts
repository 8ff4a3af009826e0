// Kafka's UniformAssignor (server side, KIP-848; "uniform", the default of group.consumer.assignors):
// balanced first, then sticky to each member's current target assignment. A homogeneous group (all
// members subscribe to the same topics) takes the quota builder below; any other group the iterative
// balancer in uniform-heterogeneous.ts. Like Kafka 4.4's, it does not look at racks.
import { PartitionAssignorError, copyAssignment, emptyAssignments } from './assignor-error.js';
import { javaHashSetOrder } from './java-order.js';
import { assignHeterogeneous } from './uniform-heterogeneous.js';
import type { GroupSpec, PartitionAssignor, SubscribedTopicDescriber, TopicPartitions } from './types.js';

export class UniformAssignor implements PartitionAssignor {
  readonly name = 'uniform';

  assign(group: GroupSpec, topics: SubscribedTopicDescriber): Map<string, TopicPartitions> {
    if (group.members.size === 0) return new Map();
    return group.subscriptionType === 'homogeneous'
      ? assignHomogeneous(group, topics)
      : assignHeterogeneous(group, topics);
  }
}

/**
 * Every member gets total/members partitions and total%members of them one more, preferably those
 * already owning that many. Members keep what they own up to their quota (partitions of topics no
 * longer subscribed are dropped); what is left over or unowned fills the members under quota, in
 * member order. Unchanged assignments are
 * returned as given (shared, not copied).
 */
export function assignHomogeneous(group: GroupSpec, topics: SubscribedTopicDescriber): Map<string, TopicPartitions> {
  const memberIds = [...group.members.keys()];
  const subscribed = javaHashSetOrder(group.members.get(memberIds[0]!)!.subscribedTopicIds);
  if (subscribed.length === 0) return emptyAssignments(memberIds);
  const subscribedSet = new Set(subscribed);

  const owned = new Map<string, Set<number>>();
  for (const m of group.members.values()) {
    for (const [t, ps] of m.assignedPartitions) {
      let s = owned.get(t);
      if (!s) owned.set(t, (s = new Set()));
      for (const p of ps) s.add(p);
    }
  }

  // Partitions nobody owns, in Kafka's order: topics as its HashSet iterates them, partitions ascending.
  const unassigned: Array<[string, number]> = [];
  let total = 0;
  for (const t of subscribed) {
    const n = topics.numPartitions(t);
    if (n === -1) {
      throw new PartitionAssignorError(`Members are subscribed to topic ${t} which doesn't exist in the topic metadata.`);
    }
    const o = owned.get(t);
    for (let p = 0; p < n; p++) if (!o?.has(p)) unassigned.push([t, p]);
    total += n;
  }

  const minQuota = Math.trunc(total / memberIds.length);
  let extra = total % memberIds.length;
  const target = new Map<string, TopicPartitions>();
  const unfilled: Array<[string, number]> = [];

  // Keep each member's partitions up to its quota; give the rest back.
  memberIds.forEach((memberId, index) => {
    const old = group.members.get(memberId)!.assignedPartitions;
    let next: TopicPartitions | null = null;
    let quota = minQuota;
    let hasExtra = false;
    if (extra > 0) {
      quota++;
      hasExtra = true;
    }
    for (const [t, ps] of old) {
      if (!subscribedSet.has(t)) {
        next ??= copyAssignment(old);
        next.delete(t);
        continue;
      }
      const n = topics.numPartitions(t);
      if (ps.size <= quota && [...ps].every((p) => p < n)) {
        quota -= ps.size;
        continue;
      }
      for (const p of [...ps].sort((a, b) => a - b)) {
        if (quota > 0 && p < n) {
          quota--;
          continue;
        }
        next ??= copyAssignment(old);
        const kept = next.get(t)!;
        kept.delete(p);
        if (kept.size === 0) next.delete(t);
        if (p < n) unassigned.push([t, p]);
      }
    }
    // A member short of its extra partition leaves it to a later member that may already own one
    // (fewer moves), as long as enough members remain to take every extra partition.
    if (quota > 0 && hasExtra && memberIds.length - index > extra) {
      quota--;
      hasExtra = false;
    }
    if (quota > 0) unfilled.push([memberId, quota]);
    if (hasExtra) extra--;
    target.set(memberId, next ?? old);
  });

  // Fill the members under quota with the free partitions, in order.
  let i = 0;
  for (const [memberId, quota] of unfilled) {
    if (i >= unassigned.length) break;
    const a = copyAssignment(target.get(memberId)!);
    for (let k = 0; k < quota && i < unassigned.length; k++, i++) {
      const [t, p] = unassigned[i]!;
      let s = a.get(t);
      if (!s) a.set(t, (s = new Set()));
      s.add(p);
    }
    target.set(memberId, a);
  }
  if (i < unassigned.length) throw new PartitionAssignorError('Partitions were left unassigned');
  return target;
}
