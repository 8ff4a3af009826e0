// Record-level answers for ListOffsets, read from the one batch the indexes led to: Kafka 4
// returns the offset of a record, not of a batch, so this batch's records are decoded.
import { PARTITION_LEADER_EPOCH, MAX_TIMESTAMP, readInt64 } from '../protocol/records/batch.js';
import { decodeRecords } from '../protocol/records/records.js';
import type { OffsetAndTimestamp } from './types.js';

function leaderEpochOf(buf: Buffer, pos: number): number {
  const epoch = buf.readInt32BE(pos + PARTITION_LEADER_EPOCH);
  return epoch >= 0 ? epoch : -1;
}

/** The batch's max timestamp, read from its header. */
export function maxTimestampOf(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + MAX_TIMESTAMP);
}

/** First record of the batch with timestamp >= ts and offset >= startingOffset, if any. */
export function firstRecordAtOrAfter(buf: Buffer, pos: number, ts: number, startingOffset: number): OffsetAndTimestamp | null {
  if (maxTimestampOf(buf, pos) < ts) return null;
  for (const r of decodeRecords(buf, pos)) {
    if (r.timestamp >= ts && r.offset >= startingOffset) {
      return { offset: r.offset, timestamp: r.timestamp, leaderEpoch: leaderEpochOf(buf, pos) };
    }
  }
  return null;
}

/** The first record carrying the batch's max timestamp (Kafka's offsetOfMaxTimestamp). */
export function recordWithMaxTimestamp(buf: Buffer, pos: number): OffsetAndTimestamp | null {
  const max = maxTimestampOf(buf, pos);
  for (const r of decodeRecords(buf, pos)) {
    if (r.timestamp === max) return { offset: r.offset, timestamp: max, leaderEpoch: leaderEpochOf(buf, pos) };
  }
  return null;
}
