// KIP-714 end to end: Kafka 4.4.0's Java producer (enable.metrics.push=true) against samsa with
// client telemetry on. The client finds GetTelemetrySubscriptions and PushTelemetry in ApiVersions,
// gets its client instance id (KafkaProducer.clientInstanceId), and pushes its metrics as OTLP every
// push interval; samsa keeps the decompressed bytes of each client's latest push. A tiny Java
// program, compiled here against the Kafka jars, prints the id and keeps the producer open until
// its stdin closes, so the test waits for that client's push rather than for a time.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBroker } from '../../src/index.js';
import { clientTelemetry, type PushedMetrics } from '../../src/telemetry/client-metrics.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(300_000);

const LIBS = path.join(REPO_ROOT, 'compat/kafka/.work/libs');
const PROGRAM = `
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

public class TelemetryProducer {
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", args[0]);
    p.put("enable.metrics.push", "true");
    p.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    p.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>(args[1], "k", "v")).get();
      System.out.println(producer.clientInstanceId(Duration.ofSeconds(120)));
      System.out.flush();
      while (System.in.read() != -1) { }
    }
  }
}
`;

t.test('the Java producer pushes its metrics', async (t) => {
  const install = spawnSync('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'install'], { stdio: 'inherit', timeout: 240_000 });
  t.equal(install.status, 0, 'Kafka\'s jars (compat/kafka/broker.sh install)');
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'TelemetryProducer.java'), PROGRAM);
  const javac = spawnSync('javac', ['-cp', `${LIBS}/*`, '-d', dir, path.join(dir, 'TelemetryProducer.java')], { encoding: 'utf8' });
  t.equal(javac.status, 0, `javac: ${javac.stderr}`);

  const b = await startBroker({ port: 0, memory: true, config: { 'samsa.client.telemetry.enable': 'true', 'samsa.client.telemetry.push.interval.ms': '500' } });
  t.teardown(() => b.close());
  await b.broker.createTopic('tele', 1, {});
  const jvm = ['-Xmx256m', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'compat/kafka/log4j2.properties')}`];
  const proc = spawn('java', [...jvm, '-cp', `${LIBS}/*:${dir}`, 'TelemetryProducer', b.bootstrap, 'tele'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
  t.teardown(() => proc.kill('SIGKILL'));
  let out = '';
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const instanceId = await new Promise<string>((resolve, reject) => {
    let line = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      line += d;
      if (line.includes('\n')) resolve(line.trim());
    });
    exited.then((code) => reject(new Error(`producer exited (${code}) before its instance id: ${out}`)));
  });
  t.match(instanceId, /^[A-Za-z0-9_-]{22}$/, 'the client got an instance id from GetTelemetrySubscriptions');

  // The client pushes within about one push interval of its subscription; wait for it (bounded).
  let pushed: PushedMetrics | undefined;
  for (let i = 0; i < 1200 && !pushed; i++) {
    pushed = clientTelemetry(b.broker).latest().find((p) => p.clientInstanceId === instanceId);
    if (!pushed) await new Promise((r) => setTimeout(r, 100));
  }
  proc.stdin.end();
  t.equal(await exited, 0, out);
  t.ok(pushed, 'samsa kept a push from that client instance');
  if (!pushed) return;
  t.equal(pushed.clientId, 'producer-1');
  // OTLP MetricsData is protobuf: metric names appear as plain strings.
  t.match(pushed.metrics.toString('latin1'), /org\.apache\.kafka\.producer\.record\.send\.total/, 'producer metrics, decompressed');
});
