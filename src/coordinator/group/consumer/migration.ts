// Online migration between the classic and the consumer protocol (KIP-848): the migration policy,
// the embedded ConsumerProtocol bytes a classic member sends (subscription) and receives
// (assignment), and the conversion of a classic group into consumer group records.
import { ConsumerProtocolAssignment } from '../../../protocol/generated/consumer-protocol-assignment.js';
import { ConsumerProtocolSubscription } from '../../../protocol/generated/consumer-protocol-subscription.js';
import { Reader } from '../../../protocol/reader.js';
import { Writer } from '../../../protocol/writer.js';
import type { StoredRecord } from '../offsets-topic.js';
import type { TopicPartitions } from '../assignor/types.js';
import { ClassicGroup } from '../classic/group.js';
import { ClassicMember } from '../classic/member.js';
import type { ConsumerGroup } from './group.js';
import { MemberState, newMember, type ClassicMemberMetadata, type ConsumerGroupMember } from './member.js';
import { currentAssignmentRecord, groupEpochRecord, memberMetadataRecord, targetAssignmentMetadataRecord, targetAssignmentRecord } from './records.js';
import type { TopicsView } from './target-assignment.js';

/** group.consumer.migration.policy (Kafka's ConsumerGroupMigrationPolicy). */
export interface MigrationPolicy {
  upgrade: boolean;
  downgrade: boolean;
}

export function migrationPolicy(value: string | null | undefined): MigrationPolicy {
  switch ((value ?? 'bidirectional').toLowerCase()) {
    case 'disabled':
      return { upgrade: false, downgrade: false };
    case 'upgrade':
      return { upgrade: true, downgrade: false };
    case 'downgrade':
      return { upgrade: false, downgrade: true };
    default:
      return { upgrade: true, downgrade: true };
  }
}

/** A malformed embedded protocol (Kafka's SchemaException). */
export class MalformedProtocolError extends Error {}

/** An assignment carrying user data (a custom assignor's), which a consumer group could not keep (Kafka's UnsupportedVersionException). */
export class CustomAssignorError extends Error {}

const MAX_VERSION = 3;

/** The version a ConsumerProtocol blob starts with; newer ones are read as the newest known. */
function versionOf(bytes: Buffer): number {
  if (bytes.length < 2) throw new MalformedProtocolError('missing version');
  const v = bytes.readInt16BE(0);
  if (v < 0) throw new MalformedProtocolError(`unsupported version ${v}`);
  return Math.min(v, MAX_VERSION);
}

export function decodeSubscription(bytes: Buffer): ConsumerProtocolSubscription {
  try {
    return ConsumerProtocolSubscription.decode(new Reader(bytes, 2), versionOf(bytes));
  } catch (e) {
    throw e instanceof MalformedProtocolError ? e : new MalformedProtocolError((e as Error)?.message ?? String(e));
  }
}

export function decodeAssignment(bytes: Buffer): ConsumerProtocolAssignment {
  try {
    return ConsumerProtocolAssignment.decode(new Reader(bytes, 2), versionOf(bytes));
  } catch (e) {
    throw e instanceof MalformedProtocolError ? e : new MalformedProtocolError((e as Error)?.message ?? String(e));
  }
}

/** The assignment as a classic member reads it, in the version of its (first) subscription. */
export function encodeAssignment(partitions: TopicPartitions, topics: TopicsView, subscriptionBytes: Buffer): Buffer {
  let version = 0;
  try {
    version = versionOf(subscriptionBytes);
  } catch {
    version = 0;
  }
  const assignedPartitions: { topic: string; partitions: number[] }[] = [];
  for (const [topicId, ps] of [...partitions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const t = topics.getById(topicId);
    if (t && ps.size > 0) assignedPartitions.push({ topic: t.name, partitions: [...ps].sort((x, y) => x - y) });
  }
  const w = new Writer();
  w.int16(version);
  ConsumerProtocolAssignment.encode(w, version, { assignedPartitions, userData: null });
  return w.toBuffer();
}

/** Topic names -> ids; topics missing from the image are left out, as Kafka does. */
export function topicPartitionsByName(list: readonly { topic: string; partitions: readonly number[] }[] | undefined, topics: TopicsView): TopicPartitions {
  const out: TopicPartitions = new Map();
  for (const t of list ?? []) {
    const id = topics.get(t.topic)?.topicId;
    if (id === undefined || t.partitions.length === 0) continue;
    const set = out.get(id) ?? new Set<number>();
    for (const p of t.partitions) set.add(p);
    out.set(id, set);
  }
  return out;
}

export function classicMetadata(sessionTimeoutMs: number, protocols: readonly { name: string; metadata: Buffer }[]): ClassicMemberMetadata {
  return { sessionTimeoutMs, supportedProtocols: protocols.map((p) => ({ name: p.name, metadata: p.metadata })) };
}

/**
 * Kafka's ConsumerGroup.fromClassicGroup + createConsumerGroupRecords: every classic member becomes a
 * consumer member at the group's generation, subscribed and assigned as its protocol bytes say
 * (its assignment is also its target). Throws MalformedProtocolError on bytes that do not parse.
 */
export function consumerGroupRecordsFromClassic(classic: ClassicGroup, topics: TopicsView, metadataHash: (names: ReadonlySet<string>) => number, now: number): { members: ConsumerGroupMember[]; records: StoredRecord[] } {
  const epoch = classic.generationId;
  const protocolName = classic.protocolName;
  const members: ConsumerGroupMember[] = [];
  for (const m of classic.members.values()) {
    const subscriptionBytes = protocolName !== null ? m.metadata(protocolName) : m.protocols[0]?.metadata;
    if (subscriptionBytes === undefined) throw new MalformedProtocolError(`member ${m.memberId} has no protocol`);
    const subscription = decodeSubscription(subscriptionBytes);
    let assigned: TopicPartitions = new Map();
    if (m.assignment.length > 0) {
      const a = decodeAssignment(m.assignment);
      if (a.userData !== null && a.userData.length > 0) throw new CustomAssignorError('userData from a custom assignor would be lost');
      assigned = topicPartitionsByName(a.assignedPartitions, topics);
    }
    const epochs = new Map<string, Map<number, number>>();
    for (const [id, ps] of assigned) epochs.set(id, new Map([...ps].map((p) => [p, epoch])));
    members.push({
      ...newMember(m.memberId),
      instanceId: m.groupInstanceId,
      rackId: subscription.rackId ?? null,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: [...new Set(subscription.topics)].sort(),
      memberEpoch: epoch,
      previousMemberEpoch: epoch,
      state: MemberState.STABLE,
      assignedPartitions: assigned,
      assignmentEpochs: epochs,
      classic: classicMetadata(m.sessionTimeoutMs, m.protocols),
    });
  }
  const names = new Set<string>();
  for (const m of members) for (const n of m.subscribedTopicNames) names.add(n);
  const id = classic.groupId;
  const records: StoredRecord[] = [
    ...members.map((m) => memberMetadataRecord(id, m)),
    groupEpochRecord(id, epoch, metadataHash(names)),
    ...members.map((m) => targetAssignmentRecord(id, m.memberId, m.assignedPartitions)),
    targetAssignmentMetadataRecord(id, epoch, now),
    ...members.map((m) => currentAssignmentRecord(id, m)),
  ];
  return { members, records };
}

/**
 * Kafka's ClassicGroup.fromConsumerGroup: the members but `leavingId` (all classic; with `joining`, the
 * classic member replacing it) at the group epoch,
 * on the protocol the first of them prefers among those all of them support; Stable until it rebalances.
 */
export function classicGroupFrom(group: ConsumerGroup, leavingId: string, now: number, joining?: ConsumerGroupMember): ClassicGroup {
  const members = [...group.members.values(), ...(joining ? [joining] : [])].filter((m) => m.memberId !== leavingId && m.classic !== null);
  const supportedByAll = (name: string) => members.every((m) => m.classic!.supportedProtocols.some((p) => p.name === name));
  const protocolName = members[0]?.classic!.supportedProtocols.find((p) => supportedByAll(p.name))?.name ?? members[0]?.classic!.supportedProtocols[0]?.name ?? null;
  const classic = new ClassicGroup(group.groupId, 'Stable', now, { generationId: group.groupEpoch, protocolType: 'consumer', protocolName, leaderId: members[0]?.memberId ?? null });
  for (const m of members) {
    const c = m.classic!;
    const member = new ClassicMember(m.memberId, m.instanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs, c.sessionTimeoutMs, 'consumer', c.supportedProtocols.map((p) => ({ name: p.name, metadata: p.metadata })));
    classic.add(member, null);
  }
  classic.subscribedTopics = classic.computeSubscribedTopics();
  return classic;
}
