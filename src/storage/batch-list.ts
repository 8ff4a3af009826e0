// An in-memory run of committed record batches in offset order: the memory engine's whole log,
// and the file engine's tail cache (bounded: the oldest chunks are dropped past `maxBytes`).
import { LAST_OFFSET_DELTA, batchSize, readInt64 } from '../protocol/records/batch.js';
import type { BudgetedCache, TailCacheBudget } from './tail-cache-budget.js';

export interface Chunk {
  baseOffset: number;
  lastOffset: number;
  /** One or more whole batches. */
  buf: Buffer;
  /** Largest batch max timestamp up to and including this chunk (monotonic, for searches). */
  maxTimestampSoFar: number;
}

export interface BatchRun {
  records: Buffer[];
  bytes: number;
}

/** Left in evicted slots so the array no longer pins their buffers (and keeps one shape). */
const EVICTED: Chunk = { baseOffset: -1, lastOffset: -1, buf: Buffer.alloc(0), maxTimestampSoFar: -1 };

function lastOffsetAt(buf: Buffer, pos: number): number {
  return readInt64(buf, pos) + buf.readInt32BE(pos + LAST_OFFSET_DELTA);
}

export class BatchList implements BudgetedCache {
  private chunks: Chunk[] = [];
  private head = 0;
  private size = 0;

  constructor(
    private readonly maxBytes = Infinity,
    /** Shared with other partitions' caches: may evict this one's oldest chunks. */
    private readonly budget?: TailCacheBudget,
  ) {}

  get bytes(): number {
    return this.size;
  }

  get length(): number {
    return this.chunks.length - this.head;
  }

  /** Offset of the first batch held, or Infinity when empty. */
  get startOffset(): number {
    return this.head < this.chunks.length ? this.chunks[this.head].baseOffset : Infinity;
  }

  at(i: number): Chunk {
    return this.chunks[this.head + i];
  }

  push(baseOffset: number, lastOffset: number, buf: Buffer, maxTimestamp: number): void {
    const prev = this.length > 0 ? this.chunks[this.chunks.length - 1].maxTimestampSoFar : -1;
    this.chunks.push({ baseOffset, lastOffset, buf, maxTimestampSoFar: Math.max(prev, maxTimestamp) });
    this.size += buf.length;
    while (this.size > this.maxBytes && this.head < this.chunks.length) this.evictHead();
    this.budget?.added(this, baseOffset, buf.length);
    // Compact the dropped prefix now and then instead of shifting on every eviction.
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** Drops the newest chunks that end at or after `offset` (the log was truncated there). */
  truncateFrom(offset: number): void {
    let n = this.chunks.length;
    let removed = 0;
    let bytes = 0;
    while (n > this.head && this.chunks[n - 1].lastOffset >= offset) {
      n--;
      removed++;
      bytes += this.chunks[n].buf.length;
    }
    if (removed === 0) return;
    this.chunks.length = n;
    this.size -= bytes;
    this.budget?.removed(bytes, removed);
  }

  /** Drops the oldest chunks that end below `offset` (their batches left the log or were rewritten). */
  dropBefore(offset: number): void {
    while (this.head < this.chunks.length && this.chunks[this.head].lastOffset < offset) this.evictHead();
  }

  evictIfHead(baseOffset: number): void {
    if (this.head < this.chunks.length && this.chunks[this.head].baseOffset === baseOffset) this.evictHead();
  }

  private evictHead(): void {
    const n = this.chunks[this.head].buf.length;
    this.size -= n;
    this.budget?.removed(n, 1);
    this.chunks[this.head] = EVICTED;
    this.head++;
  }

  clear(): void {
    this.budget?.removed(this.size, this.length);
    this.chunks = [];
    this.head = 0;
    this.size = 0;
  }

  /** Index (from the first held chunk) of the first chunk whose last offset is >= offset, or length. */
  indexOf(offset: number): number {
    let lo = this.head;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.chunks[mid].lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.head;
  }

  /** Index of the first chunk whose running max timestamp is >= ts, or length. */
  indexOfTimestamp(ts: number): number {
    let lo = this.head;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.chunks[mid].maxTimestampSoFar < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.head;
  }

  /**
   * Whole batches from the one containing `fetchOffset`, at most `maxBytes` of them (or the
   * first alone when `minOneBatch`), each wholly below `maxOffset`. Null when `fetchOffset` is
   * below what is held.
   */
  read(fetchOffset: number, maxBytes: number, minOneBatch: boolean, maxOffset = Infinity): BatchRun | null {
    if (fetchOffset < this.startOffset) return null;
    const records: Buffer[] = [];
    let bytes = 0;
    const first = this.indexOf(fetchOffset);
    let limited = false;
    for (let i = first; i < this.length && !limited; i++) {
      const buf = this.at(i).buf;
      let start = 0;
      if (i === first) while (start < buf.length && lastOffsetAt(buf, start) < fetchOffset) start += batchSize(buf, start);
      let end = start;
      while (end < buf.length) {
        // Past the limit (a replicated log's high watermark): nothing from here on.
        if (maxOffset !== Infinity && lastOffsetAt(buf, end) >= maxOffset) {
          limited = true;
          break;
        }
        const size = batchSize(buf, end);
        if (bytes + (end - start) + size > maxBytes) {
          if (bytes === 0 && end === start && minOneBatch) end += size;
          break;
        }
        end += size;
      }
      if (end > start) {
        records.push(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
        bytes += end - start;
      }
      if (end < buf.length) break;
    }
    return { records, bytes };
  }
}
