// The broker a transactions e2e test runs against, as a process that can be kill -9'ed and started again
// on the same port and data: samsa (the CLI, from source) by default, or Apache Kafka 4.4.0 (one KRaft node
// through compat/kafka/broker.sh) with TXN_E2E_TARGET=kafka, to check that a test's expectations are
// Kafka's own. Kafka's tools run from the jars compat/kafka/broker.sh installs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT, spawnBroker, type CliBroker } from '../helpers/cli-broker.js';
import { tempDir } from '../helpers/tmp.js';

export const LIBS = path.join(REPO_ROOT, 'compat/kafka/.work/libs');
const BROKER_SH = path.join(REPO_ROOT, 'compat/kafka/broker.sh');
const LOG4J = path.join(REPO_ROOT, 'compat/kafka/log4j2.properties');

interface Tap {
  teardown(fn: () => unknown): void;
}

export type TargetName = 'samsa' | 'kafka';
export const TARGET: TargetName = process.env.TXN_E2E_TARGET === 'kafka' ? 'kafka' : 'samsa';

/** Null when Kafka's jars are there (installing them when missing), else why they are not. */
export function installKafkaJars(): string | null {
  if (spawnSync('java', ['-version']).status !== 0) return 'java is not installed (apt-get install default-jdk-headless)';
  if (existsSync(path.join(LIBS, '.complete'))) return null;
  const r = spawnSync('bash', [BROKER_SH, 'install'], { stdio: 'inherit', timeout: 240_000 });
  return r.status === 0 ? null : 'compat/kafka/broker.sh install failed (needs maven and Maven Central)';
}

export interface Target {
  name: TargetName;
  bootstrap: string;
  /** SIGKILL, resolved once the process is gone. */
  kill9(): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it listens. */
  restart(): Promise<void>;
  /** What it logged (samsa: stdout and stderr of every run). */
  log(): string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** `config`: broker configs by Kafka's names (samsa --config, lines of Kafka's server.properties). */
export async function startTarget(t: Tap, config: Record<string, string> = {}): Promise<Target> {
  const dir = tempDir(t, 'samsa-txn-e2e-');
  return TARGET === 'kafka' ? startKafka(t, dir, config) : startSamsa(t, dir, config);
}

async function startSamsa(t: Tap, dir: string, config: Record<string, string>): Promise<Target> {
  const port = await freePort();
  const args = ['--port', String(port), '--data-dir', path.join(dir, 'data'), ...Object.entries(config).flatMap(([k, v]) => ['--config', `${k}=${v}`])];
  let logs = '';
  let b: CliBroker | null = await spawnBroker(t, args, { timeoutMs: 60_000 });
  const keep = (x: CliBroker) => () => (logs += x.stdout() + x.stderr());
  let flush = keep(b);
  return {
    name: 'samsa',
    bootstrap: b.bootstrap,
    async kill9() {
      if (!b) return;
      await b.stop('SIGKILL');
      flush();
      b = null;
    },
    async restart() {
      // The port can be briefly held after the kill; retry the start a few times.
      for (let i = 0; ; i++) {
        try {
          b = await spawnBroker(t, args, { timeoutMs: 60_000 });
          flush = keep(b);
          return;
        } catch (e) {
          if (i >= 4) throw e;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    },
    log: () => logs + (b ? b.stdout() + b.stderr() : ''),
  };
}

function runBrokerSh(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p: ChildProcess = spawn('bash', [BROKER_SH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`broker.sh ${args[0]} exited ${code}: ${out}`))));
  });
}

async function startKafka(t: Tap, dir: string, config: Record<string, string>): Promise<Target> {
  const kdir = path.join(dir, 'kafka');
  t.teardown(() => runBrokerSh(['stop', kdir]).catch(() => {}));
  const m = /kafka listening on (\S+)/.exec(await runBrokerSh(['start', kdir, ...Object.entries(config).map(([k, v]) => `${k}=${v}`)]));
  if (!m) throw new Error('broker.sh start printed no address');
  const pid = () => Number(readFileSync(path.join(kdir, 'kafka.pid'), 'utf8'));
  return {
    name: 'kafka',
    bootstrap: m[1],
    async kill9() {
      const p = pid();
      process.kill(p, 'SIGKILL');
      while (alive(p)) await new Promise((r) => setTimeout(r, 100));
    },
    async restart() {
      await runBrokerSh(['restart', kdir]);
    },
    log: () => (existsSync(path.join(kdir, 'kafka.log')) ? readFileSync(path.join(kdir, 'kafka.log'), 'utf8') : ''),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A Kafka tool class as a child process with the reference jars; lines of stdout streamed to `onLine`. */
export function javaTool(cls: string, args: string[], onLine: (line: string) => void = () => {}, timeoutMs = 120_000) {
  const jvm = ['-Xms64m', '-Xmx384m', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${LOG4J}`];
  const proc = spawn('java', [...jvm, '-cp', `${LIBS}/*`, cls, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let partial = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    partial += d;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) onLine(l);
  });
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    }),
  );
  return { proc, done };
}
