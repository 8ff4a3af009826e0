// Effective broker settings: the static ones (command line) under the dynamic ones the metadata
// log holds, per-broker over cluster-wide default, as Kafka's DynamicBrokerConfig layers them.
// Topic LogConfigs are built on top, so a dynamic broker default reaches every topic without
// its own override.
import { BrokerConfig, brokerConfigDef, checkValue, type LogConfig } from '../config.js';
import type { MetadataImage } from './image.js';
import { ResourceType } from './records.js';

export class DynamicBrokerConfig {
  private cachedFor: [ReadonlyMap<string, string>, ReadonlyMap<string, string>] | null = null;
  private cached: BrokerConfig;

  constructor(
    readonly staticConfig: BrokerConfig,
    private readonly staticOverrides: Record<string, string>,
    readonly nodeId: number,
  ) {
    this.cached = staticConfig;
  }

  /** The dynamic configs set for this broker (source DYNAMIC_BROKER_CONFIG). */
  perBroker(image: MetadataImage): ReadonlyMap<string, string> {
    return image.configs.get(ResourceType.BROKER, String(this.nodeId));
  }

  /** The cluster-wide dynamic defaults (source DYNAMIC_DEFAULT_BROKER_CONFIG). */
  clusterDefaults(image: MetadataImage): ReadonlyMap<string, string> {
    return image.configs.get(ResourceType.BROKER, '');
  }

  /** Broker settings with the image's dynamic configs applied. */
  current(image: MetadataImage): BrokerConfig {
    const defaults = this.clusterDefaults(image);
    const mine = this.perBroker(image);
    if (defaults.size === 0 && mine.size === 0) return this.staticConfig;
    if (this.cachedFor && this.cachedFor[0] === defaults && this.cachedFor[1] === mine) return this.cached;
    const merged: Record<string, string> = { ...this.staticOverrides };
    for (const layer of [defaults, mine]) {
      // Only configs samsa knows reach BrokerConfig; others are kept in the log but have no effect.
      // Kafka stores what it is given and ignores values it cannot use, so bad ones are skipped.
      for (const [k, v] of layer) {
        // Per-listener settings (a listener's key store, trust store, JAAS config) reach the listener as given.
        if (k.startsWith('listener.name.')) {
          merged[k] = v;
          continue;
        }
        const def = brokerConfigDef(k);
        if (!def) continue;
        try {
          checkValue(def, v);
          merged[k] = v;
        } catch {
          /* skipped */
        }
      }
    }
    let next: BrokerConfig;
    try {
      next = new BrokerConfig(merged);
    } catch {
      next = this.staticConfig;
    }
    this.cachedFor = [defaults, mine];
    this.cached = next;
    return next;
  }

  logConfig(image: MetadataImage, topic: string): LogConfig {
    return this.current(image).logConfig(image.configs.topicConfigs(topic));
  }
}
