// Replication throttles as Kafka's ReplicationQuotaManager: one quota for the leader side (bytes
// served to followers) and one for the follower side (bytes fetched from leaders), each a rate in
// bytes/s (leader.replication.throttled.rate / follower.replication.throttled.rate, dynamic broker
// configs) over the partitions a topic config names for this broker (leader.replication.throttled.
// replicas / follower.replication.throttled.replicas: "partition:broker,..." or "*"). The rate is
// Kafka's SimpleRate over replication.quota.window.num samples of replication.quota.window.size.seconds:
// bytes in the kept samples over the time since the oldest began (at least one window). Every
// throttled partition's bytes count; an out-of-sync replica's partition is left out of a fetch
// while the rate is over the bound (in-sync ones never are: no ISR thrashing).
import type { MetadataImage } from '../metadata/image.js';
import { ResourceType } from '../metadata/records.js';

/** Every partition of a topic throttled ("*"). */
export const ALL_REPLICAS = '*';

type Throttled = ReadonlySet<number> | typeof ALL_REPLICAS;

/** One sample of the windowed sum (Kafka's SampledStat.Sample). */
interface Sample {
  value: number;
  startTimeMs: number;
  lastEventMs: number;
}

/** Above this the bound is Kafka's Long.MAX_VALUE default: no throttle. */
const UNBOUNDED = 2 ** 62;

export class ReplicationQuota {
  private bound = Infinity;
  private readonly samples: Sample[] = [];
  private current = 0;
  private throttled = new Map<string, Throttled>();

  constructor(
    readonly type: 'leader' | 'follower',
    /** replication.quota.window.size.seconds, in ms */
    private readonly windowMs = 1000,
    /** replication.quota.window.num */
    private readonly numSamples = 11,
  ) {}

  /** The bound in bytes/s (Kafka's updateQuota with an upper bound). */
  updateQuota(bytesPerSecond: number): void {
    this.bound = bytesPerSecond >= UNBOUNDED ? Infinity : bytesPerSecond;
  }

  get upperBound(): number {
    return this.bound;
  }

  /** Whether the throttled partitions' rate is over the bound now. */
  isQuotaExceeded(nowMs = Date.now()): boolean {
    if (this.bound === Infinity) return false;
    return this.rate(nowMs) > this.bound;
  }

  /** Throttled bytes moved (recorded even over the bound, as Kafka's record does). */
  record(bytes: number, nowMs = Date.now()): void {
    if (bytes <= 0) return;
    let s = this.currentSample(nowMs);
    if (nowMs - s.startTimeMs >= this.windowMs) s = this.advance(nowMs);
    s.value += bytes;
    s.lastEventMs = nowMs;
  }

  /** Bytes per second over the kept samples (Kafka's SimpleRate). */
  rate(nowMs = Date.now()): number {
    const expireAge = this.numSamples * this.windowMs;
    let total = 0;
    let oldest = Infinity;
    if (this.samples.length === 0) this.samples.push({ value: 0, startTimeMs: nowMs, lastEventMs: nowMs });
    for (const s of this.samples) {
      if (nowMs - s.lastEventMs >= expireAge) reset(s, nowMs);
      total += s.value;
      if (s.startTimeMs < oldest) oldest = s.startTimeMs;
    }
    return total / (Math.max(nowMs - oldest, this.windowMs) / 1000);
  }

  isThrottled(topic: string, partition: number): boolean {
    const t = this.throttled.get(topic);
    return t !== undefined && (t === ALL_REPLICAS || t.has(partition));
  }

  /** Whether any partition is throttled (a fast path: most brokers throttle nothing). */
  get throttlesAny(): boolean {
    return this.throttled.size > 0;
  }

  markThrottled(topic: string, partitions: readonly number[] | typeof ALL_REPLICAS): void {
    this.throttled.set(topic, partitions === ALL_REPLICAS ? ALL_REPLICAS : new Set(partitions));
  }

  removeThrottle(topic: string): void {
    this.throttled.delete(topic);
  }

  /** The throttled partitions from every topic's `config` in the image, for broker `brokerId` (replaces all). */
  updateThrottledFromImage(image: MetadataImage, config: string, brokerId: number): void {
    const next = new Map<string, Throttled>();
    const prefix = `${ResourceType.TOPIC}:`;
    for (const [key, configs] of image.configs.resources) {
      if (!key.startsWith(prefix)) continue;
      const parsed = throttledPartitions(configs.get(config) ?? '', brokerId);
      if (parsed !== null) next.set(key.slice(prefix.length), parsed === ALL_REPLICAS ? ALL_REPLICAS : new Set(parsed));
    }
    this.throttled = next;
  }

  /** The bound and throttled partitions in words (a log line when they change). */
  describe(): string {
    if (this.throttled.size === 0 && this.bound === Infinity) return `no ${this.type} replication throttle`;
    const parts = [...this.throttled].filter(([, ps]) => ps === ALL_REPLICAS || ps.size > 0).map(([topic, ps]) => `${topic}:${ps === ALL_REPLICAS ? '*' : [...ps].join('/')}`);
    return `${this.type} replication throttle ${this.bound === Infinity ? 'unbounded' : `${this.bound} B/s`} on [${parts.join(', ')}]`;
  }

  private currentSample(nowMs: number): Sample {
    if (this.samples.length === 0) this.samples.push({ value: 0, startTimeMs: nowMs, lastEventMs: nowMs });
    return this.samples[this.current];
  }

  private advance(nowMs: number): Sample {
    // One more than the window count: the oldest overlaps the window (as Kafka keeps it).
    this.current = (this.current + 1) % (this.numSamples + 1);
    if (this.current >= this.samples.length) {
      const s = { value: 0, startTimeMs: nowMs, lastEventMs: nowMs };
      this.samples.push(s);
      return s;
    }
    const s = this.samples[this.current];
    reset(s, nowMs);
    return s;
  }
}

function reset(s: Sample, nowMs: number): void {
  s.value = 0;
  s.startTimeMs = nowMs;
  s.lastEventMs = nowMs;
}

/**
 * A throttled-replicas config value for broker `brokerId` (Kafka's parseThrottledPartitions):
 * null when empty (no throttle), "*" for every partition, else the partitions listed with this broker.
 */
export function throttledPartitions(value: string, brokerId: number): number[] | typeof ALL_REPLICAS | null {
  const v = value.trim();
  if (v === '') return null;
  if (v === ALL_REPLICAS) return ALL_REPLICAS;
  const out: number[] = [];
  for (const entry of v.split(',')) {
    const [p, b] = entry.split(':').map((x) => Number(x.trim()));
    if (b === brokerId && Number.isInteger(p)) out.push(p);
  }
  return out;
}
