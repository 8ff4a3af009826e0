// The share-group offset APIs (KIP-932): DescribeShareGroupOffsets (90) reads each share
// partition's start offset through the Persister's summary and derives the lag (latest offset -
// start offset - records delivered to completion); AlterShareGroupOffsets (91) re-initializes
// share partitions at given start offsets and DeleteShareGroupOffsets (92) deletes their state,
// both only while the group is Empty.
import { log } from '../../../log.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { AlterShareGroupOffsetsRequest } from '../../../protocol/generated/alter-share-group-offsets-request.js';
import type { AlterShareGroupOffsetsResponse, AlterShareGroupOffsetsResponseAlterShareGroupOffsetsResponseTopic } from '../../../protocol/generated/alter-share-group-offsets-response.js';
import type { DeleteShareGroupOffsetsRequest } from '../../../protocol/generated/delete-share-group-offsets-request.js';
import type { DeleteShareGroupOffsetsResponse, DeleteShareGroupOffsetsResponseDeleteShareGroupOffsetsResponseTopic } from '../../../protocol/generated/delete-share-group-offsets-response.js';
import type {
  DescribeShareGroupOffsetsResponseDescribeShareGroupOffsetsResponseGroup as DescribedGroup,
  DescribeShareGroupOffsetsResponseDescribeShareGroupOffsetsResponseTopic as DescribedTopic,
} from '../../../protocol/generated/describe-share-group-offsets-response.js';
import { appendErrorCode } from '../context.js';
import { ShareGroupError } from './errors.js';
import { cloneState, withInitialized, withInitializing, withoutInitializing, type InitMap } from './state-partitions.js';
import { statePartitionsRecord } from './records.js';
import type { ShareGroupManager } from './manager.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const UNKNOWN_TOPIC_MESSAGE = 'This server does not host this topic-partition.';
const NON_EMPTY_GROUP_MESSAGE = 'The group is not empty.';

export function describeError(groupId: string, errorCode: number, errorMessage: string | null = null): DescribedGroup {
  return { groupId, topics: [], errorCode, errorMessage };
}

/** DescribeShareGroupOffsets of one group; `topics` null: every initialized share partition. */
export async function describeShareGroupOffsets(m: ShareGroupManager, groupId: string, topics: { topicName: string; partitions: number[] }[] | null): Promise<DescribedGroup> {
  if (groupId === '') return describeError(groupId, ErrorCode.INVALID_GROUP_ID);
  const status = m.context.status(groupId);
  if (status !== ErrorCode.NONE) return describeError(groupId, status);
  const view = m.topics();
  const out: DescribedTopic[] = [];
  const toRead: { topicId: string; name: string; partitions: number[] }[] = [];
  if (topics === null) {
    const g = m.context.group(groupId);
    const initialized = g && g.type === 'share' ? m.lookup(groupId).statePartitions?.initialized : undefined;
    for (const [topicId, v] of initialized ?? []) {
      const t = view.byId(topicId);
      if (t) toRead.push({ topicId, name: t.name, partitions: [...v.partitions].sort((a, b) => a - b) });
    }
  } else {
    for (const t of topics) {
      const info = view.byName(t.topicName);
      // A topic that does not exist has no offsets: start offset -1, as OffsetFetch answers.
      if (!info) out.push({ topicName: t.topicName, topicId: ZERO_UUID, partitions: t.partitions.map((p) => ({ partitionIndex: p, startOffset: -1, leaderEpoch: 0, lag: -1, errorCode: ErrorCode.NONE, errorMessage: null })) });
      else toRead.push({ topicId: info.topicId, name: t.topicName, partitions: t.partitions });
    }
  }
  if (toRead.length === 0) return { groupId, topics: out, errorCode: ErrorCode.NONE, errorMessage: null };
  const persister = m.persister;
  if (!persister) return describeError(groupId, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  for (const t of toRead) {
    const partitions = await Promise.all(
      t.partitions.map(async (partition) => {
        // Kafka's coordinator leaves the request's leader epoch at its default, 0.
        const s = await persister.readSummary({ groupId, topicId: t.topicId, partition }, 0).catch(() => null);
        const ok = s !== null && s.errorCode === ErrorCode.NONE;
        const base = { partitionIndex: partition, startOffset: ok ? s.startOffset : -1, leaderEpoch: ok ? s.leaderEpoch : 0, lag: -1, errorCode: ErrorCode.NONE, errorMessage: null };
        // Kafka computes the lag only for an initialized partition whose delivered count is known.
        if (!ok || s.startOffset === -1 || s.deliveryCompleteCount === -1) return base;
        const latest = m.hostView.latestOffset(t.name, partition);
        if (latest === null) return { ...base, startOffset: s.startOffset, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, errorMessage: 'For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.' };
        return { ...base, lag: latest - s.startOffset - s.deliveryCompleteCount };
      }),
    );
    out.push({ topicName: t.name, topicId: t.topicId, partitions });
  }
  return { groupId, topics: out, errorCode: ErrorCode.NONE, errorMessage: null };
}

function alterError(errorCode: number, errorMessage: string | null): AlterShareGroupOffsetsResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, responses: [] };
}

/** AlterShareGroupOffsets: only an Empty group (a missing one is created); each partition is initialized at its start offset. */
export async function alterShareGroupOffsets(m: ShareGroupManager, req: AlterShareGroupOffsetsRequest): Promise<AlterShareGroupOffsetsResponse> {
  const groupId = req.groupId;
  if (groupId === '') return alterError(ErrorCode.INVALID_GROUP_ID, null);
  const status = m.context.status(groupId);
  if (status !== ErrorCode.NONE) return alterError(status, null);
  let g;
  try {
    g = m.getOrCreate(groupId);
  } catch (e) {
    if (e instanceof ShareGroupError) return alterError(e.code, e.message);
    throw e;
  }
  if (!g.isEmpty()) return alterError(ErrorCode.NON_EMPTY_GROUP, NON_EMPTY_GROUP_MESSAGE);
  const view = m.topics();
  const now = m.context.now();
  const responses: AlterShareGroupOffsetsResponseAlterShareGroupOffsetsResponseTopic[] = [];
  const initializing: InitMap = new Map();
  const offsets: { topicId: string; partition: number; startOffset: number; topicIndex: number; partitionIndex: number }[] = [];
  for (const t of req.topics) {
    const info = view.byName(t.topicName);
    if (!info) {
      responses.push({ topicName: t.topicName, topicId: ZERO_UUID, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: UNKNOWN_TOPIC_MESSAGE })) });
      continue;
    }
    const topicIndex = responses.length;
    const partitions = t.partitions.map((p, partitionIndex) => {
      if (p.partitionIndex >= info.partitions || p.partitionIndex < 0) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: UNKNOWN_TOPIC_MESSAGE };
      offsets.push({ topicId: info.topicId, partition: p.partitionIndex, startOffset: p.startOffset, topicIndex, partitionIndex });
      return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null as string | null };
    });
    initializing.set(info.topicId, { name: t.topicName, partitions: new Set(offsets.filter((o) => o.topicIndex === topicIndex).map((o) => o.partition)), timestamp: now });
    responses.push({ topicName: t.topicName, topicId: info.topicId, partitions });
  }
  try {
    await m.writeRecords(groupId, [statePartitionsRecord(groupId, withInitializing(g.statePartitions, initializing))]);
  } catch (e) {
    return alterError(appendErrorCode(e), null);
  }
  const persister = m.persister;
  if (offsets.length === 0) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses };
  if (!persister) return alterError(ErrorCode.COORDINATOR_NOT_AVAILABLE, null);
  const epoch = m.lookup(groupId).groupEpoch;
  const results = await Promise.all(
    offsets.map((o) =>
      persister.initializeState({ groupId, topicId: o.topicId, partition: o.partition }, epoch, o.startOffset).catch(() => ({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null })),
    ),
  );
  const done = new Map<string, Set<number>>();
  const failed = new Map<string, Set<number>>();
  results.forEach((r, i) => {
    const o = offsets[i];
    const into = r.errorCode === ErrorCode.NONE ? done : failed;
    if (!into.has(o.topicId)) into.set(o.topicId, new Set());
    into.get(o.topicId)!.add(o.partition);
    if (r.errorCode !== ErrorCode.NONE) {
      const p = responses[o.topicIndex].partitions[o.partitionIndex];
      p.errorCode = r.errorCode;
      p.errorMessage = r.errorMessage;
    }
  });
  // Initialized partitions move to initialized, failed ones leave initializing.
  const g2 = m.lookup(groupId);
  let next = cloneState(g2.statePartitions);
  next = withInitialized(next, done, (id) => view.byId(id)?.name ?? '<UNKNOWN>', m.context.now());
  next = withoutInitializing(next, failed);
  try {
    await m.writeRecords(groupId, [statePartitionsRecord(groupId, next)]);
  } catch (e) {
    log.warn(`[GroupId ${groupId}] recording altered share partitions failed: ${(e as Error).message}`);
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses };
}

function deleteError(errorCode: number, errorMessage: string | null): DeleteShareGroupOffsetsResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, responses: [] };
}

/** DeleteShareGroupOffsets: only an Empty group; initialized topics move to deleting, their state is deleted, then they are forgotten. */
export async function deleteShareGroupOffsets(m: ShareGroupManager, req: DeleteShareGroupOffsetsRequest): Promise<DeleteShareGroupOffsetsResponse> {
  const groupId = req.groupId;
  if (groupId === '') return deleteError(ErrorCode.INVALID_GROUP_ID, null);
  const status = m.context.status(groupId);
  if (status !== ErrorCode.NONE) return deleteError(status, null);
  let g;
  try {
    g = m.lookup(groupId);
  } catch (e) {
    if (e instanceof ShareGroupError) return deleteError(e.code, e.message);
    throw e;
  }
  if (!g.isEmpty()) return deleteError(ErrorCode.NON_EMPTY_GROUP, NON_EMPTY_GROUP_MESSAGE);
  const view = m.topics();
  const errors: DeleteShareGroupOffsetsResponseDeleteShareGroupOffsetsResponseTopic[] = [];
  if (!g.statePartitions) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses: [] };
  const next = cloneState(g.statePartitions);
  const toDelete: { topicId: string; name: string; partitions: number[] }[] = [];
  for (const t of req.topics) {
    const info = view.byName(t.topicName);
    if (!info) {
      errors.push({ topicName: t.topicName, topicId: ZERO_UUID, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: UNKNOWN_TOPIC_MESSAGE });
    } else if (next.initialized.has(info.topicId)) {
      toDelete.push({ topicId: info.topicId, name: t.topicName, partitions: [...next.initialized.get(info.topicId)!.partitions] });
      next.initialized.delete(info.topicId);
      next.deleting.set(info.topicId, t.topicName);
    } else if (next.deleting.has(info.topicId)) {
      toDelete.push({ topicId: info.topicId, name: t.topicName, partitions: Array.from({ length: info.partitions }, (_, i) => i) });
    } else {
      errors.push({ topicName: t.topicName, topicId: ZERO_UUID, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'There is no offset information to delete.' });
    }
  }
  try {
    await m.writeRecords(groupId, [statePartitionsRecord(groupId, next)]);
  } catch (e) {
    return deleteError(appendErrorCode(e), null);
  }
  if (toDelete.length === 0) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses: errors };
  const persister = m.persister;
  if (!persister) return deleteError(ErrorCode.COORDINATOR_NOT_AVAILABLE, null);
  const succeeded: DeleteShareGroupOffsetsResponseDeleteShareGroupOffsetsResponseTopic[] = [];
  for (const t of toDelete) {
    const codes = await Promise.all(t.partitions.map((partition) => persister.deleteState({ groupId, topicId: t.topicId, partition }).then((r) => r.errorCode, () => ErrorCode.UNKNOWN_SERVER_ERROR)));
    const err = codes.find((c) => c !== ErrorCode.NONE);
    if (err !== undefined) errors.push({ topicName: t.name, topicId: t.topicId, errorCode: err, errorMessage: null });
    else succeeded.push({ topicName: t.name, topicId: t.topicId, errorCode: ErrorCode.NONE, errorMessage: null });
  }
  if (succeeded.length > 0) {
    const after = cloneState(m.lookup(groupId).statePartitions);
    for (const t of succeeded) after.deleting.delete(t.topicId);
    try {
      await m.writeRecords(groupId, [statePartitionsRecord(groupId, after)]);
    } catch (e) {
      return deleteError(appendErrorCode(e), null);
    }
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses: [...succeeded, ...errors] };
}
