// One partition's log in the file engine (its PartitionLog): the log's state and public face.
// Appends take their offsets synchronously, in call order, and go to the write loop (append-queue.ts);
// reads serve the tail from memory, the rest with one positional read per fetch; retention,
// DeleteRecords and compaction take turns on the segment list (log-maintenance.ts). While its log
// dir is offline (an I/O error, log-dir.ts) the log refuses appends and reads; once the dir takes
// writes again, recoverFromFailure() cuts off what failed writes left before it serves again.
import type { LogConfig } from '../config.js';
import { log as logger } from '../log.js';
import { planAppend, type AppendPlan } from './append-plan.js';
import { AppendQueue } from './append-queue.js';
import { BatchList } from './batch-list.js';
import { readPool } from './read-pool.js';
import type { TailCacheBudget } from './tail-cache-budget.js';
import { ErrorCode } from '../protocol/errors.js';
import { NO_CHECKPOINTS, type LogCheckpoints } from './checkpoints.js';
import { writeFileAtomic, type FileSystem } from './fs.js';
import type { LeaderEpochCache } from './leader-epoch-cache.js';
import { planFollowerAppend, replayProducers, type FollowerPlan } from './follower-append.js';
import { UNWATCHED_DIR, type LogDirState } from './log-dir.js';
import { LogMaintenance, type MaintainedLog } from './log-maintenance.js';
import { maxTimestamp, offsetForTimestamp, retryOnSegmentGone, segmentIndexFor } from './offset-lookup.js';
import type { BatchMetadata, CompletedTxn, ProducerStateManager } from './producer-state.js';
import { AbortedTxnList } from './txn-index.js';
import { buildControlBatch } from '../protocol/records/control-batch.js';
import { loadProducerState, snapshotOffsets, writeSnapshot } from './producer-snapshots.js';
import { cutTail, startAt, type TruncatedLog } from './log-truncation.js';
import { shouldRoll } from './segment-roll.js';
import { LogSegment, SegmentGoneError } from './segment.js';
import {
  KafkaError,
  type AppendOptions,
  type AbortedTxn,
  type ActiveProducer,
  type AppendResult,
  type CleanerStats,
  type FetchIsolation,
  type CompactionCandidate,
  type CompactionResult,
  type OffsetAndTimestamp,
  type OffsetMap,
  type PartitionLog,
  type ReadResult,
  type SegmentDeletion,
  type TxnMarker,
} from './types.js';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
/** setInterval cannot wait longer; a longer flush.ms means "never" in practice. */
const MAX_TIMER_MS = 2147483647;

export interface FileLogParts {
  fs: FileSystem;
  dir: string;
  topic: string;
  partition: number;
  config: LogConfig;
  segments: LogSegment[];
  producers: ProducerStateManager;
  epochs: LeaderEpochCache;
  tailCacheBytes: number;
  /** The broker-wide cap over every partition's tail cache. */
  tailBudget?: TailCacheBudget;
  /** From the log dir's log-start-offset-checkpoint (DeleteRecords may have moved it inside a segment). */
  logStartOffset?: number;
  /** From the log dir's cleaner-offset-checkpoint. */
  firstDirtyOffset?: number;
  checkpoints?: LogCheckpoints;
  /** The health of the log dir this log lives in. */
  logDir?: LogDirState;
  /** The replica layer moves the high watermark (see PartitionLog.replicated). */
  replicated?: boolean;
  /** From the log dir's replication-offset-checkpoint (replicated logs). */
  highWatermark?: number;
  /** The aborted transactions of every segment (their `.txnindex` files, recovered). */
  aborted?: AbortedTxnList;
}

export class FileLog implements PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  readonly replicated: boolean;
  /** Moved by the write loop as writes complete (and the high watermark too, unless replicated). */
  logEndOffset: number;
  highWatermark: number;
  private readonly fs: FileSystem;
  /** Replaced whole (never spliced) by retention and compaction, so a read can hold on to one. */
  private segments: LogSegment[];
  private _logStartOffset: number;
  /** Replaced whole when recovery cuts the log back. */
  private producers: ProducerStateManager;
  /** In memory for Fetch; each entry also in its marker's segment's `.txnindex`. */
  private aborted: AbortedTxnList;
  private epochs: LeaderEpochCache;
  private readonly tail: BatchList;
  private _config: LogConfig;
  /** Next offset to hand out; ahead of logEndOffset while writes are in flight. */
  private nextOffset: number;
  private readonly appends: AppendQueue;
  private readonly maintenance: LogMaintenance;
  private flushTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly logDir: LogDirState;
  /** Compaction failed half-way through swapping files: only a reload (a restart) may touch the log again. */
  private reloadNeeded = false;
  private readonly checkpoints: LogCheckpoints;
  /**
   * Set while a truncation is queued or running: appends, epoch assignments and truncations made
   * meanwhile queue behind it in call order (an append's offsets are taken when its turn comes);
   * flushes wait for it.
   */
  private gate: Promise<void> | null = null;
  /** fsyncs of the active segment in flight (a truncation lets them finish before touching files). */
  private readonly syncs = new Set<Promise<void>>();

  constructor(parts: FileLogParts) {
    this.fs = parts.fs;
    this.dir = parts.dir;
    this.topic = parts.topic;
    this.partition = parts.partition;
    this.segments = parts.segments;
    this.producers = parts.producers;
    this.aborted = parts.aborted ?? new AbortedTxnList();
    this.epochs = parts.epochs;
    this.tail = new BatchList(parts.tailCacheBytes, parts.tailBudget);
    this.nextOffset = this.logEndOffset = this.highWatermark = this.active.nextOffset;
    for (const seg of this.segments) if (seg !== this.active) seg.sealed = true;
    this._logStartOffset = Math.min(Math.max(parts.logStartOffset ?? 0, this.segments[0].baseOffset), this.logEndOffset);
    this.replicated = parts.replicated ?? false;
    // Kafka's load: the checkpointed high watermark, within [log start, log end].
    if (this.replicated) this.highWatermark = Math.min(Math.max(parts.highWatermark ?? 0, this._logStartOffset), this.logEndOffset);
    this._config = parts.config;
    this.checkpoints = parts.checkpoints ?? NO_CHECKPOINTS;
    this.logDir = parts.logDir ?? UNWATCHED_DIR;
    this.appends = new AppendQueue(this, this.fs, this.tail, (e) => this.logDir.failed(e));
    this.maintenance = new LogMaintenance(this.maintainedView(), this.fs, this.checkpoints, parts.firstDirtyOffset ?? -1);
    this.armFlushTimer();
  }

  get config(): LogConfig {
    return this._config;
  }

  set config(config: LogConfig) {
    const rearm = config.flushMs !== this._config.flushMs;
    this._config = config;
    if (rearm) this.armFlushTimer();
  }

  get logStartOffset(): number {
    return this._logStartOffset;
  }

  get lastStableOffset(): number {
    // Kafka's: never below the log start (DeleteRecords may pass an open transaction's start).
    return Math.min(Math.max(this.producers.firstUnstableOffset(this.highWatermark), this._logStartOffset), this.highWatermark);
  }

  /** Where the next compaction's key map starts (Kafka's cleaner checkpoint); -1: never cleaned. */
  get firstDirtyOffset(): number {
    return this.maintenance.firstDirtyOffset;
  }

  get cleanerStats(): Readonly<CleanerStats> {
    return this.maintenance.stats;
  }

  get leaderEpoch(): number {
    return Math.max(this.epochs.latestEpoch, 0);
  }

  /** An I/O error took the log offline. */
  get failed(): boolean {
    return this.appends.failure !== null;
  }

  /** Why the log refuses appends and reads now (its own failure, or its dir's), or null. */
  get offline(): KafkaError | null {
    return this.appends.failure ?? this.logDir.offline;
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  // ---- Appends ----

  append(records: Buffer, opts: AppendOptions): Promise<AppendResult> {
    return this.gate ? this.queued(() => this.appendNow(records, opts)) : this.appendNow(records, opts);
  }

  private appendNow(records: Buffer, opts: AppendOptions): Promise<AppendResult> {
    const offline = this.offline;
    if (offline) return Promise.reject(offline);
    if (this.closed) return Promise.reject(new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.dir} is closed`));
    let plan: AppendPlan | BatchMetadata | null;
    try {
      plan = planAppend(records, this.nextOffset, this.leaderEpoch, this._config, opts.now, this.producers, opts.transactionVersion);
    } catch (e) {
      return Promise.reject(e);
    }
    if (plan === null) return Promise.resolve({ baseOffset: -1, lastOffset: -1, logAppendTime: -1, logStartOffset: this.logStartOffset });
    if (!('batches' in plan)) return this.duplicate(plan);

    if (shouldRoll(this.active, plan, opts.now, this._config)) this.roll(opts.now);
    const segment = this.active;
    const position = segment.size;
    if (position === 0) segment.rollingBasedTimestamp = plan.batches[0].maxTimestamp;
    segment.size += records.length;
    this.nextOffset = plan.lastOffset + 1;
    this.indexAborted(this.producers.commit(plan.producers), segment);
    return this.appends.write(segment, position, plan);
  }

  appendMarker(marker: TxnMarker): Promise<AppendResult> {
    const now = marker.timestamp ?? Date.now();
    return this.append(buildControlBatch(marker.producerId, marker.producerEpoch, marker, now), { now, transactionVersion: marker.transactionVersion });
  }

  abortedTransactions(fetchOffset: number, upperBoundOffset: number): AbortedTxn[] {
    return this.aborted.collect(fetchOffset, upperBoundOffset);
  }

  /** Aborted transactions the batches being appended to `segment` completed. */
  private indexAborted(completed: readonly CompletedTxn[], segment: LogSegment): void {
    for (const t of completed) {
      if (!t.aborted) continue;
      this.aborted.push(t);
      segment.addAbortedTxn(t);
    }
  }

  /**
   * Kafka's follower append: offsets and leader epochs as the leader gave them (PartitionLog).
   * New epochs reach the leader-epoch checkpoint before these batches reach the log.
   */
  appendAsFollower(records: Buffer): Promise<AppendResult> {
    return this.gate ? this.queued(() => this.appendAsFollowerNow(records)) : this.appendAsFollowerNow(records);
  }

  private appendAsFollowerNow(records: Buffer): Promise<AppendResult> {
    const offline = this.offline;
    if (offline) return Promise.reject(offline);
    if (this.closed) return Promise.reject(new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.dir} is closed`));
    let planned: FollowerPlan | null;
    try {
      planned = planFollowerAppend(records, this.nextOffset, this.epochs.latestEpoch, `${this.topic}-${this.partition}`);
    } catch (e) {
      return Promise.reject(e);
    }
    if (planned === null) return Promise.resolve({ baseOffset: -1, lastOffset: -1, logAppendTime: -1, logStartOffset: this.logStartOffset });
    const { plan, epochs } = planned;
    if (epochs.length > 0) {
      for (const e of epochs) this.epochs.assign(e.epoch, e.startOffset);
      void this.appends.task(() => this.persistEpochs()).catch(() => undefined);
    }
    const now = Date.now();
    if (shouldRoll(this.active, plan, now, this._config)) this.roll(now);
    const segment = this.active;
    const position = segment.size;
    if (position === 0) segment.rollingBasedTimestamp = plan.batches[0].maxTimestamp;
    segment.size += records.length;
    this.nextOffset = plan.lastOffset + 1;
    this.indexAborted(replayProducers(this.producers, records, plan.batches), segment);
    return this.appends.write(segment, position, plan);
  }

  /** A new leader epoch from `startOffset` on; its checkpoint is written before later appends' batches. */
  assignLeaderEpoch(epoch: number, startOffset: number): Promise<void> {
    return this.gate ? this.queued(() => this.assignLeaderEpochNow(epoch, startOffset)) : this.assignLeaderEpochNow(epoch, startOffset);
  }

  private assignLeaderEpochNow(epoch: number, startOffset: number): Promise<void> {
    const offline = this.offline;
    if (offline) return Promise.reject(offline);
    if (!this.epochs.assign(epoch, startOffset)) return Promise.resolve();
    return this.appends.task(() => this.persistEpochs());
  }

  /** Kafka's updateHighWatermark: within [log start, log end]; listeners hear of a move. */
  updateHighWatermark(hw: number): number {
    if (!this.replicated) throw new Error(`${this.topic}-${this.partition}: the high watermark of a log that is not replicated follows its end`);
    const next = Math.min(Math.max(hw, this._logStartOffset), this.logEndOffset);
    if (next !== this.highWatermark) {
      this.highWatermark = next;
      this.appends.notify();
    }
    return next;
  }

  /** Starts `fn` when its turn behind the gate comes; resolves as the operation it starts does. */
  private queued<T>(fn: () => Promise<T>): Promise<T> {
    let started!: Promise<T>;
    const turn = this.gate!.then(() => {
      try {
        started = fn();
      } catch (e) {
        started = Promise.reject(e);
      }
    });
    this.setGate(turn);
    return turn.then(() => started);
  }

  private setGate(gate: Promise<void>): void {
    this.gate = gate;
    void gate.then(() => {
      if (this.gate === gate) this.gate = null;
    });
  }

  /** A retried batch: answer with the original's offsets once those are durable like any append. */
  private async duplicate(m: BatchMetadata): Promise<AppendResult> {
    await this.appends.writtenUpTo(m.lastOffset + 1);
    if (this.appends.failure) throw this.appends.failure;
    const logAppendTime = this._config.timestampType === 'LogAppendTime' ? m.timestamp : -1;
    return { baseOffset: m.firstOffset, lastOffset: m.lastOffset, logAppendTime, logStartOffset: this.logStartOffset };
  }

  /** Starts a new active segment at the next offset; the write loop finishes the old one. */
  private roll(now: number): void {
    const next = LogSegment.empty(this.fs, this.dir, this.nextOffset, now);
    const old = this.active;
    this.segments.push(next);
    this.appends.roll(old, next, this.producers.encode());
  }

  onAppend(listener: () => void): () => void {
    return this.appends.onAppend(listener);
  }

  // ---- Reads ----

  async read(fetchOffset: number, maxBytes: number, minOneBatch: boolean, pooled = false, isolation: FetchIsolation = 'highWatermark'): Promise<ReadResult> {
    for (;;) {
      try {
        return await this.readOnce(fetchOffset, maxBytes, minOneBatch, pooled, isolation);
      } catch (e) {
        // The segment list changed under the read: read again from the current one.
        if (!(e instanceof SegmentGoneError)) throw e;
      }
    }
  }

  private async readOnce(fetchOffset: number, maxBytes: number, minOneBatch: boolean, pooled: boolean, isolation: FetchIsolation): Promise<ReadResult> {
    // Kafka's offline partition: no reads either, until the dir is back.
    const offline = this.offline;
    if (offline) throw offline;
    if (fetchOffset < this.logStartOffset || fetchOffset > this.logEndOffset) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `Offset ${fetchOffset} is out of range for ${this.topic}-${this.partition}: [${this.logStartOffset}, ${this.logEndOffset}]`,
      );
    }
    const end = this.logEndOffset;
    const limit = isolation === 'logEnd' ? end : isolation === 'txnCommitted' ? this.lastStableOffset : this.highWatermark;
    if (fetchOffset < limit) {
      // Only a replicated log's high watermark stops a read short of the batches written.
      const maxOffset = limit < end ? limit : Infinity;
      const cached = this.tail.read(fetchOffset, maxBytes, minOneBatch, maxOffset);
      if (cached) return this.result(cached.records, cached.bytes);
      if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.dir} is closed`);
      const segments = this.segments;
      const pool = pooled ? readPool : null;
      for (let i = segmentIndexFor(fetchOffset, segments); i < segments.length; i++) {
        const seg = segments[i];
        const got = await seg.pinned(() => seg.read(fetchOffset, maxBytes, minOneBatch, this._config.indexIntervalBytes, pool, maxOffset));
        if (got) return this.result(got.buf.length > 0 ? [got.buf] : [], got.buf.length, got.release);
      }
    }
    return this.result([], 0);
  }

  private result(records: Buffer[], bytes: number, release?: () => void): ReadResult {
    return { records, bytes, highWatermark: this.highWatermark, logStartOffset: this.logStartOffset, lastStableOffset: this.lastStableOffset, release };
  }

  async offsetForTimestamp(ts: number): Promise<OffsetAndTimestamp | null> {
    if (this.offline) throw this.offline;
    return retryOnSegmentGone(() => offsetForTimestamp(this.segments, ts, this));
  }

  async maxTimestamp(): Promise<OffsetAndTimestamp | null> {
    if (this.offline) throw this.offline;
    return retryOnSegmentGone(() => maxTimestamp(this.segments, this));
  }

  endOffsetForEpoch(epoch: number): { leaderEpoch: number; endOffset: number } | null {
    return this.epochs.endOffsetFor(epoch, this.logEndOffset);
  }

  activeProducers(): ActiveProducer[] {
    return this.producers.active();
  }

  // ---- Retention, DeleteRecords and compaction (log-maintenance.ts) ----

  deleteRecordsBefore(offset: number): Promise<number> {
    return this.maintenance.deleteRecordsBefore(offset);
  }

  deleteOldSegments(now: number): Promise<SegmentDeletion | null> {
    return this.maintenance.deleteOldSegments(now);
  }

  compactionCandidate(now: number): Promise<CompactionCandidate | null> {
    return this.maintenance.compactionCandidate(now);
  }

  compact(now: number, map: OffsetMap): Promise<CompactionResult | null> {
    return this.maintenance.compact(now, map);
  }

  private async advanceLogStartOffset(offset: number): Promise<void> {
    this._logStartOffset = offset;
    this.tail.dropBefore(offset);
    this.aborted.dropBefore(this.segments[0].baseOffset);
    if (this.epochs.truncateFromStart(offset)) await this.persistEpochs();
  }

  /** The part of this log maintenance may see and change. */
  private maintainedView(): MaintainedLog {
    const log = this;
    return {
      dir: log.dir,
      topic: log.topic,
      partition: log.partition,
      get config() {
        return log._config;
      },
      get segments() {
        return log.segments;
      },
      set segments(segments: LogSegment[]) {
        log.segments = segments;
      },
      get logStartOffset() {
        return log._logStartOffset;
      },
      get logEndOffset() {
        return log.logEndOffset;
      },
      get highWatermark() {
        return log.highWatermark;
      },
      get lastStableOffset() {
        return log.lastStableOffset;
      },
      abortedTransactions: (from, to) => log.aborted.collect(from, to),
      get nextOffset() {
        return log.nextOffset;
      },
      get closed() {
        return log.closed;
      },
      get failure() {
        return log.offline;
      },
      advanceLogStartOffset: (offset) => log.advanceLogStartOffset(offset),
      roll: (now) => log.roll(now),
      dropCachedBefore: (offset) => log.tail.dropBefore(offset),
      lastBatchOffsets: () => log.producers.lastBatchOffsets(),
      failUntilReload: (e) => {
        log.reloadNeeded = true;
        logger.error(
          `${log.topic}-${log.partition} is offline until samsa restarts: compaction failed half-way through swapping its files ` +
            `(${(e as Error)?.message ?? e}); loading the log at start finishes the swap`,
        );
        log.appends.fail(e);
      },
    };
  }

  // ---- Truncation: a follower diverged from its leader, or starts over from a snapshot ----
  // Crash-safe order: every step leaves files that load as a prefix of the old log no shorter than
  // the new one (or, when starting over, the empty new log); once a truncation resolves its
  // removals are durable, so nothing past it can come back under later appends.

  truncateTo(offset: number): Promise<void> {
    return this.truncation(async () => {
      if (offset >= this.logEndOffset) return;
      if (offset < this._logStartOffset) {
        this.aborted.clear();
        await startAt(this.truncatedView(), offset);
      } else {
        await cutTail(this.truncatedView(), offset);
        this.aborted.truncateFrom(this.logEndOffset);
      }
    });
  }

  truncateFullyAndStartAt(offset: number): Promise<void> {
    return this.truncation(async () => {
      this.aborted.clear();
      await startAt(this.truncatedView(), offset);
    });
  }

  /**
   * Runs a truncation alone, in call order with appends (the gate); the write loop, the rolls' background work and
   * maintenance finish first. An I/O error midway leaves the log offline until a reload.
   */
  private truncation(step: () => Promise<void>): Promise<void> {
    const run = (this.gate ?? Promise.resolve()).then(() =>
      this.maintenance.exclusive(async () => {
        if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.dir} is closed`);
        await this.appends.idle();
        await this.appends.settled();
        await Promise.allSettled([...this.syncs]);
        const offline = this.offline;
        if (offline) throw offline;
        try {
          await step();
        } catch (e) {
          this.reloadNeeded = true;
          this.appends.fail(e);
          throw e;
        }
      }),
    );
    this.setGate(
      run.then(
        () => undefined,
        () => undefined,
      ),
    );
    return run;
  }

  /** The part of this log a truncation may see and change. */
  private truncatedView(): TruncatedLog {
    const log = this;
    return {
      fs: log.fs,
      dir: log.dir,
      get config() {
        return log._config;
      },
      get segments() {
        return log.segments;
      },
      set segments(segments: LogSegment[]) {
        log.segments = segments;
      },
      get epochs() {
        return log.epochs;
      },
      set epochs(epochs: LeaderEpochCache) {
        log.epochs = epochs;
      },
      get producers() {
        return log.producers;
      },
      set producers(producers: ProducerStateManager) {
        log.producers = producers;
      },
      get logStartOffset() {
        return log._logStartOffset;
      },
      set logStartOffset(offset: number) {
        log._logStartOffset = offset;
      },
      get logEndOffset() {
        return log.logEndOffset;
      },
      set logEndOffset(offset: number) {
        log.nextOffset = log.logEndOffset = offset;
      },
      get highWatermark() {
        return log.highWatermark;
      },
      set highWatermark(offset: number) {
        log.highWatermark = offset;
      },
      persistEpochs: () => log.persistEpochs(),
      clearCache: () => log.tail.clear(),
      resetCleaner: () => {
        log.maintenance.firstDirtyOffset = -1;
      },
      logStartOffsetChanged: () => log.checkpoints.logStartOffsetChanged(),
      notify: () => log.appends.notify(),
    };
  }

  // ---- Flushes, checkpoints and close ----

  private armFlushTimer(): void {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = null;
    const ms = this._config.flushMs;
    if (this.closed || !(ms > 0 && ms < MAX_TIMER_MS)) return;
    // Kafka's flusher: flush once the oldest unflushed write is flush.ms old.
    this.flushTimer = setInterval(() => {
      if (this.appends.unflushedMessages > 0 && Date.now() - this.appends.lastFlush >= ms) this.appends.track(this.flushActive());
    }, ms);
    this.flushTimer.unref();
  }

  async flush(): Promise<void> {
    await this.appends.writtenUpTo(this.nextOffset);
    // Rolled segments get fsynced in the background; none of those tasks waits on another.
    await this.appends.settled();
    await this.flushActive();
  }

  /** fsyncs the active segment and writes its index entries; an I/O error takes the log offline. */
  private async flushActive(): Promise<void> {
    await this.appends.writtenUpTo(this.nextOffset);
    // A truncation may be replacing the active segment: fsync what it leaves.
    while (this.gate) await this.gate;
    if (this.appends.failure) throw this.appends.failure;
    const seg = this.active;
    // Just rolled (still being created): the data waited for is in a rolled segment, which its
    // own background task fsyncs.
    if (!seg.file) return;
    this.appends.unflushedMessages = 0;
    this.appends.lastFlush = Date.now();
    const sync = (async () => {
      await seg.file.sync();
      await seg.persistIndexes(false);
    })();
    this.syncs.add(sync);
    try {
      await sync;
    } catch (e) {
      this.appends.fail(e);
      throw e;
    } finally {
      this.syncs.delete(sync);
    }
  }

  // ---- Recovery after an I/O error ----

  /**
   * Brings the log back after an I/O error, once its dir takes writes again: the appends that
   * failed (and the ones queued behind them) reserved offsets and bytes that no reader ever saw;
   * they are given back (segments started for them removed, the active segment's file cut to its
   * last published batch, the producer state rebuilt as of the log end) and the rolled segments
   * whose finishing failed are finished. The indexes only ever hold published batches. Throws
   * when a step fails (the dir stays offline). A log that needs a reload stays offline.
   */
  async recoverFromFailure(): Promise<void> {
    if (!this.appends.failure || this.closed || this.reloadNeeded) return;
    // Appends are refused meanwhile, so the loop drains; the rolls' background tasks end.
    await this.appends.idle();
    await this.appends.settled();
    await this.maintenance.exclusive(async () => {
      if (this.closed) return;
      const end = this.logEndOffset;
      const keep = this.segments.filter((seg) => seg.baseOffset <= end);
      for (const seg of this.segments.slice(keep.length)) await seg.deleteFiles();
      if (keep.length < this.segments.length) this.segments = keep;
      const active = this.active;
      // Only the active segment can hold reserved bytes (a roll waits for the writes before it).
      if (!active.file) await active.create();
      await active.dropUncommitted();
      // Rolled segments whose finishing failed: their final indexes and fsync (their producer
      // snapshot is skipped: the previous one stays the recovery point, which is only slower).
      for (const seg of this.segments) {
        if (seg === active || seg.sealed) continue;
        await seg.persistIndexes(true);
        await seg.file.sync();
        seg.sealed = true;
      }
      // Epochs that failed follower appends announced (one at the end itself may stay, as at load).
      if (this.epochs.truncateFromEnd(end + 1)) await this.persistEpochs();
      if (this.nextOffset !== end) {
        // Aborted transactions whose marker was in a failed write.
        this.aborted.truncateFrom(end);
        const keptTxns = active.abortedTxns.filter((t) => t.lastOffset < end);
        if (keptTxns.length !== active.abortedTxns.length) active.setAbortedTxns(keptTxns);
        const snapshots = snapshotOffsets(await this.fs.readdir(this.dir));
        this.producers = await loadProducerState(this.fs, this.dir, this.segments, snapshots, end, this._config.indexIntervalBytes);
        this.nextOffset = end;
      }
      this.appends.recovered();
    });
  }

  /** Writes the leader epoch checkpoint (Kafka's format). */
  async persistEpochs(): Promise<void> {
    await writeFileAtomic(this.fs, this.dir, LEADER_EPOCH_CHECKPOINT, this.epochs.encode());
  }

  /**
   * Kafka's clean close: waits for appends, writes the final indexes, fsyncs, and snapshots the
   * producer state at the log end so the next load replays nothing.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.armFlushTimer();
    await this.appends.idle();
    await this.appends.settled();
    await this.maintenance.close();
    try {
      // A failed log leaves its recovery to the next start, without a failed write's bytes.
      if (this.appends.failure) for (const seg of this.segments) if (seg.file && seg.size !== seg.committedSize) await seg.dropUncommitted().catch(() => undefined);
      if (!this.appends.failure) {
        // Rolled segments only have index changes here when a load rebuilt them.
        for (const seg of this.segments) await seg.persistIndexes(true);
        await this.active.file.sync();
        await writeSnapshot(this.fs, this.dir, this.logEndOffset, this.producers.encode());
      }
    } finally {
      this.tail.clear();
      for (const seg of this.segments) await seg.close().catch(() => undefined);
    }
  }
}
