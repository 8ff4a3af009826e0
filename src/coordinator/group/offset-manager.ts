// Committed offsets as Kafka's OffsetMetadataManager keeps them: commits validated against the
// group's generation, written to __consumer_offsets before they are acknowledged, fetched per
// partition or all at once, deleted, and expired once the retention period has passed.
// Transactional commits (TxnOffsetCommit) are written as the producer's transactional batch and
// stay pending (txn-offsets.ts) until the transaction's marker.
import { log } from '../../log.js';
import { ErrorCode } from '../../protocol/errors.js';
import { appendErrorCode, type CoordinatorContext } from './context.js';
import type { Group } from './group.js';
import { ClassicGroup } from './classic/group.js';
import type { ClassicGroupManager } from './classic/manager.js';
import { UnreplicatedWrite, type StoredRecord } from './offsets-topic.js';
import { encodeKey, encodeOffsetCommitValue, type OffsetAndMetadata } from './records.js';

export interface CommitRequest {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  /** OffsetCommit v2-4; -1 means the broker's retention. */
  retentionTimeMs: number;
  topics: {
    name: string;
    partitions: { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; commitTimestamp: number; committedMetadata: string | null }[];
  }[];
}

/** TxnOffsetCommit (Kafka's TxnOffsetCommitRequestData, topics by name). */
export interface TxnCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: {
    name: string;
    partitions: { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }[];
  }[];
}

export interface PartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
}

export interface FetchedPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface FetchedTopic {
  name: string;
  partitions: FetchedPartition[];
}

export interface DeleteOffsetsResult {
  errorCode: number;
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

export function offsetRecord(groupId: string, topic: string, partition: number, o: OffsetAndMetadata): StoredRecord {
  return { key: encodeKey({ type: 'offset', group: groupId, topic, partition }), value: encodeOffsetCommitValue(o) };
}

export function offsetTombstone(groupId: string, topic: string, partition: number): StoredRecord {
  return { key: encodeKey({ type: 'offset', group: groupId, topic, partition }), value: null };
}

export class OffsetManager {
  constructor(
    private readonly c: CoordinatorContext,
    private readonly classic: ClassicGroupManager,
  ) {}

  async commit(req: CommitRequest, apiVersion: number): Promise<PartitionResult[]> {
    const all = (errorCode: number) => req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode })));
    let group = this.c.group(req.groupId);
    if (group === undefined) {
      if (req.generationIdOrMemberEpoch >= 0) {
        // v9+ says so plainly; older clients expect ILLEGAL_GENERATION.
        return all(apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION);
      }
      // Offsets without group membership: a "simple" group, Empty and without a protocol type.
      group = new ClassicGroup(req.groupId, 'Empty', this.c.now());
      this.c.addGroup(group);
    }
    const error = group.validateOffsetCommit(req.memberId, req.groupInstanceId, req.generationIdOrMemberEpoch, false, apiVersion);
    if (error !== ErrorCode.NONE) return all(error);
    if (group instanceof ClassicGroup) this.classic.touch(group, req.memberId);

    const now = this.c.now();
    const expireTimestamp = req.retentionTimeMs === -1 ? null : now + req.retentionTimeMs;
    const results: PartitionResult[] = [];
    const written: { topic: string; partition: number; offset: OffsetAndMetadata; previous: OffsetAndMetadata | undefined }[] = [];
    for (const t of req.topics) {
      for (const p of t.partitions) {
        if (p.committedMetadata !== null && p.committedMetadata.length > this.c.settings.offsetMetadataMaxBytes) {
          results.push({ topic: t.name, partition: p.partitionIndex, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE });
          continue;
        }
        const partitionError = (group as Group).validateOffsetCommitPartition?.(req.memberId, req.generationIdOrMemberEpoch, t.name, p.partitionIndex) ?? ErrorCode.NONE;
        if (partitionError !== ErrorCode.NONE) {
          results.push({ topic: t.name, partition: p.partitionIndex, errorCode: partitionError });
          continue;
        }
        const offset: OffsetAndMetadata = {
          committedOffset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch < 0 ? -1 : p.committedLeaderEpoch,
          metadata: p.committedMetadata ?? '',
          commitTimestamp: p.commitTimestamp === -1 ? now : p.commitTimestamp,
          expireTimestamp,
        };
        written.push({ topic: t.name, partition: p.partitionIndex, offset, previous: undefined });
        results.push({ topic: t.name, partition: p.partitionIndex, errorCode: ErrorCode.NONE });
      }
    }
    if (written.length === 0) return results;
    const groupId = req.groupId;
    for (const w of written) w.previous = this.c.offsets.put(groupId, w.topic, w.partition, w.offset);
    // Where each record lands: a transaction's offsets committed later win only over older ones.
    const placed = (base: number) => written.forEach((w, i) => (w.offset.recordOffset = base + i));
    try {
      await this.c.append(groupId, written.map((w) => offsetRecord(groupId, w.topic, w.partition, w.offset)), undefined, placed);
    } catch (e) {
      // Undo what no later commit has replaced (unless the log has it), and report the failure on every written partition.
      for (const w of written) {
        if (e instanceof UnreplicatedWrite) break;
        if (this.c.offsets.get(groupId, w.topic, w.partition) !== w.offset) continue;
        if (w.previous) this.c.offsets.put(groupId, w.topic, w.partition, w.previous);
        else this.c.offsets.delete(groupId, w.topic, w.partition);
      }
      const code = appendErrorCode(e);
      for (const r of results) if (r.errorCode === ErrorCode.NONE) r.errorCode = code;
    }
    return results;
  }

  /**
   * TxnOffsetCommit (Kafka's commitTransactionalOffset): the group checked as for OffsetCommit
   * (without member or state requirements where Kafka waives them), then the offsets written as
   * the producer's transactional batch; they stay pending until the transaction's marker.
   */
  async commitTransactional(req: TxnCommitRequest): Promise<PartitionResult[]> {
    const all = (errorCode: number) => req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode })));
    let group = this.c.group(req.groupId);
    if (group === undefined) {
      if (req.generationIdOrMemberEpoch >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
      group = new ClassicGroup(req.groupId, 'Empty', this.c.now());
      this.c.addGroup(group);
    }
    const error = group.validateOffsetCommit(req.memberId, req.groupInstanceId, req.generationIdOrMemberEpoch, true);
    if (error !== ErrorCode.NONE) return all(error);

    const now = this.c.now();
    const results: PartitionResult[] = [];
    const written: { topic: string; partition: number; offset: OffsetAndMetadata }[] = [];
    for (const t of req.topics) {
      for (const p of t.partitions) {
        if (p.committedMetadata !== null && p.committedMetadata.length > this.c.settings.offsetMetadataMaxBytes) {
          results.push({ topic: t.name, partition: p.partitionIndex, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE });
          continue;
        }
        const partitionError = (group as Group).validateOffsetCommitPartition?.(req.memberId, req.generationIdOrMemberEpoch, t.name, p.partitionIndex) ?? ErrorCode.NONE;
        if (partitionError !== ErrorCode.NONE) {
          results.push({ topic: t.name, partition: p.partitionIndex, errorCode: partitionError });
          continue;
        }
        const offset: OffsetAndMetadata = {
          committedOffset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch < 0 ? -1 : p.committedLeaderEpoch,
          metadata: p.committedMetadata ?? '',
          commitTimestamp: now,
          expireTimestamp: null,
        };
        written.push({ topic: t.name, partition: p.partitionIndex, offset });
        results.push({ topic: t.name, partition: p.partitionIndex, errorCode: ErrorCode.NONE });
      }
    }
    if (written.length === 0) return results;
    const groupId = req.groupId;
    // Pending from the moment the batch is in the log: a marker appended after it completes it.
    const pend = (base: number) =>
      written.forEach((w, i) => {
        w.offset.recordOffset = base + i;
        this.c.pendingTxnOffsets.put(req.producerId, groupId, w.topic, w.partition, w.offset);
      });
    try {
      await this.c.append(groupId, written.map((w) => offsetRecord(groupId, w.topic, w.partition, w.offset)), { producerId: req.producerId, producerEpoch: req.producerEpoch }, pend);
    } catch (e) {
      const code = appendErrorCode(e);
      for (const r of results) if (r.errorCode === ErrorCode.NONE) r.errorCode = code;
    }
    return results;
  }

  /**
   * The requested partitions' offsets (-1 without one), or all the group's when topics is null.
   * `requireStable`: a partition with a pending transactional offset answers UNSTABLE_OFFSET_COMMIT.
   */
  fetch(groupId: string, topics: { name: string; partitionIndexes: number[] }[] | null, requireStable = false): FetchedTopic[] {
    const unstable = (topic: string, p: number) => requireStable && this.c.pendingTxnOffsets.has(groupId, topic, p);
    const group = this.c.group(groupId);
    const known = group !== undefined && group.stateName() !== 'Dead';
    if (topics === null) {
      if (!known) return [];
      const byTopic = new Map<string, FetchedPartition[]>();
      for (const { topic, partition, offset } of this.c.offsets.all(groupId)) {
        let list = byTopic.get(topic);
        if (!list) byTopic.set(topic, (list = []));
        list.push(unstable(topic, partition) ? unstableOffset(partition) : fetched(partition, offset));
      }
      return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
    }
    return topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => (unstable(t.name, p) ? unstableOffset(p) : fetched(p, known ? this.c.offsets.get(groupId, t.name, p) : undefined))),
    }));
  }

  async deleteOffsets(groupId: string, topics: { name: string; partitions: number[] }[]): Promise<DeleteOffsetsResult> {
    const group = this.c.group(groupId);
    if (group === undefined) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    const error = group.validateOffsetDelete();
    if (error !== ErrorCode.NONE) return { errorCode: error, topics: [] };
    const result: DeleteOffsetsResult = { errorCode: ErrorCode.NONE, topics: [] };
    const removed: { topic: string; partition: number; offset: OffsetAndMetadata | undefined }[] = [];
    for (const t of topics) {
      const subscribed = group.isSubscribedToTopic(t.name);
      result.topics.push({
        name: t.name,
        partitions: t.partitions.map((p) => {
          if (subscribed) return { partitionIndex: p, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
          // A tombstone also ends the partition's pending transactional offsets (Kafka writes one for either).
          const pending = this.c.pendingTxnOffsets.has(groupId, t.name, p);
          if (pending) this.c.pendingTxnOffsets.remove(groupId, t.name, p);
          const offset = this.c.offsets.delete(groupId, t.name, p);
          if (offset || pending) removed.push({ topic: t.name, partition: p, offset: offset! });
          return { partitionIndex: p, errorCode: ErrorCode.NONE };
        }),
      });
    }
    if (removed.length === 0) return result;
    try {
      await this.c.append(groupId, removed.map((r) => offsetTombstone(groupId, r.topic, r.partition)));
    } catch (e) {
      if (!(e instanceof UnreplicatedWrite)) for (const r of removed) if (r.offset && !this.c.offsets.get(groupId, r.topic, r.partition)) this.c.offsets.put(groupId, r.topic, r.partition, r.offset);
      return { errorCode: appendErrorCode(e), topics: [] };
    }
    return result;
  }

  /** Tombstones for every offset of the group (DeleteGroups); removes them from memory. */
  deleteAll(groupId: string): StoredRecord[] {
    const records: StoredRecord[] = [];
    for (const { topic, partition } of this.c.offsets.all(groupId)) {
      this.c.offsets.delete(groupId, topic, partition);
      records.push(offsetTombstone(groupId, topic, partition));
    }
    // Pending transactional offsets go too, one tombstone per partition not already written.
    for (const { topic, partition } of this.c.pendingTxnOffsets.partitionsOf(groupId)) {
      this.c.pendingTxnOffsets.remove(groupId, topic, partition);
      if (!records.some((r) => r.key.equals(offsetTombstone(groupId, topic, partition).key))) records.push(offsetTombstone(groupId, topic, partition));
    }
    return records;
  }

  /**
   * Expires the group's offsets whose retention has passed (Kafka's cleanupExpiredOffsets) and
   * returns the tombstones to write, plus whether the group now has no offsets left.
   */
  expire(groupId: string, now: number): { records: StoredRecord[]; allExpired: boolean } {
    const group = this.c.group(groupId);
    const records: StoredRecord[] = [];
    // A group with open transactions keeps its offsets and itself (Kafka's cleanupExpiredOffsets).
    const openTxn = this.c.pendingTxnOffsets.hasGroup(groupId);
    if (!this.c.offsets.hasOffsets(groupId)) return { records, allExpired: !openTxn };
    if (group === undefined) return { records, allExpired: false };
    const base = group.offsetExpirationBase();
    if (base === null) return { records, allExpired: false };
    let allExpired = true;
    for (const { topic, partition, offset } of this.c.offsets.all(groupId)) {
      if (group.isSubscribedToTopic(topic) || this.c.pendingTxnOffsets.has(groupId, topic, partition)) {
        allExpired = false;
        continue;
      }
      const expired =
        offset.expireTimestamp !== null ? now >= offset.expireTimestamp : now - base(offset) >= this.c.settings.offsetsRetentionMs;
      if (expired) {
        this.c.offsets.delete(groupId, topic, partition);
        records.push(offsetTombstone(groupId, topic, partition));
        log.debug(`group ${groupId}: offset of ${topic}-${partition} expired`);
      } else {
        allExpired = false;
      }
    }
    return { records, allExpired: allExpired && !openTxn };
  }
}

function unstableOffset(partitionIndex: number): FetchedPartition {
  return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT };
}

function fetched(partitionIndex: number, o: OffsetAndMetadata | undefined): FetchedPartition {
  if (!o) return { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
  return { partitionIndex, committedOffset: o.committedOffset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE };
}
