// `samsa --help` and `samsa --version`. The configs listed are names from the config table
// (src/config.ts), which supplies their defaults and one-line docs: the table stays the one source.
import { existsSync, readFileSync } from 'node:fs';
import { brokerConfigDef, type ConfigDef } from './config.js';

export const USAGE = `usage: samsa [server.properties] [--config|--override key=value ...] [--cluster-id ID]
             [--host 127.0.0.1] [--port 9092] [--data-dir ./samsa-data | --memory]
             [--advertised-host H] [--advertised-port P] [--log-level L] [--log-format text|json]
             [--http-port P]
       samsa --nodes N | --controllers N --brokers M  [--port 9092] [--controller-port 19092]
             [--data-dir ./samsa-data] [--cluster-id ID] [--config key=value ...]
       samsa format -t CLUSTER_ID -c server.properties [--standalone | --initial-controllers
             ID@HOST:PORT:DIRECTORY_ID,... | --no-initial-controllers] [--ignore-formatted]
       samsa random-uuid
       samsa --version | --help`;

const OPTIONS = `options:
  server.properties       Kafka properties file (as kafka-server-start's first argument)
  --config, --override    key=value: a config over the file's and the environment's
  --cluster-id ID         format the data dir for this cluster on first start (env CLUSTER_ID)
  --host, --port          where a lone broker listens (default 127.0.0.1:9092; --port 0: a free port)
  --advertised-host/-port what the broker tells clients to connect to
  --http-port P           the HTTP port: web console, /metrics, /api/faults (samsa.http.port; 0: a free port)
  --data-dir DIR          where the logs live (default ./samsa-data); --memory keeps nothing on disk
  --nodes N               a local KRaft cluster of N combined nodes, one process each
  --controllers N --brokers M   a local cluster with separate controllers and brokers
  --log-level L           debug, info, warn or error (env SAMSA_LOG_LEVEL; default info)
  --log-format F          text (a line per event) or json (an object per line) (env SAMSA_LOG_FORMAT)
  --version               print samsa's version and the Kafka version it speaks
environment (Kafka's Docker image convention):
  KAFKA_<NAME>            a config: prefix dropped, lower-cased, '_' -> '.', '__' -> '_', '___' -> '-'
                          (KAFKA_LISTENER_SECURITY_PROTOCOL_MAP -> listener.security.protocol.map)
  CLUSTER_ID              the cluster id a KRaft node formats with
  KAFKA_LOG4J_ROOT_LOGLEVEL   the log level`;

/** Configs people set most, in the order a server.properties usually has them. */
export const COMMON_CONFIGS = [
  'process.roles',
  'node.id',
  'controller.quorum.voters',
  'controller.quorum.bootstrap.servers',
  'listeners',
  'advertised.listeners',
  'listener.security.protocol.map',
  'controller.listener.names',
  'inter.broker.listener.name',
  'log.dirs',
  'num.partitions',
  'default.replication.factor',
  'min.insync.replicas',
  'offsets.topic.replication.factor',
  'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr',
  'auto.create.topics.enable',
  'delete.topic.enable',
  'log.retention.hours',
  'log.retention.bytes',
  'log.segment.bytes',
  'message.max.bytes',
  'compression.type',
  'group.initial.rebalance.delay.ms',
  'sasl.enabled.mechanisms',
  'ssl.keystore.location',
  'authorizer.class.name',
  'super.users',
] as const;

function configLine(def: ConfigDef): string {
  const dflt = def.default === null || def.default === '' ? '' : ` (default ${def.default})`;
  return `  ${def.name.padEnd(42)}${def.doc ?? ''}${dflt}`;
}

export function helpText(): string {
  const configs = COMMON_CONFIGS.map((name) => {
    const def = brokerConfigDef(name);
    if (def === undefined) throw new Error(`--help names ${name}, which the config table lacks`);
    return configLine(def);
  });
  return `${USAGE}\n\n${OPTIONS}\n\ncommon configs (set with --config key=value, a properties file, or KAFKA_* variables):\n${configs.join('\n')}\n`;
}

/** Kafka release whose protocol and configs samsa follows. */
export const KAFKA_VERSION = '4.4.0';

/** samsa's version from its package.json (found from src/, dist/src/ or the bundled dist/). */
export function samsaVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    const url = new URL(rel, import.meta.url);
    if (!existsSync(url)) continue;
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'samsa' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

export function versionText(): string {
  return `samsa ${samsaVersion()} (Apache Kafka ${KAFKA_VERSION} protocol; Node ${process.version})\n`;
}
