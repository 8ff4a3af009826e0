// A samsa CLI broker as a child process for the robustness runs: started on a given (or free)
// port, its stderr kept as a bounded tail plus every ERROR entry, its RSS read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { REPO_ROOT, cliArgv, distIsFresh, type Exit } from '../helpers/cli-broker.js';

export interface BrokerProcess {
  proc: ChildProcess;
  pid: number;
  host: string;
  port: number;
  bootstrap: string;
  exited: Promise<Exit>;
  isRunning(): boolean;
  /** The last lines of stderr. */
  stderrTail(): string;
  /** Every ERROR entry logged (with its stack lines), up to a cap. */
  errors: string[];
  /** Resident set size in MiB, or null once the process is gone. */
  rssMiB(): number | null;
  kill(signal?: NodeJS.Signals): Promise<Exit>;
}

const TAIL_LINES = 200;
const MAX_ERRORS = 200;

// Children still running when this process exits (a failed run, Ctrl-C of npm run torture) are
// killed with it rather than left listening.
const children = new Set<ChildProcess>();
const dirs = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of children) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => process.exit(130));
  }
}

export function killOnExit(proc: ChildProcess): void {
  installExitHook();
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
}

/** A fresh temp dir, removed at exit if the run that made it did not get to (a timeout, Ctrl-C). */
export function tempDirRemovedOnExit(prefix: string): string {
  installExitHook();
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.add(d);
  return d;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** The bundled CLI when dist/ is current (as users run it), else the sources through tsx. */
export function brokerVia(): 'bin' | 'source' {
  return process.env.SAMSA_ROBUSTNESS_VIA === 'source' ? 'source' : distIsFresh() ? 'bin' : 'source';
}

export async function startBrokerProcess(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<BrokerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, SAMSA_TEST_CLI: '1', ...opts.env };
  delete env.NODE_OPTIONS;
  // Without tap's coverage collection: it slows the broker several times over, and a SIGKILLed
  // broker writes none anyway.
  delete env.NODE_V8_COVERAGE;
  const proc = spawn(process.execPath, cliArgv(args, brokerVia()), { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(proc);
  const exited = new Promise<Exit>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  let running = true;
  void exited.then(() => (running = false));
  const tail: string[] = [];
  const errors: string[] = [];
  let partial = '';
  let inError = false;
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      // A log entry starts with "[timestamp] LEVEL"; lines without it continue the entry (stacks),
      // or are output from outside the logger (an uncaught exception's report), kept as errors too.
      const entry = /^\[\d{4}-\d\d-\d\dT[^\]]+\] (\w+) /.exec(line);
      if (entry) {
        inError = entry[1] === 'ERROR';
        if (inError && errors.length < MAX_ERRORS) errors.push(line);
      } else if (line.trim() !== '') {
        if (inError && errors.length > 0) {
          if (errors[errors.length - 1].length < 8000) errors[errors.length - 1] += '\n' + line;
        }
        else if (errors.length < MAX_ERRORS) {
          errors.push(line);
          inError = true;
        }
      }
    }
  });
  let out = '';
  const { host, port } = await new Promise<{ host: string; port: number }>((resolve, reject) => {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`broker printed no "listening on" line within ${timeoutMs} ms; stderr: ${tail.join('\n')}`));
    }, timeoutMs);
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on (\S+):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ host: m[1], port: Number(m[2]) });
      }
    });
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (${e.code ?? e.signal}) before listening; stderr: ${tail.join('\n')}`));
    });
  });
  return {
    proc,
    pid: proc.pid!,
    host,
    port,
    bootstrap: `${host}:${port}`,
    exited,
    isRunning: () => running,
    stderrTail: () => [...tail, partial].join('\n'),
    errors,
    rssMiB() {
      if (!running) return null;
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
        return m ? Number(m[1]) / 1024 : null;
      } catch {
        return null;
      }
    },
    async kill(signal = 'SIGKILL') {
      if (running) proc.kill(signal);
      const timer = setTimeout(() => running && proc.kill('SIGKILL'), 10_000);
      const e = await exited;
      clearTimeout(timer);
      return e;
    },
  };
}
