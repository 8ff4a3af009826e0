// Which partition a record produced from the console goes to when none is chosen: Kafka's
// BuiltInPartitioner for a keyed record (murmur2 of the key, made positive, modulo the count),
// so a key lands where a Java producer would put it; a record without a key goes to a random one.

/** Kafka's Utils.murmur2 (seed 0x9747b28c), as a signed 32-bit int. */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length >> 2;
  for (let i = 0; i < whole; i++) {
    const at = i * 4;
    let k = data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = whole * 4;
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) {
    h ^= data[tail];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionFor(key: Buffer | null, partitions: number): number {
  if (key === null) return Math.floor(Math.random() * partitions);
  return (murmur2(key) & 0x7fffffff) % partitions;
}
