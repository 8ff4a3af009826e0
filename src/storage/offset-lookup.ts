// Finding offsets in a file log's segment list: the segment holding an offset, the first record at
// or after a timestamp (Kafka's fetchOffsetByTimestamp), and the record with the largest timestamp.
import type { LogConfig } from '../config.js';
import { SegmentGoneError, type LogSegment } from './segment.js';
import { firstRecordAtOrAfter, maxTimestampOf, recordWithMaxTimestamp } from './timestamp-search.js';
import type { OffsetAndTimestamp } from './types.js';

/** What a lookup reads of its log while it runs (the log start offset may move meanwhile). */
export interface SearchedLog {
  readonly logStartOffset: number;
  readonly config: LogConfig;
}

/** Index of the segment holding `offset`: the last one whose base offset is <= offset. */
export function segmentIndexFor(offset: number, segments: readonly LogSegment[]): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (segments[mid].baseOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Runs `fn` again while it fails because retention or compaction replaced a segment under it. */
export async function retryOnSegmentGone<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof SegmentGoneError)) throw e;
    }
  }
}

// Kafka's fetchOffsetByTimestamp: the first segment whose max timestamp reaches ts, then its
// time and offset indexes, then the first batch (and record) at or after ts.
export async function offsetForTimestamp(segments: readonly LogSegment[], ts: number, log: SearchedLog): Promise<OffsetAndTimestamp | null> {
  const interval = log.config.indexIntervalBytes;
  for (const seg of segments) {
    const found = await seg.pinned(async () => {
      await seg.loadIndexes(interval);
      if (seg.maxTimestampSoFar < ts) return undefined;
      const from = await seg.positionForTimestamp(ts, log.logStartOffset, interval);
      for await (const b of seg.scan(from, seg.committedSize, true)) {
        const hit = firstRecordAtOrAfter(b.buf, b.pos, ts, log.logStartOffset);
        if (hit) return hit;
      }
      return null;
    });
    if (found !== undefined) return found;
  }
  return null;
}

/** Offset and timestamp of the record with the largest timestamp (ListOffsets -3), or null if empty. */
export async function maxTimestamp(segments: readonly LogSegment[], log: SearchedLog): Promise<OffsetAndTimestamp | null> {
  const interval = log.config.indexIntervalBytes;
  let best: LogSegment | null = null;
  for (const seg of segments) {
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
