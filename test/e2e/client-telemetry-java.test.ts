// KIP-714 end to end: Kafka 4.4.0's Java producer (ProducerPerformance, enable.metrics.push=true)
// against samsa with client telemetry on. The client finds GetTelemetrySubscriptions and
// PushTelemetry in ApiVersions, subscribes, and pushes its metrics as OTLP every push interval (a
// short one here; the terminating push on close is best effort in the client); samsa keeps the
// decompressed bytes of each client's latest push.
import t from 'tap';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startBroker } from '../../src/index.js';
import { clientTelemetry } from '../../src/telemetry/client-metrics.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';

t.setTimeout(300_000);

function kafkaTool(cls: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
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

t.test('the Java producer pushes its metrics', async (t) => {
  const b = await startBroker({ port: 0, memory: true, config: { 'samsa.client.telemetry.enable': 'true', 'samsa.client.telemetry.push.interval.ms': '500' } });
  t.teardown(() => b.close());
  await b.broker.createTopic('tele', 1, {});
  const r = await kafkaTool(
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic', 'tele', '--num-records', '150', '--record-size', '100', '--throughput', '50',
    '--command-property', `bootstrap.servers=${b.bootstrap}`, 'enable.metrics.push=true',
  );
  t.equal(r.code, 0, r.out);
  t.match(r.out, /150 records sent/);
  const pushes = clientTelemetry(b.broker).latest();
  t.equal(pushes.length, 1, 'one client instance pushed');
  const p = pushes[0];
  t.equal(p.clientId, 'perf-producer-client');
  t.match(p.clientInstanceId, /^[A-Za-z0-9_-]{22}$/);
  // OTLP MetricsData is protobuf: metric names appear as plain strings.
  const text = p.metrics.toString('latin1');
  t.match(text, /org\.apache\.kafka\.producer\.record\.send\.total/, 'producer metrics, decompressed');
});
