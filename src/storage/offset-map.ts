// The cleaner's key -> latest offset map (Kafka's SkimpyOffsetMap): keys are stored as their
// 16-byte MD5 digests in an open-addressing table, so memory is bounded by
// log.cleaner.dedupe.buffer.size whatever the key sizes. The table starts small and doubles up to
// that bound; once there it accepts keys up to Kafka's 0.9 load factor, then reports itself full.
import { createHash } from 'node:crypto';
import type { OffsetMap } from './types.js';

const HASH_SIZE = 16;
/** Digest plus offset: what one slot costs, as Kafka counts it. */
export const BYTES_PER_ENTRY = HASH_SIZE + 8;
const LOAD_FACTOR = 0.9;
/** Grow before probing gets long; the final table fills up to LOAD_FACTOR. */
const GROW_AT = 0.5;
const INITIAL_SLOTS = 1 << 12;
const EMPTY = -1;

export class SkimpyOffsetMap implements OffsetMap {
  private readonly maxSlots: number;
  private slots: number;
  private hashes: Buffer;
  private offsets: Float64Array;
  private entries = 0;
  private lastOffset = -1;

  constructor(memoryBytes: number) {
    this.maxSlots = Math.max(16, Math.floor(memoryBytes / BYTES_PER_ENTRY));
    this.slots = Math.min(INITIAL_SLOTS, this.maxSlots);
    this.hashes = Buffer.alloc(this.slots * HASH_SIZE);
    this.offsets = new Float64Array(this.slots).fill(EMPTY);
  }

  get size(): number {
    return this.entries;
  }

  get full(): boolean {
    return this.entries >= Math.floor(this.maxSlots * LOAD_FACTOR);
  }

  get latestOffset(): number {
    return this.lastOffset;
  }

  updateLatestOffset(offset: number): void {
    if (offset > this.lastOffset) this.lastOffset = offset;
  }

  put(key: Buffer, offset: number): void {
    const digest = createHash('md5').update(key).digest();
    const slot = this.find(digest);
    if (this.offsets[slot] === EMPTY) {
      digest.copy(this.hashes, slot * HASH_SIZE);
      this.entries++;
    }
    this.offsets[slot] = offset;
    this.updateLatestOffset(offset);
    if (this.entries > this.slots * GROW_AT && this.slots < this.maxSlots) this.grow();
  }

  get(key: Buffer): number {
    if (this.entries === 0) return EMPTY;
    return this.offsets[this.find(createHash('md5').update(key).digest())];
  }

  clear(): void {
    this.offsets.fill(EMPTY);
    this.entries = 0;
    this.lastOffset = -1;
  }

  /** The slot holding `digest`, or the empty slot where it would go (linear probing). */
  private find(digest: Buffer): number {
    let slot = digest.readUInt32BE(0) % this.slots;
    for (;;) {
      if (this.offsets[slot] === EMPTY) return slot;
      if (this.hashes.compare(digest, 0, HASH_SIZE, slot * HASH_SIZE, slot * HASH_SIZE + HASH_SIZE) === 0) return slot;
      slot = slot + 1 === this.slots ? 0 : slot + 1;
    }
  }

  private grow(): void {
    const oldHashes = this.hashes;
    const oldOffsets = this.offsets;
    const oldSlots = this.slots;
    this.slots = Math.min(this.slots * 2, this.maxSlots);
    this.hashes = Buffer.alloc(this.slots * HASH_SIZE);
    this.offsets = new Float64Array(this.slots).fill(EMPTY);
    for (let i = 0; i < oldSlots; i++) {
      if (oldOffsets[i] === EMPTY) continue;
      const digest = oldHashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
      const slot = this.find(digest);
      digest.copy(this.hashes, slot * HASH_SIZE);
      this.offsets[slot] = oldOffsets[i];
    }
  }
}
