// GROUP config resources (resource type 32): per-group overrides of the broker's group.* settings,
// as Kafka 4.4's GroupConfig defines, validates and describes them. Overrides live as ConfigRecords
// in the metadata log like topic configs; the coordinators read the effective value through
// GroupConfigs (the override, kept inside the broker's current min/max, else the broker's value).
import type { BrokerConfig, ConfigDef } from '../../config.js';
import { invalidValueReason } from '../../metadata/config-validation.js';
import type { DescribedConfig, Synonym } from '../../metadata/config-describer.js';

/** Kafka's ConfigResource.Type id of a group. */
export const GROUP_RESOURCE_TYPE = 32;

/** DescribeConfigs sources of a group config: the group's own override, or the default. */
const GROUP_CONFIG_SOURCE = 8;
const DEFAULT_CONFIG_SOURCE = 5;
const CONFIG_TYPE_ID: Record<string, number> = { boolean: 1, string: 2, int: 3, long: 5, list: 7 };

export interface GroupConfigDef extends ConfigDef {
  /** Kafka hides it from DescribeConfigs unless the group sets it. */
  internal?: boolean;
  /** The broker configs bounding the value (checked on alter, enforced on use). */
  brokerMin?: string;
  brokerMax?: string;
}

const AUTO_OFFSET_RESET = 'share.auto.offset.reset';
const RACK_TAGS = 'streams.rack.aware.assignment.tags';
const STREAMS_ASSIGNOR = 'streams.assignor.name';
const DLQ_TOPIC = 'errors.deadletterqueue.topic.name';

const range = (prefix: string, what: string) => ({ brokerMin: `group.${prefix}.min.${what}`, brokerMax: `group.${prefix}.max.${what}` });

/** Kafka 4.4's GroupConfig keys in its definition order (the order it reports the first bad value in). */
export const GROUP_CONFIGS: readonly GroupConfigDef[] = [
  { name: 'consumer.session.timeout.ms', type: 'int', default: '45000', min: 1, brokerSynonym: 'group.consumer.session.timeout.ms', ...range('consumer', 'session.timeout.ms'), doc: 'Session timeout of the members of this consumer group.' },
  { name: 'consumer.heartbeat.interval.ms', type: 'int', default: '5000', min: 1, brokerSynonym: 'group.consumer.heartbeat.interval.ms', ...range('consumer', 'heartbeat.interval.ms'), doc: 'Heartbeat interval given to the members of this consumer group.' },
  { name: 'consumer.assignment.interval.ms', type: 'int', default: '1000', min: 0, brokerSynonym: 'group.consumer.assignment.interval.ms', ...range('consumer', 'assignment.interval.ms'), doc: 'Least time between two assignments of this consumer group.' },
  { name: 'consumer.assignor.offload.enable', type: 'boolean', default: 'true', internal: true, brokerSynonym: 'group.consumer.assignor.offload.enable', doc: 'Run this consumer group\'s assignor off the coordinator thread.' },
  { name: 'share.session.timeout.ms', type: 'int', default: '45000', min: 1, brokerSynonym: 'group.share.session.timeout.ms', ...range('share', 'session.timeout.ms'), doc: 'Session timeout of the members of this share group.' },
  { name: 'share.heartbeat.interval.ms', type: 'int', default: '5000', min: 1, brokerSynonym: 'group.share.heartbeat.interval.ms', ...range('share', 'heartbeat.interval.ms'), doc: 'Heartbeat interval given to the members of this share group.' },
  { name: 'share.record.lock.duration.ms', type: 'int', default: '30000', min: 1000, brokerSynonym: 'group.share.record.lock.duration.ms', ...range('share', 'record.lock.duration.ms'), doc: 'How long this share group holds a record lock.' },
  { name: 'share.delivery.count.limit', type: 'int', default: '5', min: 2, brokerSynonym: 'group.share.delivery.count.limit', ...range('share', 'delivery.count.limit'), doc: 'Deliveries of a record to this share group before it is archived.' },
  { name: 'share.partition.max.record.locks', type: 'int', default: '2000', min: 100, brokerSynonym: 'group.share.partition.max.record.locks', ...range('share', 'partition.max.record.locks'), doc: 'Most records of a share partition this group locks at once.' },
  { name: AUTO_OFFSET_RESET, type: 'string', default: 'latest', doc: 'Where a new share partition starts: earliest, latest or by_duration:<ISO-8601 duration>.' },
  { name: 'share.isolation.level', type: 'string', default: 'read_uncommitted', validValues: ['read_committed', 'read_uncommitted'], doc: 'Whether this share group sees only committed transactional records.' },
  { name: 'share.renew.acknowledge.enable', type: 'boolean', default: 'true', doc: 'Whether members of this share group may renew record locks.' },
  { name: 'share.assignment.interval.ms', type: 'int', default: '1000', min: 0, brokerSynonym: 'group.share.assignment.interval.ms', ...range('share', 'assignment.interval.ms'), doc: 'Least time between two assignments of this share group.' },
  { name: 'share.assignor.offload.enable', type: 'boolean', default: 'true', internal: true, brokerSynonym: 'group.share.assignor.offload.enable', doc: 'Run this share group\'s assignor off the coordinator thread.' },
  { name: 'streams.session.timeout.ms', type: 'int', default: '45000', min: 1, brokerSynonym: 'group.streams.session.timeout.ms', ...range('streams', 'session.timeout.ms'), doc: 'Session timeout of the members of this streams group.' },
  { name: 'streams.heartbeat.interval.ms', type: 'int', default: '5000', min: 1, brokerSynonym: 'group.streams.heartbeat.interval.ms', ...range('streams', 'heartbeat.interval.ms'), doc: 'Heartbeat interval given to the members of this streams group.' },
  { name: 'streams.num.standby.replicas', type: 'int', default: '0', min: 0, brokerSynonym: 'group.streams.num.standby.replicas', brokerMax: 'group.streams.max.standby.replicas', doc: 'Standby replicas per task of this streams group.' },
  { name: 'streams.initial.rebalance.delay.ms', type: 'int', default: '3000', min: 0, brokerSynonym: 'group.streams.initial.rebalance.delay.ms', doc: 'Wait for more members before the first assignment of this streams group.' },
  { name: 'streams.assignment.interval.ms', type: 'int', default: '1000', min: 0, brokerSynonym: 'group.streams.assignment.interval.ms', ...range('streams', 'assignment.interval.ms'), doc: 'Least time between two assignments of this streams group.' },
  { name: 'streams.assignor.offload.enable', type: 'boolean', default: 'true', internal: true, brokerSynonym: 'group.streams.assignor.offload.enable', doc: 'Run this streams group\'s assignor off the coordinator thread.' },
  { name: 'streams.task.offset.interval.ms', type: 'int', default: '60000', min: 1, internal: true, brokerSynonym: 'group.streams.task.offset.interval.ms', brokerMin: 'group.streams.min.task.offset.interval.ms', doc: 'How often members of this streams group report their task changelog offsets.' },
  { name: 'streams.num.warmup.replicas', type: 'int', default: '2', min: 0, internal: true, brokerSynonym: 'group.streams.num.warmup.replicas', brokerMax: 'group.streams.max.warmup.replicas', doc: 'Warm-up replicas this streams group may have at once.' },
  { name: RACK_TAGS, type: 'list', default: '', brokerSynonym: 'group.streams.rack.aware.assignment.tags', doc: 'Client tags the streams assignor spreads this group\'s standbys over.' },
  { name: 'streams.acceptable.recovery.lag', type: 'long', default: '10000', min: 0, internal: true, brokerSynonym: 'group.streams.acceptable.recovery.lag', doc: 'Changelog lag under which a member of this streams group counts as caught up.' },
  { name: STREAMS_ASSIGNOR, type: 'string', default: null, brokerSynonym: 'group.streams.assignors', doc: 'The task assignor of this streams group, by name among the broker\'s group.streams.assignors (default: the first).' },
  { name: DLQ_TOPIC, type: 'string', default: '', doc: 'Dead-letter queue topic of this share group (blank: none).' },
  { name: 'errors.deadletterqueue.copy.record.enable', type: 'boolean', default: 'false', doc: 'Whether records sent to the dead-letter queue keep their original contents.' },
];

const BY_NAME = new Map(GROUP_CONFIGS.map((d) => [d.name, d]));

export function groupConfigDef(name: string): GroupConfigDef | undefined {
  return BY_NAME.get(name);
}

/** Kafka's INVALID_CONFIG for a group's configs (InvalidConfigurationException / ConfigException). */
export class InvalidGroupConfig extends Error {
  override readonly name = 'InvalidGroupConfig';
}

/** Java's Duration.parse grammar (PnDTnHnMn.nS, case-insensitive, signs allowed per part). */
const ISO_DURATION = /^([-+]?)P(?:([-+]?\d+)D)?(T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i;

function isNonNegativeDuration(s: string): boolean {
  const m = ISO_DURATION.exec(s);
  if (!m) return false;
  const [, sign, d, t, h, min, sec, frac] = m;
  if (d === undefined && t === undefined) return false;
  if (t !== undefined && h === undefined && min === undefined && sec === undefined) return false;
  const secSign = sec?.startsWith('-') ? -1 : 1;
  const nanos = frac ? secSign * Number(frac.padEnd(9, '0')) : 0;
  const total = (Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(sec ?? 0)) * 1e9 + nanos;
  return (sign === '-' ? -total : total) >= 0;
}

/** ConfigDef.parse of one value: null when Kafka accepts it, else its message. */
function parseReason(def: GroupConfigDef, raw: string): string | null {
  if (def.name === AUTO_OFFSET_RESET) {
    const v = raw.trim();
    const ok = v === 'earliest' || v === 'latest' || (v.startsWith('by_duration:') && isNonNegativeDuration(v.slice('by_duration:'.length)));
    if (ok) return null;
    return `Invalid value ${v} for configuration ${def.name}: Invalid value \`${v}\` for configuration ${def.name}. The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS>'.`;
  }
  return invalidValueReason(def, raw);
}

function brokerInt(broker: BrokerConfig, name: string): number {
  return broker.number(name);
}

/** The broker's value a group inherits when it has no override (null: none). */
function brokerDefault(def: GroupConfigDef, broker: BrokerConfig): string | null {
  if (!def.brokerSynonym) return def.default;
  const v = broker.get(def.brokerSynonym);
  // streams.assignor.name defaults to the first of the broker's assignors.
  if (def.name === STREAMS_ASSIGNOR) return v === null ? null : (v.split(',')[0]?.trim() ?? null);
  return v ?? def.default;
}

/**
 * Checks a group's configs as they would be after an alter (all of them, as Kafka validates the
 * resource as a whole), in Kafka's order; throws InvalidGroupConfig with its message.
 */
export function validateGroupConfigs(props: ReadonlyMap<string, string>, broker: BrokerConfig): void {
  for (const name of props.keys()) if (!BY_NAME.has(name)) throw new InvalidGroupConfig(`Unknown group config name: ${name}`);
  const tags = props.get(RACK_TAGS);
  if (tags !== undefined) {
    // Java's String.split: the separator eats the spaces around commas, trailing empty parts go.
    const list = tags.trim() === '' ? [] : tags.split(/\s*,\s*/);
    while (list.length > 0 && list[list.length - 1] === '') list.pop();
    if (new Set(list).size !== list.length) throw new InvalidGroupConfig(`${RACK_TAGS} must not contain duplicate tag keys.`);
  }
  for (const def of GROUP_CONFIGS) {
    const raw = props.get(def.name);
    if (raw === undefined) continue;
    const bad = parseReason(def, raw);
    if (bad) throw new InvalidGroupConfig(bad);
  }
  const int = (name: string) => (props.has(name) ? Number(props.get(name)!.trim()) : undefined);

  // The broker's bounds, in the order Kafka checks them.
  for (const name of BOUND_ORDER) {
    const def = BY_NAME.get(name)!;
    const v = int(name);
    if (v === undefined) continue;
    const lo = def.brokerMin ? brokerInt(broker, def.brokerMin) : undefined;
    const hi = def.brokerMax ? brokerInt(broker, def.brokerMax) : undefined;
    if (lo !== undefined && hi !== undefined) {
      if (v < lo || v > hi) throw new InvalidGroupConfig(`${name} must be in the range ${lo} to ${hi} inclusive.`);
    } else if (hi !== undefined) {
      if (v > hi) throw new InvalidGroupConfig(`${name} must be less than or equal to ${hi}`);
    } else if (lo !== undefined && v < lo) {
      throw new InvalidGroupConfig(`${name} must be greater than or equal to ${lo}`);
    }
  }
  const assignor = props.get(STREAMS_ASSIGNOR);
  if (assignor !== undefined) {
    const registered = (broker.get('group.streams.assignors') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (!registered.includes(assignor.trim())) {
      throw new InvalidGroupConfig(`${STREAMS_ASSIGNOR} '${assignor.trim()}' is not a registered task assignor. Registered assignors are: [${registered.join(', ')}].`);
    }
  }
  // A session must outlast a heartbeat, the unset one taken from the broker.
  for (const kind of ['consumer', 'share', 'streams']) {
    const session = `${kind}.session.timeout.ms`;
    const heartbeat = `${kind}.heartbeat.interval.ms`;
    if (!props.has(session) && !props.has(heartbeat)) continue;
    const s = int(session) ?? brokerInt(broker, `group.${kind}.session.timeout.ms`);
    const h = int(heartbeat) ?? brokerInt(broker, `group.${kind}.heartbeat.interval.ms`);
    if (s <= h) throw new InvalidGroupConfig(`${session} must be greater than ${heartbeat}`);
  }
  const dlq = props.get(DLQ_TOPIC)?.trim();
  if (dlq && dlq.startsWith('__')) throw new InvalidGroupConfig(`${DLQ_TOPIC}: DLQ topic name must not start with '__'`);
}

/** Kafka's validateValues order of the bounded configs. */
const BOUND_ORDER = [
  'consumer.heartbeat.interval.ms',
  'consumer.session.timeout.ms',
  'consumer.assignment.interval.ms',
  'share.heartbeat.interval.ms',
  'share.session.timeout.ms',
  'share.record.lock.duration.ms',
  'share.delivery.count.limit',
  'share.partition.max.record.locks',
  'share.assignment.interval.ms',
  'streams.heartbeat.interval.ms',
  'streams.session.timeout.ms',
  'streams.num.standby.replicas',
  'streams.assignment.interval.ms',
  'streams.task.offset.interval.ms',
  'streams.num.warmup.replicas',
];

/** A value as Kafka prints it once parsed (trimmed; lists without spaces). */
function normalise(def: GroupConfigDef, value: string): string {
  if (def.type === 'list') return value.split(',').map((s) => s.trim()).filter((s) => s !== '').join(',');
  if (def.type === 'boolean') return value.trim().toLowerCase();
  return value.trim();
}

/**
 * DescribeConfigs of a group: every config Kafka lists (internal ones only when the group or the
 * broker sets them), by name. The synonyms are the group's override (source GROUP_CONFIG), then the
 * broker config it inherits in each layer that sets it, as `brokerLayers` gives them (dynamic
 * per-broker, dynamic cluster default, static, default); a config no broker config stands behind
 * has Kafka's default under its own name.
 */
export function describeGroupConfigs(
  overrides: ReadonlyMap<string, string>,
  brokerLayers: (brokerConfig: string) => Synonym[],
  keys: readonly string[] | null = null,
  includeDocumentation = false,
): DescribedConfig[] {
  const out: DescribedConfig[] = [];
  for (const def of [...GROUP_CONFIGS].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (keys && !keys.includes(def.name)) continue;
    const inherited: Synonym[] = def.brokerSynonym
      ? brokerLayers(def.brokerSynonym)
      : def.default === null
        ? []
        : [{ name: def.name, value: def.default, source: DEFAULT_CONFIG_SOURCE }];
    const own = overrides.get(def.name);
    if (def.internal && own === undefined && !inherited.some((s) => s.source !== DEFAULT_CONFIG_SOURCE)) continue;
    const synonyms: Synonym[] = own !== undefined ? [{ name: def.name, value: normalise(def, own), source: GROUP_CONFIG_SOURCE }, ...inherited] : inherited;
    let fallback = inherited[0]?.value ?? null;
    // streams.assignor.name defaults to the first of the broker's assignors.
    if (def.name === STREAMS_ASSIGNOR && fallback !== null) fallback = fallback.split(',')[0]!.trim();
    out.push({
      name: def.name,
      value: own !== undefined ? normalise(def, own) : fallback,
      readOnly: false,
      configSource: synonyms[0]?.source ?? DEFAULT_CONFIG_SOURCE,
      isSensitive: false,
      synonyms,
      configType: CONFIG_TYPE_ID[def.type] ?? 0,
      documentation: includeDocumentation ? (def.doc ?? null) : null,
    });
  }
  return out;
}

/** Where GroupConfigs finds a group's overrides and the broker's settings. */
export interface GroupConfigSource {
  overrides(groupId: string): ReadonlyMap<string, string>;
  broker(): BrokerConfig;
}

/**
 * The effective group-level settings the coordinators use: the group's override, moved inside the
 * broker's current min/max (Kafka 4.4 caps a value the bounds no longer allow), else the broker's
 * value (e.g. consumer.session.timeout.ms -> group.consumer.session.timeout.ms).
 */
export class GroupConfigs {
  constructor(private readonly source: GroupConfigSource) {}

  private raw(groupId: string, name: string): { def: GroupConfigDef; value: string | null; own: boolean } {
    const def = BY_NAME.get(name);
    if (!def) throw new Error(`unknown group config '${name}'`);
    const own = this.source.overrides(groupId).get(name);
    if (own !== undefined) return { def, value: normalise(def, own), own: true };
    return { def, value: brokerDefault(def, this.source.broker()), own: false };
  }

  number(groupId: string, name: string): number {
    const { def, value, own } = this.raw(groupId, name);
    let n = Number(value);
    if (own) {
      const broker = this.source.broker();
      if (def.brokerMin) n = Math.max(n, brokerInt(broker, def.brokerMin));
      if (def.brokerMax) n = Math.min(n, brokerInt(broker, def.brokerMax));
    }
    return n;
  }

  string(groupId: string, name: string): string {
    return this.raw(groupId, name).value ?? '';
  }

  bool(groupId: string, name: string): boolean {
    return this.raw(groupId, name).value === 'true';
  }
}
