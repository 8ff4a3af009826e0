// startCluster(): a KRaft cluster of samsa nodes inside this process, for test suites. Each node is
// a full Node (its own listeners on loopback, its own data dir, one shared fault layer on the
// inter-node connections), and its handle can stop, kill, restart and isolate it.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeFaults } from '../network/node-faults.js';
import { randomUuid } from '../metadata/uuid.js';
import type { MetadataPublisher } from '../metadata/loader.js';
import type { RaftStatus } from '../raft/messages.js';
import { bootstrapControllers, bootstrapServers, localClusterNodes, type LocalClusterOptions, type LocalNodeSpec } from './local-cluster.js';
import { Node } from './node.js';
import type { ClusterControl } from '../faults/cluster-control.js';
import { moveLeader } from '../faults/move-leader.js';
import type { SeedTopic } from '../seed.js';
import type { Broker } from '../broker.js';
import { seedCluster } from './cluster-seed.js';

export interface ClusterOptions extends Omit<LocalClusterOptions, 'port' | 'controllerPort' | 'ports' | 'controllerPorts'> {
  /** The cluster id (default: a fresh one). */
  clusterId?: string;
  /** Where the nodes keep their data; default a temp dir removed by close(). */
  dataDir?: string;
  /** Metadata publishers a node gets at each start (tests watch every image a node publishes). */
  publishers?: (nodeId: number) => MetadataPublisher[];
  /**
   * Topics created (and records produced, acks=all) before startCluster resolves, as startBroker's;
   * without a replicationFactor a topic gets min(3, brokers) unless config sets default.replication.factor.
   */
  topics?: SeedTopic[];
}

/** How long seeding the topics may take (elections and ISRs on a loaded machine). */
const SEED_TIMEOUT_MS = 120_000;

export interface ClusterNode {
  readonly nodeId: number;
  readonly spec: LocalNodeSpec;
  /** The running node; null while stopped or killed. */
  readonly node: Node | null;
  readonly running: boolean;
  /** "host:port" of its broker listener (null on a controller-only node). */
  readonly bootstrap: string | null;
  /** "host:port" of its controller listener (null on a broker-only node). */
  readonly controller: string | null;
  /** Its HTTP port (asked for with config samsa.http.port, e.g. '0'; a controller-only node's too); null while not running or without one. */
  readonly httpPort: number | null;
  /** Its quorum view (role, epoch, leader, high watermark); null while not running. */
  status(): RaftStatus | null;
  /** A clean shutdown: a leader resigns first, logs are flushed and closed. */
  stop(): Promise<void>;
  /** A crash as far as this process can make one: no resignation, no goodbyes, sockets dropped. */
  kill(): Promise<void>;
  /** Starts it again from its data dir. */
  restart(): Promise<void>;
  /** Cuts it off from every other node (both directions) until heal(). */
  isolate(): void;
  /** Removes every fault of the cluster's inter-node network (this node's and any other). */
  heal(): void;
}

export interface RunningCluster {
  clusterId: string;
  dataDir: string;
  nodes: ClusterNode[];
  node(id: number): ClusterNode;
  /** Brokers' "host:port,..." for clients. */
  bootstrap: string;
  /** Controllers' "host:port,..." for --bootstrap-controller. */
  bootstrapController: string;
  /** The fault layer every node's inter-node connections go through. */
  faults: NodeFaults;
  /**
   * Makes `toNode` the partition's leader as an operator would on Kafka: a reassignment reordering
   * the replicas (it first), then a PREFERRED ElectLeaders; resolves once every running node sees it.
   */
  moveLeader(topic: string, partition: number, toNode: number): Promise<void>;
  /** The running node that leads the quorum in the highest epoch any running node knows; undefined if none. */
  leader(): ClusterNode | undefined;
  /** Stops every running node and removes the temp dir (when it made one). */
  close(): Promise<void>;
}

/** Free loopback ports, all held at once so none is handed out twice. */
async function freePorts(host: string, count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, host, () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export async function startCluster(o: ClusterOptions = {}): Promise<RunningCluster> {
  const host = o.host ?? '127.0.0.1';
  const count = localClusterNodes(o).length;
  const ownDir = o.dataDir === undefined;
  const dataDir = o.dataDir ?? mkdtempSync(path.join(tmpdir(), 'samsa-cluster-'));
  const [ports, controllerPorts] = [await freePorts(host, count), await freePorts(host, count)];
  const specs = localClusterNodes({ ...o, host, dataDir, ports, controllerPorts });
  const clusterId = o.clusterId ?? randomUuid();
  const faults = new NodeFaults();

  // What each node's HTTP port offers of the cluster (/api/cluster).
  const control: ClusterControl = {
    nodes: () => handles.map((h) => ({ nodeId: h.nodeId, running: h.running, bootstrap: h.bootstrap, controller: h.controller, httpPort: h.node?.httpPort ?? null })),
    kill: (id) => handle(id).kill(),
    stop: (id) => handle(id).stop(),
    restart: (id) => handle(id).restart(),
    isolate: (id) => handle(id).isolate(),
    heal: () => faults.heal(),
    moveLeader: (topic, partition, toNode) =>
      moveLeader(
        {
          broker: () => {
            const h = handles.find((x) => x.running && x.spec.port !== null);
            if (!h) throw new Error('no broker is running');
            return { host, port: h.spec.port! };
          },
          images: () => handles.flatMap((h) => (h.node ? [h.node.metadata.image] : [])),
        },
        topic,
        partition,
        toNode,
      ),
  };
  const handle = (id: number) => {
    const h = handles.find((x) => x.nodeId === id);
    if (!h) throw new Error(`no node ${id}`);
    return h;
  };

  const handles = specs.map((spec): ClusterNode & { start(): Promise<void> } => {
    let node: Node | null = null;
    const start = async () => {
      const n = new Node({ properties: spec.config, clusterId, faults, publishers: o.publishers?.(spec.nodeId) });
      try {
        await n.start();
      } catch (e) {
        await n.kill().catch(() => {});
        throw e;
      }
      node = n;
      n.clusterControl = control;
      if (n.broker) n.broker.clusterControl = control;
    };
    const h = {
      nodeId: spec.nodeId,
      spec,
      get node() {
        return node;
      },
      get running() {
        return node !== null;
      },
      bootstrap: spec.port === null ? null : `${host}:${spec.port}`,
      controller: spec.controllerPort === null ? null : `${host}:${spec.controllerPort}`,
      get httpPort() {
        return node?.httpPort ?? null;
      },
      status: () => node?.raftStatus() ?? null,
      async stop() {
        const n = node;
        node = null;
        await n?.close();
      },
      async kill() {
        const n = node;
        node = null;
        await n?.kill();
      },
      async restart() {
        if (node) throw new Error(`node ${spec.nodeId} is running`);
        await start();
      },
      isolate: () => faults.isolate(spec.nodeId),
      heal: () => faults.heal(),
      start,
    };
    return h;
  });

  const close = async () => {
    await Promise.all(handles.map((h) => h.stop().catch(() => {})));
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await Promise.all(handles.map((h) => h.start()));
    if (o.topics && o.topics.length > 0) {
      const brokers = specs.filter((s) => s.port !== null).length;
      await seedCluster(
        {
          brokers: () => handles.flatMap((h): Broker[] => (h.node?.broker ? [h.node.broker] : [])),
          replicationFactor: o.config?.['default.replication.factor'] === undefined ? Math.min(3, brokers) : undefined,
          timeoutMs: SEED_TIMEOUT_MS,
        },
        o.topics,
      );
    }
  } catch (e) {
    await close();
    throw e;
  }
  return {
    clusterId,
    dataDir,
    nodes: handles,
    node: handle,
    bootstrap: bootstrapServers(specs),
    bootstrapController: bootstrapControllers(specs),
    faults,
    moveLeader: control.moveLeader,
    leader() {
      let best: ClusterNode | undefined;
      let bestEpoch = -1;
      for (const h of handles) {
        const s = h.status();
        if (s && s.role === 'Leader' && s.epoch > bestEpoch) {
          best = h;
          bestEpoch = s.epoch;
        }
      }
      return best;
    },
    close,
  };
}
