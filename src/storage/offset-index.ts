// Sparse offset index of one segment, Kafka's `.index` layout: 8-byte entries of
// int32 relative offset (a batch's last offset minus the segment's base) and int32 file position
// of that batch. Held in memory; the segment persists the entries not yet on disk.

export const OFFSET_ENTRY_SIZE = 8;

export class OffsetIndex {
  private relOffsets: Int32Array;
  private positions: Int32Array;
  private count = 0;
  /** Entries already written to the index file; -1 when the file is stale and must be rewritten. */
  persisted = 0;

  constructor(readonly baseOffset: number, capacity = 64) {
    this.relOffsets = new Int32Array(capacity);
    this.positions = new Int32Array(capacity);
  }

  get entries(): number {
    return this.count;
  }

  get lastOffset(): number {
    return this.count === 0 ? this.baseOffset : this.baseOffset + this.relOffsets[this.count - 1];
  }

  get lastPosition(): number {
    return this.count === 0 ? 0 : this.positions[this.count - 1];
  }

  append(offset: number, position: number): void {
    if (this.count === this.relOffsets.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.relOffsets = grow(this.relOffsets);
      this.positions = grow(this.positions);
    }
    this.relOffsets[this.count] = offset - this.baseOffset;
    this.positions[this.count] = position;
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

  /**
   * The last entry whose offset is <= target: the position of a batch at or before the one
   * holding target, and that batch's last offset (base offset - 1 when no entry qualifies).
   */
  lookup(targetOffset: number): { offset: number; position: number } {
    const rel = targetOffset - this.baseOffset;
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relOffsets[mid] <= rel) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return { offset: this.baseOffset - 1, position: 0 };
    return { offset: this.baseOffset + this.relOffsets[found], position: this.positions[found] };
  }

  /** The entries from `from` on, in file layout. */
  encode(from = 0): Buffer {
    const buf = Buffer.allocUnsafe((this.count - from) * OFFSET_ENTRY_SIZE);
    for (let i = from, at = 0; i < this.count; i++, at += OFFSET_ENTRY_SIZE) {
      buf.writeInt32BE(this.relOffsets[i], at);
      buf.writeInt32BE(this.positions[i], at + 4);
    }
    return buf;
  }

  /**
   * Loads an index file's bytes, or returns null when they cannot describe a log of `logSize`
   * bytes (Kafka's sanity check, plus monotonic entries), so the caller rebuilds from the log.
   */
  static decode(baseOffset: number, buf: Buffer, logSize: number): OffsetIndex | null {
    if (buf.length % OFFSET_ENTRY_SIZE !== 0) return null;
    const n = buf.length / OFFSET_ENTRY_SIZE;
    const index = new OffsetIndex(baseOffset, Math.max(64, n));
    let prevRel = -1;
    let prevPos = -1;
    for (let i = 0; i < n; i++) {
      const rel = buf.readInt32BE(i * OFFSET_ENTRY_SIZE);
      const pos = buf.readInt32BE(i * OFFSET_ENTRY_SIZE + 4);
      if (rel <= prevRel || pos <= prevPos || pos >= logSize) return null;
      index.append(baseOffset + rel, pos);
      prevRel = rel;
      prevPos = pos;
    }
    index.persisted = n;
    return index;
  }
}
