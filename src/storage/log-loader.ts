// Opening a partition log (Kafka's LogLoader): find the segments, recover what an unclean
// shutdown may have torn, restore the leader epoch history and rebuild the producer state
// from the newest snapshot plus the batch headers after it.
import type { LogConfig } from '../config.js';
import { PARTITION_LEADER_EPOCH, readInt64 } from '../protocol/records/batch.js';
import type { LogCheckpoints } from './checkpoints.js';
import { FileLog, LEADER_EPOCH_CHECKPOINT } from './file-log.js';
import { readWholeFile, writeFileAtomic, type FileSystem } from './fs.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import type { LogDirState } from './log-dir.js';
import type { TailCacheBudget } from './tail-cache-budget.js';
import { recoverProducerState, snapshotOffsets } from './producer-snapshots.js';
import { recoverTxnIndexes } from './txn-recovery.js';
import { recoverInterruptedCleaning } from './segment-files.js';
import { LogSegment, type ScannedBatch } from './segment.js';

export interface LoadOptions {
  fs: FileSystem;
  dir: string;
  topic: string;
  partition: number;
  config: LogConfig;
  /** The broker shut down cleanly: trust the files, recover nothing. */
  clean: boolean;
  tailCacheBytes: number;
  tailBudget?: TailCacheBudget;
  /** Checkpointed log start offset and cleaner offset (the engine's per-dir files), if any. */
  logStartOffset?: number;
  firstDirtyOffset?: number;
  checkpoints?: LogCheckpoints;
  /** The log dir's health, which the log tells of its failures (an engine's; none by default). */
  logDir?: LogDirState;
  /** The replica layer moves the high watermark; its checkpointed value, if any. */
  replicated?: boolean;
  highWatermark?: number;
}

export async function loadFileLog(o: LoadOptions): Promise<FileLog> {
  const { fs, dir } = o;
  await fs.mkdir(dir);
  let names = await fs.readdir(dir);
  // A compaction cut short is finished or undone before any segment is looked at.
  if (await recoverInterruptedCleaning(fs, dir, names)) names = await fs.readdir(dir);
  for (const n of names) if (n.endsWith('.tmp')) await fs.unlink(`${dir}/${n}`).catch(() => undefined);
  const bases = names
    .filter((n) => /^\d{20}\.log$/.test(n))
    .map((n) => Number(n.slice(0, 20)))
    .sort((a, b) => a - b);
  const now = Date.now();
  const segments: LogSegment[] = [];
  try {
    for (const base of bases) segments.push(await LogSegment.open(fs, dir, base, now));
    if (segments.length === 0) segments.push(await LogSegment.create(fs, dir, 0, now));

    const checkpoint = await readWholeFile(fs, `${dir}/${LEADER_EPOCH_CHECKPOINT}`);
    const epochs = (checkpoint && LeaderEpochCache.decode(checkpoint.toString('utf8'))) ?? new LeaderEpochCache();
    let epochsChanged = checkpoint === null;
    const onBatch = (b: ScannedBatch) => {
      if (epochs.assign(b.buf.readInt32BE(b.pos + PARTITION_LEADER_EPOCH), readInt64(b.buf, b.pos))) epochsChanged = true;
    };
    const snapshots = snapshotOffsets(names);
    const interval = o.config.indexIntervalBytes;
    const last = segments[segments.length - 1];
    if (!(o.clean && (await last.loadTail(interval)))) {
      // A snapshot is written only after the data below it is fsynced: the newest one is the
      // recovery point. Every segment from the one holding it may hold torn writes.
      const recoveryPoint = o.clean ? last.baseOffset : (snapshots[snapshots.length - 1] ?? 0);
      let i = segments.length - 1;
      while (i > 0 && segments[i].baseOffset > recoveryPoint) i--;
      for (; i < segments.length; i++) {
        const truncated = await segments[i].recover(interval, onBatch);
        if (truncated > 0 && i < segments.length - 1) {
          // Nothing after a torn batch can be trusted: drop the later segments, as Kafka does.
          for (const s of segments.splice(i + 1)) await s.deleteFiles();
          break;
        }
      }
    }
    const logStartOffset = segments[0].baseOffset;
    const logEndOffset = segments[segments.length - 1].nextOffset;

    // Epochs that started past the end of the log are gone with the truncated data.
    if (epochs.truncateFromEnd(logEndOffset + 1)) epochsChanged = true;
    if (epochs.latestEpoch < 0 && epochs.assign(0, logStartOffset)) epochsChanged = true;

    const recovered = await recoverProducerState(fs, dir, segments, snapshots, logEndOffset, interval);
    const aborted = await recoverTxnIndexes(fs, dir, names, segments, recovered);
    if (epochsChanged) await writeFileAtomic(fs, dir, LEADER_EPOCH_CHECKPOINT, epochs.encode());
    return new FileLog({ ...o, segments, producers: recovered.state, epochs, aborted });
  } catch (e) {
    for (const s of segments) await s.close().catch(() => undefined);
    throw e;
  }
}
