// Sparse time index of one segment, Kafka's `.timeindex` layout: 12-byte entries of int64
// timestamp (the segment's max timestamp so far) and int32 relative offset (the last offset of
// the batch that first reached it). Timestamps only grow, so lookups are a binary search.
import { readInt64, writeInt64 } from '../protocol/records/batch.js';

export const TIME_ENTRY_SIZE = 12;

export class TimeIndex {
  private timestamps: Float64Array;
  private relOffsets: Int32Array;
  private count = 0;
  /** Entries already written to the index file; -1 when the file is stale and must be rewritten. */
  persisted = 0;

  constructor(readonly baseOffset: number, capacity = 64) {
    this.timestamps = new Float64Array(capacity);
    this.relOffsets = new Int32Array(capacity);
  }

  get entries(): number {
    return this.count;
  }

  /** The last entry's timestamp, or -1 when empty. */
  get lastTimestamp(): number {
    return this.count === 0 ? -1 : this.timestamps[this.count - 1];
  }

  get lastOffset(): number {
    return this.count === 0 ? this.baseOffset : this.baseOffset + this.relOffsets[this.count - 1];
  }

  /** Adds an entry only when it moves the max timestamp forward. */
  maybeAppend(timestamp: number, offset: number): void {
    if (timestamp <= this.lastTimestamp) return;
    if (this.count === this.timestamps.length) {
      const ts = new Float64Array(this.count * 2);
      ts.set(this.timestamps);
      const ro = new Int32Array(this.count * 2);
      ro.set(this.relOffsets);
      this.timestamps = ts;
      this.relOffsets = ro;
    }
    this.timestamps[this.count] = timestamp;
    this.relOffsets[this.count] = offset - this.baseOffset;
    this.count++;
  }

  /** Drops the entries for offsets at or after `offset` (the log was truncated there). */
  truncateTo(offset: number): void {
    const rel = offset - this.baseOffset;
    let n = this.count;
    while (n > 0 && this.relOffsets[n - 1] >= rel) n--;
    if (n === this.count) return;
    this.count = n;
    // Entries gone from memory but still in the file: rewrite it whole at the next persist.
    if (this.persisted > n) this.persisted = -1;
  }

  /** Offset of the last entry with timestamp <= ts (the segment's base offset when none is). */
  lookup(ts: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid] <= ts) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? this.baseOffset : this.baseOffset + this.relOffsets[found];
  }

  encode(from = 0): Buffer {
    const buf = Buffer.allocUnsafe((this.count - from) * TIME_ENTRY_SIZE);
    for (let i = from, at = 0; i < this.count; i++, at += TIME_ENTRY_SIZE) {
      writeInt64(buf, at, this.timestamps[i]);
      buf.writeInt32BE(this.relOffsets[i], at + 8);
    }
    return buf;
  }

  /** Loads an index file's bytes, or null when they are not a valid index for offsets below `endOffset`. */
  static decode(baseOffset: number, buf: Buffer, endOffset: number): TimeIndex | null {
    if (buf.length % TIME_ENTRY_SIZE !== 0) return null;
    const n = buf.length / TIME_ENTRY_SIZE;
    const index = new TimeIndex(baseOffset, Math.max(64, n));
    let prevRel = -1;
    for (let i = 0; i < n; i++) {
      const ts = readInt64(buf, i * TIME_ENTRY_SIZE);
      const rel = buf.readInt32BE(i * TIME_ENTRY_SIZE + 8);
      // Timestamps strictly grow; offsets never go back and stay inside the segment.
      if (ts <= index.lastTimestamp || rel < prevRel || baseOffset + rel >= endOffset) return null;
      index.maybeAppend(ts, baseOffset + rel);
      prevRel = rel;
    }
    index.persisted = n;
    return index;
  }
}
