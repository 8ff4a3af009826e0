// Kafka's Docker image convention: server configs from KAFKA_* environment variables, so a
// docker-compose file written for apache/kafka runs samsa unchanged. The mapping is the image's
// (KafkaDockerWrapper and its configure/configureDefaults scripts in Apache Kafka's docker/).

/** KAFKA_* variables that are not server configs (JVM, log4j and JMX settings of the image). */
const NOT_CONFIGS = new Set([
  'KAFKA_VERSION',
  'KAFKA_HEAP_OPTS',
  'KAFKA_LOG4J_OPTS',
  'KAFKA_OPTS',
  'KAFKA_JMX_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_GC_LOG_OPTS',
  'KAFKA_LOG4J_ROOT_LOGLEVEL',
  'KAFKA_LOG4J_LOGGERS',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL',
  'KAFKA_JMX_HOSTNAME',
]);

/** The cluster id the image formats with when CLUSTER_ID is unset (its configureDefaults). */
export const DOCKER_DEFAULT_CLUSTER_ID = '5L6g3nShT-eMCtK--X86sw';

/** KAFKA_LISTENER_SECURITY_PROTOCOL_MAP -> listener.security.protocol.map: '_' is '.', '__' is '_', '___' is '-'. */
export function envNameToConfig(name: string): string | undefined {
  if (!name.startsWith('KAFKA_') || NOT_CONFIGS.has(name)) return undefined;
  // Every "KAFKA_" goes, not only the prefix: KafkaDockerWrapper's String.replace does so.
  return name
    .replaceAll('KAFKA_', '')
    .toLowerCase()
    .replaceAll('_', '.')
    .replaceAll('...', '-')
    .replaceAll('..', '_');
}

export interface DockerEnv {
  /** Server configs from KAFKA_* variables. */
  config: Record<string, string>;
  /** CLUSTER_ID, or the image's default for a KRaft node (KAFKA_PROCESS_ROLES set). */
  clusterId?: string;
  /** KAFKA_LOG4J_ROOT_LOGLEVEL, lower-cased (trace, debug, info, warn, error). */
  logLevel?: string;
  /** Which variable set which config, for the start-up log. */
  sources: { variable: string; config: string }[];
}

export function configFromEnv(env: NodeJS.ProcessEnv): DockerEnv {
  const config: Record<string, string> = {};
  const sources: DockerEnv['sources'] = [];
  for (const [variable, value] of Object.entries(env)) {
    const name = envNameToConfig(variable);
    if (name === undefined || value === undefined) continue;
    config[name] = value;
    sources.push({ variable, config: name });
  }
  // The image's configure script: a broker given only advertised listeners listens on all interfaces.
  const advertised = config['advertised.listeners'];
  if (config.listeners === undefined && advertised !== undefined && config['process.roles'] !== 'controller') {
    config.listeners = advertised.replace(/:\/\/[^:]*:/g, '://0.0.0.0:');
  }
  let clusterId = env.CLUSTER_ID || undefined;
  if (clusterId === undefined && config['process.roles'] !== undefined) clusterId = DOCKER_DEFAULT_CLUSTER_ID;
  const logLevel = env.KAFKA_LOG4J_ROOT_LOGLEVEL?.trim().toLowerCase() || undefined;
  return { config, clusterId, logLevel, sources };
}
