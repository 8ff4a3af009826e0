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
import type { ConsoleSource } from './source.js';

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
  /** -1 when this broker holds no replica of the partition. */
  highWatermark: number;
  /** -1 when unknown. */
  lag: number;
}

export interface GroupDetail extends GroupListing {
  error: string | null;
  members: GroupMember[];
  offsets: PartitionLag[];
}

export async function listGroups(src: ConsoleSource): Promise<GroupListing[]> {
  const res = await src.request<ListGroupsResponse>(16, 5, { statesFilter: [], typesFilter: [] });
  if (res.errorCode !== ErrorCode.NONE) throw new Error(errorName(res.errorCode));
  return res.groups
    .map((g) => ({ groupId: g.groupId, type: g.groupType ?? 'classic', state: g.groupState ?? '', protocolType: g.protocolType }))
    .sort((a, b) => a.groupId.localeCompare(b.groupId));
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

function highWatermark(src: ConsoleSource, topic: string, partition: number): number {
  return src.partitionLog(topic, partition)?.highWatermark ?? -1;
}

function lagRow(src: ConsoleSource, topic: string, partition: number, offset: number, lag?: number): PartitionLag {
  const hw = highWatermark(src, topic, partition);
  return { topic, partition, offset, highWatermark: hw, lag: lag ?? (hw >= 0 && offset >= 0 ? Math.max(hw - offset, 0) : hw >= 0 ? hw : -1) };
}

async function committedOffsets(src: ConsoleSource, groupId: string): Promise<PartitionLag[]> {
  const res = await src.request<OffsetFetchResponse>(9, 9, { groups: [{ groupId, memberId: null, memberEpoch: -1, topics: null }], requireStable: false });
  const g = res.groups?.[0];
  if (!g || g.errorCode !== ErrorCode.NONE) return [];
  return g.topics.flatMap((t) => t.partitions.filter((p) => p.errorCode === ErrorCode.NONE).map((p) => lagRow(src, t.name ?? '', p.partitionIndex, p.committedOffset)));
}

async function shareOffsets(src: ConsoleSource, groupId: string): Promise<PartitionLag[]> {
  const res = await src.request<DescribeShareGroupOffsetsResponse>(90, 1, { groups: [{ groupId, topics: null }] });
  const g = res.groups[0];
  if (!g || g.errorCode !== ErrorCode.NONE) return [];
  return g.topics.flatMap((t) => t.partitions.filter((p) => p.errorCode === ErrorCode.NONE).map((p) => lagRow(src, t.topicName, p.partitionIndex, p.startOffset, p.lag !== undefined && p.lag >= 0 ? p.lag : undefined)));
}

function sortLags(rows: PartitionLag[]): PartitionLag[] {
  return rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** One group with members, assignments and lag per partition; null when no such group exists. */
export async function describeGroup(src: ConsoleSource, groupId: string): Promise<GroupDetail | null> {
  const listing = (await listGroups(src)).find((g) => g.groupId === groupId);
  if (!listing) return null;
  const detail: GroupDetail = { ...listing, error: null, members: [], offsets: [] };
  const fail = (code: number, message: string | null) => {
    if (code !== ErrorCode.NONE) detail.error = message ?? errorName(code);
  };
  if (listing.type === 'consumer') {
    const g = (await src.request<ConsumerGroupDescribeResponse>(69, 1, { groupIds: [groupId], includeAuthorizedOperations: false })).groups[0];
    fail(g.errorCode, g.errorMessage);
    detail.members = g.members.map((m) => ({ memberId: m.memberId, instanceId: m.instanceId, clientId: m.clientId, clientHost: m.clientHost, assignment: partitions(m.assignment.topicPartitions) }));
    detail.offsets = await committedOffsets(src, groupId);
  } else if (listing.type === 'share') {
    const g = (await src.request<ShareGroupDescribeResponse>(77, 1, { groupIds: [groupId], includeAuthorizedOperations: false })).groups[0];
    fail(g.errorCode, g.errorMessage);
    detail.members = g.members.map((m) => ({ memberId: m.memberId, instanceId: null, clientId: m.clientId, clientHost: m.clientHost, assignment: partitions(m.assignment.topicPartitions) }));
    detail.offsets = await shareOffsets(src, groupId);
  } else if (listing.type === 'streams') {
    const g = (await src.request<StreamsGroupDescribeResponse>(89, 1, { groupIds: [groupId], includeAuthorizedOperations: false })).groups[0];
    fail(g.errorCode, g.errorMessage);
    detail.members = g.members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: m.assignment.activeTasks.flatMap((t) => t.partitions.map((p) => `task ${t.subtopologyId}_${p}`)),
    }));
    detail.offsets = await committedOffsets(src, groupId);
  } else {
    const g = (await src.request<DescribeGroupsResponse>(15, 5, { groups: [groupId], includeAuthorizedOperations: false })).groups[0];
    fail(g.errorCode, g.errorMessage ?? null);
    detail.members = g.members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.groupInstanceId ?? null,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: g.protocolType === 'consumer' ? decodeConsumerAssignment(m.memberAssignment) : [],
    }));
    detail.offsets = await committedOffsets(src, groupId);
  }
  detail.offsets = sortLags(detail.offsets);
  return detail;
}
