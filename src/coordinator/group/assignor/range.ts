// Kafka's server-side RangeAssignor ("range", KIP-848): each topic's partitions cut into contiguous
// ranges handed out in member order, the first numPartitions % subscribers members one extra. Members
// are ordered static first (by group.instance.id) then by member id, so static members keep their
// ranges across restarts and topics with equal partition counts are co-partitioned. As in Kafka 4.4
// it neither reads the current assignment nor racks.
import { PartitionAssignorError } from './assignor-error.js';
import type { GroupSpec, PartitionAssignor, SubscribedTopicDescriber, TopicPartitions } from './types.js';

interface TopicRanges {
  numPartitions: number;
  numMembers: number;
  minQuota: number;
  extra: number;
  next: number;
}

export class RangeAssignor implements PartitionAssignor {
  readonly name = 'range';

  assign(group: GroupSpec, topics: SubscribedTopicDescriber): Map<string, TopicPartitions> {
    const out = new Map<string, TopicPartitions>();
    if (group.members.size === 0) return out;
    const memberIds = sortMembers(group);

    // Each topic's subscriber count (the whole group when homogeneous).
    const ranges = new Map<string, TopicRanges>();
    const subscribers = (memberId: string) => group.members.get(memberId)!.subscribedTopicIds;
    const counted = group.subscriptionType === 'homogeneous' ? memberIds.slice(0, 1) : memberIds;
    for (const memberId of counted) {
      for (const t of subscribers(memberId)) {
        let r = ranges.get(t);
        if (!r) {
          const n = topics.numPartitions(t);
          if (n === -1) throw new PartitionAssignorError('Member is subscribed to a non-existent topic');
          ranges.set(t, (r = { numPartitions: n, numMembers: 0, minQuota: -1, extra: -1, next: 0 }));
        }
        r.numMembers += group.subscriptionType === 'homogeneous' ? memberIds.length : 1;
      }
    }

    for (const memberId of memberIds) {
      const assignment: TopicPartitions = new Map();
      for (const t of subscribers(memberId)) {
        const r = ranges.get(t);
        if (!r) continue; // homogeneous: every member's topics are the first member's
        if (r.minQuota === -1) {
          r.minQuota = Math.trunc(r.numPartitions / r.numMembers);
          r.extra = r.numPartitions % r.numMembers;
        }
        let quota = r.minQuota;
        if (r.extra > 0) {
          quota++;
          r.extra--;
        }
        const start = r.next;
        const end = Math.min(start + quota, r.numPartitions);
        r.next = end;
        if (start < end) {
          const ps = new Set<number>();
          for (let p = start; p < end; p++) ps.add(p);
          assignment.set(t, ps);
        }
      }
      out.set(memberId, assignment);
    }
    return out;
  }
}

/** Static members first, by instance id; then the others by member id. */
function sortMembers(group: GroupSpec): string[] {
  return [...group.members.keys()].sort((a, b) => {
    const ia = group.members.get(a)!.instanceId;
    const ib = group.members.get(b)!.instanceId;
    if (ia !== null && ib !== null) return compareStrings(ia, ib);
    if (ia !== null) return -1;
    if (ib !== null) return 1;
    return compareStrings(a, b);
  });
}

/** Java's String.compareTo: UTF-16 code units, as JavaScript's relational operators compare. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
