// KIP-612's broker-wide and per-listener connection creation rates (Kafka's ConnectionQuotas
// waitForConnectionSlot): `max.connection.creation.rate` bounds the connections a broker accepts
// per second over its listeners, `listener.name.<l>.max.connection.creation.rate` (defaulting to
// the broker-wide value) each listener's. A connection over either is still accepted, but its
// listener's acceptor waits the throttle time first, so the connections behind it wait too.
import type { BrokerConfig } from '../config.js';
import { listenerSetting } from '../security/listener-settings.js';
import { recordAndThrottleMs, SampledRate, type RateConfig } from './sampled-rate.js';

export const MAX_CONNECTION_CREATION_RATE = 'max.connection.creation.rate';
/** Kafka's default: no bound (Int.MaxValue). */
const UNBOUNDED = 2147483647;

export class ConnectionCreationRate {
  private readonly broker: SampledRate;
  private readonly listeners = new Map<string, SampledRate>();

  constructor(private readonly config: RateConfig) {
    this.broker = new SampledRate(config);
  }

  /**
   * Records a connection accepted on `listener` and returns how long its acceptor waits before
   * serving it (0: at once), capped at one quota window as Kafka's. The inter-broker listener of a
   * broker with several listeners is exempt from the broker-wide rate (Kafka's protected listener).
   */
  throttleMs(settings: BrokerConfig, listener: string, protectedListener: boolean, nowMs: number): number {
    let ms = 0;
    if (!protectedListener) {
      const bound = settings.number(MAX_CONNECTION_CREATION_RATE);
      if (bound < UNBOUNDED) ms = recordAndThrottleMs(this.broker, bound, 1, nowMs);
    }
    const bound = Number(listenerSetting((n) => settings.get(n), listener, MAX_CONNECTION_CREATION_RATE));
    if (bound < UNBOUNDED) ms = Math.max(ms, recordAndThrottleMs(this.rate(listener), bound, 1, nowMs));
    return Math.min(ms, this.config.windowMs);
  }

  /** Takes back a connection recorded on `listener` that was then refused (its address's own rate). */
  unrecord(listener: string, protectedListener: boolean, nowMs: number): void {
    if (!protectedListener) this.broker.record(-1, nowMs);
    this.listeners.get(listener)?.record(-1, nowMs);
  }

  private rate(listener: string): SampledRate {
    let rate = this.listeners.get(listener);
    if (rate === undefined) this.listeners.set(listener, (rate = new SampledRate(this.config)));
    return rate;
  }
}
