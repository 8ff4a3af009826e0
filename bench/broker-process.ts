// Runs samsa as a child process, so the broker and the load generator never share an event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const STDERR_TAIL = 8192;

export class BrokerProcess {
  private stderrTail = '';
  private exited: string | null = null;

  private constructor(
    private readonly child: ChildProcess,
    readonly dataDir: string | null,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Starts `bin/samsa.js` on a free port, with a fresh temporary data directory unless `memory`. */
  static async start(root: string, memory: boolean, extraArgs: string[]): Promise<BrokerProcess> {
    const dataDir = memory ? null : mkdtempSync(join(tmpdir(), 'samsa-bench-'));
    const args = [join(root, 'bin', 'samsa.js'), '--port', '0', ...(dataDir ? ['--data-dir', dataDir] : ['--memory']), ...extraArgs];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SAMSA_LOG_LEVEL: process.env.SAMSA_LOG_LEVEL ?? 'warn' },
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => (stderr = (stderr + s).slice(-STDERR_TAIL)));
    try {
      const { host, port } = await awaitListening(child, () => stderr);
      const broker = new BrokerProcess(child, dataDir, host, port);
      broker.stderrTail = stderr;
      child.stderr!.removeAllListeners('data');
      child.stderr!.on('data', (s: string) => (broker.stderrTail = (broker.stderrTail + s).slice(-STDERR_TAIL)));
      child.once('exit', (code, signal) => (broker.exited = `exited with ${signal ?? `code ${code}`}`));
      return broker;
    } catch (e) {
      child.kill('SIGKILL');
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      throw e;
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Why the broker is gone (with its last stderr output), or null while it runs. */
  deathNotice(): string | null {
    return this.exited && `samsa ${this.exited}; its last output:\n${this.stderrTail}`;
  }

  /** CPU seconds (user + system) the broker has used so far; null where /proc is missing. */
  cpuSeconds(): number | null {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return null;
    }
  }

  /** SIGTERM, then SIGKILL if the broker has not exited in time; removes the data directory. */
  async stop(): Promise<void> {
    if (this.exited === null && this.child.exitCode === null && this.child.signalCode === null) {
      const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await gone;
      clearTimeout(timer);
    }
    this.removeDataDir();
  }

  /** Last-resort cleanup for process exit paths, where nothing can be awaited. */
  killNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.removeDataDir();
  }

  private removeDataDir(): void {
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function awaitListening(child: ChildProcess, stderr: () => string): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(`samsa did not report listening within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`${why}; its output:\n${out}${stderr()}`));
    };
    child.once('error', (e) => fail(`cannot run samsa: ${e.message}`));
    child.once('exit', (code, signal) => fail(`samsa exited with ${signal ?? `code ${code}`} before listening`));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (s: string) => {
      out += s;
      const m = /listening on (\S+):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        child.stdout!.resume();
        resolve({ host: m[1], port: Number(m[2]) });
      }
    });
  });
}
