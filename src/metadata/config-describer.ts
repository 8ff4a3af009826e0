// Topic and broker configs as DescribeConfigs (and CreateTopics v5+) report them: value, source,
// synonyms, type and documentation, following Kafka's ConfigHelper. A topic config's synonyms
// are its own override, then its broker synonym's values from each layer (dynamic per-broker,
// dynamic cluster default, static, default); the first synonym is the value's source.
import { BROKER_CONFIGS, TOPIC_CONFIGS, brokerConfigDef, type ConfigDef, type ConfigType } from '../config.js';
import type { DynamicBrokerConfig } from './dynamic-config.js';
import type { MetadataImage } from './image.js';

/** Kafka's ConfigSource ids on the wire. */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** Kafka's DescribeConfigs ConfigType ids. */
const CONFIG_TYPE_ID: Record<ConfigType, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

export interface Synonym {
  name: string;
  value: string | null;
  source: number;
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: Synonym[];
  configType: number;
  documentation: string | null;
}

/** Broker configs whose value other names also set, most specific first (DynamicBrokerConfig.brokerConfigSynonyms). */
const BROKER_SYNONYMS: Record<string, string[]> = {
  'log.roll.ms': ['log.roll.ms', 'log.roll.hours'],
  'log.roll.jitter.ms': ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  'log.retention.ms': ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  'log.flush.interval.ms': ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
};

/** Configs in name order, as Kafka lists a new topic's configs. */
const TOPIC_DEFS = [...TOPIC_CONFIGS].sort((a, b) => (a.name < b.name ? -1 : 1));
const byName = (a: ConfigDef, b: ConfigDef) => (a.name < b.name ? -1 : 1);
const BROKER_DEFS = BROKER_CONFIGS.filter((d) => !d.unlisted).sort(byName);
/** Configs Kafka lists for a broker only once set (then among its originals: the replication throttle rates...). */
const UNLISTED_BROKER_DEFS = BROKER_CONFIGS.filter((d) => d.unlisted);

export function brokerSynonyms(name: string): string[] {
  return BROKER_SYNONYMS[name] ?? [name];
}

/** Values the broker knows only at run time (where it listens, its log dir). */
export type LiveBrokerValues = Record<string, string | null>;

export class ConfigDescriber {
  constructor(
    private readonly dynamic: DynamicBrokerConfig,
    private readonly live: () => LiveBrokerValues,
  ) {}

  private staticValue(name: string): string | undefined {
    return this.live()[name] ?? this.dynamic.staticConfig.explicit(name);
  }

  /** Kafka's configSynonyms: each layer in turn, then everything before `name` itself dropped. */
  private synonymsOf(image: MetadataImage, name: string, names: string[], sensitive: boolean, perBroker: boolean): Synonym[] {
    const out: Synonym[] = [];
    const layers: [number, (n: string) => string | null | undefined][] = [
      [ConfigSource.DYNAMIC_BROKER_CONFIG, (n) => this.dynamic.perBroker(image).get(n)],
      [ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, (n) => this.dynamic.clusterDefaults(image).get(n)],
      [ConfigSource.STATIC_BROKER_CONFIG, (n) => this.staticValue(n)],
      [ConfigSource.DEFAULT_CONFIG, (n) => brokerConfigDef(n)?.default],
    ];
    for (const [source, get] of layers) {
      for (const n of names) {
        const v = get(n);
        if (v !== undefined && v !== null) out.push({ name: n, value: sensitive ? null : v, source });
      }
    }
    const first = out.findIndex((s) => s.name === name);
    const kept = first < 0 ? [] : out.slice(first);
    return perBroker ? kept : kept.filter((s) => s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
  }

  /**
   * A broker config's value in each layer that sets it (per-broker, cluster default, static, default),
   * most specific first: the synonyms of a config that inherits it, as a group config does.
   */
  brokerLayers(image: MetadataImage, name: string): Synonym[] {
    return this.synonymsOf(image, name, brokerSynonyms(name), brokerConfigDef(name)?.type === 'password', true);
  }

  /** Every topic config for `topic` with the given overrides (those of the image unless passed). */
  topic(image: MetadataImage, topic: string, overrides?: Record<string, string>, keys: string[] | null = null, includeDocumentation = false): DescribedConfig[] {
    const own = overrides ?? image.configs.topicConfigs(topic);
    const broker = this.dynamic.current(image);
    const out: DescribedConfig[] = [];
    for (const def of TOPIC_DEFS) {
      if (keys && !keys.includes(def.name)) continue;
      const sensitive = def.type === 'password';
      const synonyms = def.brokerSynonym ? this.synonymsOf(image, def.brokerSynonym, brokerSynonyms(def.brokerSynonym), sensitive, true) : [];
      const explicit = own[def.name];
      if (explicit !== undefined) synonyms.unshift({ name: def.name, value: sensitive ? null : normalise(def, explicit), source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
      const value = explicit !== undefined ? normalise(def, explicit) : (broker.topicDefault(def.name) ?? def.default);
      out.push({
        name: def.name,
        value: sensitive ? null : value,
        readOnly: false,
        configSource: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
        isSensitive: sensitive,
        synonyms,
        configType: CONFIG_TYPE_ID[def.type],
        documentation: includeDocumentation ? (def.doc ?? null) : null,
      });
    }
    return out;
  }

  /** The listed broker configs, and the unlisted ones set in some layer. */
  private perBrokerDefs(image: MetadataImage): ConfigDef[] {
    const mine = this.dynamic.perBroker(image);
    const defaults = this.dynamic.clusterDefaults(image);
    const set = UNLISTED_BROKER_DEFS.filter((d) => mine.has(d.name) || defaults.has(d.name) || this.staticValue(d.name) !== undefined);
    return set.length === 0 ? BROKER_DEFS : [...BROKER_DEFS, ...set].sort(byName);
  }

  /**
   * Broker configs: for this broker's id every config with its effective value; for the
   * cluster-wide default resource ("") only the dynamic defaults that are set.
   */
  broker(image: MetadataImage, perBroker: boolean, keys: string[] | null = null, includeDocumentation = false): DescribedConfig[] {
    const defaults = this.dynamic.clusterDefaults(image);
    const out: DescribedConfig[] = [];
    const defs: ConfigDef[] = perBroker ? this.perBrokerDefs(image) : [...defaults.keys()].map((k) => brokerConfigDef(k)).filter((d): d is ConfigDef => d !== undefined);
    for (const def of defs) {
      if (keys && !keys.includes(def.name)) continue;
      const sensitive = def.type === 'password';
      const synonyms = this.synonymsOf(image, def.name, brokerSynonyms(def.name), sensitive, perBroker);
      const value = perBroker
        ? (this.dynamic.perBroker(image).get(def.name) ?? defaults.get(def.name) ?? this.staticValue(def.name) ?? def.default)
        : (defaults.get(def.name) ?? null);
      out.push({
        name: def.name,
        value: sensitive ? null : value,
        readOnly: !def.dynamic,
        configSource: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
        isSensitive: sensitive,
        synonyms,
        configType: CONFIG_TYPE_ID[def.type],
        documentation: includeDocumentation ? (def.doc ?? null) : null,
      });
    }
    return out;
  }
}

/** The value as Kafka prints a parsed config (lists without spaces, numbers trimmed). */
function normalise(def: ConfigDef, value: string): string {
  if (def.type === 'list') return value.split(',').map((s) => s.trim()).filter((s) => s !== '').join(',');
  if (def.type === 'string' || def.type === 'password' || def.type === 'class') return value;
  return value.trim();
}
