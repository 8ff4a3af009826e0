// Kafka's ClientQuotaManager for one quota key (producer_byte_rate, consumer_byte_rate): the
// quota of the most specific matching entity (user+client-id, then their defaults, then user,
// then client-id), a SampledRate per (user, client-id) tag pair as Kafka's DefaultQuotaCallback
// tags it, one record per request, the throttle time back.
import type { MetadataImage } from '../metadata/image.js';
import { CLIENT_ID, USER, type ClientQuotasImage } from './client-quota-image.js';
import { recordAndThrottleMs, SampledRate, type RateConfig } from './sampled-rate.js';

interface Resolved {
  /** The sensor's tags as "user\0client-id" (an empty part: not part of the matched entity). */
  tags: string;
  bound: number | undefined;
}

export const DEFAULT_RATE_CONFIG: RateConfig = { samples: 11, windowMs: 1000 };

export class ClientQuotaManager {
  private readonly rates = new Map<string, SampledRate>();
  private resolvedFor: ClientQuotasImage | null = null;
  private readonly resolved = new Map<string, Resolved>();

  constructor(
    readonly key: string,
    private readonly config: RateConfig = DEFAULT_RATE_CONFIG,
    /** The longest throttle (the request quota's is one window, QuotaUtils.boundedThrottleTime); none by default. */
    private readonly maxThrottleMs = Infinity,
  ) {}

  /** The quota that applies to (user, clientId) and the tags of its rate (quotaMetricTags + quotaLimit). */
  resolve(quotas: ClientQuotasImage, user: string, clientId: string): Resolved {
    if (this.resolvedFor !== quotas) {
      // New quotas: bounds and matched entities may have changed (rates carry over, as Kafka's sensors do).
      this.resolvedFor = quotas;
      this.resolved.clear();
    }
    const k = `${user}\0${clientId}`;
    let r = this.resolved.get(k);
    if (r === undefined) {
      r = this.lookup(quotas, user, clientId);
      this.resolved.set(k, r);
    }
    return r;
  }

  private lookup(quotas: ClientQuotasImage, user: string, clientId: string): Resolved {
    const get = (u: string | null | undefined, c: string | null | undefined) => {
      const entity = new Map<string, string | null>();
      if (u !== undefined) entity.set(USER, u);
      if (c !== undefined) entity.set(CLIENT_ID, c);
      return quotas.get(entity)?.get(this.key);
    };
    const candidates: [string | null | undefined, string | null | undefined, string][] = [
      [user, clientId, `${user}\0${clientId}`],
      [user, null, `${user}\0${clientId}`],
      [null, clientId, `${user}\0${clientId}`],
      [null, null, `${user}\0${clientId}`],
      [user, undefined, `${user}\0`],
      [null, undefined, `${user}\0`],
      [undefined, clientId, `\0${clientId}`],
      [undefined, null, `\0${clientId}`],
    ];
    for (const [u, c, tags] of candidates) {
      const bound = get(u, c);
      if (bound !== undefined) return { tags, bound };
    }
    return { tags: '\0', bound: undefined };
  }

  /** Records `value` for the client and returns the throttle time in ms (0: within its quota or none applies). */
  recordAndGetThrottleTimeMs(image: MetadataImage, user: string, clientId: string, value: number, nowMs: number): number {
    if (image.clientQuotas.isEmpty()) return 0;
    const { tags, bound } = this.resolve(image.clientQuotas, user, clientId);
    if (bound === undefined) return 0;
    let rate = this.rates.get(tags);
    if (rate === undefined) this.rates.set(tags, (rate = new SampledRate(this.config)));
    return Math.min(this.maxThrottleMs, recordAndThrottleMs(rate, bound, value, nowMs));
  }

  /** Takes back a recorded value (Kafka's unrecordQuotaSensor: a throttled fetch returns no data). */
  unrecord(image: MetadataImage, user: string, clientId: string, value: number, nowMs: number): void {
    if (image.clientQuotas.isEmpty()) return;
    const { tags } = this.resolve(image.clientQuotas, user, clientId);
    this.rates.get(tags)?.record(-value, nowMs);
  }

  /**
   * The most the client may take in one request without being throttled from an idle start
   * (getMaxValueInQuotaWindow: quota x (samples - 1) windows); Infinity without a quota. Fetch
   * caps a consumer's max bytes with it, so a response never guarantees a throttle.
   */
  maxValueInQuotaWindow(image: MetadataImage, user: string, clientId: string): number {
    if (image.clientQuotas.isEmpty()) return Infinity;
    const { bound } = this.resolve(image.clientQuotas, user, clientId);
    return bound === undefined ? Infinity : bound * (this.config.samples - 1) * (this.config.windowMs / 1000);
  }
}
