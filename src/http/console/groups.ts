// Consumer groups of every type for the console, from the group coordinator through the broker's
// own APIs: ListGroups, then per type DescribeGroups (classic), ConsumerGroupDescribe,
// ShareGroupDescribe or StreamsGroupDescribe, and committed offsets (OffsetFetch, or
// DescribeShareGroupOffsets for share groups) against the partitions' high watermarks for the lag.
import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { ListGroupsResponse } from '../../protocol/generated/list-groups-response.js';
import type { DescribeGroupsResponse } from '../../protocol/generated/describe-groups-response.js';
import type { ConsumerGroupDescribeResponse } from '../../protocol/generated/consumer-group-describe-response.js';
import type { ShareGroupDescribeResponse } from '../../protocol/generated/share-group-describe-response.js';
import type { StreamsGroupDescribeResponse } from '../../protocol/generated/streams-group-describe-response.js';
import type { OffsetFetchResponse } from '../../protocol/generated/offset-fetch-response.js';
import type { DescribeShareGroupOffsetsResponse } from '../../protocol/generated/describe-share-group-offsets-response.js';
import type { FindCoordinatorResponse } from '../../protocol/generated/find-coordinator-response.js';
import { requestOn, type ConsoleSource } from './source.js';
import { partitionSource } from './partitions.js';
import type { MetadataImage } from '../../metadata/image.js';

export interface GroupListing {
  groupId: string;
  type: string;
  state: string;
  protocolType: string;
}

export interface GroupMember {
  memberId: string;
  instanceId: string | null;
  clientId: string;
  clientHost: string;
  /** "topic-partition" strings, or a streams member's tasks. */
  assignment: string[];
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Committed offset (a share group's start offset); -1 when none. */
  offset: number;
  /** -1 when unknown (neither a replica here nor an answer from the leader). */
  highWatermark: number;
  /** -1 when unknown. */
  lag: number;
}

export interface GroupDetail extends GroupListing {
  error: string | null;
  members: GroupMember[];
  offsets: PartitionLag[];
}

/** ListGroups on every broker (each lists the groups it coordinates), merged. */
export async function listGroups(src: ConsoleSource): Promise<GroupListing[]> {
  const ids = src.brokerIds();
  const answers = await Promise.allSettled((ids.includes(src.nodeId) ? ids : [src.nodeId, ...ids]).map((id) => requestOn<ListGroupsResponse>(src, id, 16, 5, { statesFilter: [], typesFilter: [] })));
  const groups = new Map<string, GroupListing>();
  for (const a of answers) {
    if (a.status !== 'fulfilled' || a.value.errorCode !== ErrorCode.NONE) continue;
    for (const g of a.value.groups) groups.set(g.groupId, { groupId: g.groupId, type: g.groupType || 'classic', state: g.groupState ?? '', protocolType: g.protocolType });
  }
  return [...groups.values()].sort((a, b) => a.groupId.localeCompare(b.groupId));
}

/** The broker coordinating `key` (FindCoordinator key type 0 group, 1 transactional id); this one when unknown. */
export async function coordinatorOf(src: ConsoleSource, keyType: 0 | 1, keys: string[]): Promise<Map<string, number>> {
  const res = await src.request<FindCoordinatorResponse>(10, 4, { keyType, coordinatorKeys: keys });
  return new Map((res.coordinators ?? []).map((c) => [c.key, c.errorCode === ErrorCode.NONE ? c.nodeId : src.nodeId]));
}

/** Kafka's ConsumerProtocolAssignment (any version): the topic partitions only. */
export function decodeConsumerAssignment(b: Buffer): string[] {
  if (b.length < 6) return [];
  try {
    let pos = 2; // version
    const topics = b.readInt32BE(pos);
    pos += 4;
    const out: string[] = [];
    for (let i = 0; i < topics; i++) {
      const len = b.readInt16BE(pos);
      const topic = b.toString('utf8', pos + 2, pos + 2 + len);
      pos += 2 + len;
      const n = b.readInt32BE(pos);
      pos += 4;
      for (let j = 0; j < n; j++, pos += 4) out.push(`${topic}-${b.readInt32BE(pos)}`);
    }
    return out;
  } catch {
    return ['(assignment not in the consumer protocol)'];
  }
}

function partitions(tps: readonly { topicName: string; partitions: number[] }[]): string[] {
  return tps.flatMap((t) => [...t.partitions].sort((a, b) => a - b).map((p) => `${t.topicName}-${p}`));
}

/** The partition's high watermark, from the leader when not held here; -1 when unknown. */
async function highWatermark(src: ConsoleSource, image: MetadataImage, topic: string, partition: number): Promise<number> {
  const local = src.partitionLog(topic, partition);
  if (local) return local.highWatermark;
  const t = image.topics.get(topic);
  return (t && (await partitionSource(src, t, partition))?.highWatermark) ?? -1;
}

async function lagRow(src: ConsoleSource, image: MetadataImage, topic: string, partition: number, offset: number, lag?: number): Promise<PartitionLag> {
  const hw = await highWatermark(src, image, topic, partition);
  return { topic, partition, offset, highWatermark: hw, lag: lag ?? (hw >= 0 && offset >= 0 ? Math.max(hw - offset, 0) : hw >= 0 ? hw : -1) };
}

async function committedOffsets(src: ConsoleSource, image: MetadataImage, at: number, groupId: string): Promise<PartitionLag[]> {
  const res = await requestOn<OffsetFetchResponse>(src, at, 9, 9, { groups: [{ groupId, memberId: null, memberEpoch: -1, topics: null }], requireStable: false });
  const g = res.groups?.[0];
  if (!g || g.errorCode !== ErrorCode.NONE) return [];
  return Promise.all(g.topics.flatMap((t) => t.partitions.filter((p) => p.errorCode === ErrorCode.NONE).map((p) => lagRow(src, image, t.name ?? '', p.partitionIndex, p.committedOffset))));
}

async function shareOffsets(src: ConsoleSource, image: MetadataImage, at: number, groupId: string): Promise<PartitionLag[]> {
  const res = await requestOn<DescribeShareGroupOffsetsResponse>(src, at, 90, 1, { groups: [{ groupId, topics: null }] });
  const g = res.groups[0];
  if (!g || g.errorCode !== ErrorCode.NONE) return [];
  return Promise.all(g.topics.flatMap((t) => t.partitions.filter((p) => p.errorCode === ErrorCode.NONE).map((p) => lagRow(src, image, t.topicName, p.partitionIndex, p.startOffset, p.lag !== undefined && p.lag >= 0 ? p.lag : undefined))));
}

function sortLags(rows: PartitionLag[]): PartitionLag[] {
  return rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** One group with members, assignments and lag per partition; null when no such group exists. */
export async function describeGroup(src: ConsoleSource, image: MetadataImage, groupId: string): Promise<GroupDetail | null> {
  const listing = (await listGroups(src)).find((g) => g.groupId === groupId);
  if (!listing) return null;
  const detail: GroupDetail = { ...listing, error: null, members: [], offsets: [] };
  const at = (await coordinatorOf(src, 0, [groupId])).get(groupId) ?? src.nodeId;
  const fail = (code: number, message: string | null) => {
    if (code !== ErrorCode.NONE) detail.error = message ?? errorName(code);
  };
  if (listing.type === 'consumer') {
    const g = (await requestOn<ConsumerGroupDescribeResponse>(src, at, 69, 1, { groupIds: [groupId], includeAuthorizedOperations: false })).groups[0];
    fail(g.errorCode, g.errorMessage);
    detail.members = g.members.map((m) => ({ memberId: m.memberId, instanceId: m.instanceId, clientId: m.clientId, clientHost: m.clientHost, assignment: partitions(m.assignment.topicPartitions) }));
    detail.offsets = await committedOffsets(src, image, at, groupId);
  } else if (listing.type === 'share') {
    const g = (await requestOn<ShareGroupDescribeResponse>(src, at, 77, 1, { groupIds: [groupId], includeAuthorizedOperations: false })).groups[0];
    fail(g.errorCode, g.errorMessage);
    detail.members = g.members.map((m) => ({ memberId: m.memberId, instanceId: null, clientId: m.clientId, clientHost: m.clientHost, assignment: partitions(m.assignment.topicPartitions) }));
    detail.offsets = await shareOffsets(src, image, at, groupId);
  } else if (listing.type === 'streams') {
    const g = (await requestOn<StreamsGroupDescribeResponse>(src, at, 89, 1, { groupIds: [groupId], includeAuthorizedOperations: false })).groups[0];
    fail(g.errorCode, g.errorMessage);
    detail.members = g.members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: m.assignment.activeTasks.flatMap((t) => t.partitions.map((p) => `task ${t.subtopologyId}_${p}`)),
    }));
    detail.offsets = await committedOffsets(src, image, at, groupId);
  } else {
    const g = (await requestOn<DescribeGroupsResponse>(src, at, 15, 5, { groups: [groupId], includeAuthorizedOperations: false })).groups[0];
    fail(g.errorCode, g.errorMessage ?? null);
    detail.members = g.members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.groupInstanceId ?? null,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: g.protocolType === 'consumer' ? decodeConsumerAssignment(m.memberAssignment) : [],
    }));
    detail.offsets = await committedOffsets(src, image, at, groupId);
  }
  detail.offsets = sortLags(detail.offsets);
  return detail;
}
