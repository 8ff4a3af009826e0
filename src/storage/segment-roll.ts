// When an append starts a new segment (Kafka's LogSegment.shouldRoll): the append would overflow
// segment.bytes, the segment is older than segment.ms (counted from its first batch's timestamp),
// or the append's offsets would not fit the segment's 32-bit relative index entries.
import type { LogConfig } from '../config.js';
import type { AppendPlan } from './append-plan.js';
import type { LogSegment } from './segment.js';

const INT32_MAX = 2147483647;

/** Whether `plan` must go to a new segment rather than the active one, `seg`; never for an empty one. */
export function shouldRoll(seg: LogSegment, plan: AppendPlan, now: number, config: LogConfig): boolean {
  if (seg.size === 0) return false;
  let maxTimestamp = -1;
  for (const b of plan.batches) if (b.maxTimestamp > maxTimestamp) maxTimestamp = b.maxTimestamp;
  const age = seg.rollingBasedTimestamp >= 0 ? maxTimestamp - seg.rollingBasedTimestamp : now - seg.created;
  const full = seg.size > config.segmentBytes - plan.records.length;
  const fits = !full && age <= config.segmentMs && plan.lastOffset - seg.baseOffset <= INT32_MAX;
  return !fits;
}
