// Kafka Streams exactly_once_v2 across a broker crash: compat/kafka-streams's EosWordCount (Kafka Streams
// 4.4.0; 20000 lines, a repartition topic, a changelog) runs while the broker is kill -9'ed once it has
// started processing and restarted on the same port and data; the application recovers and a read_committed
// reader of its output and of its changelog must still see, per word, exactly 1, 2, ..., n.
// TXN_E2E_TARGET=kafka runs the same against Apache Kafka 4.4.0.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { tempDir } from '../helpers/tmp.js';
import { installKafkaJars, startTarget, TARGET } from './target.js';

const STREAMS = path.join(REPO_ROOT, 'compat/kafka-streams');
const LINES = 20000;
t.setTimeout(280_000);

function installStreams(): string | null {
  const missing = installKafkaJars();
  if (missing) return missing;
  const r = spawnSync('bash', [path.join(STREAMS, 'run.sh'), 'install'], { stdio: 'inherit', timeout: 240_000 });
  return r.status === 0 ? null : 'compat/kafka-streams/run.sh install failed (needs maven, Maven Central and javac)';
}
const missing = installStreams();

t.test(`Kafka Streams exactly_once_v2 while ${TARGET} is kill -9'ed: every count update once`, async (t) => {
  if (missing) return t.fail(missing);
  const target = await startTarget(t);
  const jvm = ['-Xms128m', '-Xmx512m', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'compat/kafka/log4j2.properties')}`];
  const cp = `${STREAMS}/.work/libs/*:${STREAMS}/.work/classes`;
  const runId = `kill9${Date.now().toString(36)}`;
  const app = spawn('java', [...jvm, '-cp', cp, 'samsa.compat.EosWordCount', target.bootstrap, runId, path.join(tempDir(t), 'state'), String(LINES)], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void app.kill('SIGKILL'));
  let out = '';
  let err = '';
  let onRunning: () => void = () => {};
  const running = new Promise<void>((resolve) => (onRunning = resolve));
  app.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (/^RUNNING$/m.test(out)) onRunning();
  });
  app.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => app.on('close', resolve));
  const timer = setTimeout(() => app.kill('SIGKILL'), 250_000);

  await Promise.race([running, exited]);
  t.match(out, /^RUNNING$/m, 'the application started processing', { err: err.slice(-3000) });
  // Killed mid-processing: the output's log end (updates plus markers) still short of the 3 updates a line.
  const admin = new Kafka({ brokers: [target.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await new Promise((r) => setTimeout(r, 500));
  const written = (await admin.fetchTopicOffsets(`compat-streams-eos-${runId}-output`)).reduce((n, p) => n + Number(p.high), 0);
  await target.kill9();
  await admin.disconnect().catch(() => {});
  t.ok(written < LINES * 3, `${TARGET} killed mid-processing (${written} offsets of the output written, ${LINES * 3} updates to come)`);
  await new Promise((r) => setTimeout(r, 500));
  await target.restart();
  const code = await exited;
  clearTimeout(timer);
  const result = out.split('\n').find((l) => /^(PASS|FAIL) /.test(l)) ?? `no result (exit ${code})`;
  t.equal(result, 'PASS exactly-once-v2-word-count', 'output and changelog: per word exactly 1..n, read committed', { err: err.slice(-3000) });
  if (!t.passing()) t.comment(target.log().slice(-3000));
});
