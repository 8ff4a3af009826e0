// Opening a partition log (Kafka's LogLoader): find the segments, recover what an unclean
// shutdown may have torn, restore the leader epoch history and rebuild the producer state
// from the newest snapshot plus the batch headers after it.
import type { LogConfig } from '../config.js';
import {
  ATTRIBUTES,
  BASE_SEQUENCE,
  LAST_OFFSET_DELTA,
  MAX_TIMESTAMP,
  PARTITION_LEADER_EPOCH,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  isControl,
  readInt64,
} from '../protocol/records/batch.js';
import type { LogCheckpoints } from './checkpoints.js';
import { FileLog, LEADER_EPOCH_CHECKPOINT } from './file-log.js';
import { readWholeFile, type FileSystem } from './fs.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import type { TailCacheBudget } from './tail-cache-budget.js';
import { ProducerStateManager, lastSequence } from './producer-state.js';
import { deleteSnapshot, readSnapshot, snapshotOffsets } from './producer-snapshots.js';
import { recoverInterruptedCleaning } from './segment-files.js';
import { INDEX_SUFFIX, LOG_SUFFIX, LogSegment, TIME_INDEX_SUFFIX, type ScannedBatch } from './segment.js';

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
          for (const s of segments.splice(i + 1)) await deleteSegment(fs, s);
          break;
        }
      }
    }
    const logStartOffset = segments[0].baseOffset;
    const logEndOffset = segments[segments.length - 1].nextOffset;

    // Epochs that started past the end of the log are gone with the truncated data.
    if (epochs.truncateFromEnd(logEndOffset + 1)) epochsChanged = true;
    if (epochs.latestEpoch < 0 && epochs.assign(0, logStartOffset)) epochsChanged = true;

    const producers = await loadProducerState(o, segments, snapshots, logEndOffset);
    const log = new FileLog({ ...o, segments, producers, epochs });
    if (epochsChanged) await log.persistEpochs();
    return log;
  } catch (e) {
    for (const s of segments) await s.close().catch(() => undefined);
    throw e;
  }
}

async function loadProducerState(
  o: LoadOptions,
  segments: LogSegment[],
  snapshots: number[],
  logEndOffset: number,
): Promise<ProducerStateManager> {
  const { fs, dir } = o;
  let state: ProducerStateManager | null = null;
  let from = segments[0].baseOffset;
  for (const offset of [...snapshots].reverse()) {
    if (offset > logEndOffset) {
      // Ahead of a log that recovery truncated: it describes batches that are gone.
      await deleteSnapshot(fs, dir, offset);
      continue;
    }
    if (state) break;
    state = await readSnapshot(fs, dir, offset);
    if (state) from = offset;
    else await deleteSnapshot(fs, dir, offset);
  }
  state ??= new ProducerStateManager();
  if (from >= logEndOffset) return state;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const segmentEnd = i + 1 < segments.length ? segments[i + 1].baseOffset : Infinity;
    if (segmentEnd <= from || seg.committedSize === 0) continue;
    const start = from > seg.baseOffset ? await seg.positionFor(from, o.config.indexIntervalBytes) : 0;
    for await (const b of seg.scan(start, seg.committedSize, false)) {
      const baseOffset = readInt64(b.buf, b.pos);
      const producerId = readInt64(b.buf, b.pos + PRODUCER_ID);
      if (baseOffset < from || producerId < 0) continue;
      const baseSequence = b.buf.readInt32BE(b.pos + BASE_SEQUENCE);
      const lastOffsetDelta = b.buf.readInt32BE(b.pos + LAST_OFFSET_DELTA);
      state.replay(producerId, b.buf.readInt16BE(b.pos + PRODUCER_EPOCH), isControl(b.buf.readInt16BE(b.pos + ATTRIBUTES)), {
        firstSeq: baseSequence,
        lastSeq: lastSequence(baseSequence, lastOffsetDelta),
        firstOffset: baseOffset,
        lastOffset: baseOffset + lastOffsetDelta,
        timestamp: readInt64(b.buf, b.pos + MAX_TIMESTAMP),
      });
    }
  }
  return state;
}

async function deleteSegment(fs: FileSystem, seg: LogSegment): Promise<void> {
  await seg.close();
  for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) await fs.unlink(seg.path(suffix)).catch(() => undefined);
}
