// The write loop of a file log: queued appends reach disk in offset order, one positional write per
// run of appends to the same segment, then move the log end offset and high watermark; rolled
// segments are finished in the background; an I/O error takes the log offline (and tells its log
// dir, which takes every log in it offline until it recovers: log-dir.ts).
import type { LogConfig } from '../config.js';
import type { AppendPlan } from './append-plan.js';
import type { BatchList } from './batch-list.js';
import { ErrorCode } from '../protocol/errors.js';
import type { FileSystem } from './fs.js';
import { writeSnapshot } from './producer-snapshots.js';
import type { LogSegment } from './segment.js';
import { KafkaError, type AppendResult } from './types.js';

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

/** A step ordered among the writes (a leader-epoch checkpoint that must precede the batches after it). */
interface PendingTask {
  kind: 'task';
  run: () => Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** What the write loop reads and moves on its log. */
export interface WrittenLog {
  readonly dir: string;
  readonly config: LogConfig;
  readonly logStartOffset: number;
  /** The high watermark is the replica layer's to move, not the write loop's. */
  readonly replicated: boolean;
  logEndOffset: number;
  highWatermark: number;
}

/** `step()`'s promise, or a rejected one if it throws before returning it: every failure takes the same path. */
function settle(step: () => Promise<void>): Promise<void> {
  try {
    return step();
  } catch (e) {
    return Promise.reject(e);
  }
}

export class AppendQueue {
  /** Set by the first I/O error: the log is offline from then on. */
  failure: KafkaError | null = null;
  /** Records written since the last fsync (for flush.messages and flush.ms). */
  unflushedMessages = 0;
  lastFlush = Date.now();
  private queue: (PendingWrite | PendingRoll | PendingTask)[] = [];
  /** A step of the write loop (a write, an fsync, a segment create) is outstanding. */
  private busy = false;
  private idleWaiters: (() => void)[] = [];
  /** Rolled segments being finished (and flush.ms fsyncs). */
  private readonly background = new Set<Promise<void>>();
  private readonly listeners = new Set<() => void>();
  private hwWaiters: { offset: number; resolve: () => void }[] = [];
  /** The latest roll's finishing (its snapshot comes after every earlier roll's). */
  private finishing: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: WrittenLog,
    private readonly fs: FileSystem,
    private readonly tail: BatchList,
    /** Told once per failure, when the log goes offline. */
    private readonly onFailure: (e: unknown) => void = () => undefined,
  ) {}

  /** Queues an append whose bytes go at `position` of `segment` (already reserved there). */
  write(segment: LogSegment, position: number, plan: AppendPlan): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ kind: 'write', segment, position, plan, resolve, reject });
      if (!this.busy) this.next();
    });
  }

  /** Queues the end of `old`, which `next` (already in the segment list) follows. */
  roll(old: LogSegment, next: LogSegment, snapshot: Buffer): void {
    this.queue.push({ kind: 'roll', old, next, snapshot });
    if (!this.busy) this.next();
  }

  /** Queues `run` behind the writes queued so far; the writes queued after it wait for it. Its failure takes the log offline. */
  task(run: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ kind: 'task', run, resolve, reject });
      if (!this.busy) this.next();
    });
  }

  // The loop is written with callbacks, not as an async function: it runs once per append, and an
  // async function's promises and frames were the largest share of the produce path's garbage.
  /** Starts the loop's next step; the step's completion calls this again. */
  private next(): void {
    const first = this.queue[0];
    if (first === undefined || this.failure) {
      this.busy = false;
      if (this.idleWaiters.length > 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
      return;
    }
    this.busy = true;
    if (first.kind === 'task') {
      this.queue.shift();
      settle(first.run).then(
        () => {
          first.resolve();
          this.next();
        },
        (e) => {
          first.reject(e);
          this.fail(e);
          this.next();
        },
      );
      return;
    }
    if (first.kind === 'roll') {
      this.queue.shift();
      settle(() => first.next.create()).then(
        () => {
          this.track(this.finishSegment(first.old, first.next.baseOffset, first.snapshot));
          this.next();
        },
        (e) => {
          this.fail(e);
          this.next();
        },
      );
      return;
    }
    let n = 1;
    while (n < this.queue.length && (this.queue[n] as PendingWrite).segment === first.segment) n++;
    const group = this.queue.splice(0, n) as PendingWrite[];
    const bufs: Buffer[] = new Array(n);
    for (let i = 0; i < n; i++) bufs[i] = group[i].plan.records;
    settle(() => first.segment.file.write(bufs, first.position)).then(
      () => this.written(group),
      (e) => this.failed(e, group),
    );
  }

  private written(group: PendingWrite[]): void {
    for (const w of group) this.unflushedMessages += w.plan.messages;
    if (this.unflushedMessages >= this.log.config.flushMessages) {
      settle(() => group[0].segment.file.sync()).then(
        () => {
          this.unflushedMessages = 0;
          this.lastFlush = Date.now();
          this.publish(group);
        },
        (e) => this.failed(e, group),
      );
      return;
    }
    this.publish(group);
  }

  private failed(e: unknown, group: PendingWrite[]): void {
    // What the failed write left (whole batches too, on a short write) goes before its producers
    // are told, not only at the log's recovery: a crash after the answer must not bring back
    // batches said to have failed. Shrinking a file needs no space; the loop stays busy meanwhile.
    const seg = group[0].segment;
    settle(() => seg.file.truncate(seg.committedSize))
      .catch(() => undefined)
      .then(() => {
        this.failWrites(e, group);
        this.next();
      });
  }

  /** The group is in the page cache (or on disk): index it, cache it, move the offsets, answer it. */
  private publish(group: PendingWrite[]): void {
    const seg = group[0].segment;
    const indexInterval = this.log.config.indexIntervalBytes;
    for (const w of group) {
      seg.onWritten(w.plan.batches, w.position, indexInterval);
      this.tail.push(w.plan.baseOffset, w.plan.lastOffset, w.plan.records, -1);
    }
    const end = group[group.length - 1].plan.lastOffset + 1;
    this.log.logEndOffset = end;
    if (!this.log.replicated) this.log.highWatermark = end;
    if (this.hwWaiters.length > 0) this.wakeWaiters();
    for (const w of group) {
      const { baseOffset, lastOffset, logAppendTime } = w.plan;
      w.resolve({ baseOffset, lastOffset, logAppendTime, logStartOffset: this.log.logStartOffset });
    }
    this.notify();
    this.next();
  }

  /**
   * A rolled segment: write its final indexes, fsync it, then record the recovery point. Rolls
   * finish concurrently, but a snapshot (which says all below it is durable) waits for the
   * segments rolled before to be fsynced too.
   */
  private finishSegment(old: LogSegment, nextBase: number, snapshot: Buffer): Promise<void> {
    const before = this.finishing;
    const done = (async () => {
      await old.persistIndexes(true);
      await old.file.sync();
      // An earlier segment whose finishing failed is not known durable: no recovery point past it
      // (the previous snapshot stays the recovery point, which only makes a load slower).
      if (await before.then(() => true, () => false)) await writeSnapshot(this.fs, this.log.dir, nextBase, snapshot);
      old.sealed = true;
    })();
    this.finishing = done;
    return done;
  }

  /** Runs `task` in the background; its failure takes the log offline. */
  track(task: Promise<void>): void {
    const t = task.catch((e) => this.fail(e)).finally(() => this.background.delete(t));
    this.background.add(t);
  }

  /** Resolves once the background tasks started so far are done; none of them waits on another. */
  settled(): Promise<unknown> {
    return Promise.all([...this.background]);
  }

  /** An I/O error takes the log offline, as Kafka takes a failed log dir offline. */
  fail(e: unknown): void {
    this.failWrites(e, []);
  }

  /**
   * Fails the log, rejecting `group` (whose write failed with `e`) and everything queued: their
   * offsets and bytes were reserved but never published, and the log's recovery gives them back.
   * Queued rolls are dropped with them (recovery drops the segments they started).
   */
  private failWrites(e: unknown, group: PendingWrite[]): void {
    const first = this.failure === null;
    if (first) {
      const message = (e as Error)?.message ?? String(e);
      this.failure = new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.log.dir} is offline after an I/O error: ${message}`);
    }
    for (const w of group) w.reject(e);
    for (const q of this.queue.splice(0)) if (q.kind !== 'roll') q.reject(this.failure);
    this.wakeWaiters();
    if (first) this.onFailure(e);
  }

  /** After the log's recovery (nothing queued, nothing in flight): appends are taken again. */
  recovered(): void {
    this.failure = null;
    // Recovery fsynced every rolled segment.
    this.finishing = Promise.resolve();
  }

  private wakeWaiters(): void {
    const hw = this.log.logEndOffset;
    const waiting = this.hwWaiters;
    this.hwWaiters = [];
    for (const w of waiting) {
      if (w.offset <= hw || this.failure) w.resolve();
      else this.hwWaiters.push(w);
    }
  }

  /** Resolves once every offset below `offset` is written (or the log failed). */
  writtenUpTo(offset: number): Promise<void> {
    if (offset <= this.log.logEndOffset || this.failure) return Promise.resolve();
    return new Promise((resolve) => this.hwWaiters.push({ offset, resolve }));
  }

  /** Resolves once the write loop has nothing left (appends are refused by then: closing). */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the onAppend listeners (after a write, or a high watermark move). */
  notify(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        // A listener's failure is its own; the append already succeeded.
      }
    }
  }
}
