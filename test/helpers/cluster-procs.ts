// A local cluster of `samsa` processes started from source (one per node, as `samsa --nodes N`
// lays them out, on free ports in a temp dir): each node can be SIGKILLed, stopped and restarted
// with the same settings. Every process is killed at teardown.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { randomUuid } from '../../src/metadata/uuid.js';
import {
  bootstrapControllers,
  bootstrapServers,
  localClusterNodes,
  nodeArgs,
  type LocalClusterOptions,
  type LocalNodeSpec,
} from '../../src/node/local-cluster.js';
import { cliArgv, REPO_ROOT, type Exit } from './cli-broker.js';
import { tempDir } from './tmp.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface ProcNode {
  spec: LocalNodeSpec;
  readonly nodeId: number;
  /** The running process's pid (the last one started). */
  readonly pid: number;
  readonly alive: boolean;
  /** Everything the node printed on stderr across its restarts (its log). */
  log(): string;
  /** SIGKILL: no shutdown, no flush beyond what the node already fsynced. */
  kill9(): Promise<Exit>;
  /** SIGTERM and wait (SIGKILL after timeoutMs). */
  stop(timeoutMs?: number): Promise<Exit>;
  /** Starts the node again with the same settings and data dir; resolves once it listens. */
  restart(): Promise<void>;
}

export interface ProcCluster {
  clusterId: string;
  dataDir: string;
  nodes: ProcNode[];
  node(id: number): ProcNode;
  /** host:port of the brokers (for --bootstrap-server and clients). */
  bootstrap: string;
  /** host:port of the controllers (for --bootstrap-controller). */
  bootstrapController: string;
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SAMSA_TEST_CLI: '1' };
  delete env.NODE_OPTIONS;
  return env;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port p such that p .. p+count-1 are all free now. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await canBind(base + i);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function exitOf(proc: ChildProcess): Promise<Exit> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  return new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Starts every node of the layout and resolves once all listen. */
export async function startProcCluster(
  t: Teardown,
  layout: LocalClusterOptions = { nodes: 3 },
  opts: { startTimeoutMs?: number; clusterId?: string } = {},
): Promise<ProcCluster> {
  const dataDir = tempDir(t, 'samsa-cluster-');
  const count = localClusterNodes(layout).length;
  const port = await freePortRange(count);
  const controllerPort = await freePortRange(count);
  const specs = localClusterNodes({ ...layout, dataDir, port, controllerPort });
  const clusterId = opts.clusterId ?? randomUuid();
  const procs: ChildProcess[] = [];
  t.teardown(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map(exitOf));
  });

  const makeNode = (spec: LocalNodeSpec): { node: ProcNode; start: () => Promise<void> } => {
    let proc: ChildProcess | null = null;
    let log = '';
    const start = () =>
      new Promise<void>((resolve, reject) => {
        const p = spawn(process.execPath, cliArgv(nodeArgs(spec, clusterId)), { cwd: REPO_ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
        proc = p;
        procs.push(p);
        let out = '';
        const timeoutMs = opts.startTimeoutMs ?? 30_000;
        const timer = setTimeout(() => {
          p.kill('SIGKILL');
          reject(new Error(`node ${spec.nodeId} printed no "listening on" line within ${timeoutMs} ms; log:\n${log.slice(-4000)}`));
        }, timeoutMs);
        p.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
        p.stdout!.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (/listening on /.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
        p.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`node ${spec.nodeId} exited (${signal ?? code}) before listening; log:\n${log.slice(-4000)}`));
        });
      });
    const node: ProcNode = {
      spec,
      nodeId: spec.nodeId,
      get pid() {
        return proc?.pid ?? -1;
      },
      get alive() {
        return proc !== null && proc.exitCode === null && proc.signalCode === null;
      },
      log: () => log,
      async kill9() {
        if (!proc) throw new Error(`node ${spec.nodeId} never started`);
        if (node.alive) proc.kill('SIGKILL');
        return exitOf(proc);
      },
      async stop(timeoutMs = 15_000) {
        if (!proc) throw new Error(`node ${spec.nodeId} never started`);
        const p = proc;
        if (node.alive) p.kill('SIGTERM');
        const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
        const e = await exitOf(p);
        clearTimeout(timer);
        return e;
      },
      async restart() {
        if (node.alive) throw new Error(`node ${spec.nodeId} is still running`);
        await start();
      },
    };
    return { node, start };
  };

  const made = specs.map(makeNode);
  const nodes = made.map((m) => m.node);
  await Promise.all(made.map((m) => m.start()));
  return {
    clusterId,
    dataDir,
    nodes,
    node(id) {
      const n = nodes.find((x) => x.nodeId === id);
      if (!n) throw new Error(`no node ${id}`);
      return n;
    },
    bootstrap: bootstrapServers(specs),
    bootstrapController: bootstrapControllers(specs),
  };
}
