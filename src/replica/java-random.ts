// java.util.Random's generator (a 48-bit linear congruential generator, as its documentation
// specifies) and the two Java library orders Kafka's replica placer depends on: Collections.shuffle
// and a default java.util.HashMap's iteration order. With them a seeded placement here draws the
// same numbers, in the same order, as Kafka's StripedReplicaPlacer with `new Random(seed)`.

const MULTIPLIER = 0x5deece66dn;
const ADDEND = 0xbn;
const MASK = (1n << 48n) - 1n;

export class JavaRandom {
  private seed: bigint;

  constructor(seed: number | bigint) {
    this.seed = (BigInt.asIntN(64, BigInt(seed)) ^ MULTIPLIER) & MASK;
  }

  /** A random seed, for placers that need no reproducibility. */
  static unseeded(): JavaRandom {
    return new JavaRandom(BigInt(Math.floor(Math.random() * 2 ** 32)) * 2n ** 16n + BigInt(Math.floor(Math.random() * 2 ** 16)));
  }

  private next(bits: number): number {
    this.seed = (this.seed * MULTIPLIER + ADDEND) & MASK;
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }

  /** Uniform in [0, bound), as Random.nextInt(int). */
  nextInt(bound: number): number {
    if (!(bound > 0)) throw new RangeError(`bound must be positive: ${bound}`);
    let r = this.next(31);
    const m = bound - 1;
    // A power of two: the high bits.
    if ((bound & m) === 0) return Number((BigInt(bound) * BigInt(r)) >> 31n);
    // Otherwise reject the values that would bias the remainder (the sum overflows int32 for them).
    for (let u = r; ((u - (r = u % bound) + m) | 0) < 0; u = this.next(31));
    return r;
  }
}

/** Collections.shuffle(list, random) on a random-access list, in place. */
export function javaShuffle<T>(list: T[], random: JavaRandom): void {
  for (let i = list.length; i > 1; i--) {
    const j = random.nextInt(i);
    [list[i - 1], list[j]] = [list[j], list[i - 1]];
  }
}

/** String.hashCode. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The order a java.util.HashMap with default capacity and load factor iterates keys put in
 * `keys` order (never removed): by bucket of the spread hash in the final table, then insertion.
 */
export function javaHashMapOrder<T>(keys: readonly T[], hashCode: (key: T) => number): T[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  return keys
    .map((key, i) => {
      const h = hashCode(key);
      return { key, i, bucket: (h ^ (h >>> 16)) & (capacity - 1) };
    })
    .sort((a, b) => a.bucket - b.bucket || a.i - b.i)
    .map((e) => e.key);
}
