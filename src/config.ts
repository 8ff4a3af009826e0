// Every broker and topic config samsa knows: Kafka's names, types and defaults, in one table.
// Topic configs name the broker config that supplies their default (Kafka's "synonym").

export type ConfigType = 'boolean' | 'int' | 'long' | 'double' | 'string' | 'list' | 'class' | 'password';

export interface ConfigDef {
  name: string;
  type: ConfigType;
  /** Kafka's default, as Kafka prints it (null: no default). */
  default: string | null;
  /** For a topic config: the broker config whose value is the default. */
  brokerSynonym?: string;
}

const LONG_MAX = '9223372036854775807';

export const BROKER_CONFIGS: readonly ConfigDef[] = [
  { name: 'node.id', type: 'int', default: '1' },
  { name: 'broker.id', type: 'int', default: '1' },
  { name: 'num.partitions', type: 'int', default: '1' },
  { name: 'auto.create.topics.enable', type: 'boolean', default: 'true' },
  { name: 'default.replication.factor', type: 'int', default: '1' },
  { name: 'message.max.bytes', type: 'int', default: '1048588' },
  { name: 'log.segment.bytes', type: 'int', default: '1073741824' },
  { name: 'log.roll.ms', type: 'long', default: null },
  { name: 'log.roll.hours', type: 'int', default: '168' },
  { name: 'log.retention.ms', type: 'long', default: null },
  { name: 'log.retention.hours', type: 'int', default: '168' },
  { name: 'log.retention.bytes', type: 'long', default: '-1' },
  { name: 'log.index.interval.bytes', type: 'int', default: '4096' },
  { name: 'log.index.size.max.bytes', type: 'int', default: '10485760' },
  { name: 'log.flush.interval.messages', type: 'long', default: LONG_MAX },
  { name: 'log.flush.interval.ms', type: 'long', default: null },
  { name: 'log.message.timestamp.type', type: 'string', default: 'CreateTime' },
  { name: 'log.message.timestamp.before.max.ms', type: 'long', default: LONG_MAX },
  { name: 'log.message.timestamp.after.max.ms', type: 'long', default: '3600000' },
  { name: 'log.cleanup.policy', type: 'list', default: 'delete' },
  { name: 'log.cleaner.delete.retention.ms', type: 'long', default: '86400000' },
  { name: 'log.cleaner.min.compaction.lag.ms', type: 'long', default: '0' },
  { name: 'log.cleaner.max.compaction.lag.ms', type: 'long', default: LONG_MAX },
  { name: 'log.cleaner.min.cleanable.ratio', type: 'double', default: '0.5' },
  { name: 'compression.type', type: 'string', default: 'producer' },
  { name: 'min.insync.replicas', type: 'int', default: '1' },
  { name: 'socket.request.max.bytes', type: 'int', default: '104857600' },
  { name: 'fetch.max.bytes', type: 'int', default: '57671680' },
  { name: 'offsets.topic.num.partitions', type: 'int', default: '50' },
  { name: 'offsets.retention.minutes', type: 'int', default: '10080' },
  { name: 'group.initial.rebalance.delay.ms', type: 'int', default: '3000' },
  { name: 'group.min.session.timeout.ms', type: 'int', default: '6000' },
  { name: 'group.max.session.timeout.ms', type: 'int', default: '1800000' },
  { name: 'group.max.size', type: 'int', default: '2147483647' },
  { name: 'offsets.retention.check.interval.ms', type: 'long', default: '600000' },
  { name: 'offsets.topic.segment.bytes', type: 'int', default: '104857600' },
  { name: 'offsets.load.buffer.size', type: 'int', default: '5242880' },
  { name: 'offset.metadata.max.bytes', type: 'int', default: '4096' },
  { name: 'transactional.id.expiration.ms', type: 'int', default: '604800000' },
  { name: 'producer.id.expiration.ms', type: 'int', default: '86400000' },
];

export const TOPIC_CONFIGS: readonly ConfigDef[] = [
  { name: 'cleanup.policy', type: 'list', default: 'delete', brokerSynonym: 'log.cleanup.policy' },
  { name: 'compression.type', type: 'string', default: 'producer', brokerSynonym: 'compression.type' },
  { name: 'delete.retention.ms', type: 'long', default: '86400000', brokerSynonym: 'log.cleaner.delete.retention.ms' },
  { name: 'flush.messages', type: 'long', default: LONG_MAX, brokerSynonym: 'log.flush.interval.messages' },
  { name: 'flush.ms', type: 'long', default: LONG_MAX, brokerSynonym: 'log.flush.interval.ms' },
  { name: 'index.interval.bytes', type: 'int', default: '4096', brokerSynonym: 'log.index.interval.bytes' },
  { name: 'max.compaction.lag.ms', type: 'long', default: LONG_MAX, brokerSynonym: 'log.cleaner.max.compaction.lag.ms' },
  { name: 'max.message.bytes', type: 'int', default: '1048588', brokerSynonym: 'message.max.bytes' },
  { name: 'message.timestamp.type', type: 'string', default: 'CreateTime', brokerSynonym: 'log.message.timestamp.type' },
  { name: 'message.timestamp.before.max.ms', type: 'long', default: LONG_MAX, brokerSynonym: 'log.message.timestamp.before.max.ms' },
  { name: 'message.timestamp.after.max.ms', type: 'long', default: '3600000', brokerSynonym: 'log.message.timestamp.after.max.ms' },
  { name: 'min.cleanable.dirty.ratio', type: 'double', default: '0.5', brokerSynonym: 'log.cleaner.min.cleanable.ratio' },
  { name: 'min.compaction.lag.ms', type: 'long', default: '0', brokerSynonym: 'log.cleaner.min.compaction.lag.ms' },
  { name: 'min.insync.replicas', type: 'int', default: '1', brokerSynonym: 'min.insync.replicas' },
  { name: 'retention.bytes', type: 'long', default: '-1', brokerSynonym: 'log.retention.bytes' },
  { name: 'retention.ms', type: 'long', default: '604800000', brokerSynonym: 'log.retention.ms' },
  { name: 'segment.bytes', type: 'int', default: '1073741824', brokerSynonym: 'log.segment.bytes' },
  { name: 'segment.index.bytes', type: 'int', default: '10485760', brokerSynonym: 'log.index.size.max.bytes' },
  { name: 'segment.ms', type: 'long', default: '604800000', brokerSynonym: 'log.roll.ms' },
];

const BROKER_BY_NAME = new Map(BROKER_CONFIGS.map((d) => [d.name, d]));
const TOPIC_BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

export function brokerConfigDef(name: string): ConfigDef | undefined {
  return BROKER_BY_NAME.get(name);
}
export function topicConfigDef(name: string): ConfigDef | undefined {
  return TOPIC_BY_NAME.get(name);
}

/** Broker settings as given (--config key=value), falling back to the table's defaults. */
export class BrokerConfig {
  private readonly values = new Map<string, string>();

  constructor(overrides: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(overrides)) {
      if (!BROKER_BY_NAME.has(k)) throw new Error(`unknown broker config '${k}'`);
      checkValue(BROKER_BY_NAME.get(k)!, v);
      this.values.set(k, v);
    }
  }

  /** The explicitly set value, or undefined. */
  explicit(name: string): string | undefined {
    return this.values.get(name);
  }

  get(name: string): string | null {
    const v = this.values.get(name);
    if (v !== undefined) return v;
    // Kafka derives a few ms settings from their coarser siblings when unset.
    if (name === 'log.retention.ms') return String(Number(this.get('log.retention.hours')) * 3600000);
    if (name === 'log.roll.ms') return String(Number(this.get('log.roll.hours')) * 3600000);
    if (name === 'log.flush.interval.ms') return this.get('log.flush.interval.messages') === LONG_MAX ? LONG_MAX : null;
    return BROKER_BY_NAME.get(name)?.default ?? null;
  }

  number(name: string): number {
    return Number(this.get(name));
  }

  bool(name: string): boolean {
    return this.get(name) === 'true';
  }

  /** The default for a topic config on this broker (its broker synonym's value). */
  topicDefault(name: string): string | null {
    const def = TOPIC_BY_NAME.get(name);
    if (!def) return null;
    const fromBroker = def.brokerSynonym ? this.get(def.brokerSynonym) : null;
    return fromBroker ?? def.default;
  }

  /** The effective LogConfig for a topic with the given per-topic overrides. */
  logConfig(topicOverrides: Record<string, string> = {}): LogConfig {
    const v = (name: string) => topicOverrides[name] ?? this.topicDefault(name) ?? '';
    return {
      segmentBytes: Number(v('segment.bytes')),
      segmentMs: Number(v('segment.ms')),
      indexIntervalBytes: Number(v('index.interval.bytes')),
      maxMessageBytes: Number(v('max.message.bytes')),
      timestampType: v('message.timestamp.type') === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime',
      timestampBeforeMaxMs: Number(v('message.timestamp.before.max.ms')),
      timestampAfterMaxMs: Number(v('message.timestamp.after.max.ms')),
      flushMessages: Number(v('flush.messages')),
      flushMs: Number(v('flush.ms')),
      retentionMs: Number(v('retention.ms')),
      retentionBytes: Number(v('retention.bytes')),
      cleanupPolicy: v('cleanup.policy').split(',').map((s) => s.trim()),
      compressionType: v('compression.type'),
      minInsyncReplicas: Number(v('min.insync.replicas')),
    };
  }
}

/** The per-partition settings the storage engine and produce path act on. */
export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  indexIntervalBytes: number;
  maxMessageBytes: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  /** How far a CreateTime timestamp may lie in the past / future (Kafka 3.6+ configs). */
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
  flushMessages: number;
  flushMs: number;
  retentionMs: number;
  retentionBytes: number;
  cleanupPolicy: string[];
  compressionType: string;
  minInsyncReplicas: number;
}

/** Throws a one-line error when `value` does not parse as the config's type. */
export function checkValue(def: ConfigDef, value: string): void {
  const bad = () => new Error(`invalid value '${value}' for config '${def.name}' (${def.type})`);
  switch (def.type) {
    case 'int':
    case 'long':
      if (!/^-?\d+$/.test(value)) throw bad();
      break;
    case 'double':
      if (Number.isNaN(Number(value)) || value.trim() === '') throw bad();
      break;
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw bad();
      break;
    default:
      break;
  }
}
