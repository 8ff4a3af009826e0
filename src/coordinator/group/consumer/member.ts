// One member of a KIP-848 consumer group, as its records describe it: the subscription it sent
// (ConsumerGroupMemberMetadata) and where its reconciliation stands (ConsumerGroupCurrentMemberAssignment:
// epoch, state, partitions owned and partitions it must still revoke). Members are values: every
// change makes a new one, so a heartbeat can compare before and after.
import type { TopicPartitions } from '../assignor/types.js';

/** Kafka's MemberState (the byte stored in the current-assignment record). */
export const MemberState = {
  STABLE: 0,
  /** Must revoke partitionsPendingRevocation before its epoch moves on. */
  UNREVOKED_PARTITIONS: 1,
  /** Waits for partitions of its target that another member still owns. */
  UNRELEASED_PARTITIONS: 2,
  /** A static member whose previous incarnation left, or a state not understood. */
  UNKNOWN: 127,
} as const;

/** Heartbeat epochs with a meaning of their own (Kafka's ConsumerGroupHeartbeatRequest constants). */
export const JOIN_GROUP_MEMBER_EPOCH = 0;
export const LEAVE_GROUP_MEMBER_EPOCH = -1;
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

export interface ConsumerGroupMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly rebalanceTimeoutMs: number;
  readonly clientId: string;
  readonly clientHost: string;
  /** Sorted, as Kafka keeps them in a set. */
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignor: string | null;
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: number;
  readonly assignedPartitions: TopicPartitions;
  readonly partitionsPendingRevocation: TopicPartitions;
  /** The member epoch at which each partition it owns (assigned or pending revocation) was given to it (Kafka 4.4 fences commits by it). */
  readonly assignmentEpochs: AssignmentEpochs;
  /** Set for a member that speaks the classic protocol (JoinGroup/SyncGroup/Heartbeat) inside a consumer group. */
  readonly classic: ClassicMemberMetadata | null;
}

/** What a classic member sent in its JoinGroup (ConsumerGroupMemberMetadataValue's ClassicMemberMetadata). */
export interface ClassicMemberMetadata {
  readonly sessionTimeoutMs: number;
  /** The JoinGroup protocols in the member's order of preference. */
  readonly supportedProtocols: readonly { name: string; metadata: Buffer }[];
}

/** Partition -> the epoch it was assigned at, by topic id. */
export type AssignmentEpochs = ReadonlyMap<string, ReadonlyMap<number, number>>;

/** The epoch `partition` was assigned to the member at, or undefined when it does not own it. */
export function assignmentEpochOf(m: ConsumerGroupMember, topicId: string, partition: number): number | undefined {
  const owned = m.assignedPartitions.get(topicId)?.has(partition) || m.partitionsPendingRevocation.get(topicId)?.has(partition);
  return owned ? (m.assignmentEpochs.get(topicId)?.get(partition) ?? m.memberEpoch) : undefined;
}

export function newMember(memberId: string): ConsumerGroupMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    clientId: '',
    clientHost: '',
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    serverAssignor: null,
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: MemberState.STABLE,
    assignedPartitions: new Map(),
    partitionsPendingRevocation: new Map(),
    assignmentEpochs: new Map(),
    classic: null,
  };
}

/** True once the member owns exactly its target of `epoch`. */
export function isReconciledTo(m: ConsumerGroupMember, epoch: number): boolean {
  return m.state === MemberState.STABLE && m.memberEpoch === epoch;
}

/** The subscription fields the MemberMetadata record holds (a change writes the record). */
export function sameSubscription(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.instanceId === b.instanceId &&
    a.rackId === b.rackId &&
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs &&
    a.clientId === b.clientId &&
    a.clientHost === b.clientHost &&
    sameNames(a.subscribedTopicNames, b.subscribedTopicNames) &&
    a.subscribedTopicRegex === b.subscribedTopicRegex &&
    a.serverAssignor === b.serverAssignor &&
    sameClassic(a.classic, b.classic)
  );
}

/** The fields the CurrentMemberAssignment record holds. */
export function sameAssignmentState(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.memberEpoch === b.memberEpoch &&
    a.previousMemberEpoch === b.previousMemberEpoch &&
    a.state === b.state &&
    samePartitions(a.assignedPartitions, b.assignedPartitions) &&
    samePartitions(a.partitionsPendingRevocation, b.partitionsPendingRevocation)
  );
}

function sameClassic(a: ClassicMemberMetadata | null, b: ClassicMemberMetadata | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.sessionTimeoutMs === b.sessionTimeoutMs &&
    a.supportedProtocols.length === b.supportedProtocols.length &&
    a.supportedProtocols.every((p, i) => p.name === b.supportedProtocols[i].name && p.metadata.equals(b.supportedProtocols[i].metadata))
  );
}

export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

export function samePartitions(a: TopicPartitions, b: TopicPartitions): boolean {
  if (countTopics(a) !== countTopics(b)) return false;
  for (const [topicId, ps] of a) {
    if (ps.size === 0) continue;
    const other = b.get(topicId);
    if (!other || other.size !== ps.size) return false;
    for (const p of ps) if (!other.has(p)) return false;
  }
  return true;
}

function countTopics(a: TopicPartitions): number {
  let n = 0;
  for (const ps of a.values()) if (ps.size > 0) n++;
  return n;
}

/** A heartbeat's or record's topic partitions as the map the group keeps. */
export function toTopicPartitions(list: readonly { topicId: string; partitions: readonly number[] }[]): TopicPartitions {
  const m: TopicPartitions = new Map();
  for (const t of list) {
    if (t.partitions.length === 0) continue;
    const set = m.get(t.topicId) ?? new Set<number>();
    for (const p of t.partitions) set.add(p);
    m.set(t.topicId, set);
  }
  return m;
}

/** The map as the wire and records list it (topics and partitions sorted, so output is stable). */
export function fromTopicPartitions(m: TopicPartitions): { topicId: string; partitions: number[] }[] {
  return [...m.entries()]
    .filter(([, ps]) => ps.size > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topicId, ps]) => ({ topicId, partitions: [...ps].sort((x, y) => x - y) }));
}
