// Three-node clusters on this machine for the cluster rows of bench:compare, one process per node so
// a node can be kill -9'ed and restarted on its own data: samsa's nodes with the layout and arguments
// `samsa --nodes 3` gives them (src/node/local-cluster.ts), and Apache Kafka 4.4.0's as three combined
// broker+controller JVMs with a static quorum, each started from compat/kafka's jars like broker.sh does.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { localClusterNodes, nodeArgs } from '../../src/node/local-cluster.js';
import type { System } from './args.js';
import { freePort } from './brokers.js';

const run = promisify(execFile);
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

export interface ClusterNode {
  nodeId: number;
  port: number;
  /** The controller listener's port (DescribeQuorum names the active controller there). */
  controllerPort: number;
  /** The running process's pid, null while killed. */
  pid(): number | null;
  kill9(): Promise<void>;
  /** Starts the node again on its data (it must not be running). */
  restart(): Promise<void>;
}

export interface BenchCluster {
  system: System;
  nodes: ClusterNode[];
  bootstrap: string;
  stop(): Promise<void>;
  killNow(): void;
  logTail(): string;
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-3000);
  } catch {
    return '';
  }
}

/** One node process; `ready` resolves on its "listening" line (samsa) or once spawned (Kafka, probed by the caller). */
class NodeProcess implements ClusterNode {
  private child: ChildProcess | null = null;
  constructor(
    readonly nodeId: number,
    readonly port: number,
    readonly controllerPort: number,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    readonly logPath: string,
    private readonly readyLine: RegExp | null,
  ) {}

  pid(): number | null {
    return this.child && this.child.exitCode === null && this.child.signalCode === null ? this.child.pid! : null;
  }

  start(): Promise<void> {
    const log = createWriteStream(this.logPath, { flags: 'a' });
    const child = spawn(this.command, this.args, { stdio: ['ignore', 'pipe', 'pipe'], env: this.env });
    this.child = child;
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    const line = this.readyLine;
    if (!line) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node ${this.nodeId} not listening after ${START_TIMEOUT_MS / 1000} s:\n${tail(this.logPath)}`)), START_TIMEOUT_MS);
      let seen = '';
      child.stdout!.on('data', (d: Buffer) => {
        seen = (seen + d.toString('utf8')).slice(-4096);
        if (line.test(seen)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`node ${this.nodeId} exited (${signal ?? `code ${code}`}) while starting:\n${tail(this.logPath)}`));
      });
    });
  }

  restart(): Promise<void> {
    if (this.pid() !== null) throw new Error(`node ${this.nodeId} is still running`);
    return this.start();
  }

  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || this.pid() === null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.pid() === null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await gone;
    clearTimeout(timer);
  }
}

function cluster(system: System, nodes: NodeProcess[]): BenchCluster {
  return {
    system,
    nodes,
    bootstrap: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    },
    killNow: () => {
      for (const n of nodes) if (n.pid() !== null) process.kill(n.pid()!, 'SIGKILL');
    },
    logTail: () => nodes.map((n) => `--- node ${n.nodeId}\n${tail(n.logPath)}`).join('\n'),
  };
}

async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** samsa's 3 nodes: bin/samsa.js with the arguments the launcher gives each node of `samsa --nodes 3`. */
export async function startSamsaCluster(root: string, dir: string, config: Record<string, string>): Promise<BenchCluster> {
  mkdirSync(dir, { recursive: true });
  const ports = await freePorts(6);
  const specs = localClusterNodes({ nodes: 3, ports: ports.slice(0, 3), controllerPorts: ports.slice(3), dataDir: join(dir, 'data'), config });
  const clusterId = randomBytes(16).toString('base64url').replace(/^-/, 'A');
  const env = { ...process.env, SAMSA_LOG_LEVEL: process.env.SAMSA_LOG_LEVEL ?? 'warn' };
  const nodes = specs.map(
    (s) => new NodeProcess(s.nodeId, s.port!, s.controllerPort!, process.execPath, [join(root, 'bin', 'samsa.js'), ...nodeArgs(s, clusterId)], env, join(dir, `node-${s.nodeId}.log`), /listening on /),
  );
  const c = cluster('samsa', nodes);
  try {
    await Promise.all(nodes.map((n) => n.start()));
  } catch (e) {
    c.killNow();
    throw e;
  }
  return c;
}

/** Kafka's 3 combined nodes, each store formatted (before any starts) with one cluster id and the static voters. */
export async function startKafkaCluster(brokerSh: string, dir: string, config: Record<string, string>): Promise<BenchCluster> {
  mkdirSync(dir, { recursive: true });
  const ports = await freePorts(6);
  const voters = [1, 2, 3].map((id) => `${id}@127.0.0.1:${ports[2 + id]}`).join(',');
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  const nodes: NodeProcess[] = [];
  for (const id of [1, 2, 3]) {
    const props = join(dir, `server-${id}.properties`);
    writeFileSync(props, kafkaProperties(id, join(dir, `data-${id}`), ports[id - 1], ports[2 + id], voters, config));
    await run('bash', [brokerSh, 'java', 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props], { maxBuffer: 16 * 1024 * 1024 });
    // broker.sh java execs java, so the child's pid is the JVM's (kill -9 hits the broker itself).
    nodes.push(new NodeProcess(id, ports[id - 1], ports[2 + id], 'bash', [brokerSh, 'java', 'kafka.Kafka', props], process.env, join(dir, `kafka-${id}.log`), null));
  }
  await Promise.all(nodes.map((n) => n.start()));
  return cluster('kafka', nodes);
}

function kafkaProperties(id: number, logDir: string, port: number, controller: number, voters: string, config: Record<string, string>): string {
  const base: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(id),
    'controller.quorum.voters': voters,
    'listeners': `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': logDir,
    'num.partitions': '1',
    'default.replication.factor': '3',
    'offsets.topic.replication.factor': '3',
    'transaction.state.log.replication.factor': '3',
    'transaction.state.log.min.isr': '2',
    'transaction.state.log.num.partitions': '3',
    'share.coordinator.state.topic.replication.factor': '3',
    'share.coordinator.state.topic.min.isr': '2',
    'auto.create.topics.enable': 'true',
    'delete.topic.enable': 'true',
    ...config,
  };
  return Object.entries(base).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}
