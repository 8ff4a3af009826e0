// The embedding API: start a broker inside a Node process (a test suite, a dev server).
import { Broker, type BrokerOptions } from './broker.js';
import { seedTopics, type SeedTopic } from './seed.js';

export { Broker, type BrokerOptions } from './broker.js';
export { startCluster, type ClusterOptions, type ClusterNode, type RunningCluster } from './node/cluster.js';
export { FaultRegistry, FaultSpecError } from './faults/registry.js';
export type { Fault, FaultSpec, HookResult, RequestCall, RequestHook, ResponseCall, ResponseHook } from './faults/types.js';
export { type SeedTopic, type SeedRecord } from './seed.js';
export { setLogLevel, setLogFormat, type LogLevel, type LogFormat } from './log.js';
export { configFromEnv, envNameToConfig, type DockerEnv } from './node/docker-env.js';

export interface StartBrokerOptions extends BrokerOptions {
  /** Topics created (and records appended) before startBroker resolves. */
  topics?: SeedTopic[];
}

export interface RunningBroker {
  host: string;
  port: number;
  /** "host:port", ready for a client's bootstrap servers. */
  bootstrap: string;
  broker: Broker;
  /** The HTTP port (samsa.http.port / httpPort), null without one. */
  httpPort: number | null;
  close(): Promise<void>;
}

/** Starts a broker; `port: 0` picks a free port. Resolves once it accepts connections. */
export async function startBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const broker = new Broker(options);
  try {
    const { host, port } = await broker.start();
    if (options.topics) await seedTopics(broker, options.topics);
    return { host, port, bootstrap: `${host}:${port}`, broker, httpPort: broker.httpPort, close: () => broker.close() };
  } catch (e) {
    await broker.close().catch(() => {});
    throw e;
  }
}
