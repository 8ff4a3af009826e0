// Kafka's SimpleAssignor for share groups (KIP-932, group.share.assignors=simple): several members
// may share a partition. Each partition gets ceil(members / partitions) members ("desired sharing"),
// each member its fair share of those assignments; current assignments are kept where they still fit.
// Subscriptions that differ between members are assigned topic by topic, among each topic's subscribers.
import type { GroupSpec, PartitionAssignor, SubscribedTopicDescriber, TopicPartitions } from './types.js';

/** A share group's spec: only partitions whose share-group state is initialized may be assigned. */
export interface ShareGroupSpec extends GroupSpec {
  isPartitionAssignable?(topicId: string, partition: number): boolean;
}

export class PartitionAssignorError extends Error {
  override readonly name = 'PartitionAssignorError';
}

/** A partition as "topicId:partition". */
type Tp = string;
const tpKey = (topicId: string, partition: number): Tp => `${topicId}:${partition}`;

export class SimpleAssignor implements PartitionAssignor {
  readonly name = 'simple';

  assign(group: ShareGroupSpec, topics: SubscribedTopicDescriber): Map<string, TopicPartitions> {
    const memberIds = [...group.members.keys()];
    const result = new Map<string, TopicPartitions>();
    if (memberIds.length === 0) return result;
    // Every member starts from (a copy of) its current assignment.
    const assignment = memberIds.map((id) => copy(group.members.get(id)!.assignedPartitions));
    const subscribed = new Set<string>();
    for (const id of memberIds) for (const t of group.members.get(id)!.subscribedTopicIds) subscribed.add(t);
    const targets = (topicIds: Iterable<string>): Tp[] => {
      const out: Tp[] = [];
      for (const topicId of topicIds) {
        const n = topics.numPartitions(topicId);
        if (n === -1) throw new PartitionAssignorError(`Members are subscribed to topic ${topicId} which doesn't exist in the topic metadata.`);
        for (let p = 0; p < n; p++) if (group.isPartitionAssignable?.(topicId, p) ?? true) out.push(tpKey(topicId, p));
      }
      return out;
    };
    if (group.subscriptionType === 'homogeneous') {
      const topicIds = group.members.get(memberIds[0])!.subscribedTopicIds;
      // Topics nobody subscribes to any more leave every assignment.
      for (const a of assignment) for (const t of [...a.keys()]) if (!topicIds.has(t)) a.delete(t);
      if (topicIds.size > 0) share(targets(topicIds), memberIds.map((_, i) => i), assignment, null);
    } else {
      for (let i = 0; i < memberIds.length; i++) {
        const own = group.members.get(memberIds[i])!.subscribedTopicIds;
        for (const t of [...assignment[i].keys()]) if (!own.has(t)) assignment[i].delete(t);
      }
      for (const topicId of subscribed) {
        const members = memberIds.flatMap((id, i) => (group.members.get(id)!.subscribedTopicIds.has(topicId) ? [i] : []));
        share(targets([topicId]), members, assignment, topicId);
      }
    }
    memberIds.forEach((id, i) => {
      for (const [t, ps] of [...assignment[i]]) if (ps.size === 0) assignment[i].delete(t);
      result.set(id, assignment[i]);
    });
    return result;
  }
}

function copy(a: TopicPartitions): TopicPartitions {
  const out: TopicPartitions = new Map();
  for (const [t, ps] of a) out.set(t, new Set(ps));
  return out;
}

function parse(tp: Tp): [string, number] {
  const i = tp.lastIndexOf(':');
  return [tp.slice(0, i), Number(tp.slice(i + 1))];
}

/**
 * Shares `targetPartitions` among `members` (indexes into `assignment`, edited in place): keeps what
 * members hold up to their desired count, revokes partitions shared too widely, then fills the
 * members below their count partition by partition, round robin. `topicId` limits the work to one topic.
 */
function share(targetPartitions: Tp[], members: number[], assignment: TopicPartitions[], topicId: string | null): void {
  const numPartitions = targetPartitions.length;
  const numMembers = members.length;
  if (numMembers === 0) return;
  const targets = new Set(targetPartitions);
  const desiredSharing = numPartitions === 0 ? 0 : Math.floor((numMembers + numPartitions - 1) / numPartitions);
  const precise = (desiredSharing * numPartitions) / numMembers;
  const desired = new Map<number, number>();
  members.forEach((m, i) => desired.set(m, Math.ceil(precise * (i + 1)) - Math.ceil(precise * i)));

  const byPartition = new Map<Tp, Set<number>>();
  const byMember = new Map<number, Set<Tp>>();
  const unfilled = new Set<number>();
  const remove = (m: number, tp: Tp) => {
    const [t, p] = parse(tp);
    assignment[m].get(t)?.delete(p);
    byPartition.get(tp)?.delete(m);
    byMember.get(m)?.delete(tp);
  };
  // 1. Keep current assignments of partitions still assignable; revoke the rest; note who is over or under.
  const overfilled: number[] = [];
  for (const m of members) {
    const held = new Set<Tp>();
    byMember.set(m, held);
    for (const [t, ps] of assignment[m]) {
      if (topicId !== null && t !== topicId) continue;
      for (const p of [...ps]) {
        const tp = tpKey(t, p);
        if (!targets.has(tp)) {
          ps.delete(p);
          continue;
        }
        held.add(tp);
        let owners = byPartition.get(tp);
        if (!owners) byPartition.set(tp, (owners = new Set()));
        owners.add(m);
      }
    }
    if (held.size < desired.get(m)!) unfilled.add(m);
    else if (held.size > desired.get(m)!) overfilled.push(m);
  }
  // 2. Members holding more than their count give the excess back.
  for (const m of overfilled) {
    for (const tp of [...byMember.get(m)!]) {
      if (byMember.get(m)!.size <= desired.get(m)!) break;
      remove(m, tp);
    }
  }
  // 3. Partitions shared by more members than desired lose the surplus members.
  for (const [tp, owners] of byPartition) {
    for (const m of [...owners]) {
      if (owners.size <= desiredSharing) break;
      remove(m, tp);
      unfilled.add(m);
    }
  }
  // 4. Fill: each partition up to the desired sharing, from the members below their count.
  for (const tp of targetPartitions) if (!byPartition.has(tp)) byPartition.set(tp, new Set());
  if (unfilled.size === 0) return;
  let order = [...unfilled];
  let cursor = 0;
  let progressed = false;
  for (const [tp, owners] of byPartition) {
    let toMake = desiredSharing - owners.size;
    while (toMake > 0) {
      if (cursor >= order.length) {
        if (!progressed) break;
        order = order.filter((m) => unfilled.has(m));
        cursor = 0;
        progressed = false;
        if (order.length === 0) break;
      }
      const m = order[cursor++];
      if (!unfilled.has(m) || owners.has(m)) continue;
      const [t, p] = parse(tp);
      let ps = assignment[m].get(t);
      if (!ps) assignment[m].set(t, (ps = new Set()));
      ps.add(p);
      owners.add(m);
      byMember.get(m)!.add(tp);
      toMake--;
      progressed = true;
      if (byMember.get(m)!.size >= desired.get(m)!) unfilled.delete(m);
    }
    if (unfilled.size === 0) break;
  }
}
