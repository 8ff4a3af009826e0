// The broker's background log maintenance (Kafka's LogManager retention task and LogCleaner):
// every log.retention.check.interval.ms each log deletes the segments retention lets go; a
// cleaner compacts the filthiest compacted log (dirty ratio over min.cleanable.dirty.ratio,
// max.compaction.lag.ms passed, or tombstones past their horizon), one at a time, then backs off
// log.cleaner.backoff.ms when none needs it. The logs do their I/O asynchronously and swap
// segments in at once, so produce and fetch never wait on this.
import { log } from '../log.js';
import { CleaningAbortedError } from './compactor.js';
import { isDiskError } from './log-dir.js';
import { SkimpyOffsetMap } from './offset-map.js';
import type { CompactionCandidate, PartitionLog, StorageEngine } from './types.js';

export interface CleanerOptions {
  /** log.cleaner.enable: compaction on (retention always runs). */
  compaction: boolean;
  retentionCheckIntervalMs: number;
  backoffMs: number;
  /** log.cleaner.dedupe.buffer.size: memory for the key map. */
  dedupeBufferSize: number;
}

export class LogCleaner {
  private readonly map: SkimpyOffsetMap;
  private retentionTimer: NodeJS.Timeout | null = null;
  private cleanerTimer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;
  /** Logs whose cleaning failed (Kafka's uncleanable partitions): skipped until restart. */
  private readonly uncleanable = new WeakSet<PartitionLog>();

  constructor(
    private readonly storage: StorageEngine,
    private readonly options: CleanerOptions,
  ) {
    this.map = new SkimpyOffsetMap(options.dedupeBufferSize);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.scheduleRetention();
    if (this.options.compaction) this.scheduleCleaning(this.options.backoffMs);
  }

  /**
   * Stops the timers; no pass starts after this. A pass in progress is not waited for: closing
   * the storage aborts it (each log waits for its own maintenance work, and cleaning checks for
   * the close between batches).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retentionTimer) clearTimeout(this.retentionTimer);
    if (this.cleanerTimer) clearTimeout(this.cleanerTimer);
    this.retentionTimer = this.cleanerTimer = null;
  }

  /** Resolves once the pass in progress, if any, is over. */
  async idle(): Promise<void> {
    await this.running.catch(() => undefined);
  }

  private scheduleRetention(): void {
    if (this.stopped) return;
    this.retentionTimer = setTimeout(() => {
      this.serial(() => this.retentionPass()).finally(() => this.scheduleRetention());
    }, this.options.retentionCheckIntervalMs);
    this.retentionTimer.unref();
  }

  private scheduleCleaning(delayMs: number): void {
    if (this.stopped) return;
    this.cleanerTimer = setTimeout(() => {
      this.serial(() => this.cleaningPass()).then(
        (cleaned) => this.scheduleCleaning(cleaned ? 0 : this.options.backoffMs),
        () => this.scheduleCleaning(this.options.backoffMs),
      );
    }, delayMs);
    this.cleanerTimer.unref();
  }

  /** Retention and cleaning passes run one after the other, never together. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.running.catch(() => undefined).then(() => (this.stopped ? (undefined as T) : fn()));
    this.running = run;
    return run;
  }

  /** One retention check over every log; returns the bytes deleted. */
  async retentionPass(now = Date.now()): Promise<number> {
    let total = 0;
    for (const l of [...this.storage.all()]) {
      try {
        const d = await l.deleteOldSegments(now);
        if (!d) continue;
        total += d.bytes;
        log.info(
          `Deleted ${d.segments} segment(s) of ${l.topic}-${l.partition} due to ${d.reasons.join(', ')}: ` +
            `${d.bytes} bytes reclaimed, log start offset ${d.logStartOffset}`,
        );
      } catch (e) {
        log.error(`retention on ${l.topic}-${l.partition} failed: ${(e as Error)?.message ?? e}`);
      }
    }
    return total;
  }

  /** Compacts the filthiest log that needs it; false when none does. */
  async cleaningPass(now = Date.now()): Promise<boolean> {
    const l = await this.filthiest(now);
    if (!l) return false;
    const started = Date.now();
    try {
      const r = await l.compact(now, this.map);
      if (!r) return false;
      log.info(
        `Cleaned ${l.topic}-${l.partition}: ${r.segmentsRewritten} segment(s), ${r.bytesRead} -> ${r.bytesWritten} bytes ` +
          `(${r.bytesRead - r.bytesWritten} bytes reclaimed), ${r.recordsRemoved} of ${r.recordsRead} records removed, ` +
          `cleaned up to offset ${r.firstDirtyOffset} in ${Date.now() - started} ms`,
      );
      return true;
    } catch (e) {
      if (e instanceof CleaningAbortedError) return false;
      if (isDiskError(e)) {
        // A full disk is not the log's fault: the pass left only `.cleaned` files, removed; try later.
        log.warn(`cleaning ${l.topic}-${l.partition} failed, it will be tried again: ${(e as Error)?.message ?? e}`);
        return false;
      }
      this.uncleanable.add(l);
      log.error(`cleaning ${l.topic}-${l.partition} failed, it will not be cleaned again until restart: ${(e as Error)?.message ?? e}`);
      return false;
    }
  }

  /** Kafka's grabFilthiestCompactedLog. */
  private async filthiest(now: number): Promise<PartitionLog | null> {
    let best: { log: PartitionLog; c: CompactionCandidate } | null = null;
    let expired: { log: PartitionLog; c: CompactionCandidate } | null = null;
    for (const l of [...this.storage.all()]) {
      if (this.uncleanable.has(l)) continue;
      let c: CompactionCandidate | null;
      try {
        c = await l.compactionCandidate(now);
      } catch {
        continue;
      }
      if (!c) continue;
      const cleanable = (c.mustCleanNow && c.cleanableBytes > 0) || c.cleanableRatio > l.config.minCleanableDirtyRatio;
      if (cleanable && (!best || c.cleanableRatio > best.c.cleanableRatio)) best = { log: l, c };
      if (c.tombstonesExpired && (!expired || c.cleanableRatio > expired.c.cleanableRatio)) expired = { log: l, c };
    }
    // With nothing dirty enough, a quiet log can still drop its expired tombstones.
    return best?.log ?? expired?.log ?? null;
  }
}
