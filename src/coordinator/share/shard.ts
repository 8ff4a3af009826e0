// The share-partition states of one __share_group_state partition (Kafka's ShareCoordinatorShard),
// sans IO: each operation checks the request against the state, state epoch and leader epoch and
// returns its answer with the records to write; the coordinator appends them and replays them
// here once written. A write becomes a ShareUpdate, or a ShareSnapshot of the merged state after
// share.coordinator.snapshot.update.records.per.snapshot updates; Initialize writes a snapshot,
// Delete a tombstone; a read at a new leader epoch records that epoch (writes of older leaders are
// then FENCED_LEADER_EPOCH).
import { ErrorCode, errorMessage } from '../../protocol/errors.js';
import type { PersisterStateBatch, ShareStateKey } from '../../share/persister.js';
import type { StoredRecord } from '../group/offsets-topic.js';
import { combineStateBatches } from './batch-combiner.js';
import { coordinatorKey, decodeShareRecord, snapshotRecord, tombstoneRecord, updateRecord, type ShareGroupOffset } from './records.js';

export const NEGATIVE_PARTITION_ID = 'The partition id cannot be a negative number.';
export const NEGATIVE_LEADER_EPOCH = 'The leader epoch cannot be a negative number.';
export const NEGATIVE_STATE_EPOCH = 'The state epoch cannot be a negative number.';
export const WRITE_UNINITIALIZED_SHARE_PARTITION = 'Write operation on uninitialized share partition not allowed.';
export const READ_UNINITIALIZED_SHARE_PARTITION = 'Read operation on uninitialized share partition not allowed.';

export interface ShardOptions {
  /** share.coordinator.snapshot.update.records.per.snapshot */
  updatesPerSnapshot: number;
  now(): number;
  /** The topic's partition count in the current metadata image, undefined when it has no such topic. */
  partitionCount(topicId: string): number | undefined;
}

export interface PartitionError {
  errorCode: number;
  errorMessage: string | null;
}

export interface ShardResult<T extends PartitionError> {
  records: StoredRecord[];
  result: T;
}

export interface WriteData {
  stateEpoch: number;
  leaderEpoch: number;
  startOffset: number;
  /** -1: not given (WriteShareGroupState v0). */
  deliveryCompleteCount: number;
  stateBatches: PersisterStateBatch[];
}

export interface ReadResult extends PartitionError {
  stateEpoch: number;
  startOffset: number;
  deliveryCompleteCount: number;
  stateBatches: PersisterStateBatch[];
}

export interface SummaryResult extends PartitionError {
  stateEpoch: number;
  leaderEpoch: number;
  startOffset: number;
  deliveryCompleteCount: number;
}

const OK: PartitionError = { errorCode: ErrorCode.NONE, errorMessage: null };
const fail = (errorCode: number, message?: string): PartitionError => ({ errorCode, errorMessage: message ?? errorMessage(errorCode) });
const noRecords = <T extends PartitionError>(result: T): ShardResult<T> => ({ records: [], result });

export class ShareCoordinatorShard {
  private readonly states = new Map<string, ShareGroupOffset>();
  private readonly leaderEpochs = new Map<string, number>();
  private readonly stateEpochs = new Map<string, number>();
  private readonly updateCounts = new Map<string, number>();
  private readonly keys = new Map<string, ShareStateKey>();

  constructor(private readonly o: ShardOptions) {}

  get size(): number {
    return this.states.size;
  }

  /** The state of a key (tests and the cold-snapshot pass). */
  state(key: ShareStateKey): ShareGroupOffset | undefined {
    return this.states.get(coordinatorKey(key));
  }

  replay(record: StoredRecord): void {
    const r = decodeShareRecord(record);
    if (r === null) return;
    const k = coordinatorKey(r.key);
    if (r.type === 'snapshot') {
      if (r.value === null) {
        this.states.delete(k);
        this.leaderEpochs.delete(k);
        this.stateEpochs.delete(k);
        this.updateCounts.delete(k);
        this.keys.delete(k);
        return;
      }
      this.keys.set(k, r.key);
      const v = r.value;
      this.raise(this.leaderEpochs, k, v.leaderEpoch);
      this.raise(this.stateEpochs, k, v.stateEpoch);
      this.states.set(k, {
        snapshotEpoch: v.snapshotEpoch,
        stateEpoch: v.stateEpoch,
        leaderEpoch: v.leaderEpoch,
        startOffset: v.startOffset,
        deliveryCompleteCount: v.deliveryCompleteCount ?? -1,
        stateBatches: v.stateBatches.map(batch),
        createTimestamp: v.createTimestamp,
        writeTimestamp: v.writeTimestamp,
      });
      if ((this.updateCounts.get(k) ?? -1) >= this.o.updatesPerSnapshot) this.updateCounts.set(k, 0);
      return;
    }
    if (r.value === null) return;
    const v = r.value;
    this.raise(this.leaderEpochs, k, v.leaderEpoch);
    const soFar = this.states.get(k);
    this.keys.set(k, r.key);
    if (soFar === undefined) {
      this.states.set(k, { snapshotEpoch: v.snapshotEpoch, stateEpoch: 0, leaderEpoch: v.leaderEpoch, startOffset: v.startOffset, deliveryCompleteCount: v.deliveryCompleteCount ?? -1, stateBatches: v.stateBatches.map(batch), createTimestamp: 0, writeTimestamp: 0 });
    } else {
      const startOffset = v.startOffset === -1 ? soFar.startOffset : v.startOffset;
      this.states.set(k, {
        ...soFar,
        startOffset,
        leaderEpoch: v.leaderEpoch === -1 ? soFar.leaderEpoch : v.leaderEpoch,
        deliveryCompleteCount: v.deliveryCompleteCount ?? -1,
        stateBatches: combineStateBatches(soFar.stateBatches, v.stateBatches.map(batch), startOffset),
      });
    }
    this.updateCounts.set(k, (this.updateCounts.get(k) ?? 0) + 1);
  }

  private raise(map: Map<string, number>, k: string, epoch: number): void {
    const cur = map.get(k);
    if (cur === undefined || cur < epoch) map.set(k, epoch);
  }

  private unknownPartition(key: ShareStateKey): boolean {
    const count = this.o.partitionCount(key.topicId);
    return count === undefined || key.partition >= count;
  }

  writeState(key: ShareStateKey, w: WriteData): ShardResult<PartitionError> {
    const k = coordinatorKey(key);
    if (key.partition < 0) return noRecords(fail(ErrorCode.INVALID_REQUEST, NEGATIVE_PARTITION_ID));
    if (w.leaderEpoch < 0) return noRecords(fail(ErrorCode.INVALID_REQUEST, NEGATIVE_LEADER_EPOCH));
    if (w.stateEpoch < 0) return noRecords(fail(ErrorCode.INVALID_REQUEST, NEGATIVE_STATE_EPOCH));
    if (!this.states.has(k)) return noRecords(fail(ErrorCode.INVALID_REQUEST, WRITE_UNINITIALIZED_SHARE_PARTITION));
    if ((this.leaderEpochs.get(k) ?? -Infinity) > w.leaderEpoch) return noRecords(fail(ErrorCode.FENCED_LEADER_EPOCH));
    if ((this.stateEpochs.get(k) ?? -Infinity) > w.stateEpoch) return noRecords(fail(ErrorCode.FENCED_STATE_EPOCH));
    if (this.unknownPartition(key)) return noRecords(fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    return { records: [this.stateRecord(key, w, false)], result: OK };
  }

  /** ReadShareGroupState: the state, and a record of the reader's leader epoch when it is new. */
  readState(key: ShareStateKey, leaderEpoch: number): ShardResult<ReadResult> {
    const k = coordinatorKey(key);
    const none = { stateEpoch: 0, startOffset: 0, deliveryCompleteCount: -1, stateBatches: [] };
    if (key.partition < 0) return noRecords({ ...none, ...fail(ErrorCode.INVALID_REQUEST, NEGATIVE_PARTITION_ID) });
    if (leaderEpoch < 0) return noRecords({ ...none, ...fail(ErrorCode.INVALID_REQUEST, NEGATIVE_LEADER_EPOCH) });
    const cur = this.states.get(k);
    if (cur === undefined) return noRecords({ ...none, ...fail(ErrorCode.INVALID_REQUEST, READ_UNINITIALIZED_SHARE_PARTITION) });
    if ((this.leaderEpochs.get(k) ?? -Infinity) > leaderEpoch) return noRecords({ ...none, ...fail(ErrorCode.FENCED_LEADER_EPOCH) });
    if (this.unknownPartition(key)) return noRecords({ ...none, ...fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) });
    const result: ReadResult = { ...OK, stateEpoch: cur.stateEpoch, startOffset: cur.startOffset, deliveryCompleteCount: cur.deliveryCompleteCount, stateBatches: cur.stateBatches.map(batch) };
    if (this.leaderEpochs.get(k) === leaderEpoch) return noRecords(result);
    const w: WriteData = { stateEpoch: cur.stateEpoch, leaderEpoch, startOffset: cur.startOffset, deliveryCompleteCount: cur.deliveryCompleteCount, stateBatches: [] };
    return { records: [this.stateRecord(key, w, true)], result };
  }

  readSummary(key: ShareStateKey): SummaryResult {
    if (key.partition < 0) return { ...fail(ErrorCode.INVALID_REQUEST, NEGATIVE_PARTITION_ID), stateEpoch: 0, leaderEpoch: 0, startOffset: 0, deliveryCompleteCount: -1 };
    if (this.unknownPartition(key)) return { ...fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), stateEpoch: 0, leaderEpoch: 0, startOffset: 0, deliveryCompleteCount: -1 };
    const cur = this.states.get(coordinatorKey(key));
    if (cur === undefined) return { ...OK, startOffset: -1, deliveryCompleteCount: -1, leaderEpoch: 0, stateEpoch: 0 };
    return { ...OK, startOffset: cur.startOffset, deliveryCompleteCount: cur.deliveryCompleteCount, leaderEpoch: cur.leaderEpoch, stateEpoch: cur.stateEpoch };
  }

  initializeState(key: ShareStateKey, stateEpoch: number, startOffset: number): ShardResult<PartitionError> {
    const k = coordinatorKey(key);
    if (key.partition < 0) return noRecords(fail(ErrorCode.INVALID_REQUEST, NEGATIVE_PARTITION_ID));
    if (stateEpoch < 0) return noRecords(fail(ErrorCode.INVALID_REQUEST, NEGATIVE_STATE_EPOCH));
    if ((this.stateEpochs.get(k) ?? -Infinity) > stateEpoch) return noRecords(fail(ErrorCode.FENCED_STATE_EPOCH));
    if (this.unknownPartition(key)) return noRecords(fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    const cur = this.states.get(k);
    const now = this.o.now();
    const snapshot: ShareGroupOffset = {
      snapshotEpoch: cur ? cur.snapshotEpoch + 1 : 0,
      stateEpoch,
      leaderEpoch: 0,
      startOffset,
      deliveryCompleteCount: startOffset === -1 ? -1 : 0,
      stateBatches: [],
      createTimestamp: now,
      writeTimestamp: now,
    };
    return { records: [snapshotRecord(key, snapshot)], result: OK };
  }

  deleteState(key: ShareStateKey): ShardResult<PartitionError> {
    if (key.partition < 0) return noRecords(fail(ErrorCode.INVALID_REQUEST, NEGATIVE_PARTITION_ID));
    if (this.unknownPartition(key)) return noRecords(fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    if (!this.states.has(coordinatorKey(key))) return noRecords(OK);
    return { records: [tombstoneRecord(key)], result: OK };
  }

  /**
   * Kafka's cold-partition snapshots: each state last snapshotted `intervalMs` or more ago is
   * written again as a snapshot (next snapshot epoch, write time now), so pruning can pass its old
   * records; nothing when every state was already rewritten since its creation.
   */
  coldSnapshots(intervalMs: number): StoredRecord[] {
    let rewritten = 0;
    for (const s of this.states.values()) if (s.createTimestamp !== s.writeTimestamp) rewritten++;
    if (rewritten === this.states.size) return [];
    const now = this.o.now();
    const out: StoredRecord[] = [];
    for (const [k, s] of this.states) {
      const key = this.keys.get(k)!;
      // A deleted topic's state gets a tombstone instead (deletedTopicTombstones).
      if (now - s.writeTimestamp < intervalMs || this.o.partitionCount(key.topicId) === undefined) continue;
      out.push(snapshotRecord(key, { ...s, snapshotEpoch: s.snapshotEpoch + 1, writeTimestamp: now }));
    }
    return out;
  }

  /** Tombstones for the states of topics the metadata image no longer has (Kafka's maybeCleanupShareState). */
  deletedTopicTombstones(): StoredRecord[] {
    const out: StoredRecord[] = [];
    for (const key of this.keys.values()) if (this.o.partitionCount(key.topicId) === undefined) out.push(tombstoneRecord(key));
    return out;
  }

  /** A ShareUpdate of the write, or a ShareSnapshot of the merged state once enough updates were written since the last. */
  private stateRecord(key: ShareStateKey, w: WriteData, updateLeaderEpoch: boolean): StoredRecord {
    const k = coordinatorKey(key);
    const cur = this.states.get(k)!;
    const leaderEpoch = updateLeaderEpoch ? w.leaderEpoch : cur.leaderEpoch;
    const startOffset = Math.max(w.startOffset, cur.startOffset);
    let deliveryCompleteCount = w.deliveryCompleteCount;
    if (w.startOffset === cur.startOffset) deliveryCompleteCount = Math.max(w.deliveryCompleteCount, cur.deliveryCompleteCount);
    else if (w.startOffset < cur.startOffset) deliveryCompleteCount = cur.deliveryCompleteCount;
    if ((this.updateCounts.get(k) ?? 0) >= this.o.updatesPerSnapshot) {
      const now = this.o.now();
      return snapshotRecord(key, {
        snapshotEpoch: cur.snapshotEpoch + 1,
        stateEpoch: cur.stateEpoch,
        leaderEpoch,
        startOffset,
        deliveryCompleteCount,
        stateBatches: combineStateBatches(cur.stateBatches, w.stateBatches, startOffset),
        createTimestamp: now,
        writeTimestamp: now,
      });
    }
    return updateRecord(key, { snapshotEpoch: cur.snapshotEpoch, leaderEpoch, startOffset, deliveryCompleteCount, stateBatches: combineStateBatches([], w.stateBatches, startOffset) });
  }
}

function batch(b: PersisterStateBatch): PersisterStateBatch {
  return { firstOffset: b.firstOffset, lastOffset: b.lastOffset, deliveryState: b.deliveryState, deliveryCount: b.deliveryCount };
}
