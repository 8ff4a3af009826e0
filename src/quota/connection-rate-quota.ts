// KIP-612's per-IP connection_creation_rate (Kafka's ConnectionQuotas.recordIpConnectionMaybeThrottle):
// the quota of the ip entity, else of the default ip entity; each accepted connection is recorded
// on the address's rate, and one that would exceed it is unrecorded and not served: the listener
// holds it unread and closes it after the throttle time (at most one quota window).
import type { MetadataImage } from '../metadata/image.js';
import { IP } from './client-quota-image.js';
import { recordAndThrottleMs, SampledRate, type RateConfig } from './sampled-rate.js';

export const CONNECTION_CREATION_RATE = 'connection_creation_rate';

export class ConnectionRateQuota {
  private readonly rates = new Map<string, SampledRate>();

  constructor(private readonly config: RateConfig) {}

  /** The address's quota, or undefined (Kafka's default: unlimited). */
  quotaFor(image: MetadataImage, ip: string): number | undefined {
    const q = image.clientQuotas;
    return q.get(new Map([[IP, ip]]))?.get(CONNECTION_CREATION_RATE) ?? q.get(new Map([[IP, null]]))?.get(CONNECTION_CREATION_RATE);
  }

  /** Records a new connection from `ip`; above zero, how long to hold it before closing it instead. */
  throttleMs(image: MetadataImage, ip: string, nowMs: number): number {
    if (image.clientQuotas.isEmpty()) return 0;
    const bound = this.quotaFor(image, ip);
    if (bound === undefined) return 0;
    let rate = this.rates.get(ip);
    if (rate === undefined) this.rates.set(ip, (rate = new SampledRate(this.config)));
    const ms = Math.min(this.config.windowMs, recordAndThrottleMs(rate, bound, 1, nowMs));
    // Not accepted: it does not count.
    if (ms > 0) rate.record(-1, nowMs);
    return ms;
  }
}
