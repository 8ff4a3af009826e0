// A member of a share group (Kafka's ShareGroupMember): what it heartbeats (rack, subscription,
// client id and host) and what it was given (epoch, partitions). Share members never revoke:
// they move straight to the target assignment of a new epoch, so their state is always STABLE.
import type { TopicPartitions } from '../assignor/types.js';

/** Kafka's MemberState ids as ShareGroupCurrentMemberAssignmentValue stores them. */
export const MEMBER_STATE_STABLE = 0;

export interface ShareGroupMember {
  readonly memberId: string;
  memberEpoch: number;
  previousMemberEpoch: number;
  state: number;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: ReadonlySet<string>;
  assignedPartitions: TopicPartitions;
}

export function newMember(memberId: string): ShareGroupMember {
  return {
    memberId,
    memberEpoch: 0,
    previousMemberEpoch: -1,
    state: MEMBER_STATE_STABLE,
    rackId: null,
    clientId: '',
    clientHost: '',
    subscribedTopicNames: new Set(),
    assignedPartitions: new Map(),
  };
}

export function sameTopicPartitions(a: TopicPartitions, b: TopicPartitions): boolean {
  const nonEmpty = (m: TopicPartitions) => [...m].filter(([, ps]) => ps.size > 0);
  const ea = nonEmpty(a);
  if (ea.length !== nonEmpty(b).length) return false;
  for (const [t, ps] of ea) {
    const other = b.get(t);
    if (!other || other.size !== ps.size) return false;
    for (const p of ps) if (!other.has(p)) return false;
  }
  return true;
}

export function sameNames(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const n of a) if (!b.has(n)) return false;
  return true;
}

/** Partitions as the records and responses list them: [{ topicId, partitions }], sorted. */
export function toTopicPartitionList(tps: TopicPartitions): { topicId: string; partitions: number[] }[] {
  return [...tps]
    .filter(([, ps]) => ps.size > 0)
    .map(([topicId, ps]) => ({ topicId, partitions: [...ps].sort((x, y) => x - y) }));
}

export function fromTopicPartitionList(list: { topicId: string; partitions: number[] }[]): TopicPartitions {
  const out: TopicPartitions = new Map();
  for (const { topicId, partitions } of list) out.set(topicId, new Set(partitions));
  return out;
}
