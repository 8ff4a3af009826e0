// A local cluster of `samsa` processes, each in its own Linux network namespace (needs root and
// `ip`): node i listens on its own address on a test bridge, so one node can be cut off from the
// others and from the clients (its link down) and healed, besides being killed or paused.
// The namespaces, veths and bridge are removed at teardown.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUuid } from '../../src/metadata/uuid.js';
import { bootstrapControllers, bootstrapServers, localClusterNodes, nodeArgs, type LocalClusterOptions, type LocalNodeSpec } from '../../src/node/local-cluster.js';
import { cliArgv, REPO_ROOT, type Exit } from './cli-broker.js';
import type { ProcCluster, ProcNode } from './cluster-procs.js';
import { tempDir } from './tmp.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface NetnsCluster extends ProcCluster {
  /** Takes node id's link down: no packet to or from it (nodes and clients alike). */
  isolate(id: number): void;
  heal(id: number): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Whether network namespaces can be made here (root, iproute2). */
export function netnsAvailable(): boolean {
  const name = `samsa-probe-${process.pid}`;
  try {
    ip('netns', 'add', name);
    ip('netns', 'del', name);
    return true;
  } catch {
    return false;
  }
}

function exitOf(proc: ChildProcess): Promise<Exit> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  return new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
}

export async function startNetnsCluster(t: Teardown, layout: LocalClusterOptions = { nodes: 3 }): Promise<NetnsCluster> {
  const tag = (process.pid % 100_000).toString(36);
  const subnet = `10.213.${process.pid % 250}`;
  const bridge = `sbr${tag}`;
  const nsOf = (id: number) => `samsa-${tag}-${id}`;
  const vethOf = (id: number) => `sv${tag}x${id}`;
  const addrOf = (id: number) => `${subnet}.${10 + id}`;
  const dataDir = tempDir(t, 'samsa-netns-');
  const HOST = 'netns.invalid';
  const raw = localClusterNodes({ ...layout, dataDir, host: HOST, port: 9092, controllerPort: 19092 });
  // Every node on the same ports, each at its own address: rewrite host:port to the owner's address.
  const owner = new Map<number, number>();
  for (const s of raw) {
    if (s.port !== null) owner.set(s.port, s.nodeId);
    if (s.controllerPort !== null) owner.set(s.controllerPort, s.nodeId);
  }
  const rewrite = (v: string) => v.replaceAll(new RegExp(`${HOST.replace('.', '\\.')}:(\\d+)`, 'g'), (_m, port: string) => `${addrOf(owner.get(Number(port))!)}:${port}`);
  const specs: LocalNodeSpec[] = raw.map((s) => ({ ...s, host: addrOf(s.nodeId), config: Object.fromEntries(Object.entries(s.config).map(([k, v]) => [k, rewrite(v)])) }));

  const procs: ChildProcess[] = [];
  t.teardown(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map(exitOf));
    for (const s of specs) {
      try {
        ip('netns', 'del', nsOf(s.nodeId));
      } catch {}
    }
    try {
      ip('link', 'del', bridge);
    } catch {}
  });
  ip('link', 'add', bridge, 'type', 'bridge');
  ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
  ip('link', 'set', bridge, 'up');
  for (const s of specs) {
    const ns = nsOf(s.nodeId);
    ip('netns', 'add', ns);
    ip('link', 'add', vethOf(s.nodeId), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('link', 'set', vethOf(s.nodeId), 'master', bridge, 'up');
    ip('-n', ns, 'addr', 'add', `${addrOf(s.nodeId)}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  const clusterId = randomUuid();
  const env: NodeJS.ProcessEnv = { ...process.env, SAMSA_TEST_CLI: '1' };
  delete env.NODE_OPTIONS;

  const makeNode = (spec: LocalNodeSpec): { node: ProcNode; start: () => Promise<void> } => {
    let proc: ChildProcess | null = null;
    let log = '';
    const start = () =>
      new Promise<void>((resolve, reject) => {
        // `ip netns exec` enters the namespace and execs node: the pid is the node's own.
        const p = spawn('ip', ['netns', 'exec', nsOf(spec.nodeId), process.execPath, ...cliArgv(nodeArgs(spec, clusterId))], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        proc = p;
        procs.push(p);
        let out = '';
        const timer = setTimeout(() => {
          p.kill('SIGKILL');
          reject(new Error(`node ${spec.nodeId} printed no "listening on" line within 30 s; log:\n${log.slice(-4000)}`));
        }, 30_000);
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
        if (node.alive) proc!.kill('SIGKILL');
        return exitOf(proc!);
      },
      async stop(timeoutMs = 15_000) {
        const p = proc!;
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
    isolate: (id) => ip('link', 'set', vethOf(id), 'down'),
    heal: (id) => ip('link', 'set', vethOf(id), 'up'),
  };
}
