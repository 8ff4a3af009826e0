// KIP-599's controller mutation quota (Kafka's ControllerMutationQuotaManager): partitions created
// or deleted per second, controller_mutation_rate for the client's most specific entity, measured
// by a token bucket per (user, client-id) tags. CreateTopics v6+, CreatePartitions v3+ and
// DeleteTopics v5+ get a strict quota: a topic asked for while the bucket is below zero fails with
// THROTTLING_QUOTA_EXCEEDED (the one that takes it below zero still passes); older versions get a
// permissive one that only throttles.
import type { MetadataImage } from '../metadata/image.js';
import { ClientQuotaManager } from './client-quota-manager.js';
import { TokenBucket, tokenThrottleMs } from './token-bucket.js';
import type { RateConfig } from './sampled-rate.js';

export const CONTROLLER_MUTATION_RATE = 'controller_mutation_rate';

/** One request's view of the quota (Kafka's ControllerMutationQuota). */
export interface ControllerMutationQuota {
  /** Records `partitions`; false when the strict quota refuses them (the topic fails with THROTTLING_QUOTA_EXCEEDED). */
  record(partitions: number): boolean;
  /** The throttle time for the response: the last violation's, less the time since (0 if none). */
  throttleTimeMs(): number;
}

const UNBOUNDED: ControllerMutationQuota = { record: () => true, throttleTimeMs: () => 0 };

export class ControllerMutationQuotaManager {
  private readonly resolver = new ClientQuotaManager(CONTROLLER_MUTATION_RATE);
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly config: RateConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Kafka's newQuotaFor(request, strictSinceVersion). */
  quotaFor(image: MetadataImage, user: string, clientId: string, strict: boolean): ControllerMutationQuota {
    if (image.clientQuotas.isEmpty()) return UNBOUNDED;
    const { tags, bound } = this.resolver.resolve(image.clientQuotas, user, clientId);
    if (bound === undefined) return UNBOUNDED;
    let bucket = this.buckets.get(tags);
    const burstSeconds = (this.config.samples * this.config.windowMs) / 1000;
    if (bucket === undefined) this.buckets.set(tags, (bucket = new TokenBucket(burstSeconds, this.now(), bound)));
    const b = bucket;
    let lastThrottleMs = 0;
    let lastRecordedMs = 0;
    const violated = (tokens: number, at: number) => {
      lastThrottleMs = tokenThrottleMs(tokens, bound);
      lastRecordedMs = at;
    };
    return {
      record: (partitions) => {
        const at = this.now();
        if (strict) {
          // checkQuotas before the record: only a bucket already below zero refuses.
          const tokens = b.measure(bound, at);
          if (tokens < 0) {
            violated(tokens, at);
            return false;
          }
          b.record(bound, partitions, at);
          return true;
        }
        b.record(bound, partitions, at);
        const tokens = b.measure(bound, at);
        if (tokens < 0) violated(tokens, at);
        return true;
      },
      throttleTimeMs: () => Math.max(0, lastThrottleMs - (this.now() - lastRecordedMs)),
    };
  }
}
