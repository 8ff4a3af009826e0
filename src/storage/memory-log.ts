// A partition log kept in memory: the same offsets, idempotence, reads and timestamp answers as
// the file log (the same shared code), with every batch held as a Buffer. Retention and
// compaction work as on disk with each batch standing for a segment.
import type { LogConfig } from '../config.js';
import { planAppend, type AppendPlan } from './append-plan.js';
import { planFollowerAppend, replayProducers } from './follower-append.js';
import { BatchList } from './batch-list.js';
import { ErrorCode } from '../protocol/errors.js';
import { ATTRIBUTES, CONTROL_FLAG_MASK, MAX_TIMESTAMP, readInt64 } from '../protocol/records/batch.js';
import { decodeRecords } from '../protocol/records/records.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { ProducerStateManager, type CompletedTxn } from './producer-state.js';
import { AbortedTxnList } from './txn-index.js';
import { CleanerTxns } from './cleaner-txns.js';
import { buildControlBatch } from '../protocol/records/control-batch.js';
import { filterBatch } from './record-filter.js';
import { planRetention } from './retention.js';
import { firstRecordAtOrAfter, maxTimestampOf, recordWithMaxTimestamp } from './timestamp-search.js';
import {
  KafkaError,
  type AppendOptions,
  type ActiveProducer,
  type AbortedTxn,
  type AppendResult,
  type CleanerStats,
  type TxnMarker,
  type FetchIsolation,
  type CompactionCandidate,
  type CompactionResult,
  type OffsetAndTimestamp,
  type OffsetMap,
  type PartitionLog,
  type ReadResult,
  type SegmentDeletion,
} from './types.js';

export class MemoryLog implements PartitionLog {
  logEndOffset = 0;
  highWatermark = 0;
  private _logStartOffset = 0;
  /** One chunk per batch; replaced whole by compaction. */
  private batches = new BatchList();
  private firstDirtyOffset = -1;
  private pendingDeleteHorizon = -1;
  private readonly stats: CleanerStats = { bytesReclaimed: 0, segmentsDeleted: 0, cleanings: 0, recordsRemoved: 0 };
  private producers = new ProducerStateManager();
  /** Aborted transactions (the file engine's `.txnindex` entries). */
  private aborted = new AbortedTxnList();
  private epochs = new LeaderEpochCache();
  private readonly listeners = new Set<() => void>();
  private closed = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    public config: LogConfig,
    /** The replica layer moves the high watermark (PartitionLog.replicated). */
    readonly replicated = false,
  ) {
    this.epochs.assign(0, 0);
  }

  get leaderEpoch(): number {
    return Math.max(this.epochs.latestEpoch, 0);
  }

  get logStartOffset(): number {
    return this._logStartOffset;
  }

  get lastStableOffset(): number {
    // Kafka's: never below the log start (DeleteRecords may pass an open transaction's start).
    return Math.min(Math.max(this.producers.firstUnstableOffset(this.highWatermark), this._logStartOffset), this.highWatermark);
  }

  get cleanerStats(): Readonly<CleanerStats> {
    return this.stats;
  }

  async append(records: Buffer, opts: AppendOptions): Promise<AppendResult> {
    if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.topic}-${this.partition} is closed`);
    const plan = planAppend(records, this.logEndOffset, this.leaderEpoch, this.config, opts.now, this.producers, opts.transactionVersion);
    if (plan === null) return { baseOffset: -1, lastOffset: -1, logAppendTime: -1, logStartOffset: this.logStartOffset };
    if (!('batches' in plan)) {
      const logAppendTime = this.config.timestampType === 'LogAppendTime' ? plan.timestamp : -1;
      return { baseOffset: plan.firstOffset, lastOffset: plan.lastOffset, logAppendTime, logStartOffset: this.logStartOffset };
    }
    this.indexAborted(this.producers.commit(plan.producers));
    return this.add(plan);
  }

  async appendMarker(marker: TxnMarker): Promise<AppendResult> {
    const batch = buildControlBatch(marker.producerId, marker.producerEpoch, marker, marker.timestamp ?? Date.now());
    return this.append(batch, { now: marker.timestamp ?? Date.now(), transactionVersion: marker.transactionVersion });
  }

  abortedTransactions(fetchOffset: number, upperBoundOffset: number): AbortedTxn[] {
    return this.aborted.collect(fetchOffset, upperBoundOffset);
  }

  private indexAborted(completed: readonly CompletedTxn[]): void {
    for (const t of completed) if (t.aborted) this.aborted.push(t);
  }

  async appendAsFollower(records: Buffer): Promise<AppendResult> {
    if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.topic}-${this.partition} is closed`);
    const planned = planFollowerAppend(records, this.logEndOffset, this.epochs.latestEpoch, `${this.topic}-${this.partition}`);
    if (planned === null) return { baseOffset: -1, lastOffset: -1, logAppendTime: -1, logStartOffset: this.logStartOffset };
    for (const e of planned.epochs) this.epochs.assign(e.epoch, e.startOffset);
    this.indexAborted(replayProducers(this.producers, records, planned.plan.batches));
    return this.add(planned.plan);
  }

  private add(plan: AppendPlan): AppendResult {
    const records = plan.records;
    for (const b of plan.batches) {
      this.batches.push(b.baseOffset, b.lastOffset, records.subarray(b.position, b.position + b.size), b.maxTimestamp);
    }
    this.logEndOffset = plan.lastOffset + 1;
    if (!this.replicated) {
      this.highWatermark = this.logEndOffset;
      this.producers.onHighWatermarkUpdated(this.highWatermark);
    }
    this.notify();
    return { baseOffset: plan.baseOffset, lastOffset: plan.lastOffset, logAppendTime: plan.logAppendTime, logStartOffset: this.logStartOffset };
  }

  private notify(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        // A listener's failure is its own; the append already succeeded.
      }
    }
  }

  async assignLeaderEpoch(epoch: number, startOffset: number): Promise<void> {
    this.epochs.assign(epoch, startOffset);
  }

  updateHighWatermark(hw: number): number {
    if (!this.replicated) throw new Error(`${this.topic}-${this.partition}: the high watermark of a log that is not replicated follows its end`);
    const next = Math.min(Math.max(hw, this._logStartOffset), this.logEndOffset);
    if (next !== this.highWatermark) {
      this.highWatermark = next;
      this.producers.onHighWatermarkUpdated(next);
      this.notify();
    }
    return next;
  }

  /** As the file log: whole batches from the one holding `offset` go; the end is the last batch kept. */
  async truncateTo(offset: number): Promise<void> {
    if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.topic}-${this.partition} is closed`);
    if (offset >= this.logEndOffset) return;
    if (offset < this._logStartOffset) return this.truncateFullyAndStartAt(offset);
    this.batches.truncateFrom(offset);
    const n = this.batches.length;
    // With no batch left the log ends where it starts (as an emptied segment ends at its base).
    const end = n > 0 ? this.batches.at(n - 1).lastOffset + 1 : this._logStartOffset;
    this.logEndOffset = end;
    if (this._logStartOffset > end) this._logStartOffset = end;
    this.epochs.truncateFromEnd(end);
    this.producers = new ProducerStateManager();
    this.aborted = replayAll(this.producers, this.batches);
    if (this.highWatermark > end) {
      this.highWatermark = end;
      this.notify();
    }
    this.producers.onHighWatermarkUpdated(this.highWatermark);
  }

  async truncateFullyAndStartAt(offset: number): Promise<void> {
    if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.topic}-${this.partition} is closed`);
    this.batches = new BatchList();
    this.epochs = new LeaderEpochCache();
    this.producers = new ProducerStateManager();
    this.aborted = new AbortedTxnList();
    this._logStartOffset = this.logEndOffset = this.highWatermark = offset;
    this.firstDirtyOffset = -1;
    this.notify();
  }

  async read(fetchOffset: number, maxBytes: number, minOneBatch: boolean, _pooled = false, isolation: FetchIsolation = 'highWatermark'): Promise<ReadResult> {
    if (fetchOffset < this.logStartOffset || fetchOffset > this.logEndOffset) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `Offset ${fetchOffset} is out of range for ${this.topic}-${this.partition}: [${this.logStartOffset}, ${this.logEndOffset}]`,
      );
    }
    // Compaction may have emptied the first batches: a read there starts at the next one kept.
    const from = Math.max(fetchOffset, this.batches.startOffset);
    const end = this.logEndOffset;
    const lso = this.lastStableOffset;
    const limit = isolation === 'logEnd' ? end : isolation === 'txnCommitted' ? lso : this.highWatermark;
    const run = fetchOffset < limit ? this.batches.read(from, maxBytes, minOneBatch, limit < end ? limit : Infinity) : null;
    return {
      records: run?.records ?? [],
      bytes: run?.bytes ?? 0,
      highWatermark: this.highWatermark,
      logStartOffset: this.logStartOffset,
      lastStableOffset: lso,
    };
  }

  async offsetForTimestamp(ts: number): Promise<OffsetAndTimestamp | null> {
    for (let i = this.batches.indexOfTimestamp(ts); i < this.batches.length; i++) {
      const found = firstRecordAtOrAfter(this.batches.at(i).buf, 0, ts, this.logStartOffset);
      if (found) return found;
    }
    return null;
  }

  async maxTimestamp(): Promise<OffsetAndTimestamp | null> {
    const n = this.batches.length;
    if (n === 0) return null;
    const max = this.batches.at(n - 1).maxTimestampSoFar;
    return recordWithMaxTimestamp(this.batches.at(this.batches.indexOfTimestamp(max)).buf, 0);
  }

  endOffsetForEpoch(epoch: number): { leaderEpoch: number; endOffset: number } | null {
    return this.epochs.endOffsetFor(epoch, this.logEndOffset);
  }

  activeProducers(): ActiveProducer[] {
    return this.producers.active();
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async deleteRecordsBefore(offset: number): Promise<number> {
    if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.topic}-${this.partition} is closed`);
    if (offset > this.highWatermark) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `Cannot increment the log start offset to ${offset} of partition ${this.topic}-${this.partition} since it is larger than the high watermark ${this.highWatermark}`,
      );
    }
    if (offset > this._logStartOffset) this.advanceLogStartOffset(offset);
    return this._logStartOffset;
  }

  private advanceLogStartOffset(offset: number): void {
    this._logStartOffset = offset;
    this.epochs.truncateFromStart(offset);
  }

  async deleteOldSegments(now: number): Promise<SegmentDeletion | null> {
    if (this.closed) return null;
    const chunks = Array.from({ length: this.batches.length }, (_, i) => this.batches.at(i));
    const plan = await planRetention(
      chunks.map((c) => ({ baseOffset: c.baseOffset, size: c.buf.length, largestTimestamp: async () => maxTimestampOf(c.buf, 0) })),
      // Never past the last stable offset: an open transaction's data stays whole.
      { config: this.config, now, logStartOffset: this._logStartOffset, highWatermark: this.lastStableOffset, logEndOffset: this.logEndOffset },
    );
    if (plan.count === 0) return null;
    let bytes = 0;
    for (const c of chunks.slice(0, plan.count)) bytes += c.buf.length;
    this.batches.dropBefore(chunks[plan.count - 1].lastOffset + 1);
    const start = this.batches.length > 0 ? this.batches.at(0).baseOffset : this.logEndOffset;
    if (start > this._logStartOffset) this.advanceLogStartOffset(start);
    this.aborted.dropBefore(start);
    this.stats.bytesReclaimed += bytes;
    this.stats.segmentsDeleted += plan.count;
    return { segments: plan.count, bytes, reasons: plan.reasons, logStartOffset: this._logStartOffset };
  }

  private get compacted(): boolean {
    return this.config.cleanupPolicy.includes('compact');
  }

  /** First offset past what compaction may touch: the last stable offset, or min.compaction.lag.ms. */
  private firstUncleanable(firstDirty: number, now: number): number {
    const minLag = Math.max(this.config.minCompactionLagMs, 0);
    const lso = this.lastStableOffset;
    if (minLag > 0) {
      for (let i = 0; i < this.batches.length; i++) {
        const c = this.batches.at(i);
        if (c.lastOffset >= firstDirty && maxTimestampOf(c.buf, 0) > now - minLag) return Math.min(lso, Math.max(firstDirty, c.baseOffset));
      }
    }
    return lso;
  }

  private dirtyFrom(): number {
    const d = this.firstDirtyOffset;
    return d < this._logStartOffset || d > this.logEndOffset ? this._logStartOffset : d;
  }

  async compactionCandidate(now: number): Promise<CompactionCandidate | null> {
    if (!this.compacted || this.closed) return null;
    const firstDirty = this.dirtyFrom();
    const end = this.firstUncleanable(firstDirty, now);
    let clean = 0;
    let dirty = 0;
    let mustCleanNow = false;
    const maxLag = Math.max(this.config.maxCompactionLagMs, 0);
    for (let i = 0; i < this.batches.length; i++) {
      const c = this.batches.at(i);
      if (c.lastOffset < firstDirty) clean += c.buf.length;
      else if (c.baseOffset < end) {
        dirty += c.buf.length;
        const ts = maxTimestampOf(c.buf, 0);
        if (ts > 0 && ts < now - maxLag) mustCleanNow = true;
      }
    }
    return {
      cleanableRatio: clean + dirty > 0 ? dirty / (clean + dirty) : 0,
      cleanableBytes: dirty,
      mustCleanNow: mustCleanNow && dirty > 0,
      tombstonesExpired: this.pendingDeleteHorizon >= 0 && this.pendingDeleteHorizon <= now,
    };
  }

  async compact(now: number, map: OffsetMap): Promise<CompactionResult | null> {
    if (!this.compacted || this.closed || this.batches.length === 0) return null;
    const firstDirty = this.dirtyFrom();
    const end = this.firstUncleanable(firstDirty, now);
    map.clear();
    map.updateLatestOffset(firstDirty - 1);
    const mapTxns = new CleanerTxns(this.aborted.collect(firstDirty, end));
    mapping: for (let i = 0; i < this.batches.length; i++) {
      const c = this.batches.at(i);
      if (c.lastOffset < firstDirty) continue;
      if (c.baseOffset >= end) break;
      // An aborted transaction's keys must not hide older committed values.
      const abortedData = mapTxns.onBatch(c.buf, 0);
      if ((c.buf.readInt16BE(ATTRIBUTES) & CONTROL_FLAG_MASK) === 0 && !abortedData) {
        for (const r of decodeRecords(c.buf, 0)) {
          if (r.key === null || r.offset < firstDirty) continue;
          if (map.full) break mapping;
          map.put(r.key, r.offset);
        }
      }
      map.updateLatestOffset(c.lastOffset);
    }
    const txns = new CleanerTxns(this.aborted.collect(this._logStartOffset, map.latestOffset + 1));
    const ctx = { map, now, deleteRetentionMs: this.config.deleteRetentionMs, lastBatchOfProducer: this.producers.lastBatchOffsets(), txns };
    const result: CompactionResult = { bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsRemoved: 0, segmentsRewritten: 0, firstDirtyOffset: map.latestOffset + 1 };
    const kept = new BatchList();
    let horizon = -1;
    for (let i = 0; i < this.batches.length; i++) {
      const c = this.batches.at(i);
      if (c.baseOffset > map.latestOffset) {
        kept.push(c.baseOffset, c.lastOffset, c.buf, maxTimestampOf(c.buf, 0));
        continue;
      }
      const f = filterBatch(c.buf, 0, c.buf.length, ctx);
      result.bytesRead += c.buf.length;
      result.recordsRead += f.recordsRead;
      result.recordsRemoved += f.recordsRead - f.recordsKept;
      if (f.changed) result.segmentsRewritten++;
      if (f.deleteHorizon >= 0 && (horizon < 0 || f.deleteHorizon < horizon)) horizon = f.deleteHorizon;
      if (!f.batch) continue;
      result.bytesWritten += f.batch.length;
      kept.push(c.baseOffset, c.lastOffset, f.batch, maxTimestampOf(f.batch, 0));
    }
    this.batches = kept;
    this.pendingDeleteHorizon = horizon;
    this.firstDirtyOffset = result.firstDirtyOffset;
    this.stats.cleanings++;
    this.stats.bytesReclaimed += result.bytesRead - result.bytesWritten;
    this.stats.recordsRemoved += result.recordsRemoved;
    return result;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** The producer state and aborted transactions of the batches held (a truncation cut some away); each chunk is one batch. */
function replayAll(producers: ProducerStateManager, batches: BatchList): AbortedTxnList {
  const aborted = new AbortedTxnList();
  for (let i = 0; i < batches.length; i++) {
    const c = batches.at(i);
    const done = replayProducers(producers, c.buf, [{ position: 0, size: c.buf.length, baseOffset: c.baseOffset, lastOffset: c.lastOffset, maxTimestamp: readInt64(c.buf, MAX_TIMESTAMP) }]);
    for (const t of done) if (t.aborted) aborted.push(t);
  }
  return aborted;
}
