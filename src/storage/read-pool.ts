// Buffers for log reads that miss the tail cache, leased from a small broker-wide pool of slabs.
// A fresh ~1 MiB buffer per partition read was most of the broker's garbage collection under
// consumers (its external memory forces old-space collections; bench/FINDINGS.md), so reads
// borrow a slab and give it back once nothing refers to its bytes (for a fetch: once the
// response is in the kernel). Only readers that promise the release lease (a fetch); one that
// breaks the promise costs only the reuse: its slab goes with the garbage and the pool may
// allocate another in its place.
import type { FileHandle } from './fs.js';

export const SLAB_BYTES = 2 * 1024 * 1024;
export const MAX_SLABS = 32;
/** What poisoned slabs are filled with on release: a use after release then shows as bad CRCs. */
export const POISON_BYTE = 0xee;

/** `buf` is the bytes read; `release` gives a pooled slab back (idempotent), undefined when it is not pooled. */
export interface Leased {
  buf: Buffer;
  release: (() => void) | undefined;
}

export interface ReadPoolStats {
  /** Slabs allocated and not collected. */
  slabs: number;
  /** Slabs in the pool, ready to lease. */
  free: number;
  /** Slabs out on lease. */
  leased: number;
  /** Leased slabs that were collected without a release (their holder never gave them back). */
  lost: number;
}

export class ReadPool {
  private readonly free: Buffer[] = [];
  private slabs = 0;
  private leased = 0;
  private lost = 0;
  /** Fill slabs on release so a read of released bytes cannot pass for data (tests, debugging). */
  poison = process.env.SAMSA_READ_POOL_POISON === '1';
  // Only a slab out on lease can become garbage (the pool holds the free ones): it was never released.
  private readonly collected = new FinalizationRegistry<undefined>(() => {
    this.slabs--;
    this.leased--;
    this.lost++;
  });

  constructor(
    readonly slabBytes = SLAB_BYTES,
    readonly maxSlabs = MAX_SLABS,
  ) {}

  get stats(): ReadPoolStats {
    return { slabs: this.slabs, free: this.free.length, leased: this.leased, lost: this.lost };
  }

  /** `length` bytes to read into: a pooled slab when one is free (or may be allocated), else a buffer of their own. */
  lease(length: number): Leased {
    if (length > this.slabBytes) return { buf: Buffer.allocUnsafe(length), release: undefined };
    let slab = this.free.pop();
    if (slab === undefined) {
      if (this.slabs >= this.maxSlabs) return { buf: Buffer.allocUnsafe(length), release: undefined };
      slab = Buffer.allocUnsafeSlow(this.slabBytes);
      this.slabs++;
      this.collected.register(slab.buffer, undefined);
    }
    this.leased++;
    let held: Buffer | null = slab;
    const release = () => {
      if (held === null) return;
      const s = held;
      held = null;
      this.giveBack(s);
    };
    return { buf: slab.subarray(0, length), release };
  }

  private giveBack(slab: Buffer): void {
    this.leased--;
    if (this.poison) slab.fill(POISON_BYTE);
    this.free.push(slab);
  }
}

/** The broker-wide pool (one per process: brokers embedded side by side share it). */
export const readPool = new ReadPool();

/** Reads `length` bytes at `position` (fewer only at end of file), into a buffer leased from `pool` if given. */
export async function readLeased(fh: FileHandle, position: number, length: number, pool: ReadPool | null): Promise<Leased> {
  const leased = pool ? pool.lease(length) : { buf: Buffer.allocUnsafe(length), release: undefined };
  try {
    let got = 0;
    while (got < length) {
      const n = await fh.read(leased.buf, got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    if (got < length) leased.buf = leased.buf.subarray(0, got);
    return leased;
  } catch (e) {
    leased.release?.();
    throw e;
  }
}
