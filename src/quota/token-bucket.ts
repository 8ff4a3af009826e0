// Kafka's TokenBucket stat (KIP-599's controller mutation quota): a bucket of `samples x window`
// seconds of quota, refilled at the quota per second, taken from by each mutation (it may go
// negative); a quota is violated while the bucket is below zero.
export class TokenBucket {
  private tokens: number;
  private lastUpdateMs: number;

  constructor(
    private readonly burstSeconds: number,
    nowMs: number,
    quota: number,
  ) {
    // Kafka's bucket starts at lastUpdateMs 0, so its first refill fills it.
    this.tokens = burstSeconds * quota;
    this.lastUpdateMs = nowMs;
  }

  /** The tokens left at `nowMs` under `quota` per second. */
  measure(quota: number, nowMs: number): number {
    this.refill(quota, nowMs);
    return this.tokens;
  }

  record(quota: number, value: number, nowMs: number): void {
    this.refill(quota, nowMs);
    this.tokens = Math.min(this.burstSeconds * quota, this.tokens - value);
  }

  private refill(quota: number, nowMs: number): void {
    this.tokens = Math.min(this.burstSeconds * quota, this.tokens + (quota * Math.max(0, nowMs - this.lastUpdateMs)) / 1000);
    this.lastUpdateMs = nowMs;
  }
}

/** ControllerMutationQuotaManager.throttleTimeMs: how long until the bucket is back to zero. */
export function tokenThrottleMs(tokens: number, quota: number): number {
  return Math.round((-tokens / quota) * 1000);
}
