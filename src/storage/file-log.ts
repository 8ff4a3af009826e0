// A partition log on disk. Appends get their offsets synchronously, in call order; one write loop
// per partition then writes every queued append with a single positional write(v), indexes them,
// and moves the log end offset and high watermark. Reads serve the tail from memory, the rest
// with one positional read per fetch. Retention and compaction replace closed segments with a
// new list (readers keep the one they started with) and retire the old ones once unread.
import type { LogConfig } from '../config.js';
import { planAppend, type AppendPlan } from './append-plan.js';
import { BatchList } from './batch-list.js';
import { readPool } from './read-pool.js';
import type { TailCacheBudget } from './tail-cache-budget.js';
import { ErrorCode } from '../protocol/errors.js';
import { NO_CHECKPOINTS, type LogCheckpoints } from './checkpoints.js';
import { buildOffsetMap, cleanGroup, cleanableRange, groupSegmentsBySize, swapIn } from './compactor.js';
import { writeFileAtomic, type FileSystem } from './fs.js';
import type { LeaderEpochCache } from './leader-epoch-cache.js';
import type { BatchMetadata, ProducerStateManager } from './producer-state.js';
import { writeSnapshot } from './producer-snapshots.js';
import { planRetention } from './retention.js';
import { SegmentReaper, markDeleted } from './segment-files.js';
import { LogSegment, SegmentGoneError } from './segment.js';
import { firstRecordAtOrAfter, maxTimestampOf, recordWithMaxTimestamp } from './timestamp-search.js';
import {
  KafkaError,
  type AppendOptions,
  type ActiveProducer,
  type AppendResult,
  type CleanerStats,
  type CompactionCandidate,
  type CompactionResult,
  type OffsetAndTimestamp,
  type OffsetMap,
  type PartitionLog,
  type ReadResult,
  type SegmentDeletion,
} from './types.js';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
const INT32_MAX = 2147483647;
/** setInterval cannot wait longer; a longer flush.ms means "never" in practice. */
const MAX_TIMER_MS = 2147483647;

interface PendingWrite {
  kind: 'write';
  segment: LogSegment;
  position: number;
  plan: AppendPlan;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

/** Queued behind the old segment's writes: the point where it is complete and can be flushed. */
interface PendingRoll {
  kind: 'roll';
  old: LogSegment;
  next: LogSegment;
  /** Producer state as of next.baseOffset, taken at roll time. */
  snapshot: Buffer;
}

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
}

export class FileLog implements PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  logEndOffset: number;
  highWatermark: number;
  private readonly fs: FileSystem;
  /** Replaced whole (never spliced) by retention and compaction, so a read can hold on to one. */
  private segments: LogSegment[];
  private _logStartOffset: number;
  /** Where the next compaction's key map starts (Kafka's cleaner checkpoint); -1: never cleaned. */
  firstDirtyOffset: number;
  /** Earliest delete horizon of a tombstone kept by the last compaction, or -1. */
  private pendingDeleteHorizon = -1;
  private readonly stats: CleanerStats = { bytesReclaimed: 0, segmentsDeleted: 0, cleanings: 0, recordsRemoved: 0 };
  /** Retention, compaction and DeleteRecords take turns on the segment list. */
  private maintenance: Promise<unknown> = Promise.resolve();
  private readonly reaper: SegmentReaper;
  private readonly checkpoints: LogCheckpoints;
  private readonly producers: ProducerStateManager;
  private readonly epochs: LeaderEpochCache;
  private readonly tail: BatchList;
  private _config: LogConfig;
  /** Next offset to hand out; ahead of logEndOffset while writes are in flight. */
  private nextOffset: number;
  private queue: (PendingWrite | PendingRoll)[] = [];
  private draining: Promise<void> | null = null;
  private readonly background = new Set<Promise<void>>();
  private readonly listeners = new Set<() => void>();
  private hwWaiters: { offset: number; resolve: () => void }[] = [];
  private unflushedMessages = 0;
  private lastFlush = Date.now();
  private flushTimer: NodeJS.Timeout | null = null;
  private failure: KafkaError | null = null;
  private closed = false;

  constructor(parts: FileLogParts) {
    this.fs = parts.fs;
    this.dir = parts.dir;
    this.topic = parts.topic;
    this.partition = parts.partition;
    this.segments = parts.segments;
    this.producers = parts.producers;
    this.epochs = parts.epochs;
    this.tail = new BatchList(parts.tailCacheBytes, parts.tailBudget);
    this.nextOffset = this.logEndOffset = this.highWatermark = this.active.nextOffset;
    for (const seg of this.segments) if (seg !== this.active) seg.sealed = true;
    this._logStartOffset = Math.min(Math.max(parts.logStartOffset ?? 0, this.segments[0].baseOffset), this.logEndOffset);
    this.firstDirtyOffset = parts.firstDirtyOffset ?? -1;
    this.reaper = new SegmentReaper(this.fs);
    this.checkpoints = parts.checkpoints ?? NO_CHECKPOINTS;
    this._config = parts.config;
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

  get cleanerStats(): Readonly<CleanerStats> {
    return this.stats;
  }

  get leaderEpoch(): number {
    return Math.max(this.epochs.latestEpoch, 0);
  }

  /** An I/O error took the log offline. */
  get failed(): boolean {
    return this.failure !== null;
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  append(records: Buffer, opts: AppendOptions): Promise<AppendResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.dir} is closed`));
    let plan: AppendPlan | BatchMetadata | null;
    try {
      plan = planAppend(records, this.nextOffset, this.leaderEpoch, this._config, opts.now, this.producers);
    } catch (e) {
      return Promise.reject(e);
    }
    if (plan === null) return Promise.resolve({ baseOffset: -1, lastOffset: -1, logAppendTime: -1, logStartOffset: this.logStartOffset });
    if (!('batches' in plan)) return this.duplicate(plan);

    this.maybeRoll(plan, opts.now);
    const segment = this.active;
    const position = segment.size;
    if (position === 0) segment.rollingBasedTimestamp = plan.batches[0].maxTimestamp;
    segment.size += records.length;
    this.nextOffset = plan.lastOffset + 1;
    this.producers.commit(plan.producers);
    const result = new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ kind: 'write', segment, position, plan: plan as AppendPlan, resolve, reject });
    });
    if (!this.draining) this.draining = this.drain();
    return result;
  }

  /** A retried batch: answer with the original's offsets once those are durable like any append. */
  private async duplicate(m: BatchMetadata): Promise<AppendResult> {
    await this.writtenUpTo(m.lastOffset + 1);
    if (this.failure) throw this.failure;
    const logAppendTime = this._config.timestampType === 'LogAppendTime' ? m.timestamp : -1;
    return { baseOffset: m.firstOffset, lastOffset: m.lastOffset, logAppendTime, logStartOffset: this.logStartOffset };
  }

  // Kafka's shouldRoll: the append would overflow segment.bytes, the segment is older than
  // segment.ms (counted from its first batch's timestamp), or offsets would not fit the index.
  private maybeRoll(plan: AppendPlan, now: number): void {
    const seg = this.active;
    if (seg.size === 0) return;
    let maxTimestamp = -1;
    for (const b of plan.batches) if (b.maxTimestamp > maxTimestamp) maxTimestamp = b.maxTimestamp;
    const age = seg.rollingBasedTimestamp >= 0 ? maxTimestamp - seg.rollingBasedTimestamp : now - seg.created;
    const full = seg.size > this._config.segmentBytes - plan.records.length;
    if (!full && age <= this._config.segmentMs && plan.lastOffset - seg.baseOffset <= INT32_MAX) return;
    this.roll(now);
  }

  /** Starts a new active segment at the next offset; the write loop finishes the old one. */
  private roll(now: number): void {
    const next = LogSegment.empty(this.fs, this.dir, this.nextOffset, now);
    const old = this.active;
    this.segments.push(next);
    this.queue.push({ kind: 'roll', old, next, snapshot: this.producers.encode() });
    if (!this.draining) this.draining = this.drain();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.failure) {
      const first = this.queue[0];
      if (first.kind === 'roll') {
        this.queue.shift();
        try {
          await first.next.create();
        } catch (e) {
          this.fail(e, []);
          break;
        }
        this.track(this.finishSegment(first.old, first.next.baseOffset, first.snapshot));
        continue;
      }
      let n = 1;
      while (n < this.queue.length && (this.queue[n] as PendingWrite).segment === first.segment) n++;
      const group = this.queue.splice(0, n) as PendingWrite[];
      const seg = first.segment;
      let messages = 0;
      for (const w of group) messages += w.plan.messages;
      try {
        await seg.file.write(
          group.map((w) => w.plan.records),
          first.position,
        );
        this.unflushedMessages += messages;
        if (this.unflushedMessages >= this._config.flushMessages) {
          await seg.file.sync();
          this.unflushedMessages = 0;
          this.lastFlush = Date.now();
        }
      } catch (e) {
        this.fail(e, group);
        break;
      }
      for (const w of group) {
        seg.onWritten(w.plan.batches, w.position, this._config.indexIntervalBytes);
        this.tail.push(w.plan.baseOffset, w.plan.lastOffset, w.plan.records, -1);
      }
      this.logEndOffset = this.highWatermark = group[group.length - 1].plan.lastOffset + 1;
      if (this.hwWaiters.length > 0) this.wakeWaiters();
      for (const w of group) {
        const { baseOffset, lastOffset, logAppendTime } = w.plan;
        w.resolve({ baseOffset, lastOffset, logAppendTime, logStartOffset: this.logStartOffset });
      }
      this.notify();
    }
    this.draining = null;
  }

  /** A rolled segment: write its final indexes, fsync it, then record the recovery point. */
  private async finishSegment(old: LogSegment, nextBase: number, snapshot: Buffer): Promise<void> {
    await old.persistIndexes(true);
    await old.file.sync();
    await writeSnapshot(this.fs, this.dir, nextBase, snapshot);
    old.sealed = true;
  }

  private track(task: Promise<void>): void {
    const t = task.catch((e) => this.fail(e, [])).finally(() => this.background.delete(t));
    this.background.add(t);
  }

  /** An I/O error takes the log offline, as Kafka takes a failed log dir offline. */
  private fail(e: unknown, group: PendingWrite[]): void {
    const message = (e as Error)?.message ?? String(e);
    this.failure ??= new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.dir} is offline after an I/O error: ${message}`);
    for (const w of group) w.reject(e);
    for (const q of this.queue.splice(0)) if (q.kind === 'write') q.reject(this.failure);
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    const hw = this.highWatermark;
    const waiting = this.hwWaiters;
    this.hwWaiters = [];
    for (const w of waiting) {
      if (w.offset <= hw || this.failure) w.resolve();
      else this.hwWaiters.push(w);
    }
  }

  /** Resolves once every offset below `offset` is written (or the log failed). */
  private writtenUpTo(offset: number): Promise<void> {
    if (offset <= this.highWatermark || this.failure) return Promise.resolve();
    return new Promise((resolve) => this.hwWaiters.push({ offset, resolve }));
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

  /** Resolves once the write loop has nothing left (appends are refused by then: closing). */
  private idle(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  async read(fetchOffset: number, maxBytes: number, minOneBatch: boolean, pooled = false): Promise<ReadResult> {
    for (;;) {
      try {
        return await this.readOnce(fetchOffset, maxBytes, minOneBatch, pooled);
      } catch (e) {
        // The segment list changed under the read: read again from the current one.
        if (!(e instanceof SegmentGoneError)) throw e;
      }
    }
  }

  private async readOnce(fetchOffset: number, maxBytes: number, minOneBatch: boolean, pooled: boolean): Promise<ReadResult> {
    if (fetchOffset < this.logStartOffset || fetchOffset > this.logEndOffset) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `Offset ${fetchOffset} is out of range for ${this.topic}-${this.partition}: [${this.logStartOffset}, ${this.logEndOffset}]`,
      );
    }
    if (fetchOffset < this.highWatermark) {
      const cached = this.tail.read(fetchOffset, maxBytes, minOneBatch);
      if (cached) return this.result(cached.records, cached.bytes);
      if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.dir} is closed`);
      const segments = this.segments;
      const pool = pooled ? readPool : null;
      for (let i = this.segmentIndexFor(fetchOffset, segments); i < segments.length; i++) {
        const seg = segments[i];
        const got = await seg.pinned(() => seg.read(fetchOffset, maxBytes, minOneBatch, this._config.indexIntervalBytes, pool));
        if (got) return this.result(got.buf.length > 0 ? [got.buf] : [], got.buf.length, got.release);
      }
    }
    return this.result([], 0);
  }

  private result(records: Buffer[], bytes: number, release?: () => void): ReadResult {
    const hw = this.highWatermark;
    return { records, bytes, highWatermark: hw, logStartOffset: this.logStartOffset, lastStableOffset: hw, release };
  }

  /** Index of the segment holding `offset`: the last one whose base offset is <= offset. */
  private segmentIndexFor(offset: number, segments: readonly LogSegment[]): number {
    let lo = 0;
    let hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  // Kafka's fetchOffsetByTimestamp: the first segment whose max timestamp reaches ts, then its
  // time and offset indexes, then the first batch (and record) at or after ts.
  async offsetForTimestamp(ts: number): Promise<OffsetAndTimestamp | null> {
    return this.retryOnSegmentGone(() => this.offsetForTimestampOnce(ts));
  }

  private async offsetForTimestampOnce(ts: number): Promise<OffsetAndTimestamp | null> {
    const interval = this._config.indexIntervalBytes;
    for (const seg of this.segments) {
      const found = await seg.pinned(async () => {
        await seg.loadIndexes(interval);
        if (seg.maxTimestampSoFar < ts) return undefined;
        const from = await seg.positionForTimestamp(ts, this.logStartOffset, interval);
        for await (const b of seg.scan(from, seg.committedSize, true)) {
          const hit = firstRecordAtOrAfter(b.buf, b.pos, ts, this.logStartOffset);
          if (hit) return hit;
        }
        return null;
      });
      if (found !== undefined) return found;
    }
    return null;
  }

  async maxTimestamp(): Promise<OffsetAndTimestamp | null> {
    return this.retryOnSegmentGone(() => this.maxTimestampOnce());
  }

  private async maxTimestampOnce(): Promise<OffsetAndTimestamp | null> {
    const interval = this._config.indexIntervalBytes;
    let best: LogSegment | null = null;
    for (const seg of this.segments) {
      await seg.pinned(() => seg.loadIndexes(interval));
      if (seg.committedSize > 0 && (!best || seg.maxTimestampSoFar > best.maxTimestampSoFar)) best = seg;
    }
    if (!best) return null;
    const seg = best;
    return seg.pinned(async () => {
      const from = await seg.positionFor(seg.offsetOfMaxTimestampSoFar, interval);
      for await (const b of seg.scan(from, seg.committedSize, true)) {
        if (maxTimestampOf(b.buf, b.pos) === seg.maxTimestampSoFar) return recordWithMaxTimestamp(b.buf, b.pos);
      }
      return null;
    });
  }

  private async retryOnSegmentGone<T>(fn: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof SegmentGoneError)) throw e;
      }
    }
  }

  endOffsetForEpoch(epoch: number): { leaderEpoch: number; endOffset: number } | null {
    return this.epochs.endOffsetFor(epoch, this.logEndOffset);
  }

  // ---- Retention, DeleteRecords and compaction (driven by the LogCleaner) ----

  /** Runs `fn` once the log's other maintenance work is done. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.maintenance.then(fn);
    this.maintenance = run.catch(() => undefined);
    return run;
  }

  private get compacted(): boolean {
    return this._config.cleanupPolicy.includes('compact');
  }

  deleteRecordsBefore(offset: number): Promise<number> {
    return this.exclusive(async () => {
      if (this.failure) throw this.failure;
      if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.dir} is closed`);
      if (offset > this.highWatermark) {
        throw new KafkaError(
          ErrorCode.OFFSET_OUT_OF_RANGE,
          `Cannot increment the log start offset to ${offset} of partition ${this.topic}-${this.partition} since it is larger than the high watermark ${this.highWatermark}`,
        );
      }
      if (offset > this._logStartOffset) {
        await this.advanceLogStartOffset(offset);
        await this.checkpoints.logStartOffsetChanged();
      }
      return this._logStartOffset;
    });
  }

  private async advanceLogStartOffset(offset: number): Promise<void> {
    this._logStartOffset = offset;
    this.tail.dropBefore(offset);
    if (this.epochs.truncateFromStart(offset)) await this.persistEpochs();
  }

  deleteOldSegments(now: number): Promise<SegmentDeletion | null> {
    return this.exclusive(async () => {
      if (this.closed || this.failure) return null;
      const segments = this.segments;
      const n = segments.length;
      const logEndOffset = this.nextOffset;
      const interval = this._config.indexIntervalBytes;
      const plan = await planRetention(
        segments.map((seg) => ({
          baseOffset: seg.baseOffset,
          size: seg.size,
          largestTimestamp: async () => {
            await seg.pinned(() => seg.loadIndexes(interval));
            return seg.maxTimestampSoFar >= 0 ? seg.maxTimestampSoFar : seg.created;
          },
        })),
        { config: this._config, now, logStartOffset: this._logStartOffset, highWatermark: this.highWatermark, logEndOffset },
      );
      let count = plan.count;
      if (count === n) {
        // The active segment breaches too: roll it first, as Kafka does. If an append got in
        // meanwhile, the plan no longer describes it: it stays.
        const untouched = !this.closed && this.segments === segments && segments.length === n && this.nextOffset === logEndOffset;
        if (untouched) this.roll(now);
        else count--;
      }
      // Only finished (sealed) segments go; a roll completes in the background within moments.
      await this.waitSealed(segments.slice(0, count));
      let sealed = 0;
      while (sealed < count && segments[sealed].sealed) sealed++;
      if (sealed === 0 || this.closed) return null;
      const doomed = this.segments.slice(0, sealed);
      this.segments = this.segments.slice(sealed);
      let bytes = 0;
      for (const seg of doomed) bytes += seg.committedSize;
      const start = this.segments[0].baseOffset;
      if (start > this._logStartOffset) await this.advanceLogStartOffset(start);
      for (const seg of doomed) this.reaper.retire(seg, await markDeleted(this.fs, seg), this._config.fileDeleteDelayMs);
      this.stats.bytesReclaimed += bytes;
      this.stats.segmentsDeleted += doomed.length;
      return { segments: doomed.length, bytes, reasons: plan.reasons, logStartOffset: this._logStartOffset };
    });
  }

  private async waitSealed(segments: LogSegment[]): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (segments.some((seg) => !seg.sealed) && !this.failure && !this.closed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** The sealed segments from the oldest, and where the first unsealed one starts. */
  private closedSegments(): { closed: LogSegment[]; closedEnd: number } {
    const segments = this.segments;
    let n = 0;
    while (n < segments.length - 1 && segments[n].sealed) n++;
    return { closed: segments.slice(0, n), closedEnd: segments[n].baseOffset };
  }

  compactionCandidate(now: number): Promise<CompactionCandidate | null> {
    if (!this.compacted) return Promise.resolve(null);
    return this.exclusive(async () => {
      if (this.closed || this.failure) return null;
      const { closed, closedEnd } = this.closedSegments();
      const r = await cleanableRange(closed, closedEnd, this.firstDirtyOffset, this._logStartOffset, this.logEndOffset, this._config, now, this._config.indexIntervalBytes);
      const total = r.cleanBytes + r.cleanableBytes;
      return {
        cleanableRatio: total > 0 ? r.cleanableBytes / total : 0,
        cleanableBytes: r.cleanableBytes,
        mustCleanNow: r.mustCleanNow,
        tombstonesExpired: closed.length > 0 && this.pendingDeleteHorizon >= 0 && this.pendingDeleteHorizon <= now,
      };
    });
  }

  compact(now: number, map: OffsetMap): Promise<CompactionResult | null> {
    if (!this.compacted) return Promise.resolve(null);
    return this.exclusive(async () => {
      if (this.closed || this.failure) return null;
      const interval = this._config.indexIntervalBytes;
      const { closed, closedEnd } = this.closedSegments();
      if (closed.length === 0) return null;
      const range = await cleanableRange(closed, closedEnd, this.firstDirtyOffset, this._logStartOffset, this.logEndOffset, this._config, now, interval);
      const aborted = () => this.closed;
      // Everything below the first dirty offset was cleaned before: its keys are unique already.
      map.clear();
      map.updateLatestOffset(range.firstDirtyOffset - 1);
      await buildOffsetMap(closed, range.firstDirtyOffset, range.firstUncleanableOffset, map, aborted);
      const endOffset = map.latestOffset + 1;
      const ends = closed.map((_, i) => (i + 1 < closed.length ? closed[i + 1].baseOffset : closedEnd));
      let n = 0;
      while (n < closed.length && closed[n].baseOffset < endOffset) n++;
      const ctx = { map, now, deleteRetentionMs: this._config.deleteRetentionMs, lastBatchOfProducer: this.producers.lastBatchOffsets() };
      const result: CompactionResult = { bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsRemoved: 0, segmentsRewritten: 0, firstDirtyOffset: endOffset };
      let horizon = -1;
      let at = 0;
      for (const group of groupSegmentsBySize(closed.slice(0, n), this._config.segmentBytes, ends.slice(0, n))) {
        at += group.length;
        const cleaned = await cleanGroup(this.fs, this.dir, group, ctx, interval, now, aborted);
        if (cleaned.deleteHorizon >= 0 && (horizon < 0 || cleaned.deleteHorizon < horizon)) horizon = cleaned.deleteHorizon;
        if (!cleaned.segment) continue;
        let deleted: string[][];
        try {
          deleted = await swapIn(this.fs, this.dir, group, interval);
        } catch (e) {
          // Half swapped on disk: only a reload (which finishes the swap) may touch this log again.
          this.fail(e, []);
          await cleaned.segment.close().catch(() => undefined);
          throw e;
        }
        const i = this.segments.indexOf(group[0]);
        this.segments = [...this.segments.slice(0, i), cleaned.segment, ...this.segments.slice(i + group.length)];
        this.tail.dropBefore(ends[at - 1]);
        group.forEach((seg, j) => this.reaper.retire(seg, deleted[j], this._config.fileDeleteDelayMs));
        result.bytesRead += cleaned.bytesRead;
        result.bytesWritten += cleaned.bytesWritten;
        result.recordsRead += cleaned.recordsRead;
        result.recordsRemoved += cleaned.recordsRead - cleaned.recordsKept;
        result.segmentsRewritten += group.length;
      }
      this.pendingDeleteHorizon = horizon;
      this.firstDirtyOffset = endOffset;
      await this.checkpoints.cleanerOffsetChanged();
      this.stats.cleanings++;
      this.stats.bytesReclaimed += result.bytesRead - result.bytesWritten;
      this.stats.recordsRemoved += result.recordsRemoved;
      return result;
    });
  }

  activeProducers(): ActiveProducer[] {
    return this.producers.active();
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private armFlushTimer(): void {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = null;
    const ms = this._config.flushMs;
    if (this.closed || !(ms > 0 && ms < MAX_TIMER_MS)) return;
    // Kafka's flusher: flush once the oldest unflushed write is flush.ms old.
    this.flushTimer = setInterval(() => {
      if (this.unflushedMessages > 0 && Date.now() - this.lastFlush >= ms) this.track(this.flushActive());
    }, ms);
    this.flushTimer.unref();
  }

  async flush(): Promise<void> {
    await this.writtenUpTo(this.nextOffset);
    // Rolled segments get fsynced in the background; none of those tasks waits on another.
    await Promise.all([...this.background]);
    await this.flushActive();
  }

  /** fsyncs the active segment and writes its index entries. */
  private async flushActive(): Promise<void> {
    await this.writtenUpTo(this.nextOffset);
    if (this.failure) throw this.failure;
    const seg = this.active;
    // Just rolled (still being created): the data waited for is in a rolled segment, which its
    // own background task fsyncs.
    if (!seg.file) return;
    this.unflushedMessages = 0;
    this.lastFlush = Date.now();
    await seg.file.sync();
    await seg.persistIndexes(false);
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
    await this.idle();
    await Promise.all(this.background);
    await this.maintenance.catch(() => undefined);
    await this.reaper.reapAll();
    try {
      if (!this.failure) {
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
