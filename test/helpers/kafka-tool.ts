// Runs a class from Apache Kafka's jars through compat/kafka/broker.sh (which installs the jars when
// missing) and collects what it prints; killed after four minutes.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './cli-broker.js';

export function kafkaTool(cls: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  const proc = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'java', cls, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 240_000);
  return new Promise((resolve) =>
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}
