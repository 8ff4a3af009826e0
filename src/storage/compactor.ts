// Log compaction of a file log's closed segments (Kafka's Cleaner): find the cleanable range,
// map each key of the dirty part to its newest offset, then rewrite the segments from the log
// start in groups no larger than segment.bytes, each into `<base>.log.cleaned`, and swap every
// rewrite in with renames that a crash at any point leaves recoverable (see segment-files.ts).
import type { LogConfig } from '../config.js';
import { CONTROL_FLAG_MASK, ATTRIBUTES, MAX_TIMESTAMP, readInt64 } from '../protocol/records/batch.js';
import type { CleanerTxns } from './cleaner-txns.js';
import { decodeRecords } from '../protocol/records/records.js';
import type { FileHandle, FileSystem } from './fs.js';
import { filterBatch, type FilterContext } from './record-filter.js';
import { addBatch, newIndexState, writeIndexFiles } from './segment-indexes.js';
import { CLEANED_SUFFIX, SEGMENT_SUFFIXES, SWAP_SUFFIX, markDeleted, unlinkIfExists } from './segment-files.js';
import { LOG_SUFFIX, LogSegment, lastOffsetAt, segmentFileName } from './segment.js';
import type { OffsetMap } from './types.js';

const INT32_MAX = 2147483647;
const WRITE_CHUNK = 1 << 20;
/** Bytes of batches handled between yields to the event loop, so produce and fetch keep going. */
const YIELD_EVERY = 256 * 1024;

/** Thrown when the log closes during a pass; the pass leaves only `.cleaned` files behind. */
export class CleaningAbortedError extends Error {}

export interface CleanableRange {
  firstDirtyOffset: number;
  /** Nothing at or past this offset is cleaned (active segment, min.compaction.lag.ms). */
  firstUncleanableOffset: number;
  cleanBytes: number;
  cleanableBytes: number;
  /** max.compaction.lag.ms has passed for the oldest dirty batch. */
  mustCleanNow: boolean;
}

function largestTimestamp(seg: LogSegment): number {
  return seg.maxTimestampSoFar >= 0 ? seg.maxTimestampSoFar : seg.created;
}

/**
 * Kafka's LogCleanerManager.cleanableOffsets. `closed` are the log's sealed segments, oldest
 * first, and `closedEnd` the offset where the first unsealed one starts.
 */
export async function cleanableRange(
  closed: readonly LogSegment[],
  closedEnd: number,
  checkpoint: number,
  logStartOffset: number,
  logEndOffset: number,
  config: LogConfig,
  now: number,
  indexIntervalBytes: number,
): Promise<CleanableRange> {
  // A checkpoint outside the log (truncation, deleted records) means: clean it all.
  const firstDirtyOffset = checkpoint < logStartOffset || checkpoint > logEndOffset ? logStartOffset : checkpoint;
  let firstUncleanableOffset = closedEnd;
  let mustCleanNow = false;
  const minLag = Math.max(config.minCompactionLagMs, 0);
  const maxLag = Math.max(config.maxCompactionLagMs, 0);
  for (let i = 0; i < closed.length; i++) {
    const seg = closed[i];
    const end = i + 1 < closed.length ? closed[i + 1].baseOffset : closedEnd;
    if (end <= firstDirtyOffset) continue;
    if (minLag > 0) {
      await seg.loadIndexes(indexIntervalBytes);
      if (largestTimestamp(seg) > now - minLag) {
        firstUncleanableOffset = Math.min(firstUncleanableOffset, seg.baseOffset);
        break;
      }
    }
    const first = await seg.firstBatchTimestamp();
    if (first > 0 && first < now - maxLag) mustCleanNow = true;
  }
  firstUncleanableOffset = Math.max(firstDirtyOffset, firstUncleanableOffset);
  let cleanBytes = 0;
  let cleanableBytes = 0;
  for (let i = 0; i < closed.length; i++) {
    const seg = closed[i];
    const end = i + 1 < closed.length ? closed[i + 1].baseOffset : closedEnd;
    if (end <= firstDirtyOffset) cleanBytes += seg.committedSize;
    else if (seg.baseOffset < firstUncleanableOffset) cleanableBytes += seg.committedSize;
  }
  return { firstDirtyOffset, firstUncleanableOffset, cleanBytes, cleanableBytes, mustCleanNow: mustCleanNow && cleanableBytes > 0 };
}

/**
 * Kafka's buildOffsetMap: every keyed record in [from, to) of the closed segments, newest offset
 * last, until the map is full (then the map's latest offset says how far it got).
 */
export async function buildOffsetMap(closed: readonly LogSegment[], from: number, to: number, map: OffsetMap, aborted: () => boolean, txns?: CleanerTxns): Promise<void> {
  let sinceYield = 0;
  for (let i = 0; i < closed.length; i++) {
    const seg = closed[i];
    const end = i + 1 < closed.length ? closed[i + 1].baseOffset : Infinity;
    if (end <= from) continue;
    if (seg.baseOffset >= to) return;
    for await (const b of seg.scan(0, seg.committedSize, true)) {
      const lastOffset = lastOffsetAt(b.buf, b.pos);
      if (lastOffset < from) continue;
      if (readInt64(b.buf, b.pos) >= to) return;
      // An aborted transaction's keys must not hide older committed values.
      const abortedData = txns ? txns.onBatch(b.buf, b.pos) : false;
      if ((b.buf.readInt16BE(b.pos + ATTRIBUTES) & CONTROL_FLAG_MASK) === 0 && !abortedData) {
        for (const r of decodeRecords(b.buf, b.pos)) {
          if (r.key === null || r.offset < from) continue;
          if (map.full) return;
          map.put(r.key, r.offset);
        }
      }
      map.updateLatestOffset(lastOffset);
      sinceYield += b.size;
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await yieldToLoop();
        if (aborted()) throw new CleaningAbortedError('cleaning aborted: the log is closing');
      }
    }
  }
}

/** Kafka's groupSegmentsBySize: runs of segments whose total size fits one segment. */
export function groupSegmentsBySize(segments: readonly LogSegment[], maxSize: number, ends: readonly number[]): LogSegment[][] {
  const groups: LogSegment[][] = [];
  let i = 0;
  while (i < segments.length) {
    const group = [segments[i]];
    let size = segments[i].committedSize;
    i++;
    while (i < segments.length && size + segments[i].committedSize <= maxSize && ends[i] - 1 - group[0].baseOffset <= INT32_MAX) {
      size += segments[i].committedSize;
      group.push(segments[i]);
      i++;
    }
    groups.push(group);
  }
  return groups;
}

export interface CleanedGroup {
  /** Null when the group is one segment that would come out unchanged (nothing to swap). */
  segment: LogSegment | null;
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsKept: number;
  /** Earliest delete horizon among kept tombstones, or -1. */
  deleteHorizon: number;
}

function cleanedPath(dir: string, base: number, suffix: string, extra: string): string {
  return `${dir}/${segmentFileName(base, suffix)}${extra}`;
}

/** Writes the kept batches of a group into `<base>.log.cleaned` (+ indexes), fsynced. */
export async function cleanGroup(
  fs: FileSystem,
  dir: string,
  group: readonly LogSegment[],
  ctx: FilterContext,
  indexIntervalBytes: number,
  now: number,
  aborted: () => boolean,
): Promise<CleanedGroup> {
  const base = group[0].baseOffset;
  const logPath = cleanedPath(dir, base, LOG_SUFFIX, CLEANED_SUFFIX);
  const file = await fs.open(logPath, 'rw');
  let keep = false;
  try {
    await file.truncate(0);
    const ix = newIndexState(base, true);
    const out = new ChunkWriter(file);
    let next = base;
    let changed = group.length > 1;
    let bytesRead = 0;
    let recordsRead = 0;
    let recordsKept = 0;
    let deleteHorizon = -1;
    let sinceYield = 0;
    for (const seg of group) {
      for await (const b of seg.scan(0, seg.committedSize, true)) {
        const f = filterBatch(b.buf, b.pos, b.size, ctx);
        bytesRead += b.size;
        recordsRead += f.recordsRead;
        recordsKept += f.recordsKept;
        if (f.changed) changed = true;
        if (f.batch) {
          const lastOffset = lastOffsetAt(f.batch, 0);
          addBatch(ix, lastOffset, readInt64(f.batch, MAX_TIMESTAMP), out.position, f.batch.length, indexIntervalBytes);
          await out.push(f.batch);
          next = lastOffset + 1;
          if (f.deleteHorizon >= 0 && (deleteHorizon < 0 || f.deleteHorizon < deleteHorizon)) deleteHorizon = f.deleteHorizon;
        }
        sinceYield += b.size;
        if (sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await yieldToLoop();
          if (aborted()) throw new CleaningAbortedError('cleaning aborted: the log is closing');
        }
      }
    }
    if (!changed) return { segment: null, bytesRead, bytesWritten: bytesRead, recordsRead, recordsKept, deleteHorizon };
    await out.flush();
    await file.sync();
    await writeIndexFiles(fs, (suffix) => cleanedPath(dir, base, suffix, CLEANED_SUFFIX), ix, true);
    keep = true;
    const segment = LogSegment.fromCleaned(fs, dir, base, now, file, ix, next, out.position);
    return { segment, bytesRead, bytesWritten: out.position, recordsRead, recordsKept, deleteHorizon };
  } finally {
    if (!keep) {
      await file.close().catch(() => undefined);
      for (const suffix of SEGMENT_SUFFIXES) await unlinkIfExists(fs, cleanedPath(dir, base, suffix, CLEANED_SUFFIX)).catch(() => undefined);
    }
  }
}

/**
 * Replaces `group` with its cleaned rewrite on disk (Kafka's replaceSegments): `.cleaned` ->
 * `.swap`, the originals after the first -> `.deleted`, `.swap` -> final names (overwriting the
 * first original). Each step renames the log file last. Returns the `.deleted` paths per original.
 */
export async function swapIn(fs: FileSystem, dir: string, group: readonly LogSegment[], indexIntervalBytes: number): Promise<string[][]> {
  const base = group[0].baseOffset;
  // Replaced segments may still serve reads; their indexes must not be read from files that change.
  for (const seg of group) await seg.loadIndexes(indexIntervalBytes);
  for (const suffix of SEGMENT_SUFFIXES) {
    await fs.rename(cleanedPath(dir, base, suffix, CLEANED_SUFFIX), cleanedPath(dir, base, suffix, SWAP_SUFFIX));
  }
  await fs.syncDir(dir);
  const deleted: string[][] = [[]];
  for (const seg of group.slice(1)) deleted.push(await markDeleted(fs, seg));
  for (const suffix of SEGMENT_SUFFIXES) {
    await fs.rename(cleanedPath(dir, base, suffix, SWAP_SUFFIX), cleanedPath(dir, base, suffix, ''));
  }
  await fs.syncDir(dir);
  return deleted;
}

/** Buffers writes into large positional writes. */
class ChunkWriter {
  position = 0;
  private written = 0;
  private bufs: Buffer[] = [];

  constructor(private readonly file: FileHandle) {}

  async push(buf: Buffer): Promise<void> {
    this.bufs.push(buf);
    this.position += buf.length;
    if (this.position - this.written >= WRITE_CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.bufs.length === 0) return;
    const bufs = this.bufs;
    this.bufs = [];
    await this.file.write(bufs, this.written);
    this.written = this.position;
  }
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
