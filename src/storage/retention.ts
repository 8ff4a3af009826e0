// Which oldest segments retention may delete (Kafka's UnifiedLog.deleteOldSegments): those past
// retention.ms (by the segment's largest batch max timestamp), those beyond retention.bytes, and
// those wholly below the log start offset. Shared by both engines (the memory engine passes its
// batches as segments). Nothing at or past the high watermark goes, nor a final empty segment.
import type { LogConfig } from '../config.js';

export interface RetentionSegment {
  baseOffset: number;
  size: number;
  /** Largest max timestamp of its batches (loading indexes if need be). */
  largestTimestamp(): Promise<number>;
}

export interface RetentionState {
  config: LogConfig;
  now: number;
  logStartOffset: number;
  highWatermark: number;
  /** Next offset to be assigned, in-flight appends included. */
  logEndOffset: number;
}

export interface RetentionPlan {
  /** How many of the oldest segments to delete. */
  count: number;
  reasons: string[];
}

export function hasDeletePolicy(config: LogConfig): boolean {
  return config.cleanupPolicy.includes('delete');
}

export async function planRetention(segments: readonly RetentionSegment[], s: RetentionState): Promise<RetentionPlan> {
  let start = 0;
  const reasons: string[] = [];
  // Kafka's deletableSegments: the oldest run for which `shouldDelete` holds.
  const take = async (reason: string, shouldDelete: (seg: RetentionSegment, next: RetentionSegment | undefined) => Promise<boolean> | boolean) => {
    let n = start;
    while (n < segments.length) {
      const seg = segments[n];
      const next = segments[n + 1];
      const upperBound = next ? next.baseOffset : s.logEndOffset;
      if (s.highWatermark < upperBound) break;
      if (!(await shouldDelete(seg, next)) || (!next && seg.size === 0)) break;
      n++;
    }
    if (n > start) reasons.push(reason);
    start = n;
  };
  const { retentionMs, retentionBytes } = s.config;
  if (hasDeletePolicy(s.config)) {
    if (retentionMs >= 0) {
      await take(`retention time ${retentionMs}ms breach`, async (seg) => s.now - (await seg.largestTimestamp()) > retentionMs);
    }
    if (retentionBytes >= 0) {
      let diff = -retentionBytes;
      for (let i = start; i < segments.length; i++) diff += segments[i].size;
      if (diff > 0) {
        await take(`retention size in bytes ${retentionBytes} breach`, (seg) => {
          if (diff - seg.size < 0) return false;
          diff -= seg.size;
          return true;
        });
      }
    }
  }
  await take(`log start offset ${s.logStartOffset} breach`, (_seg, next) => next !== undefined && next.baseOffset <= s.logStartOffset);
  return { count: start, reasons };
}
