// One memory budget for every partition's tail cache: past it, the oldest cached chunk of the
// whole broker goes first, so 1,000 busy partitions cannot hold 1,000 x the per-partition cap.

/** What the budget needs from a partition's cache (BatchList implements it). */
export interface BudgetedCache {
  /** Offset of the oldest chunk held, or Infinity. */
  readonly startOffset: number;
  /** Drops the oldest chunk if it is still the one that starts at `baseOffset`. */
  evictIfHead(baseOffset: number): void;
}

export class TailCacheBudget {
  // Chunks in the order they were cached, across partitions, as parallel arrays (no object per entry).
  private caches: BudgetedCache[] = [];
  private offsets: number[] = [];
  private head = 0;
  private held = 0;
  private chunks = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.held;
  }

  added(cache: BudgetedCache, baseOffset: number, bytes: number): void {
    this.caches.push(cache);
    this.offsets.push(baseOffset);
    this.held += bytes;
    this.chunks++;
    while (this.held > this.maxBytes && this.head < this.caches.length) {
      const c = this.caches[this.head];
      const at = this.offsets[this.head];
      this.head++;
      c.evictIfHead(at); // a chunk its own cache already dropped is skipped
    }
    this.compact();
  }

  removed(bytes: number, chunks: number): void {
    this.held -= bytes;
    this.chunks -= chunks;
  }

  /** Forgets entries already popped, and those of chunks their caches dropped on their own. */
  private compact(): void {
    const pending = this.caches.length - this.head;
    if (this.head > 1024 && this.head * 2 > this.caches.length) {
      this.caches = this.caches.slice(this.head);
      this.offsets = this.offsets.slice(this.head);
      this.head = 0;
    } else if (pending > 2 * this.chunks + 1024) {
      const caches: BudgetedCache[] = [];
      const offsets: number[] = [];
      for (let i = this.head; i < this.caches.length; i++) {
        if (this.offsets[i] >= this.caches[i].startOffset) {
          caches.push(this.caches[i]);
          offsets.push(this.offsets[i]);
        }
      }
      this.caches = caches;
      this.offsets = offsets;
      this.head = 0;
    }
  }
}
