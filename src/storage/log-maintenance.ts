// The work that takes turns on a file log's segment list, driven by the LogCleaner and DeleteRecords:
// retention (Kafka's deleteOldSegments), moving the log start offset, and compaction passes.
// Each replaces the list whole (readers keep the one they started with) and retires the old segments.
import type { LogConfig } from '../config.js';
import { ErrorCode } from '../protocol/errors.js';
import type { LogCheckpoints } from './checkpoints.js';
import { CleanerTxns } from './cleaner-txns.js';
import { buildOffsetMap, cleanGroup, cleanableRange, groupSegmentsBySize, swapIn } from './compactor.js';
import type { FileSystem } from './fs.js';
import { planRetention } from './retention.js';
import { SegmentReaper, markDeleted } from './segment-files.js';
import type { LogSegment } from './segment.js';
import { KafkaError, type AbortedTxn, type CleanerStats, type CompactionCandidate, type CompactionResult, type OffsetMap, type SegmentDeletion } from './types.js';

/** What maintenance sees of its log, and the only ways it changes it. */
export interface MaintainedLog {
  readonly dir: string;
  readonly topic: string;
  readonly partition: number;
  readonly config: LogConfig;
  /** Replaced whole, never spliced: a read keeps the list it started with. */
  segments: LogSegment[];
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly highWatermark: number;
  /** Retention and compaction stay below it: an open transaction's data stays whole. */
  readonly lastStableOffset: number;
  /** The aborted transactions that may have data in [from, to) (PartitionLog.abortedTransactions). */
  abortedTransactions(from: number, to: number): AbortedTxn[];
  /** Next offset to be assigned, in-flight appends included. */
  readonly nextOffset: number;
  readonly closed: boolean;
  readonly failure: KafkaError | null;
  /** Moves the log start offset up; the tail cache and leader epochs follow. */
  advanceLogStartOffset(offset: number): Promise<void>;
  /** Starts a new active segment at the next offset. */
  roll(now: number): void;
  /** Forgets cached batches below `offset` (compaction rewrote them). */
  dropCachedBefore(offset: number): void;
  /** Each idempotent producer's last batch offset, which compaction keeps. */
  lastBatchOffsets(): Map<number, number>;
  /** Takes the log offline until it is reloaded (a restart): its files are half way through a swap. */
  failUntilReload(e: unknown): void;
}

export class LogMaintenance {
  /** Where the next compaction's key map starts (Kafka's cleaner checkpoint); -1: never cleaned. */
  firstDirtyOffset: number;
  readonly stats: CleanerStats = { bytesReclaimed: 0, segmentsDeleted: 0, cleanings: 0, recordsRemoved: 0 };
  /** Earliest delete horizon of a tombstone kept by the last compaction, or -1. */
  private pendingDeleteHorizon = -1;
  /** Retention, compaction and DeleteRecords take turns on the segment list. */
  private turns: Promise<unknown> = Promise.resolve();
  private readonly reaper: SegmentReaper;

  constructor(
    private readonly log: MaintainedLog,
    private readonly fs: FileSystem,
    private readonly checkpoints: LogCheckpoints,
    firstDirtyOffset: number,
  ) {
    this.firstDirtyOffset = firstDirtyOffset;
    this.reaper = new SegmentReaper(fs);
  }

  /** Runs `fn` once the log's other maintenance work (and recovery) is done. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turns.then(fn);
    this.turns = run.catch(() => undefined);
    return run;
  }

  /** At close (new work sees the log closed): waits for the work in progress, then reaps every retired segment. */
  async close(): Promise<void> {
    await this.turns.catch(() => undefined);
    await this.reaper.reapAll();
  }

  private get compacted(): boolean {
    return this.log.config.cleanupPolicy.includes('compact');
  }

  deleteRecordsBefore(offset: number): Promise<number> {
    const log = this.log;
    return this.exclusive(async () => {
      if (log.failure) throw log.failure;
      if (log.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${log.dir} is closed`);
      if (offset > log.highWatermark) {
        throw new KafkaError(
          ErrorCode.OFFSET_OUT_OF_RANGE,
          `Cannot increment the log start offset to ${offset} of partition ${log.topic}-${log.partition} since it is larger than the high watermark ${log.highWatermark}`,
        );
      }
      if (offset > log.logStartOffset) {
        await log.advanceLogStartOffset(offset);
        await this.checkpoints.logStartOffsetChanged();
      }
      return log.logStartOffset;
    });
  }

  deleteOldSegments(now: number): Promise<SegmentDeletion | null> {
    const log = this.log;
    return this.exclusive(async () => {
      if (log.closed || log.failure) return null;
      const segments = log.segments;
      const n = segments.length;
      const logEndOffset = log.nextOffset;
      const interval = log.config.indexIntervalBytes;
      const plan = await planRetention(
        segments.map((seg) => ({
          baseOffset: seg.baseOffset,
          size: seg.size,
          largestTimestamp: async () => {
            await seg.pinned(() => seg.loadIndexes(interval));
            return seg.maxTimestampSoFar >= 0 ? seg.maxTimestampSoFar : seg.created;
          },
        })),
        { config: log.config, now, logStartOffset: log.logStartOffset, highWatermark: log.lastStableOffset, logEndOffset },
      );
      let count = plan.count;
      if (count === n) {
        // The active segment breaches too: roll it first, as Kafka does. If an append got in
        // meanwhile, the plan no longer describes it: it stays.
        const untouched = !log.closed && log.segments === segments && segments.length === n && log.nextOffset === logEndOffset;
        if (untouched) log.roll(now);
        else count--;
      }
      // Only finished (sealed) segments go; a roll completes in the background within moments.
      await this.waitSealed(segments.slice(0, count));
      let sealed = 0;
      while (sealed < count && segments[sealed].sealed) sealed++;
      if (sealed === 0 || log.closed) return null;
      const doomed = log.segments.slice(0, sealed);
      log.segments = log.segments.slice(sealed);
      let bytes = 0;
      for (const seg of doomed) bytes += seg.committedSize;
      const start = log.segments[0].baseOffset;
      if (start > log.logStartOffset) await log.advanceLogStartOffset(start);
      for (const seg of doomed) this.reaper.retire(seg, await markDeleted(this.fs, seg), log.config.fileDeleteDelayMs);
      this.stats.bytesReclaimed += bytes;
      this.stats.segmentsDeleted += doomed.length;
      return { segments: doomed.length, bytes, reasons: plan.reasons, logStartOffset: log.logStartOffset };
    });
  }

  private async waitSealed(segments: LogSegment[]): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (segments.some((seg) => !seg.sealed) && !this.log.failure && !this.log.closed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** The sealed segments from the oldest, and where the first unsealed one starts. */
  private closedSegments(): { closed: LogSegment[]; closedEnd: number } {
    const segments = this.log.segments;
    let n = 0;
    // Kafka cleans below the high watermark only (a replicated log's tail may still be truncated),
    // and below the first unstable offset (an open transaction's fate is not known yet).
    const limit = this.log.lastStableOffset;
    while (n < segments.length - 1 && segments[n].sealed && segments[n + 1].baseOffset <= limit) n++;
    return { closed: segments.slice(0, n), closedEnd: segments[n].baseOffset };
  }

  compactionCandidate(now: number): Promise<CompactionCandidate | null> {
    if (!this.compacted) return Promise.resolve(null);
    const log = this.log;
    return this.exclusive(async () => {
      if (log.closed || log.failure) return null;
      const { closed, closedEnd } = this.closedSegments();
      const r = await cleanableRange(closed, closedEnd, this.firstDirtyOffset, log.logStartOffset, log.logEndOffset, log.config, now, log.config.indexIntervalBytes);
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
    const log = this.log;
    return this.exclusive(async () => {
      if (log.closed || log.failure) return null;
      const interval = log.config.indexIntervalBytes;
      const { closed, closedEnd } = this.closedSegments();
      if (closed.length === 0) return null;
      const range = await cleanableRange(closed, closedEnd, this.firstDirtyOffset, log.logStartOffset, log.logEndOffset, log.config, now, interval);
      const aborted = () => log.closed;
      // Everything below the first dirty offset was cleaned before: its keys are unique already.
      map.clear();
      map.updateLatestOffset(range.firstDirtyOffset - 1);
      await buildOffsetMap(closed, range.firstDirtyOffset, range.firstUncleanableOffset, map, aborted, new CleanerTxns(log.abortedTransactions(range.firstDirtyOffset, range.firstUncleanableOffset)));
      const endOffset = map.latestOffset + 1;
      const ends = closed.map((_, i) => (i + 1 < closed.length ? closed[i + 1].baseOffset : closedEnd));
      let n = 0;
      while (n < closed.length && closed[n].baseOffset < endOffset) n++;
      const txns = new CleanerTxns(log.abortedTransactions(closed[0].baseOffset, endOffset));
      const ctx = { map, now, deleteRetentionMs: log.config.deleteRetentionMs, lastBatchOfProducer: log.lastBatchOffsets(), txns };
      const result: CompactionResult = { bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsRemoved: 0, segmentsRewritten: 0, firstDirtyOffset: endOffset };
      let horizon = -1;
      let at = 0;
      for (const group of groupSegmentsBySize(closed.slice(0, n), log.config.segmentBytes, ends.slice(0, n))) {
        at += group.length;
        const cleaned = await cleanGroup(this.fs, log.dir, group, ctx, interval, now, aborted);
        if (cleaned.deleteHorizon >= 0 && (horizon < 0 || cleaned.deleteHorizon < horizon)) horizon = cleaned.deleteHorizon;
        if (!cleaned.segment) continue;
        // The group's aborted transactions go to its first segment's `.txnindex` (the cleaned
        // segment's base) before the swap: a crash midway leaves repeats, which a load drops.
        const txns = group.flatMap((seg) => seg.abortedTxns);
        if (group.length > 1 && txns.length > group[0].abortedTxns.length) {
          group[0].setAbortedTxns(txns);
          await group[0].persistTxnIndex();
        }
        let deleted: string[][];
        try {
          deleted = await swapIn(this.fs, log.dir, group, interval);
        } catch (e) {
          // Half swapped on disk: only a reload (which finishes the swap) may touch this log again.
          log.failUntilReload(e);
          await cleaned.segment.close().catch(() => undefined);
          throw e;
        }
        const i = log.segments.indexOf(group[0]);
        cleaned.segment.setAbortedTxns([...txns]);
        log.segments = [...log.segments.slice(0, i), cleaned.segment, ...log.segments.slice(i + group.length)];
        log.dropCachedBefore(ends[at - 1]);
        group.forEach((seg, j) => this.reaper.retire(seg, deleted[j], log.config.fileDeleteDelayMs));
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
}
