// Deterministic test messages (keys, binary/repeated/null headers, explicit timestamps, null and
// empty values) and the comparison of what a client sent with what it fetched back.

export type HeaderValue = Buffer | null | (Buffer | null)[];

export interface SentMessage {
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, HeaderValue>;
  timestamp: number;
}

/** A small seeded PRNG (mulberry32), so payloads are arbitrary bytes but reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bytes(rand: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/** Message `i` of run `run`; spread over `partitions` partitions. */
export function makeMessage(run: string, i: number, partitions: number, baseTimestamp: number): SentMessage {
  const rand = prng(i * 2654435761 + run.length);
  const key = i % 97 === 0 ? null : Buffer.from(`${run}-key-${i}`);
  const value =
    i % 211 === 0 ? null : i % 53 === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from(`${run}#${i}:`), bytes(rand, 10 + Math.floor(rand() * 300))]);
  const headers: Record<string, HeaderValue> = {};
  if (i % 11 !== 0) {
    headers['trace-id'] = Buffer.from(`${run}-${i}`);
    headers.bin = Buffer.from([0x00, 0xff, i & 0xff, 0x80, 0x7f, 0x00]);
    if (i % 5 === 0) headers.multi = [Buffer.from('first'), Buffer.from([0xc3, 0x28]), Buffer.from('third')];
    if (i % 7 === 0) headers['empty'] = Buffer.alloc(0);
    if (i % 13 === 0) headers['ключ-ü'] = Buffer.from('värde ✓');
  }
  // Mostly rising, sometimes going back in time, as real producers do.
  const timestamp = i % 17 === 0 ? baseTimestamp - 60_000 + i : baseTimestamp + i * 3;
  const partition = (i * 7 + (i >> 4)) % partitions;
  return { partition, key, value, headers, timestamp };
}

/** The message as kafkajs's producer takes it. */
export function toKafkajs(m: SentMessage) {
  return {
    partition: m.partition,
    key: m.key,
    value: m.value,
    headers: m.headers as any,
    timestamp: String(m.timestamp),
  };
}

function sameBytes(a: Buffer | null | undefined, b: Buffer | null | undefined): boolean {
  if (a == null || b == null) return a == null && b == null;
  return Buffer.compare(a, b) === 0;
}

function sameHeaderValue(sent: HeaderValue, got: unknown): boolean {
  if (Array.isArray(sent)) {
    return Array.isArray(got) && got.length === sent.length && sent.every((s, i) => sameBytes(s, got[i] as Buffer | null));
  }
  return !Array.isArray(got) && sameBytes(sent, got as Buffer | null);
}

function show(b: Buffer | null | undefined): string {
  return b == null ? String(b) : `<${b.length} bytes ${b.subarray(0, 24).toString('hex')}>`;
}

/** Differences between a sent message and the fetched one (empty when equal). */
export function diffMessage(
  sent: SentMessage,
  got: { key: Buffer | null; value: Buffer | null; headers: Record<string, unknown>; timestamp: number },
): string[] {
  const d: string[] = [];
  if (!sameBytes(sent.key, got.key)) d.push(`key ${show(sent.key)} != ${show(got.key)}`);
  if (!sameBytes(sent.value, got.value)) d.push(`value ${show(sent.value)} != ${show(got.value)}`);
  if (sent.timestamp !== got.timestamp) d.push(`timestamp ${sent.timestamp} != ${got.timestamp}`);
  const sk = Object.keys(sent.headers).sort();
  const gk = Object.keys(got.headers).sort();
  if (sk.join('\0') !== gk.join('\0')) d.push(`header keys [${sk}] != [${gk}]`);
  else for (const k of sk) if (!sameHeaderValue(sent.headers[k], got.headers[k])) d.push(`header ${k} differs`);
  return d;
}
