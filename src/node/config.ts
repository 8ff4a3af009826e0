// A node's cluster settings (KRaft mode) read from Kafka properties and checked as Kafka 4.4's
// KafkaConfig checks them, in the same order and with the same messages, so a properties file
// Kafka refuses is refused here with the line Kafka prints. Kafka's checks live in its ConfigDef
// (types, ranges, required values, voter syntax) and KafkaConfig.validateValues (roles, listeners).
import { brokerConfigDef, type ConfigDef } from '../config.js';
import { invalidValueReason } from '../metadata/config-validation.js';
import {
  NodeConfigError,
  javaList,
  listenerNameOf,
  parseList,
  parseListeners,
  parseSecurityProtocolMap,
  type Endpoint,
  type SecurityProtocol,
} from './listeners.js';

export { NodeConfigError } from './listeners.js';

export type ProcessRole = 'broker' | 'controller';

export interface QuorumVoter {
  id: number;
  host: string;
  port: number;
  /** Known only from `format --initial-controllers` (id@host:port:directoryId), not from controller.quorum.voters. */
  directoryId?: string;
}

export interface HostPort {
  host: string;
  port: number;
}

export interface QuorumTimeouts {
  electionTimeoutMs: number;
  fetchTimeoutMs: number;
  electionBackoffMaxMs: number;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  appendLingerMs: number;
  fetchMaxBytes: number;
  fetchSnapshotMaxBytes: number;
  autoJoin: boolean;
}

export interface NodeConfig {
  roles: ProcessRole[];
  nodeId: number;
  /** controller.quorum.voters (static quorum); empty with a dynamic quorum. */
  voters: QuorumVoter[];
  /** controller.quorum.bootstrap.servers (dynamic quorum, KIP-853). */
  bootstrapServers: HostPort[];
  /** Every listener this node opens (broker and controller ones). */
  listeners: Endpoint[];
  /** The listeners named in controller.listener.names, in that order. */
  controllerListeners: Endpoint[];
  /** The listeners that serve clients and other brokers. */
  brokerListeners: Endpoint[];
  /** What the broker registers for clients: advertised.listeners (or listeners) less the controller ones. */
  advertisedListeners: Endpoint[];
  /** Where other nodes reach this controller, one per controller listener name found. */
  advertisedControllerListeners: Endpoint[];
  controllerListenerNames: string[];
  interBrokerListenerName: string;
  interBrokerSecurityProtocol: SecurityProtocol;
  /** listener.security.protocol.map in effect (with Kafka's PLAINTEXT defaults for controller listeners). */
  securityProtocolMap: Map<string, SecurityProtocol>;
  /** log.dirs, else log.dir. */
  logDirs: string[];
  /** metadata.log.dir, else the first log dir. */
  metadataLogDir: string;
  quorum: QuorumTimeouts;
  brokerSessionTimeoutMs: number;
  brokerHeartbeatIntervalMs: number;
  initialBrokerRegistrationTimeoutMs: number;
  rack: string | null;
  /** What Kafka logs about these settings without refusing them (its WARN and ERROR lines). */
  warnings: string[];
}

/** The settings whose presence makes a node part of a KRaft cluster rather than samsa's lone node. */
export const CLUSTER_SETTINGS = ['process.roles', 'controller.quorum.voters', 'controller.quorum.bootstrap.servers', 'listeners'] as const;

/** A lone node: none of process.roles, controller.quorum.voters/bootstrap.servers, listeners set. */
export function isLoneNode(props: Readonly<Record<string, string>>): boolean {
  return CLUSTER_SETTINGS.every((k) => props[k] === undefined);
}

/** Configs read here in the order Kafka 4.4's ConfigDef defines (and so checks) them. */
const DEFINITION_ORDER = [
  'broker.id', 'broker.rack', 'process.roles', 'node.id', 'initial.broker.registration.timeout.ms',
  'broker.heartbeat.interval.ms', 'broker.session.timeout.ms', 'controller.listener.names', 'metadata.log.dir',
  'listeners', 'advertised.listeners', 'listener.security.protocol.map', 'replica.lag.time.max.ms',
  'replica.socket.timeout.ms', 'replica.fetch.wait.max.ms', 'security.inter.broker.protocol',
  'inter.broker.listener.name', 'log.dir', 'log.dirs', 'controller.quorum.voters', 'controller.quorum.bootstrap.servers',
  'controller.quorum.election.timeout.ms', 'controller.quorum.fetch.timeout.ms', 'controller.quorum.election.backoff.max.ms',
  'controller.quorum.append.linger.ms', 'controller.quorum.request.timeout.ms', 'controller.quorum.retry.backoff.ms',
  'controller.quorum.auto.join.enable', 'controller.quorum.fetch.snapshot.max.bytes', 'controller.quorum.fetch.max.bytes',
];
/** Required in KRaft mode: Kafka defines them without a default. */
const REQUIRED = new Set(['process.roles', 'node.id', 'controller.listener.names']);
/** Lists Kafka refuses empty when set (ValidList without empty values). */
const NON_EMPTY_LISTS = new Set(['process.roles', 'controller.listener.names', 'listeners', 'log.dir', 'log.dirs']);

/** Java's String.split(regex) for a one-character separator: trailing empty strings dropped. */
function javaSplit(s: string, sep: string): string[] {
  const parts = s.split(sep);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Kafka's Utils.getHost/getPort pattern: optional scheme, host (brackets for IPv6), port. */
const HOST_PORT = /^(?:[0-9a-zA-Z\-%._]*:\/\/)?\[?([0-9a-zA-Z\-%._:]*)\]?:([0-9]+)$/s;

function parseVoters(entries: string[]): QuorumVoter[] {
  const voters = new Map<number, QuorumVoter>();
  for (const entry of entries) {
    const idAndAddress = javaSplit(entry, '@');
    if (idAndAddress.length !== 2) {
      throw new NodeConfigError('Invalid configuration value for controller.quorum.voters. Each entry should be in the form `{id}@{host}:{port}`.');
    }
    if (!/^[-+]?\d+$/.test(idAndAddress[0]) || Math.abs(Number(idAndAddress[0])) > 2147483647) {
      throw new NodeConfigError(`Failed to parse voter ID as an integer from ${idAndAddress[0]}`);
    }
    const m = HOST_PORT.exec(idAndAddress[1]);
    if (!m) throw new NodeConfigError(`Failed to parse host name from entry ${entry} for the configuration controller.quorum.voters. Each entry should be in the form \`{id}@{host}:{port}\`.`);
    // A later entry with the same id replaces the earlier one, as in Kafka's voter map.
    voters.set(Number(idAndAddress[0]), { id: Number(idAndAddress[0]), host: m[1], port: Number(m[2]) });
  }
  return [...voters.values()];
}

function parseBootstrapServers(entries: string[]): HostPort[] {
  return entries.map((entry) => {
    const m = HOST_PORT.exec(entry);
    if (!m) throw new NodeConfigError(`Failed to parse host name from ${entry} for the configuration controller.quorum.bootstrap.servers. Each entry should be in the form "{host}:{port}"`);
    return { host: m[1], port: Number(m[2]) };
  });
}

/** Kafka's ConfigDef pass: required values, types, ranges and the quorum lists' syntax. */
function checkDefinitions(props: Readonly<Record<string, string>>): void {
  for (const name of DEFINITION_ORDER) {
    // Kafka copies node.id into an unset broker.id before parsing, so a bad node.id is reported as broker.id.
    const raw = name === 'broker.id' ? (props['broker.id'] ?? props['node.id']) : props[name];
    if (raw === undefined) {
      if (REQUIRED.has(name)) throw new NodeConfigError(`Missing required configuration "${name}" which has no default value.`);
      continue;
    }
    const def = brokerConfigDef(name) as ConfigDef;
    if (NON_EMPTY_LISTS.has(name) && parseList(raw).length === 0) {
      const valid = def.validValues ? javaList(def.validValues) : 'any non-empty value';
      throw new NodeConfigError(`Configuration '${name}' must not be empty. Valid values include: ${valid}`);
    }
    // A list's allowed values are checked item by item (Kafka's ValidList names the item).
    const outside = def.type === 'list' && def.validValues ? parseList(raw).find((x) => !def.validValues!.includes(x)) : undefined;
    if (outside !== undefined) throw new NodeConfigError(`Invalid value ${outside} for configuration ${name}: String must be one of: ${def.validValues!.join(', ')}`);
    const reason = invalidValueReason(def, raw);
    if (reason) throw new NodeConfigError(reason);
    if (name === 'controller.quorum.voters') parseVoters(parseList(raw));
    if (name === 'controller.quorum.bootstrap.servers') parseBootstrapServers(parseList(raw));
  }
}

/** Kafka's `require` failures read "requirement failed: ...". */
function require(ok: boolean, message: string): void {
  if (!ok) throw new NodeConfigError(`requirement failed: ${message}`);
}

/** Kafka's voter id set as its messages print it: Scala's Set(1, 2), from a Java HashMap's key order (ascending for small ids). */
function scalaSet(ids: number[]): string {
  return `Set(${[...new Set(ids)].sort((a, b) => a - b).join(', ')})`;
}

/**
 * The node's settings from Kafka properties (a properties file merged with --config), checked as
 * Kafka 4.4 checks a KRaft node's; throws NodeConfigError with Kafka's message on the first problem.
 */
export function resolveNodeConfig(props: Readonly<Record<string, string>>): NodeConfig {
  checkDefinitions(props);
  const get = (name: string): string | null => props[name] ?? brokerConfigDef(name)?.default ?? null;
  const num = (name: string) => Number(get(name));
  // Kafka parses listeners (and the protocol map) while building its config, before validating it.
  const controllerListenerNames = parseList(props['controller.listener.names']);
  const securityProtocolMap = effectiveSecurityProtocolMap(props, controllerListenerNames);
  const all = parseListeners(get('listeners')!, securityProtocolMap);
  const listeners = () => all;
  // Evaluated where Kafka first asks for it (its refusals come from there).
  let interBrokerCache: { name: string; protocol: SecurityProtocol } | null = null;
  const interBroker = () => (interBrokerCache ??= interBrokerListener(props, securityProtocolMap));

  const warnings: string[] = [];
  const roleList = parseList(props['process.roles']);
  const roles = [...new Set(roleList)] as ProcessRole[];
  if (roles.length !== roleList.length) {
    warnings.push(`Configuration key "process.roles" contains duplicate values. Duplicates will be removed. The original value is: ${javaList(roleList)}, the updated value is: ${javaList(roles)}`);
  }
  if (props['broker.id'] !== undefined) warnings.push("The 'broker.id' configuration is deprecated and will be removed in Apache Kafka 5.0. Please use 'node.id' instead.");
  const isBroker = roles.includes('broker');
  const isController = roles.includes('controller');
  const nodeId = Number(props['node.id']);
  if (props['broker.id'] !== undefined && Number(props['broker.id']) !== nodeId) {
    throw new NodeConfigError('`node.id` and `broker.id` must be set to the same value. `broker.id` is deprecated, please use `node.id` instead.');
  }
  const logDirs = parseList(props['log.dirs'] ?? get('log.dir'));
  require(logDirs.length > 0, 'At least one log directory must be defined via log.dirs or log.dir.');
  require(num('replica.fetch.wait.max.ms') <= num('replica.socket.timeout.ms'), 'replica.socket.timeout.ms should always be at least replica.fetch.wait.max.ms to prevent unnecessary socket timeouts');
  require(num('replica.fetch.wait.max.ms') <= num('replica.lag.time.max.ms'), 'replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms to prevent frequent changes in ISR');
  if (num('broker.heartbeat.interval.ms') > num('broker.session.timeout.ms') / 2) {
    warnings.push(
      `broker.heartbeat.interval.ms (${num('broker.heartbeat.interval.ms')} ms) must be less than or equal to half of the broker.session.timeout.ms (${num('broker.session.timeout.ms')} ms). ` +
        'The broker.session.timeout.ms is configured on controller. The broker.heartbeat.interval.ms is configured on broker. ' +
        "If a broker doesn't send heartbeat request within broker.session.timeout.ms, it loses broker lease. " +
        'Please increase broker.session.timeout.ms or decrease broker.heartbeat.interval.ms.',
    );
  }

  // advertised.listeners when set (ports may repeat there), else listeners.
  const advertised = () =>
    props['advertised.listeners'] !== undefined ? parseListeners(props['advertised.listeners'], securityProtocolMap, false) : listeners();
  const isControllerName = (e: Endpoint) => controllerListenerNames.includes(e.listenerName);
  const advertisedBroker = advertised().filter((e) => !isControllerName(e));
  const advertisedBrokerNames = [...new Set(advertisedBroker.map((e) => e.listenerName))];

  const voters = parseVoters(parseList(props['controller.quorum.voters']));
  const voterIds = voters.map((v) => v.id);
  const bootstrapServers = parseBootstrapServers(parseList(props['controller.quorum.bootstrap.servers']));
  const quorumGiven = () => {
    if (voters.length === 0 && bootstrapServers.length === 0) {
      throw new NodeConfigError('If using process.roles, either controller.quorum.bootstrap.servers must contain the set of bootstrap controllers or controller.quorum.voters must contain a parseable set of controllers.');
    }
  };
  const advertisedController = () => {
    const adv = advertised();
    const own = listeners();
    // Kafka first keeps the listeners whose (upper-case) name is written exactly so in controller.listener.names.
    return controllerListenerNames.flatMap((name) => {
      const e = adv.find((x) => x.listenerName === name) ?? own.find((x) => x.listenerName === name);
      return e ? [e] : [];
    });
  };
  const controllerChecks = () => {
    require(voterIds.length === 0 || voterIds.includes(nodeId), `If process.roles contains the 'controller' role, the node id ${nodeId} must be included in the set of voters controller.quorum.voters=${scalaSet(voterIds)}`);
    require(advertisedController().length > 0, "controller.listener.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role");
    const names = new Set(listeners().map((e) => e.listenerName));
    require(controllerListenerNames.every((n) => names.has(n)), "controller.listener.names must only contain values appearing in the 'listeners' configuration when running the KRaft controller role");
  };

  if (isBroker && !isController) {
    quorumGiven();
    require(!voterIds.includes(nodeId), `If process.roles contains just the 'broker' role, the node id ${nodeId} must not be included in the set of voters controller.quorum.voters=${scalaSet(voterIds)}`);
    require(controllerListenerNames.length > 0, 'controller.listener.names must contain at least one value when running KRaft with just the broker role');
    require(!listeners().some(isControllerName), "controller.listener.names must not contain a value appearing in the 'listeners' configuration when running KRaft with just the broker role");
    for (const name of controllerListenerNames) {
      if (!securityProtocolMap.has(name.toUpperCase())) {
        throw new NodeConfigError(`Controller listener with name ${name.toUpperCase()} defined in controller.listener.names not found in listener.security.protocol.map  (an explicit security mapping for each controller listener is required if listener.security.protocol.map is non-empty, or if there are security protocols other than PLAINTEXT in use)`);
      }
    }
    require(get('controller.quorum.auto.join.enable') !== 'true', "controller.quorum.auto.join.enable is only supported when process.roles contains the 'controller' role.");
    if (controllerListenerNames.length > 1) {
      warnings.push(`controller.listener.names has multiple entries; only the first will be used since process.roles=broker: ${javaList(controllerListenerNames)}`);
    }
  } else if (isController && !isBroker) {
    quorumGiven();
    require(advertisedController().length === listeners().length, 'The listeners config must only contain KRaft controller listeners from controller.listener.names when process.roles=controller');
    if (props['inter.broker.listener.name'] !== undefined) {
      // Kafka's message ends with a stray quote.
      require(!controllerListenerNames.includes(interBroker().name), "controller.listener.names must not contain an explicitly set inter.broker.listener.name configuration value when process.roles=controller'");
    }
    controllerChecks();
  } else {
    quorumGiven();
    controllerChecks();
  }

  if (isBroker) {
    require(advertisedBrokerNames.length > 0, 'There must be at least one broker advertised listener. Perhaps all listeners appear in controller.listener.names?');
    require(advertisedBrokerNames.includes(interBroker().name), `inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are ${advertisedBrokerNames.join(',')}`);
    const names = [...new Set(listeners().map((e) => e.listenerName))];
    require(advertisedBrokerNames.every((n) => names.includes(n)), `advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found ${advertisedBrokerNames.join(',')}. The valid options based on the current configuration are ${names.join(',')}`);
  }
  const nonRoutable = 'advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.';
  require(!advertisedBroker.some((e) => e.host === '0.0.0.0'), nonRoutable);
  require(!advertisedController().some((e) => e.host === '0.0.0.0'), nonRoutable);
  const { name: interBrokerListenerName, protocol: interBrokerSecurityProtocol } = interBroker();

  return {
    roles,
    nodeId,
    voters,
    bootstrapServers,
    listeners: all,
    controllerListeners: controllerListenerNames.flatMap((n) => all.filter((e) => e.listenerName === n)),
    brokerListeners: all.filter((e) => !isControllerName(e)),
    advertisedListeners: isBroker ? advertisedBroker : [],
    advertisedControllerListeners: isController ? advertisedController() : [],
    controllerListenerNames,
    interBrokerListenerName,
    interBrokerSecurityProtocol,
    securityProtocolMap,
    logDirs,
    metadataLogDir: props['metadata.log.dir'] ?? logDirs[0],
    quorum: {
      electionTimeoutMs: num('controller.quorum.election.timeout.ms'),
      fetchTimeoutMs: num('controller.quorum.fetch.timeout.ms'),
      electionBackoffMaxMs: num('controller.quorum.election.backoff.max.ms'),
      requestTimeoutMs: num('controller.quorum.request.timeout.ms'),
      retryBackoffMs: num('controller.quorum.retry.backoff.ms'),
      appendLingerMs: num('controller.quorum.append.linger.ms'),
      fetchMaxBytes: num('controller.quorum.fetch.max.bytes'),
      fetchSnapshotMaxBytes: num('controller.quorum.fetch.snapshot.max.bytes'),
      autoJoin: get('controller.quorum.auto.join.enable') === 'true',
    },
    brokerSessionTimeoutMs: num('broker.session.timeout.ms'),
    brokerHeartbeatIntervalMs: num('broker.heartbeat.interval.ms'),
    initialBrokerRegistrationTimeoutMs: num('initial.broker.registration.timeout.ms'),
    rack: props['broker.rack'] ?? null,
    warnings,
  };
}

const SSL_OR_SASL = new Set(['SSL', 'SASL_SSL', 'SASL_PLAINTEXT']);

/**
 * listener.security.protocol.map as Kafka 4.4 uses it: when it is not set, the controller
 * listener names map to PLAINTEXT too, unless an SSL or SASL listener is in sight.
 */
function effectiveSecurityProtocolMap(props: Readonly<Record<string, string>>, controllerListenerNames: string[]): Map<string, SecurityProtocol> {
  const map = parseSecurityProtocolMap(props['listener.security.protocol.map'] ?? brokerConfigDef('listener.security.protocol.map')!.default!);
  if (props['listener.security.protocol.map'] !== undefined) return map;
  const listenerNames = parseList(props['listeners'] ?? brokerConfigDef('listeners')!.default!).map(listenerNameOf);
  if (controllerListenerNames.some((n) => SSL_OR_SASL.has(n)) || listenerNames.some((n) => SSL_OR_SASL.has(n))) return map;
  // Kafka adds these names as written, not upper-cased: a lower-case one then matches no listener.
  for (const n of controllerListenerNames) if (n !== 'PLAINTEXT') map.set(n, 'PLAINTEXT');
  return map;
}

function interBrokerListener(props: Readonly<Record<string, string>>, map: ReadonlyMap<string, SecurityProtocol>): { name: string; protocol: SecurityProtocol } {
  const name = props['inter.broker.listener.name'];
  if (name !== undefined) {
    if (props['security.inter.broker.protocol'] !== undefined) {
      throw new NodeConfigError('Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.');
    }
    const n = name.trim().toUpperCase();
    const protocol = map.get(n);
    if (!protocol) throw new NodeConfigError(`Listener with name ${n} defined in inter.broker.listener.name not found in listener.security.protocol.map.`);
    return { name: n, protocol };
  }
  const protocol = (props['security.inter.broker.protocol'] ?? 'PLAINTEXT').trim().toUpperCase() as SecurityProtocol;
  return { name: protocol, protocol };
}

