// The layout of a local cluster on one machine (what `samsa --nodes N` and startCluster() start):
// each node's id, roles, listeners, data dir and the static voter set, as Kafka properties.
import path from 'node:path';

export type ProcessRole = 'broker' | 'controller';

export interface LocalClusterOptions {
  /** Combined broker+controller nodes (ignored when `controllers` or `brokers` is given). */
  nodes?: number;
  /** Controller-only nodes (ids 1..controllers), for a split layout. */
  controllers?: number;
  /** Broker-only nodes (ids after the controllers), for a split layout. */
  brokers?: number;
  host?: string;
  /** Node i's broker listener is port + i - 1 (Kafka's 9092, 9093, ...). */
  port?: number;
  /** Node i's controller listener is controllerPort + i - 1. */
  controllerPort?: number;
  /** Explicit ports by node index, over `port` / `controllerPort` (in-process clusters pick free ones). */
  ports?: number[];
  controllerPorts?: number[];
  /** Node i keeps its data in <dataDir>/node-i. */
  dataDir?: string;
  /** Settings every node gets (over the layout's own). */
  config?: Record<string, string>;
  /** Settings of one node (over `config`), e.g. its broker.rack. */
  nodeConfig?: (nodeId: number) => Record<string, string>;
}

export interface LocalNodeSpec {
  nodeId: number;
  host: string;
  roles: ProcessRole[];
  /** The broker listener's port (null on a controller-only node). */
  port: number | null;
  /** The controller listener's port (null on a broker-only node). */
  controllerPort: number | null;
  dataDir: string;
  /** The node's Kafka properties: process.roles, node.id, listeners, quorum voters, log.dirs... */
  config: Record<string, string>;
}

export const DEFAULT_PORT = 9092;
export const DEFAULT_CONTROLLER_PORT = 19092;

/** Every node of the local cluster, in node-id order. */
export function localClusterNodes(o: LocalClusterOptions): LocalNodeSpec[] {
  const host = o.host ?? '127.0.0.1';
  const basePort = o.port ?? DEFAULT_PORT;
  const baseControllerPort = o.controllerPort ?? DEFAULT_CONTROLLER_PORT;
  const portOf = (i: number) => o.ports?.[i] ?? basePort + i;
  const controllerPortOf = (i: number) => o.controllerPorts?.[i] ?? baseControllerPort + i;
  const dataDir = path.resolve(o.dataDir ?? './samsa-data');
  const split = o.controllers !== undefined || o.brokers !== undefined;
  const roles: ProcessRole[][] = split
    ? [
        ...Array.from({ length: o.controllers ?? 0 }, (): ProcessRole[] => ['controller']),
        ...Array.from({ length: o.brokers ?? 0 }, (): ProcessRole[] => ['broker']),
      ]
    : Array.from({ length: o.nodes ?? 3 }, (): ProcessRole[] => ['broker', 'controller']);
  if (roles.length < 1) throw new Error('a local cluster needs at least one node');
  if (!roles.some((r) => r.includes('controller'))) throw new Error('a local cluster needs at least one controller');
  const voters = roles
    .map((r, i) => (r.includes('controller') ? `${i + 1}@${host}:${controllerPortOf(i)}` : null))
    .filter((v) => v !== null)
    .join(',');
  // Internal topics' replication capped at the brokers there are, as Kafka's shipped configs do for
  // small clusters: with the default 3, a 1- or 2-broker cluster could not create __consumer_offsets.
  const brokers = roles.filter((r) => r.includes('broker')).length;
  const internal: Record<string, string> =
    brokers >= 3
      ? {}
      : {
          'offsets.topic.replication.factor': String(Math.max(1, brokers)),
          'transaction.state.log.replication.factor': String(Math.max(1, brokers)),
          'transaction.state.log.min.isr': String(Math.max(1, Math.min(2, brokers))),
          'share.coordinator.state.topic.replication.factor': String(Math.max(1, brokers)),
          'share.coordinator.state.topic.min.isr': String(Math.max(1, Math.min(2, brokers))),
        };
  return roles.map((r, i) => {
    const nodeId = i + 1;
    const isBroker = r.includes('broker');
    const isController = r.includes('controller');
    const listeners = [
      ...(isBroker ? [`PLAINTEXT://${host}:${portOf(i)}`] : []),
      ...(isController ? [`CONTROLLER://${host}:${controllerPortOf(i)}`] : []),
    ];
    const dir = path.join(dataDir, `node-${nodeId}`);
    const config: Record<string, string> = {
      'process.roles': r.join(','),
      'node.id': String(nodeId),
      'controller.quorum.voters': voters,
      'listeners': listeners.join(','),
      'controller.listener.names': 'CONTROLLER',
      'log.dirs': dir,
      ...(isBroker ? { 'advertised.listeners': `PLAINTEXT://${host}:${portOf(i)}`, 'inter.broker.listener.name': 'PLAINTEXT' } : {}),
      ...internal,
      ...o.config,
      ...o.nodeConfig?.(nodeId),
    };
    // One HTTP port each: samsa.http.port P gives node i P + i - 1 (0: each a free one).
    const http = Number(o.config?.['samsa.http.port'] ?? 0);
    if (http > 0 && o.nodeConfig?.(nodeId)?.['samsa.http.port'] === undefined) config['samsa.http.port'] = String(http + i);
    return {
      nodeId,
      host,
      roles: r,
      port: isBroker ? portOf(i) : null,
      controllerPort: isController ? controllerPortOf(i) : null,
      dataDir: dir,
      config,
    };
  });
}

/** The `samsa` arguments that start one node of the cluster. */
export function nodeArgs(spec: LocalNodeSpec, clusterId: string): string[] {
  const args = ['--cluster-id', clusterId];
  for (const [k, v] of Object.entries(spec.config)) args.push('--config', `${k}=${v}`);
  return args;
}

/** "host:port,..." of the brokers, for a client's bootstrap.servers. */
export function bootstrapServers(specs: LocalNodeSpec[]): string {
  return specs.filter((s) => s.port !== null).map((s) => `${s.host}:${s.port}`).join(',');
}

/** "host:port,..." of the controllers, for --bootstrap-controller. */
export function bootstrapControllers(specs: LocalNodeSpec[]): string {
  return specs.filter((s) => s.controllerPort !== null).map((s) => `${s.host}:${s.controllerPort}`).join(',');
}
