// The storage engine's contract: what handlers and coordinators may ask of a partition log.
// Both engines (file, memory) implement it; nothing outside src/storage/ knows how bytes are kept.
import type { LogConfig } from '../config.js';

export type TimestampType = 'CreateTime' | 'LogAppendTime';

/** An error that maps to one Kafka error code in a response (never a crash). */
export class KafkaError extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

export interface AppendOptions {
  /** Wall clock to stamp batches with when the topic uses LogAppendTime. */
  now: number;
  /** The transaction version of the marker being appended (appendMarker), for its epoch check. */
  transactionVersion?: number;
}

export interface AppendResult {
  /** Offset of the first record appended (for a duplicate idempotent batch: the original's). */
  baseOffset: number;
  lastOffset: number;
  /** The broker's timestamp when LogAppendTime applies, else -1. */
  logAppendTime: number;
  logStartOffset: number;
}

export interface ReadResult {
  /** Whole record batches, in offset order, possibly empty. Buffers may be shared: never mutate. */
  records: Buffer[];
  bytes: number;
  highWatermark: number;
  logStartOffset: number;
  lastStableOffset: number;
  /**
   * Present when `records` are views of a pooled read buffer (a `pooled` read): call it (once or
   * more) when done with them, e.g. after a fetch response holding them was written. Using the
   * records after calling it reads someone else's bytes.
   */
  release?: () => void;
}

export interface OffsetAndTimestamp {
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

/** Counters of the work the cleaner did on one log. */
export interface CleanerStats {
  /** Bytes of log data removed: segments deleted by retention or DeleteRecords, and compaction savings. */
  bytesReclaimed: number;
  segmentsDeleted: number;
  /** Compaction passes completed. */
  cleanings: number;
  /** Records dropped by compaction. */
  recordsRemoved: number;
}

export interface SegmentDeletion {
  segments: number;
  bytes: number;
  /** Why, as Kafka words it in its log line (retention time, retention size, log start offset). */
  reasons: string[];
  logStartOffset: number;
}

export interface CompactionCandidate {
  /** Dirty bytes / (clean + dirty bytes) of the cleanable part of the log. */
  cleanableRatio: number;
  cleanableBytes: number;
  /** max.compaction.lag.ms has passed for the oldest dirty data. */
  mustCleanNow: boolean;
  /** A tombstone's delete horizon has passed: a pass would remove it. */
  tombstonesExpired: boolean;
}

export interface CompactionResult {
  /** Bytes before and after, over the segments rewritten. */
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsRemoved: number;
  segmentsRewritten: number;
  /** The first offset not yet cleaned (the next pass starts its key map there). */
  firstDirtyOffset: number;
}

/** Key -> latest offset, filled from the dirty part of a log (Kafka's OffsetMap). */
export interface OffsetMap {
  /** Whether another key still fits. */
  readonly full: boolean;
  readonly size: number;
  /** Largest offset put, or -1. */
  readonly latestOffset: number;
  put(key: Buffer, offset: number): void;
  /** The offset stored for the key, or -1. */
  get(key: Buffer): number;
  updateLatestOffset(offset: number): void;
  clear(): void;
}

/**
 * How far a read may go (Kafka's FetchIsolation): consumers stop at the high watermark
 * (read_uncommitted), read_committed consumers at the last stable offset, followers at the log end.
 */
export type FetchIsolation = 'highWatermark' | 'txnCommitted' | 'logEnd';

export interface ActiveProducer {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  /** Epoch of the coordinator that wrote this producer's last marker here, -1 before any. */
  coordinatorEpoch: number;
  /** First offset of the producer's ongoing transaction, -1 when none (DescribeProducers). */
  currentTxnStartOffset: number;
}

/** A transaction marker to write (WriteTxnMarkers): the end of one producer's transaction. */
export interface TxnMarker {
  producerId: number;
  producerEpoch: number;
  /** COMMIT when true, ABORT when false. */
  commit: boolean;
  coordinatorEpoch: number;
  /** The control record's timestamp; defaults to now. */
  timestamp?: number;
  /**
   * WriteTxnMarkers' TransactionVersion (0 when absent). From 2 (KIP-890) the marker carries the
   * epoch the coordinator bumped: it must be above the producer's, except that an equal one with
   * no transaction open is the retry of a marker already written (accepted, as Kafka does).
   */
  transactionVersion?: number;
}

/** An aborted transaction overlapping a fetch (Fetch's AbortedTransactions entries). */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
}

export interface PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly logStartOffset: number;
  /** Next offset to be assigned. */
  readonly logEndOffset: number;
  /** Offsets below this are durable in the log and visible to consumers. */
  readonly highWatermark: number;
  readonly leaderEpoch: number;
  /**
   * Replicated: the replica layer (or the raft driver) sets the high watermark with
   * updateHighWatermark and it survives restarts in `replication-offset-checkpoint`. Otherwise (a
   * lone node) it follows the log end as writes complete.
   */
  readonly replicated: boolean;
  /**
   * Kafka's last stable offset: the first offset of the earliest transaction not yet complete
   * (ongoing, or its marker not yet below the high watermark), bounded by the high watermark.
   * read_committed consumers read up to it.
   */
  readonly lastStableOffset: number;
  config: LogConfig;

  /**
   * Appends one or more already-validated magic-v2 record batches (concatenated in `records`).
   * Assigns offsets in place, applies LogAppendTime, checks idempotent-producer sequences and
   * resolves once the bytes are written to the log. Throws KafkaError for sequence/epoch errors.
   */
  append(records: Buffer, opts: AppendOptions): Promise<AppendResult>;

  /**
   * Reads whole batches starting with the one that contains `fetchOffset`, up to `maxBytes`
   * (but at least one whole batch when `minOneBatch`), never past the high watermark.
   * Throws KafkaError(OFFSET_OUT_OF_RANGE) when fetchOffset is outside [logStartOffset, logEndOffset].
   * `pooled`: the caller calls the result's `release` once done, so the bytes may sit in a pooled
   * read buffer (callers that keep views of the records, or never release, leave it off).
   * `isolation` 'logEnd' (a follower's fetch) reads past the high watermark up to the log end,
   * 'txnCommitted' (read_committed) only up to the last stable offset; a batch is returned only
   * when it lies wholly below the limit.
   */
  read(fetchOffset: number, maxBytes: number, minOneBatch: boolean, pooled?: boolean, isolation?: FetchIsolation): Promise<ReadResult>;

  /**
   * Kafka's follower append: batches keep the offsets and partition leader epochs they carry
   * (from the leader). They must start at or after the log end and increase (a compacted
   * leader's batches may leave gaps); an overlap is a KafkaError. The leader-epoch cache learns
   * new epochs from them and the producer state replays them without sequence checks. Resolves
   * once written, like append.
   */
  appendAsFollower(records: Buffer): Promise<AppendResult>;

  /**
   * Writes a transaction marker as the partition leader (WriteTxnMarkers): a control batch with
   * the producer's id and epoch. Ends the producer's ongoing transaction here (a marker of a
   * transaction without data in this partition is still written), moving the last stable
   * offset; an ABORT of a transaction with data adds a transaction index entry. Throws
   * KafkaError(INVALID_PRODUCER_EPOCH) for an epoch older than the producer's,
   * KafkaError(TRANSACTION_COORDINATOR_FENCED) for an older coordinator epoch.
   */
  appendMarker(marker: TxnMarker): Promise<AppendResult>;

  /**
   * Kafka's collectAbortedTransactions: the aborted transactions whose data may lie in
   * [fetchOffset, upperBoundOffset) (marker at or after fetchOffset, first offset below the
   * bound), in the order their markers were written.
   */
  abortedTransactions(fetchOffset: number, upperBoundOffset: number): AbortedTxn[];

  /**
   * Kafka's truncateTo: removes every batch holding an offset at or after `offset` (the log end
   * becomes the end of the last batch kept), with the leader epochs and producer state past it;
   * no-op when `offset` >= log end; below the log start it is truncateFullyAndStartAt. Appends
   * wait meanwhile. Once it resolves, a crash never brings the removed batches back; a crash
   * before leaves a prefix of the old log at least as long as the new one.
   */
  truncateTo(offset: number): Promise<void>;

  /** Empties the log and starts it at `offset` (a snapshot installed, a follower behind the log start). */
  truncateFullyAndStartAt(offset: number): Promise<void>;

  /**
   * Replicated logs: sets the high watermark, kept within [logStartOffset, logEndOffset]
   * (Kafka's updateHighWatermark); wakes onAppend listeners when it moved. Returns the new value.
   */
  updateHighWatermark(hw: number): number;

  /**
   * A new leader epoch starting at `startOffset` (a leader's start of term, usually the log end):
   * appends from now on carry it. Resolves once the leader-epoch checkpoint holds it, ordered
   * before the writes of later appends.
   */
  assignLeaderEpoch(epoch: number, startOffset: number): Promise<void>;

  /** The first record with timestamp >= ts (Kafka's ListOffsets by timestamp), or null. */
  offsetForTimestamp(ts: number): Promise<OffsetAndTimestamp | null>;
  /** Offset and timestamp of the record with the largest timestamp (ListOffsets -3), or null if empty. */
  maxTimestamp(): Promise<OffsetAndTimestamp | null>;
  /** For OffsetForLeaderEpoch: the end offset of `epoch` (largest epoch <= requested), or null. */
  endOffsetForEpoch(epoch: number): { leaderEpoch: number; endOffset: number } | null;

  /** The idempotent producers this partition remembers (DescribeProducers, KIP-664). */
  activeProducers(): ActiveProducer[];

  /** Calls `listener` after each append is written and after each high watermark move; returns an unsubscribe function. */
  onAppend(listener: () => void): () => void;

  /**
   * DeleteRecords: moves the log start offset up to `offset` (never down); the segments wholly
   * below it go at the next retention pass. Resolves to the new log start offset (the low
   * watermark). Throws KafkaError(OFFSET_OUT_OF_RANGE) when `offset` is past the high watermark.
   */
  deleteRecordsBefore(offset: number): Promise<number>;

  /** What the cleaner has done to this log since it was opened. */
  readonly cleanerStats: Readonly<CleanerStats>;

  /**
   * Kafka's deleteOldSegments: drops whole segments (batches, for the memory engine) past
   * retention.ms or retention.bytes (delete policy) or below the log start offset. Never
   * touches offsets at or past the high watermark. Null when nothing was deleted.
   */
  deleteOldSegments(now: number): Promise<SegmentDeletion | null>;

  /** How dirty a compacted log is, for the cleaner's choice; null when the policy is not compact. */
  compactionCandidate(now: number): Promise<CompactionCandidate | null>;

  /**
   * One cleaning pass (compact policy): keeps the newest record per key in the cleanable part of
   * the log, drops tombstones past their delete horizon, keeps offsets. Null when there was
   * nothing to clean.
   */
  compact(now: number, map: OffsetMap): Promise<CompactionResult | null>;

  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface StorageEngine {
  /** Loads and recovers every existing partition log. */
  open(): Promise<void>;
  get(topic: string, partition: number): PartitionLog | undefined;
  create(topic: string, partition: number, config: LogConfig): Promise<PartitionLog>;
  delete(topic: string, partition: number): Promise<void>;
  all(): Iterable<PartitionLog>;
  close(): Promise<void>;
}
