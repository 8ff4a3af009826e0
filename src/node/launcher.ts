// `samsa --nodes N`: a local cluster with one `samsa` process per node, so any one of them can be
// kill -9'ed. Forwards each node's output line by line with a [node-i] prefix, prints one ready
// line once every node listens, and stops them all on SIGTERM/SIGINT. The CLI maps its flags onto
// LaunchOptions: --nodes N, --port P (node 1's broker port), --controller-port P, --data-dir D,
// --cluster-id ID, --config k=v (every node). A node is ready when it prints a "listening on" line.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { META_PROPERTIES, parseProperties } from '../metadata/meta-properties.js';
import { randomUuid } from '../metadata/uuid.js';
import { bootstrapServers, localClusterNodes, nodeArgs, type LocalClusterOptions, type LocalNodeSpec } from './local-cluster.js';

export interface LaunchOptions extends LocalClusterOptions {
  /** The cluster id every node is formatted with; default: the one already on disk, else a fresh one. */
  clusterId?: string;
  /** How long each node may take to print its "listening on" line. */
  startTimeoutMs?: number;
}

export interface LaunchedNode {
  spec: LocalNodeSpec;
  proc: ChildProcess;
}

export interface LaunchedCluster {
  clusterId: string;
  nodes: LaunchedNode[];
  /** Signals every node still running and resolves once all have exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** How long SIGTERM waits for the nodes' own clean shutdown before SIGKILL. */
const STOP_TIMEOUT_MS = 15_000;

/** The cluster id already in a node's meta.properties (restarting a local cluster keeps its id). */
function storedClusterId(specs: LocalNodeSpec[]): string | undefined {
  for (const s of specs) {
    try {
      const id = parseProperties(readFileSync(path.join(s.dataDir, META_PROPERTIES), 'utf8')).get('cluster.id');
      if (id) return id;
    } catch {
      // Not formatted yet.
    }
  }
  return undefined;
}

/** Copies a stream to `out` a whole line at a time, each line prefixed. */
function forwardLines(from: NodeJS.ReadableStream, out: NodeJS.WritableStream, prefix: string, onLine?: (line: string) => void): void {
  let pending = '';
  from.setEncoding('utf8');
  from.on('data', (d: string) => {
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      out.write(`${prefix}${line}\n`);
      onLine?.(line);
    }
  });
  from.on('end', () => {
    if (pending) out.write(`${prefix}${pending}\n`);
  });
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}

/**
 * Starts the nodes (this same program, with each node's settings as --config flags) and resolves
 * once all listen. A node that exits before that fails the launch and stops the others.
 */
export async function startLocalCluster(o: LaunchOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<LaunchedCluster> {
  const specs = localClusterNodes(o);
  const clusterId = o.clusterId ?? storedClusterId(specs) ?? randomUuid();
  // The script that runs us (bin/samsa.js, or src/cli.ts through tsx) with the same Node flags.
  const program = [...process.execArgv, process.argv[1]];
  const nodes = specs.map((spec): LaunchedNode => {
    const proc = spawn(process.execPath, [...program, ...nodeArgs(spec, clusterId)], { stdio: ['ignore', 'pipe', 'pipe'] });
    return { spec, proc };
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    await Promise.all(
      nodes.map(async ({ proc }) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        proc.kill(signal);
        const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited(proc);
        clearTimeout(timer);
      }),
    );
  };
  const ready = nodes.map(
    ({ spec, proc }) =>
      new Promise<void>((resolve, reject) => {
        const prefix = `[node-${spec.nodeId}] `;
        const timeoutMs = o.startTimeoutMs ?? 60_000;
        const timer = setTimeout(() => reject(new Error(`node ${spec.nodeId} did not start within ${timeoutMs} ms`)), timeoutMs);
        forwardLines(proc.stdout!, out, prefix, (line) => {
          if (/listening on /.test(line)) {
            clearTimeout(timer);
            resolve();
          }
        });
        forwardLines(proc.stderr!, err, prefix);
        proc.once('exit', (code, signal) => {
          clearTimeout(timer);
          out.write(`${prefix}exited (${signal ?? `code ${code}`})\n`);
          reject(new Error(`node ${spec.nodeId} exited (${signal ?? `code ${code}`}) before it was ready`));
        });
        out.write(`${prefix}started, pid ${proc.pid}\n`);
      }),
  );
  try {
    await Promise.all(ready);
  } catch (e) {
    await stop('SIGTERM');
    throw e;
  }
  return { clusterId, nodes, stop };
}

/**
 * The CLI's `--nodes N`: starts the cluster, prints one ready line, and on SIGTERM/SIGINT stops
 * every node and exits. Resolves once ready; the process then lives as long as its nodes.
 */
export async function launchLocalCluster(o: LaunchOptions): Promise<LaunchedCluster> {
  const t0 = performance.now();
  const cluster = await startLocalCluster(o);
  const specs = cluster.nodes.map((n) => n.spec);
  process.stdout.write(
    `samsa cluster ${cluster.clusterId} of ${specs.length} nodes listening on ${bootstrapServers(specs)} ` +
      `(started in ${Math.round(performance.now() - t0)} ms)\n`,
  );
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    cluster.stop('SIGTERM').then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Once every node is gone (killed one by one), there is nothing left to run.
  Promise.all(cluster.nodes.map((n) => exited(n.proc))).then(() => {
    if (!stopping) process.exit(1);
  });
  return cluster;
}
