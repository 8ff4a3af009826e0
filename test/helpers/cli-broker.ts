// Runs the `samsa` command as a child process: start it, wait for its "listening on" line,
// signal or kill it. Every process started here is killed at teardown if still running.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * 'source' runs src/cli.ts through tsx (no build needed); 'bin' runs bin/samsa.js, the
 * installed command, which needs an up-to-date dist/ (see distIsFresh).
 */
export type CliVia = 'source' | 'bin';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliBroker {
  proc: ChildProcess;
  host: string;
  port: number;
  bootstrap: string;
  /** The stdout line that announced readiness. */
  readyLine: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
  /** Sends `signal` and resolves when the process has exited (SIGKILL after `timeoutMs`). */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

export function cliArgv(args: string[], via: CliVia = 'source'): string[] {
  return via === 'bin'
    ? [path.join(REPO_ROOT, 'bin/samsa.js'), ...args]
    : ['--import', 'tsx', path.join(REPO_ROOT, 'test/helpers/run-cli.ts'), ...args];
}

/** The environment for a child broker: without tap's loaders, marked as a CLI started by a test. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SAMSA_TEST_CLI: '1' };
  delete env.NODE_OPTIONS;
  return env;
}

function spawnCli(args: string[], via: CliVia): ChildProcess {
  return spawn(process.execPath, cliArgv(args, via), {
    cwd: REPO_ROOT,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exitOf(proc: ChildProcess): Promise<Exit> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  }
  return new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Runs the CLI to completion (for flags that must make it exit); kills it after `timeoutMs`. */
export async function runCli(
  args: string[],
  opts: { timeoutMs?: number; via?: CliVia } = {},
): Promise<Exit & { stdout: string; stderr: string; timedOut: boolean }> {
  const proc = spawnCli(args, opts.via ?? 'source');
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill('SIGKILL');
  }, opts.timeoutMs ?? 20_000);
  const exit = await exitOf(proc);
  clearTimeout(timer);
  // Let the pipes drain after exit.
  await Promise.all([once(proc.stdout!, 'close'), once(proc.stderr!, 'close')]);
  return { ...exit, stdout, stderr, timedOut };
}

function once(stream: NodeJS.EventEmitter & { readableEnded?: boolean; closed?: boolean }, ev: string): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.once(ev, () => resolve()));
}

/** Starts the CLI and resolves once it prints `listening on HOST:PORT`. */
export async function spawnBroker(
  t: Teardown,
  args: string[],
  opts: { timeoutMs?: number; via?: CliVia } = {},
): Promise<CliBroker> {
  const proc = spawnCli(args, opts.via ?? 'source');
  const exited = exitOf(proc);
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  let out = '';
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const ready = new Promise<{ line: string; host: string; port: number }>((resolve, reject) => {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`broker printed no "listening on" line within ${timeoutMs} ms; stdout: ${out} stderr: ${err}`));
    }, timeoutMs);
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      for (const line of out.split('\n')) {
        const m = /listening on (\S+):(\d+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve({ line, host: m[1], port: Number(m[2]) });
        }
      }
    });
    exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`broker exited (${e.code ?? e.signal}) before listening; stderr: ${err}`));
    });
  });
  const { line, host, port } = await ready;
  return {
    proc,
    host,
    port,
    bootstrap: `${host}:${port}`,
    readyLine: line,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(signal, timeoutMs = 10_000) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const e = await exited;
      clearTimeout(timer);
      return e;
    },
  };
}

/** True when dist/samsa.js exists and is newer than every file under src/ (bin/samsa.js runs that bundle). */
export function distIsFresh(): boolean {
  const built = path.join(REPO_ROOT, 'dist/samsa.js');
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  const newest = (dir: string): number => {
    let m = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      m = Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }
    return m;
  };
  return newest(path.join(REPO_ROOT, 'src')) <= builtAt;
}
