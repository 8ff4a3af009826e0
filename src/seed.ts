// Topics and records a broker starts with (startBroker({ topics })): a test suite or a dev server
// gets its fixtures without a client. Keyed records go where Kafka's producer sends them.
import type { Broker } from './broker.js';
import { buildBatch, type RecordInput } from './protocol/records/records.js';

export interface SeedRecord {
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: { key: string; value: Buffer | string | null }[];
  /** Create time in ms (default: now). */
  timestamp?: number;
  /** Default: murmur2 of the key as Kafka's producer picks it; without a key, round-robin. */
  partition?: number;
}

export interface SeedTopic {
  name: string;
  /** Default: the broker's num.partitions. */
  partitions?: number;
  /** Topic configs (cleanup.policy, retention.ms, ...). */
  configs?: Record<string, string>;
  /** Default: the broker's default.replication.factor; on a startCluster() cluster min(3, brokers). */
  replicationFactor?: number;
  /** Appended in order, one batch per partition. */
  records?: SeedRecord[];
}

/** Kafka's murmur2 (Utils.murmur2), the hash its producer partitions keyed records with. */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data.readInt32LE(i);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  // The tail's 1-3 bytes (Kafka's switch falls through from case 3 to case 1).
  const tail = length & 3;
  if (tail >= 3) h ^= data[whole + 2] << 16;
  if (tail >= 2) h ^= data[whole + 1] << 8;
  if (tail >= 1) h = Math.imul(h ^ data[whole], m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's producer picks for a key: toPositive(murmur2(key)) % partitions. */
export function partitionForKey(key: Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

/** A seed topic's records by partition, in order (keyed ones by murmur2, the rest round-robin). */
export function seedRecordsByPartition(t: SeedTopic, partitions: number, now = Date.now()): Map<number, RecordInput[]> {
  const byPartition = new Map<number, RecordInput[]>();
  let next = 0;
  for (const r of t.records ?? []) {
    const key = typeof r.key === 'string' ? Buffer.from(r.key) : r.key ?? null;
    const p = r.partition ?? (key === null ? next++ % partitions : partitionForKey(key, partitions));
    if (!Number.isInteger(p) || p < 0 || p >= partitions) throw new Error(`seed record for ${t.name}: no partition ${p} (${partitions} partitions)`);
    const list = byPartition.get(p) ?? [];
    list.push({ key, value: r.value ?? null, headers: r.headers, timestamp: r.timestamp ?? now });
    byPartition.set(p, list);
  }
  return byPartition;
}

export async function seedTopics(broker: Broker, topics: readonly SeedTopic[]): Promise<void> {
  for (const t of topics) {
    const partitions = t.partitions ?? broker.config.number('num.partitions');
    await broker.createTopic(t.name, partitions, t.configs ?? {}, t.replicationFactor);
    for (const [p, records] of seedRecordsByPartition(t, partitions)) {
      const log = broker.partitionLog(t.name, p);
      if (log === undefined) throw new Error(`seed: ${t.name}-${p} has no log on this broker`);
      await log.append(buildBatch({ records }), { now: Date.now() });
    }
  }
}
