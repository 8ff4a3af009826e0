// A rate over sampled windows, as Kafka's Rate on a SampledStat (Sum) measures it: `samples`
// windows of `windowMs`, obsolete ones reset, and the elapsed time never less than samples-1 full
// windows (so one early burst does not read as a huge rate). One record() per request.
export interface RateConfig {
  /** quota.window.num (Kafka's default 11). */
  samples: number;
  /** quota.window.size.seconds * 1000 (default 1000). */
  windowMs: number;
}

interface Sample {
  startMs: number;
  lastEventMs: number;
  value: number;
}

export class SampledRate {
  /** Ring of samples+1 slots (Kafka keeps one extra for the sample overlapping the window). */
  private readonly ring: Sample[] = [];
  private current = 0;

  constructor(private readonly config: RateConfig) {}

  record(value: number, nowMs: number): void {
    let s = this.currentSample(nowMs);
    if (nowMs - s.startMs >= this.config.windowMs) s = this.advance(nowMs);
    s.value += value;
    s.lastEventMs = nowMs;
  }

  /** The rate per second at `nowMs`. */
  measure(nowMs: number): number {
    const windowMs = this.windowSize(nowMs);
    let total = 0;
    for (const s of this.ring) total += s.value;
    return total / (windowMs / 1000);
  }

  /** The time the rate is taken over, in ms (Rate.windowSize). */
  windowSize(nowMs: number): number {
    this.purge(nowMs);
    let oldest = this.currentSample(nowMs);
    for (const s of this.ring) if (s.startMs < oldest.startMs) oldest = s;
    let elapsed = nowMs - oldest.startMs;
    const full = Math.floor(elapsed / this.config.windowMs);
    const minFull = this.config.samples - 1;
    if (full < minFull) elapsed += (minFull - full) * this.config.windowMs;
    return Math.max(elapsed, 1);
  }

  private currentSample(nowMs: number): Sample {
    if (this.ring.length === 0) this.ring.push({ startMs: nowMs, lastEventMs: nowMs, value: 0 });
    return this.ring[this.current];
  }

  private advance(nowMs: number): Sample {
    this.current = (this.current + 1) % (this.config.samples + 1);
    if (this.current >= this.ring.length) {
      const s = { startMs: nowMs, lastEventMs: nowMs, value: 0 };
      this.ring.push(s);
      return s;
    }
    const s = this.ring[this.current];
    s.startMs = nowMs;
    s.lastEventMs = nowMs;
    s.value = 0;
    return s;
  }

  private purge(nowMs: number): void {
    const expireAge = this.config.samples * this.config.windowMs;
    for (const s of this.ring) {
      if (nowMs - s.lastEventMs >= expireAge) {
        s.startMs = nowMs;
        s.lastEventMs = nowMs;
        s.value = 0;
      }
    }
  }
}

/**
 * Records `value` and returns how long to throttle (QuotaUtils.throttleTime): the time for the
 * rate to fall back to `bound`, 0 when within it.
 */
export function recordAndThrottleMs(rate: SampledRate, bound: number, value: number, nowMs: number): number {
  rate.record(value, nowMs);
  const measured = rate.measure(nowMs);
  if (measured <= bound) return 0;
  return Math.round(((measured - bound) / bound) * rate.windowSize(nowMs));
}
