// Kafka 4.4.0's ProducerPerformance under a client-id producer_byte_rate quota set with kafka-configs:
// the Java producer reports throttling (its produce-throttle-time-max metric > 0); no timing asserted.
// Needs java and the jars of compat/kafka/broker.sh install.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startBroker } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';

const LIBS = path.join(REPO_ROOT, 'compat/kafka/.work/libs');
t.setTimeout(300_000);

function tool(cls: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const jvm = ['-Xms64m', '-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'compat/kafka/log4j2.properties')}`];
  const proc = spawn('java', [...jvm, '-cp', `${LIBS}/*`, cls, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 200_000);
  return new Promise((resolve) =>
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

t.test('ProducerPerformance reports produce throttle time under a quota', async (t) => {
  if (spawnSync('java', ['-version']).status !== 0 || !existsSync(path.join(LIBS, '.complete'))) {
    return t.fail('needs java and compat/kafka/broker.sh install');
  }
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  const bootstrap = `127.0.0.1:${b.port}`;
  let r = await tool('org.apache.kafka.tools.ConfigCommand', ['--bootstrap-server', bootstrap, '--entity-type', 'clients', '--entity-name', 'perf', '--alter', '--add-config', 'producer_byte_rate=50000']);
  t.equal(r.code, 0, r.out);
  r = await tool('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', bootstrap, '--create', '--topic', 'perf', '--partitions', '1']);
  t.equal(r.code, 0, r.out);
  // 1.5 MB against 50 kB/s: past the ~0.5 MB a new client may burst, the rest is throttled.
  r = await tool('org.apache.kafka.tools.ProducerPerformance', [
    '--topic', 'perf', '--num-records', '1500', '--record-size', '1024', '--throughput', '-1', '--print-metrics',
    '--command-property', `bootstrap.servers=${bootstrap}`, 'acks=1', 'client.id=perf',
  ]);
  t.equal(r.code, 0, r.code === 0 ? 'ProducerPerformance exits 0' : r.out.slice(-2000));
  t.match(r.out, /1500 records sent/);
  const max = Number(/producer-metrics:produce-throttle-time-max:\{client-id=perf\}\s*:\s*([\d.E-]+)/.exec(r.out)?.[1]);
  t.ok(max > 0, `produce-throttle-time-max ${max} ms`);
});
