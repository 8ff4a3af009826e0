// Truncating a file log's files (Kafka's truncateTo and truncateFullyAndStartAt) in a crash-safe
// order: every step leaves files that load as a prefix of the old log no shorter than the new one
// (or, when starting over, the new empty log); once a truncation resolves its removals are
// durable, so nothing past it can come back under later appends. The caller runs it alone (no
// write, roll, fsync or maintenance in flight).
import type { LogConfig } from '../config.js';
import type { FileSystem } from './fs.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { ProducerStateManager } from './producer-state.js';
import { SNAPSHOT_SUFFIX, loadProducerState, snapshotOffsets } from './producer-snapshots.js';
import { LogSegment, segmentFileName } from './segment.js';

/** What a truncation sees of its log, and the only ways it changes it. */
export interface TruncatedLog {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly config: LogConfig;
  /** Replaced whole, never spliced: a read keeps the list it started with. */
  segments: LogSegment[];
  epochs: LeaderEpochCache;
  producers: ProducerStateManager;
  logStartOffset: number;
  /** Setting it sets the next offset to hand out too. */
  logEndOffset: number;
  highWatermark: number;
  persistEpochs(): Promise<void>;
  /** Forgets the tail cache. */
  clearCache(): void;
  /** The cleaner starts over (its checkpoint lies in a log that is gone). */
  resetCleaner(): void;
  logStartOffsetChanged(): Promise<void>;
  /** Wakes the onAppend listeners (the high watermark moved). */
  notify(): void;
}

/** truncateTo within the log: the segments past `offset` go, the one holding it is cut. */
export async function cutTail(log: TruncatedLog, offset: number): Promise<void> {
  const { fs, dir } = log;
  const interval = log.config.indexIntervalBytes;
  const segments = log.segments;
  let i = segments.length - 1;
  while (i > 0 && segments[i].baseOffset > offset) i--;
  const boundary = segments[i];
  const point = await boundary.truncationPoint(offset, interval);
  const end = point.nextOffset;
  // 1. Snapshots past the new end: the newest left is the recovery point (all below it fsynced),
  //    so a crash from here on rescans, and relearns the epochs of, whatever is still past it.
  for (const o of snapshotOffsets(await fs.readdir(dir))) if (o > end) await removeSnapshot(fs, dir, o);
  // 2. The epochs that started past it.
  if (log.epochs.truncateFromEnd(end)) await log.persistEpochs();
  // Readers see the new end from here on.
  const doomed = segments.slice(i + 1);
  log.segments = segments.slice(0, i + 1);
  boundary.committedSize = Math.min(boundary.committedSize, point.position);
  log.clearCache();
  log.logEndOffset = end;
  if (log.logStartOffset > end) log.logStartOffset = end;
  const hwMoved = log.highWatermark > end;
  if (hwMoved) log.highWatermark = end;
  // 3. Later segments, newest first: a crash leaves a prefix.
  await unlinkNewestFirst(doomed);
  // 4. The boundary segment's tail, then the directory.
  await boundary.truncateAt(point);
  await fs.syncDir(dir);
  log.producers = await loadProducerState(fs, dir, log.segments, snapshotOffsets(await fs.readdir(dir)), end, interval);
  if (hwMoved) log.notify();
}

/** An empty log from `offset` on: every segment, snapshot and epoch goes. */
export async function startAt(log: TruncatedLog, offset: number): Promise<void> {
  const { fs, dir } = log;
  const old = log.segments;
  const now = Date.now();
  // 1. Snapshots, then epochs: a crash before the segments are gone rescans the log whole.
  for (const o of snapshotOffsets(await fs.readdir(dir))) await removeSnapshot(fs, dir, o);
  log.epochs = new LeaderEpochCache();
  await log.persistEpochs();
  // 2. Past the old end, the new segment comes first (a crash then loads the old data ending at
  //    `offset`); otherwise it would clash with an old one, so it comes last.
  const ahead = offset > log.logEndOffset;
  const fresh = ahead ? await LogSegment.create(fs, dir, offset, now) : LogSegment.empty(fs, dir, offset, now);
  log.segments = [fresh];
  log.clearCache();
  log.logStartOffset = log.logEndOffset = log.highWatermark = offset;
  log.producers = new ProducerStateManager();
  log.resetCleaner();
  await unlinkNewestFirst(old);
  if (!ahead) await fresh.create();
  await fs.syncDir(dir);
  await log.logStartOffsetChanged();
  log.notify();
}

async function unlinkNewestFirst(segments: LogSegment[]): Promise<void> {
  for (const seg of [...segments].reverse()) {
    await seg.unlinkFiles();
    // Reads in progress keep the open file; it closes once they are done.
    void seg.retire().catch(() => undefined);
  }
}

/** Unlike a snapshot's routine pruning, a truncation must not go on while the snapshot is still there. */
async function removeSnapshot(fs: FileSystem, dir: string, offset: number): Promise<void> {
  await fs.unlink(`${dir}/${segmentFileName(offset, SNAPSHOT_SUFFIX)}`).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}
