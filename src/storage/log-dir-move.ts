// Moving a partition's log to another log dir (AlterReplicaLogDirs, Kafka's future replica and
// ReplicaAlterLogDirsThread): a future log in `<dir>/<topic>-<partition>.<uuid>-future` follows the
// current one, which keeps serving, batch for batch as a follower copies its leader (offsets and
// leader epochs kept). Once it has caught up the engine swaps them (file-engine.ts: appends held
// off for the last bytes); the leader-epoch checkpoint and the producer snapshot at the log end
// come from the current log, so the moved log knows every epoch and producer the current one did.
import { log as logger } from '../log.js';
import { ErrorCode } from '../protocol/errors.js';
import type { FileLog } from './file-log.js';
import { readWholeFile, writeFileAtomic, type FileSystem } from './fs.js';
import { LEADER_EPOCH_CHECKPOINT } from './file-log.js';
import { SNAPSHOT_SUFFIX, snapshotOffsets } from './producer-snapshots.js';
import { segmentFileName } from './segment.js';
import { KafkaError, type ReadResult } from './types.js';

/** Bytes read from the current log per copy step. */
const COPY_CHUNK_BYTES = 1024 * 1024;
/** After a failed swap attempt (e.g. the log changed under it), the next one waits this long. */
const RETRY_MS = 1000;

export interface FutureLogCopyOptions<D> {
  fs: FileSystem;
  current: FileLog;
  /** The destination log dir. */
  to: D;
  futureDir: string;
  /** replica.alter.log.dirs.io.max.bytes.per.second as it is now (Kafka's log dir move throttle). */
  bytesPerSecond?: () => number;
  /** Opens (creating) the future log in `dir`. */
  load(dir: string): Promise<FileLog>;
  /**
   * Called once the future log caught up; `catchUp` copies what the current log gained since,
   * reading it through `read` (the engine holds appends off meanwhile).
   */
  swap(catchUp: (read: (offset: number) => Promise<ReadResult>) => Promise<void>): Promise<void>;
}

export class FutureLogCopy<D = unknown> {
  readonly current: FileLog;
  readonly to: D;
  future: FileLog | null = null;
  private aborted = false;
  private done: Promise<void> | null = null;
  /** Next offset to copy. */
  private next = -1;
  private started = false;

  constructor(private readonly o: FutureLogCopyOptions<D>) {
    this.current = o.current;
    this.to = o.to;
  }

  /** Runs the move to its end (swapped, aborted or failed); never rejects. */
  start(): Promise<void> {
    this.done ??= this.run().catch(async (e) => {
      if (!this.aborted) logger.error(`${this.name}: moving the log to another dir failed, the move is dropped: ${(e as Error)?.stack ?? e}`);
      await this.removeFuture();
    });
    return this.done;
  }

  private get name(): string {
    return `${this.current.topic}-${this.current.partition}`;
  }

  private async run(): Promise<void> {
    this.future = await this.o.load(this.o.futureDir);
    if (this.aborted) return this.removeFuture();
    const read = (offset: number) => this.current.read(offset, COPY_CHUNK_BYTES, true, false, 'logEnd');
    // Whether there is more to copy, once the future log followed any truncation of the current one.
    const behind = async () => {
      if (this.started) await this.followTruncation();
      return this.next < this.current.logEndOffset;
    };
    for (;;) {
      while (!this.aborted && (await behind())) {
        await this.copyStep(read);
        await this.throttle();
      }
      if (this.aborted) return this.removeFuture();
      try {
        await this.o.swap(async (heldRead) => {
          while (await behind()) await this.copyStep(heldRead);
        });
        return;
      } catch (e) {
        if (this.aborted) return this.removeFuture();
        logger.warn(`${this.name}: swapping in the moved log failed, trying again: ${(e as Error)?.message ?? e}`);
        await new Promise((r) => setTimeout(r, RETRY_MS).unref());
      }
    }
  }

  /** Bytes copied and when the current throttle window began. */
  private copied = 0;
  private windowStart = Date.now();

  /** Waits as long as the copy is ahead of the throttle rate (the final catch-up is never held back). */
  private async throttle(): Promise<void> {
    const rate = this.o.bytesPerSecond?.() ?? Infinity;
    if (!(rate > 0 && rate < Number.MAX_SAFE_INTEGER)) return;
    const aheadMs = (this.copied / rate) * 1000 - (Date.now() - this.windowStart);
    if (aheadMs > 0) await new Promise((r) => setTimeout(r, Math.min(aheadMs, 1000)));
    // A fresh window every few seconds: a throttle changed meanwhile takes effect soon.
    if (Date.now() - this.windowStart > 5000) {
      this.copied = 0;
      this.windowStart = Date.now();
    }
  }

  /** Copies the batches from `next` on, starting the future log at the current log's start. */
  private async copyStep(read: (offset: number) => Promise<ReadResult>): Promise<void> {
    const future = this.future!;
    if (this.next < this.current.logStartOffset) this.next = this.current.logStartOffset;
    let r: ReadResult;
    try {
      r = await read(this.next);
    } catch (e) {
      // Retention or DeleteRecords moved the log start past it: start over from the new start.
      if (e instanceof KafkaError && e.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && this.next < this.current.logStartOffset) return;
      throw e;
    }
    if (r.records.length === 0) return;
    const records = r.records.length === 1 ? r.records[0] : Buffer.concat(r.records);
    // The future log starts where the current log's first batch does; later gaps (retention
    // moved the start meanwhile) are kept, as a follower keeps a compacted leader's.
    if (!this.started) {
      const base = Number(records.readBigInt64BE(0));
      if (base > 0) await future.truncateFullyAndStartAt(base);
      this.started = true;
    }
    this.copied += records.length;
    const res = await future.appendAsFollower(records);
    this.next = Math.max(this.next, res.lastOffset + 1);
  }

  /**
   * The current log was cut back meanwhile (a follower truncating to a new leader's log): the
   * future log is cut where they diverge, as Kafka's alter-log-dirs fetcher truncates by leader
   * epoch (the end of the future's latest epoch in the current log, never past its log end).
   */
  private async followTruncation(): Promise<void> {
    const future = this.future!;
    const end = this.current.endOffsetForEpoch(future.leaderEpoch);
    const point = Math.min(end === null ? this.current.logEndOffset : end.endOffset, this.current.logEndOffset);
    if (point >= future.logEndOffset) return;
    logger.info(`${this.name}: the log being moved was truncated to ${point}; its future log follows`);
    await future.truncateTo(point);
    this.next = future.logEndOffset;
    if (future.logEndOffset <= future.logStartOffset) this.started = false;
  }

  /**
   * After the current log closed: the future log closes and takes the current one's leader-epoch
   * checkpoint and newest producer snapshot (the state at its log end, written by its close).
   */
  async finish(): Promise<void> {
    const { fs } = this.o;
    const future = this.future!;
    await future.close();
    const from = this.current.dir;
    const epochs = await readWholeFile(fs, `${from}/${LEADER_EPOCH_CHECKPOINT}`);
    if (epochs) await writeFileAtomic(fs, future.dir, LEADER_EPOCH_CHECKPOINT, epochs);
    const newest = snapshotOffsets(await fs.readdir(from)).pop();
    if (newest !== undefined) {
      const name = segmentFileName(newest, SNAPSHOT_SUFFIX);
      const snapshot = await readWholeFile(fs, `${from}/${name}`);
      if (snapshot) await writeFileAtomic(fs, future.dir, name, snapshot);
    }
  }

  /** Stops the copy and removes the future log; resolves once it is gone. */
  async abort(): Promise<void> {
    this.cancel();
    await this.done;
    await this.removeFuture();
  }

  /** Stops the copy without waiting (from inside a swap: the current log is no longer this one). */
  cancel(): void {
    this.aborted = true;
  }

  private async removeFuture(): Promise<void> {
    const future = this.future;
    if (!future) return;
    this.future = null;
    await future.close().catch(() => undefined);
    await this.o.fs.rmdir(future.dir).catch(() => undefined);
  }
}
