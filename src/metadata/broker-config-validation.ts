// Dynamic broker configs checked as Kafka 4.4's broker checks them before it forwards an
// AlterConfigs or IncrementalAlterConfigs to the controller (ConfigAdminManager, then
// DynamicBrokerConfig's validation), with the same messages: every failure is INVALID_REQUEST.
// In Kafka's order: read-only configs; keystore and truststore settings without a listener prefix;
// values (type, range, allowed values, list rules); per-broker configs set as the cluster default;
// the broker config's cross-checks ("requirement failed: ..."); then the checks of the components
// that apply a change at run time (thread pools, connection limits, local retention).
// Configs Kafka does not know are accepted and stored, as Kafka does.
import { brokerConfigDef, type BrokerConfig, type ConfigDef } from '../config.js';
import { invalidValueReason } from './config-validation.js';

/** A listener-prefixed config (listener.name.NAME.CONFIG) and its base name. */
const LISTENER_CONFIG = /^listener\.name\.[^.]*\.(.*)$/s;
/** Listener configs that may also be set cluster-wide under a listener prefix (Kafka's ClusterLevelListenerConfigs). */
const CLUSTER_LEVEL_LISTENER_CONFIGS = new Set(['max.connections', 'max.connection.creation.rate', 'num.network.threads']);
/** The only metrics reporter class a samsa broker has. */
const JMX_REPORTER = 'org.apache.kafka.common.metrics.JmxReporter';
const MB = 1024 * 1024;
/** A listener as Kafka parses one: NAME://HOST:PORT, the host possibly in brackets. */
const ENDPOINT = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)/;

export class InvalidBrokerConfig extends Error {}

function baseName(name: string): string {
  return LISTENER_CONFIG.exec(name)?.[1] ?? name;
}

/** Java's String.hashCode. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * A java.util.HashSet of names as its toString prints it: in the order of their hash buckets
 * (a table of at least `capacity` slots, doubled while over three quarters full), as Kafka's
 * messages list the configs they name.
 */
export function javaSetString(names: string[], capacity = 16): string {
  let n = 1;
  while (n < capacity) n *= 2;
  while (names.length > n * 0.75) n *= 2;
  const bucket = (s: string) => {
    const h = javaHash(s);
    return (h ^ (h >>> 16)) & (n - 1);
  };
  const sorted = names.map((s, i) => [bucket(s), i, s] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return `[${sorted.map((x) => x[2]).join(', ')}]`;
}

function check(names: string[], message: string, capacity?: number): void {
  if (names.length > 0) throw new InvalidBrokerConfig(`${message}: ${javaSetString(names, capacity)}`);
}

/** A failure of a component's own check, as Kafka wraps it ("Invalid dynamic configuration"). */
function reconfigurationFailure(reason: string): InvalidBrokerConfig {
  return new InvalidBrokerConfig(`Invalid value org.apache.kafka.common.config.ConfigException: ${reason} for configuration Invalid dynamic configuration`);
}

/** Kafka's message for a value of a dynamic config it cannot take, or null. */
function invalidDynamicValue(def: ConfigDef, value: string): string | null {
  if (def.type === 'class') {
    // samsa loads no classes: only the ones it stands for exist.
    return value === def.default ? null : `Invalid value ${value} for configuration ${def.name}: Class ${value} could not be found.`;
  }
  if (def.type === 'list') {
    const items = value.trim() === '' ? [] : value.split(',').map((s) => s.trim());
    if (items.length === 0 && def.rule === 'non-empty-list') return `Configuration '${def.name}' must not be empty. Valid values include: any non-empty value`;
    if (new Set(items).size !== items.length) return `Configuration '${def.name}' values must not be duplicated.`;
    const outside = def.validValues && items.find((x) => !def.validValues!.includes(x));
    if (outside !== undefined) return `Invalid value ${outside} for configuration ${def.name}: String must be one of: ${def.validValues!.join(', ')}`;
    if (def.name === 'listeners') {
      const bad = items.find((x) => !ENDPOINT.test(x));
      if (bad !== undefined) return `Error creating broker listeners from '[${items.join(', ')}]': Unable to parse ${bad} to a broker endpoint`;
    }
  }
  if (def.name === 'listener.security.protocol.map' || def.name === 'max.connections.per.ip.overrides') {
    // Kafka splits each entry at its ':' and fails on one without.
    const bad = value.split(',').map((s) => s.trim()).find((x) => x !== '' && !x.includes(':'));
    if (bad !== undefined) return `Error parsing configuration property '${def.name}': begin 0, end -1, length ${bad.length}`;
  }
  return invalidValueReason(def, value);
}

/** A dynamic config's definition when Kafka checks its value (config.providers it resolves instead). */
function dynamicDef(name: string): ConfigDef | undefined {
  const def = brokerConfigDef(baseName(name));
  return def?.dynamic && def.name !== 'config.providers' ? def : undefined;
}

/**
 * The configs a broker resource keeps from what it had: Kafka drops, without a word, stored
 * dynamic configs it would refuse now (DynamicBrokerConfig.fromPersistentProps).
 */
export function keptBrokerConfigs(stored: ReadonlyMap<string, string>, perBroker: boolean): Map<string, string> {
  const kept = new Map<string, string>();
  for (const [name, value] of stored) {
    const def = brokerConfigDef(name);
    if (def && !def.dynamic) continue;
    if (def?.dynamic === 'per-listener') continue;
    if (!perBroker && isPerBroker(name)) continue;
    const d = dynamicDef(name);
    if (d && invalidDynamicValue(d, value) !== null) continue;
    kept.set(name, value);
  }
  return kept;
}

function isPerBroker(name: string): boolean {
  const def = brokerConfigDef(name);
  if (def?.dynamic === 'per-broker' || def?.dynamic === 'per-listener') return true;
  const m = LISTENER_CONFIG.exec(name);
  return m !== null && !CLUSTER_LEVEL_LISTENER_CONFIGS.has(m[1]);
}

export interface BrokerConfigLayers {
  staticConfig: BrokerConfig;
  /** The dynamic cluster-wide defaults in effect. */
  clusterDefaults: ReadonlyMap<string, string>;
  /** This broker's dynamic configs in effect. */
  perBroker: ReadonlyMap<string, string>;
}

/**
 * Throws InvalidBrokerConfig with Kafka's message when `props`, the configs a broker resource
 * would hold after the change (this broker's when `perBroker`, else the cluster defaults), is
 * not one Kafka would take.
 */
export function validateBrokerConfigs(props: ReadonlyMap<string, string>, perBroker: boolean, layers: BrokerConfigLayers): void {
  const names = [...props.keys()];
  // A HashSet copied from all the resource's configs: its table is sized by their count.
  check(
    names.filter((n) => {
      const def = brokerConfigDef(n);
      return def !== undefined && !def.dynamic;
    }),
    'Cannot update these configs dynamically',
    Math.max(Math.floor(names.length / 0.75) + 1, 16),
  );
  check(
    names.filter((n) => brokerConfigDef(n)?.dynamic === 'per-listener'),
    'These security configs can be dynamically updated only per-listener using the listener prefix',
  );
  for (const [name, value] of props) {
    const def = dynamicDef(name);
    const bad = def ? invalidDynamicValue(def, value) : null;
    if (bad) throw new InvalidBrokerConfig(bad);
  }
  if (!perBroker) check(names.filter(isPerBroker), 'Cannot update these configs at default cluster level, broker id must be specified');

  const current = (n: string) => layers.perBroker.get(n) ?? layers.clusterDefaults.get(n) ?? layers.staticConfig.get(n);
  const next = perBroker
    ? (n: string) => props.get(n) ?? layers.clusterDefaults.get(n) ?? layers.staticConfig.get(n)
    : (n: string) => layers.perBroker.get(n) ?? props.get(n) ?? layers.staticConfig.get(n);
  checkRequirements(next);
  checkReconfiguration(props, current, next);
}

/** The cross-checks of Kafka's broker config (KafkaConfig), on the config the change would make. */
function checkRequirements(get: (n: string) => string | null): void {
  const num = (n: string) => Number(get(n));
  const require = (ok: boolean, what: string) => {
    if (!ok) throw new InvalidBrokerConfig(`requirement failed: ${what}`);
  };
  require(num('log.roll.ms') >= 1, 'log.roll.ms must be greater than or equal to 1');
  require(num('log.roll.jitter.ms') >= 0, 'log.roll.jitter.ms must be greater than or equal to 0');
  // Any negative retention means "forever" (-1); only 0 is refused.
  require(num('log.retention.ms') !== 0, 'log.retention.ms must be unlimited (-1) or, greater than or equal to 1');
  const threads = num('log.cleaner.threads');
  if (threads === 0) throw new InvalidBrokerConfig('/ by zero');
  require(Math.trunc(num('log.cleaner.dedupe.buffer.size') / threads) > MB, 'log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread.');
  require(
    num('max.connections.per.ip') !== 0 || (get('max.connections.per.ip.overrides') ?? '') !== '',
    'max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.',
  );
  for (const group of ['consumer', 'share', 'streams']) {
    const interval = `group.${group}.assignment.interval.ms`;
    const max = `group.${group}.max.assignment.interval.ms`;
    if (num(interval) > num(max)) throw new InvalidBrokerConfig(`${interval} must be less than or equal to ${max}`);
  }
}

/** The checks of the components that take a changed config at run time. */
function checkReconfiguration(props: ReadonlyMap<string, string>, current: (n: string) => string | null, next: (n: string) => string | null): void {
  const changed = (n: string) => next(n) !== current(n);
  for (const [name, value] of props) {
    const base = baseName(name);
    const def = brokerConfigDef(base);
    if (def?.rule === 'thread-pool' && name === base && changed(name)) {
      const now = Number(current(name));
      const v = Number(value);
      const failed = `Dynamic thread count update validation failed for ${name}=${value}`;
      if (v > now * 2) throw reconfigurationFailure(`${failed}, value should not be greater than double the current value ${now}`);
      if (v < Math.trunc(now / 2)) throw reconfigurationFailure(`${failed}, value should be at least half the current value ${now}`);
    }
    if ((base === 'max.connections' || base === 'max.connection.creation.rate') && Number(value) === 0) {
      throw reconfigurationFailure(`Invalid ${base} 0`);
    }
    if (base === 'metric.reporters' && name === base && changed(name)) {
      const classes = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (classes.some((c) => c !== JMX_REPORTER)) {
        throw reconfigurationFailure('Validation of dynamic config update of Set(metric.reporters) failed with class class kafka.server.DynamicMetricsReporters');
      }
    }
  }
  for (const unit of ['ms', 'bytes']) {
    const names = [`log.retention.${unit}`, `log.local.retention.${unit}`, `log.remote.copy.lag.${unit}`];
    if (!names.some(changed)) continue;
    // Any negative retention means "forever" (-1).
    const retention = Math.max(Number(next(names[0])), -1);
    const local = Number(next(names[1]));
    if (retention !== -1) {
      if (local === -1) throw reconfigurationFailure(`Invalid value -1 for configuration ${names[1]}: Value must not be -1 as ${names[0]} value is set as ${retention}.`);
      if (local > retention) throw reconfigurationFailure(`Invalid value ${local} for configuration ${names[1]}: Value must not be more than ${names[0]} property value: ${retention}`);
    }
    const effectiveLocal = local === -2 ? retention : local;
    const lag = Number(next(names[2]));
    if (effectiveLocal !== -1 && lag > effectiveLocal) {
      throw reconfigurationFailure(`Invalid value ${lag} for configuration ${names[2]}: Value must not exceed ${names[1]} (effective value: ${effectiveLocal})`);
    }
  }
}
