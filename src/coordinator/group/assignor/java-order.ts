// Kafka's assignors break ties by the iteration order of Java collections keyed by topic id. To give
// the same assignments as Kafka (its tests assert exact ones), we reproduce two of those orders:
// Uuid.compareTo (signed 64-bit halves) and a java.util.HashSet<Uuid>'s iteration (by hash bucket).

function halves(topicId: string): [bigint, bigint] {
  const b = Buffer.from(topicId, 'base64url');
  if (b.length !== 16) return [0n, 0n];
  return [b.readBigInt64BE(0), b.readBigInt64BE(8)];
}

/** Kafka's Uuid.compareTo: the most significant half first, each compared as a signed long. */
export function compareTopicIds(a: string, b: string): number {
  if (a === b) return 0;
  const [am, al] = halves(a);
  const [bm, bl] = halves(b);
  if (am !== bm) return am < bm ? -1 : 1;
  if (al !== bl) return al < bl ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Uuid.hashCode(): the xor of both halves folded to 32 bits. */
function uuidHash(topicId: string): number {
  const [m, l] = halves(topicId);
  const x = m ^ l;
  return Number(BigInt.asIntN(32, x >> 32n)) ^ Number(BigInt.asIntN(32, x));
}

/** The table size of `new HashSet<>(collection)` for n elements. */
function copiedSetCapacity(n: number): number {
  let want = Math.max(Math.trunc(n / 0.75) + 1, 16);
  let cap = 1;
  while (cap < want) cap *= 2;
  return cap;
}

/**
 * The order in which `new HashSet<>(ids)` iterates: by bucket of the spread hash, and within a
 * bucket in insertion order (a resize keeps that order).
 */
export function javaHashSetOrder(ids: Iterable<string>): string[] {
  const list = [...ids];
  const mask = copiedSetCapacity(list.length) - 1;
  const bucket = new Map<string, number>();
  for (const id of list) {
    const h = uuidHash(id);
    bucket.set(id, (h ^ (h >>> 16)) & mask);
  }
  return list
    .map((id, i) => ({ id, i }))
    .sort((x, y) => bucket.get(x.id)! - bucket.get(y.id)! || x.i - y.i)
    .map((e) => e.id);
}
