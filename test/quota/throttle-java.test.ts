// Kafka 4.4.0's ProducerPerformance under a client-id producer_byte_rate quota set with kafka-configs:
// the Java producer reports throttling (its produce-throttle-time-max metric > 0); ConsumerPerformance
// under consumer_byte_rate reads every record through empty throttled fetches and reports
// fetch-throttle-time-max > 0. No timing asserted.
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

// A throttled Fetch is answered empty (Kafka's getThrottledResponse): the Java consumer waits out
// the throttle, fetches again from the same offset and still reads every record, reporting the
// throttle in its fetch-throttle-time-max metric.
t.test('ConsumerPerformance reads every record under consumer_byte_rate and reports fetch throttle time', async (t) => {
  if (spawnSync('java', ['-version']).status !== 0 || !existsSync(path.join(LIBS, '.complete'))) {
    return t.fail('needs java and compat/kafka/broker.sh install');
  }
  const b = await startBroker({ port: 0, memory: true, config: { 'group.initial.rebalance.delay.ms': '0' } });
  t.teardown(() => b.close());
  const bootstrap = `127.0.0.1:${b.port}`;
  let r = await tool('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', bootstrap, '--create', '--topic', 'slowread', '--partitions', '1']);
  t.equal(r.code, 0, r.out);
  r = await tool('org.apache.kafka.tools.ProducerPerformance', [
    '--topic', 'slowread', '--num-records', '1000', '--record-size', '1024', '--throughput', '-1',
    '--command-property', `bootstrap.servers=${bootstrap}`, 'acks=1', 'client.id=filler',
  ]);
  t.equal(r.code, 0, r.code === 0 ? 'the topic holds 1000 records of 1 KiB' : r.out.slice(-2000));
  r = await tool('org.apache.kafka.tools.ConfigCommand', ['--bootstrap-server', bootstrap, '--entity-type', 'clients', '--entity-name', 'slow-reader', '--alter', '--add-config', 'consumer_byte_rate=50000']);
  t.equal(r.code, 0, r.out);
  // ~1 MB against 50 kB/s: past the 500 kB one window allows, fetches are throttled.
  r = await tool('org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server', bootstrap, '--topic', 'slowread', '--num-records', '1000', '--group', 'slow', '--timeout', '120000', '--print-metrics',
    '--command-property', 'client.id=slow-reader',
  ]);
  t.equal(r.code, 0, r.code === 0 ? 'ConsumerPerformance exits 0' : r.out.slice(-2000));
  const lines = r.out.split('\n');
  const header = lines.findIndex((l) => l.startsWith('start.time'));
  const names = header >= 0 ? lines[header].split(',').map((c) => c.trim()) : [];
  // stderr is interleaved: the figures are the next line with as many columns as the header.
  const values = lines.slice(header + 1).find((l) => l.split(',').length === names.length)?.split(',') ?? [];
  const consumed = Number(values[names.indexOf('data.consumed.in.nMsg')]);
  t.equal(consumed, 1000, 'every record was read');
  const max = Number(/consumer-fetch-manager-metrics:fetch-throttle-time-max:\{client-id=slow-reader\}\s*:\s*([\d.E-]+)/.exec(r.out)?.[1]);
  t.ok(max > 0, `fetch-throttle-time-max ${max} ms`);
});
