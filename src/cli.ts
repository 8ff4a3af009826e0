// `samsa`: parse flags, start a lone broker, a cluster node or a local cluster, print one
// "listening on" line, stop cleanly on signals. Subcommands: `samsa format` and
// `samsa random-uuid`, as kafka-storage's.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startBroker } from './index.js';
import type { BrokerOptions } from './broker.js';
import { log, parseLogFormat, parseLogLevel, setLogFormat, setLogLevel, type LogFormat, type LogLevel } from './log.js';
import { helpText, versionText } from './cli-help.js';
import { configFromEnv } from './node/docker-env.js';
import { clusterIdMismatch, readMetaProperties, writeMetaProperties } from './metadata/meta-properties.js';
import { randomUuid } from './metadata/uuid.js';
import { isLoneNode, resolveNodeConfig } from './node/config.js';
import { runFormatCommand, runRandomUuidCommand } from './node/format-command.js';
import { readPropertiesFile } from './node/properties.js';


class UsageError extends Error {}

/** How long SIGTERM/SIGINT wait for the responses to requests already being handled. */
export const SHUTDOWN_DRAIN_MS = 5000;

export interface CliOptions extends BrokerOptions {
  /** The properties file given as first argument (kafka-server-start's server.properties). */
  propertiesFile?: string;
  clusterId?: string;
  /** --nodes / --controllers / --brokers: a local cluster, one process per node. */
  nodes?: number;
  controllers?: number;
  brokers?: number;
  controllerPort?: number;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
}

export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { config: {} };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const port = (v: string, flag: string): number => {
    if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`${flag}: '${v}' is not a port number`);
    return Number(v);
  };
  const count = (v: string, flag: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 100) throw new UsageError(`${flag}: '${v}' is not a node count (1-100)`);
    return Number(v);
  };
  let start = 0;
  // Like kafka-server-start: the properties file comes first.
  if (argv.length > 0 && !argv[0].startsWith('-')) opts.propertiesFile = argv[start++];
  for (let i = start; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const take = () => inline ?? value(i++, flag);
    switch (flag) {
      case '--host': opts.host = take(); break;
      case '--port': opts.port = port(take(), flag); break;
      case '--data-dir': opts.dataDir = take(); break;
      case '--memory': opts.memory = true; break;
      case '--advertised-host': opts.advertisedHost = take(); break;
      case '--advertised-port': opts.advertisedPort = port(take(), flag); break;
      case '--cluster-id': opts.clusterId = take(); break;
      case '--nodes': opts.nodes = count(take(), flag); break;
      case '--controllers': opts.controllers = count(take(), flag); break;
      case '--brokers': opts.brokers = count(take(), flag); break;
      case '--controller-port': opts.controllerPort = port(take(), flag); break;
      // The HTTP port (/metrics, faults, console): samsa.http.port.
      case '--http-port': opts.config!['samsa.http.port'] = String(port(take(), flag)); break;
      // --override is kafka-server-start's name for the same thing.
      case '--config': case '--override': {
        const kv = take();
        const at = kv.indexOf('=');
        if (at <= 0) throw new UsageError(`${flag} expects key=value, got '${kv}'`);
        opts.config![kv.slice(0, at)] = kv.slice(at + 1);
        break;
      }
      case '--log-level': {
        const v = take();
        opts.logLevel = parseLogLevel(v);
        if (opts.logLevel === undefined) throw new UsageError(`--log-level: '${v}' is not one of debug, info, warn, error`);
        break;
      }
      case '--log-format': {
        const v = take();
        opts.logFormat = parseLogFormat(v);
        if (opts.logFormat === undefined) throw new UsageError(`--log-format: '${v}' is not text or json`);
        break;
      }
      case '--help': case '-h':
        process.stdout.write(helpText());
        process.exit(0);
      case '--version': case '-v':
        process.stdout.write(versionText());
        process.exit(0);
      default:
        throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  if (opts.memory && opts.dataDir) throw new UsageError('--data-dir and --memory exclude each other');
  const local = opts.nodes !== undefined || opts.controllers !== undefined || opts.brokers !== undefined;
  if (opts.nodes !== undefined && (opts.controllers !== undefined || opts.brokers !== undefined)) {
    throw new UsageError('--nodes and --controllers/--brokers exclude each other');
  }
  if (local && opts.memory) throw new UsageError('a local cluster keeps its nodes\' data on disk (no --memory)');
  if (local && (opts.advertisedHost !== undefined || opts.advertisedPort !== undefined)) {
    throw new UsageError('--advertised-host/--advertised-port apply to a single node');
  }
  return opts;
}

/**
 * The node's Kafka properties: the file's, then KAFKA_* environment variables over them (as
 * apache/kafka's image appends them to a mounted file), then --config over both.
 */
function properties(opts: CliOptions, fromEnv: Record<string, string>): Record<string, string> {
  const fromFile = opts.propertiesFile ? Object.fromEntries(readPropertiesFile(opts.propertiesFile)) : {};
  return { ...fromFile, ...fromEnv, ...opts.config };
}

function fail(code: number, message: string): never {
  process.stderr.write(`samsa: ${message}\n`);
  process.exit(code);
}

/** Stops `stop` on SIGTERM/SIGINT once, then exits 0 (1 if stopping failed). */
function exitOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    stop().then(
      () => process.exit(0),
      (e) => fail(1, `error during shutdown: ${(e as Error).message}`),
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

/**
 * A lone node given --cluster-id: its data dir is formatted with that id on first start, and a
 * dir formatted for another cluster is refused with Kafka's message.
 */
async function formatLoneDataDir(dataDir: string, clusterId: string, nodeId: number): Promise<void> {
  const stored = await readMetaProperties(dataDir);
  if (stored === null) {
    await writeMetaProperties(dataDir, { clusterId, nodeId, directoryId: randomUuid() });
  } else if (stored.clusterId !== undefined && stored.clusterId !== clusterId) {
    throw new Error(clusterIdMismatch(clusterId, stored.clusterId, path.join(dataDir, 'meta.properties')));
  }
}

async function startLone(opts: CliOptions, props: Record<string, string>): Promise<void> {
  const { host, port, memory, advertisedHost, advertisedPort } = opts;
  // A properties file's log.dirs (or log.dir) stands for --data-dir.
  const fromProps = (props['log.dirs'] ?? props['log.dir'])?.split(',')[0]?.trim();
  const dataDir = opts.dataDir ?? (memory ? undefined : fromProps || undefined);
  const brokerOptions: BrokerOptions = { host, port, memory, advertisedHost, advertisedPort, dataDir, config: props };
  let running;
  try {
    if (opts.clusterId !== undefined) {
      if (opts.memory) throw new UsageError('--cluster-id needs a data dir (not --memory)');
      const nodeId = Number(props['node.id'] ?? props['broker.id'] ?? '1');
      await formatLoneDataDir(dataDir ?? './samsa-data', opts.clusterId, nodeId);
    }
    running = await startBroker(brokerOptions);
  } catch (e) {
    if (e instanceof UsageError) fail(2, `${e.message} (see samsa --help)`);
    fail(1, `cannot start: ${(e as Error).message}`);
  }
  const ms = Math.round(performance.now());
  const http = running.httpPort === null ? '' : `, HTTP on ${running.host}:${running.httpPort}`;
  process.stdout.write(`samsa listening on ${running.host}:${running.port} (started in ${ms} ms)${http}\n`);
  // Stop accepting and reading, answer what is being handled, then flush and close the logs.
  exitOnSignals(() => running.broker.close({ drainMs: SHUTDOWN_DRAIN_MS }));
}

/** A KRaft node (process.roles set): `listeners` decides where it listens, --host/--port do not apply. */
async function startClusterNode(opts: CliOptions, props: Record<string, string>): Promise<void> {
  if (opts.memory) fail(2, 'a cluster node keeps its data on disk (no --memory) (see samsa --help)');
  if (opts.host !== undefined || opts.port !== undefined || opts.advertisedHost !== undefined || opts.advertisedPort !== undefined) {
    fail(2, 'listeners and advertised.listeners set where a cluster node listens, not --host/--port/--advertised-host/--advertised-port (see samsa --help)');
  }
  // --data-dir stands for log.dirs when the properties name none.
  if (opts.dataDir !== undefined && props['log.dirs'] === undefined && props['log.dir'] === undefined) props = { ...props, 'log.dirs': opts.dataDir };
  let node;
  try {
    const config = resolveNodeConfig(props);
    for (const w of config.warnings) log.warn(w);
    const { Node } = await import('./node/node.js');
    node = new Node({ properties: props, clusterId: opts.clusterId });
    try {
      await node.start();
    } catch (e) {
      await node.kill().catch(() => {});
      throw e;
    }
    const listening = config.listeners.map((l) => `${l.host || '0.0.0.0'}:${l.port} (${l.listenerName})`).join(', ');
    const ms = Math.round(performance.now());
    const http = node.httpPort === null ? '' : `, HTTP on ${node.httpHost}:${node.httpPort}`;
    process.stdout.write(`samsa node ${config.nodeId} (${config.roles.join(',')}) listening on ${listening} (started in ${ms} ms)${http}\n`);
  } catch (e) {
    fail(1, `cannot start: ${(e as Error).message}`);
  }
  const running = node;
  exitOnSignals(() => running.close({ drainMs: SHUTDOWN_DRAIN_MS }));
}

async function startLocal(opts: CliOptions, props: Record<string, string>): Promise<void> {
  const { launchLocalCluster } = await import('./node/launcher.js');
  try {
    await launchLocalCluster({
      nodes: opts.nodes,
      controllers: opts.controllers,
      brokers: opts.brokers,
      host: opts.host,
      port: opts.port,
      controllerPort: opts.controllerPort,
      dataDir: opts.dataDir,
      clusterId: opts.clusterId,
      config: props,
    });
  } catch (e) {
    fail(1, `cannot start: ${(e as Error).message}`);
  }
}

export async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'format') process.exit(await runFormatCommand(argv.slice(1)));
  if (argv[0] === 'random-uuid') process.exit(runRandomUuidCommand());
  let opts: CliOptions;
  let props: Record<string, string>;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    fail(2, `${(e as Error).message} (see samsa --help)`);
  }
  const env = configFromEnv(process.env);
  const level = opts.logLevel ?? (process.env.SAMSA_LOG_LEVEL ? undefined : env.logLevel && parseLogLevel(env.logLevel));
  if (level) setLogLevel(level);
  if (opts.logFormat) setLogFormat(opts.logFormat);
  // A local cluster's node processes inherit them.
  if (opts.logLevel) process.env.SAMSA_LOG_LEVEL = opts.logLevel;
  if (opts.logFormat) process.env.SAMSA_LOG_FORMAT = opts.logFormat;
  for (const { variable, config } of env.sources) log.info(`${variable} sets ${config}`);
  // A node in memory has no data dir to format.
  if (!opts.memory) opts.clusterId ??= env.clusterId;
  try {
    props = properties(opts, env.config);
  } catch (e) {
    fail(1, `cannot read ${opts.propertiesFile}: ${(e as Error).message}`);
  }
  if (opts.nodes !== undefined || opts.controllers !== undefined || opts.brokers !== undefined) return startLocal(opts, props);
  if (isLoneNode(props)) return startLone(opts, props);
  return startClusterNode(opts, props);
}
