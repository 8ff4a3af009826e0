// Runs a class from Apache Kafka's jars through compat/kafka/broker.sh's `tool` (a short-lived JVM; the
// jars installed when missing) and collects what it prints; killed after four minutes.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './cli-broker.js';

function run(cls: string, args: string[], stdin: string | null, onOut: (d: string) => void, onErr: (d: string) => void): Promise<number | null> {
  const proc = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'tool', cls, ...args], { stdio: [stdin === null ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  proc.stdout.setEncoding('utf8').on('data', onOut);
  proc.stderr.setEncoding('utf8').on('data', onErr);
  if (stdin !== null) proc.stdin!.end(stdin);
  const timer = setTimeout(() => proc.kill('SIGKILL'), 240_000);
  return new Promise((resolve) =>
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
}

/** stdout and stderr together, in the order they came. */
export async function kafkaTool(cls: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  let out = '';
  const code = await run(cls, args, null, (d) => (out += d), (d) => (out += d));
  return { code, out };
}

/** `stdin` fed to the tool; stdout and stderr apart. */
export async function kafkaToolIO(cls: string, args: string[], stdin = ''): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(cls, args, stdin, (d) => (out += d), (d) => (err += d));
  return { code, out, err };
}
