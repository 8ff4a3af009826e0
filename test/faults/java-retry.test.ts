// Kafka 4.4.0's Java client retrying through faults set over HTTP (POST /api/faults): its producer
// (ProducerPerformance) through NOT_LEADER_OR_FOLLOWER answers and a delayed Produce, its consumer
// (ConsoleConsumer) through Fetch errors, a delayed Fetch and a closed connection. Each case checks
// the client succeeded and GET /api/faults shows every fault used up (0 remaining).
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

if (spawnSync('java', ['-version']).status !== 0 || !existsSync(path.join(LIBS, '.complete'))) {
  t.fail('needs java and compat/kafka/broker.sh install');
} else {
  const b = await startBroker({ port: 0, memory: true, httpPort: 0, config: { 'num.partitions': '1' } });
  t.teardown(() => b.close());
  const bootstrap = b.bootstrap;
  const api = `http://127.0.0.1:${b.httpPort}/api/faults`;
  const post = async (body: unknown) => {
    const r = await fetch(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (r.status !== 201) throw new Error(`POST /api/faults: ${r.status} ${await r.text()}`);
  };
  const list = async (): Promise<any[]> => ((await (await fetch(api)).json()) as { faults: any[] }).faults;

  t.test('the Java producer retries NOT_LEADER_OR_FOLLOWER and waits out a delay', async (t) => {
    await fetch(api, { method: 'DELETE' });
    await post([
      { api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', times: 3, clientId: 'java-producer' },
      { api: 'Produce', delayMs: 2000, times: 1, clientId: 'java-producer' },
      { api: 'Metadata', action: 'close-connection', times: 1, clientId: 'java-producer' },
    ]);
    const r = await tool('org.apache.kafka.tools.ProducerPerformance', [
      '--topic', 'java-retry', '--num-records', '50', '--record-size', '100', '--throughput', '-1',
      '--command-property', `bootstrap.servers=${bootstrap}`, 'acks=all', 'client.id=java-producer', 'linger.ms=0', 'batch.size=1000',
      // One request in flight: with five, a later batch can pass the failed first ones under load and be
      // stored first, and the retried first batch is then out of order (Kafka answers it the same way).
      'max.in.flight.requests.per.connection=1',
    ]);
    t.equal(r.code, 0, r.code === 0 ? 'ProducerPerformance exits 0' : r.out.slice(-3000));
    t.match(r.out, /50 records sent/);
    t.match(r.out, /retrying \(\d+ attempts left\)\. Error: NOT_LEADER_OR_FOLLOWER/, 'the producer logged its retries');
    t.notMatch(r.out, /\] ERROR /, 'no send failed');
    const faults = await list();
    t.same(
      faults.map((f) => [f.api, f.remaining]),
      [
        ['Produce', 0],
        ['Produce', 0],
        ['Metadata', 0],
      ],
      'every injected fault was used',
    );
    // Idempotence (on by default) keeps the retried batches from being stored twice.
    const log = b.broker.partitionLog('java-retry', 0)!;
    t.equal(Number(log.highWatermark), 50);
  });

  t.test('the Java consumer retries Fetch errors, a delay and a closed connection', async (t) => {
    await fetch(api, { method: 'DELETE' });
    await post([
      { api: 'Fetch', error: 'NOT_LEADER_OR_FOLLOWER', times: 2, clientId: 'java-consumer' },
      { api: 'Fetch', error: 'UNKNOWN_SERVER_ERROR', times: 1, clientId: 'java-consumer' },
      { api: 'Fetch', delayMs: 1500, times: 1, clientId: 'java-consumer' },
      { api: 'Fetch', action: 'close-connection', times: 1, clientId: 'java-consumer' },
    ]);
    const r = await tool('org.apache.kafka.tools.consumer.ConsoleConsumer', [
      '--bootstrap-server', bootstrap, '--topic', 'java-retry', '--from-beginning', '--max-messages', '50', '--timeout-ms', '90000',
      '--command-property', 'client.id=java-consumer', '--command-property', 'fetch.max.bytes=2000', '--command-property', 'max.partition.fetch.bytes=500',
    ]);
    t.equal(r.code, 0, r.code === 0 ? 'ConsoleConsumer exits 0' : r.out.slice(-3000));
    t.match(r.out, /Processed a total of 50 messages/);
    const faults = await list();
    t.same(
      faults.map((f) => f.remaining),
      [0, 0, 0, 0],
      'every injected fault was used',
    );
  });
}
