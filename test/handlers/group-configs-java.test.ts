// Kafka 4.4.0's kafka-configs (ConfigCommand) on group configs against samsa: --describe [--all],
// --alter --add-config / --delete-config, its refusals, and the broker layers (static, dynamic default,
// dynamic per-broker) a group's configs inherit. fixtures/group-configs-kafka-4.4.0.txt is
// the transcript of the same commands, in the same order, against Apache Kafka 4.4.0 (a fresh
// `compat/kafka/broker.sh start DIR group.share.delivery.count.limit=4` node; bootstrap address
// replaced, stack frames dropped); samsa's
// transcript must be the same, line for line. Needs java and the jars of compat/kafka/broker.sh install.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startBroker } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';

const LIBS = path.join(REPO_ROOT, 'compat/kafka/.work/libs');
t.setTimeout(300_000);

function installJars(): string | null {
  if (spawnSync('java', ['-version']).status !== 0) return 'java is not installed (apt-get install default-jdk-headless)';
  if (existsSync(path.join(LIBS, '.complete'))) return null;
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'install'], { stdio: 'inherit', timeout: 240_000 });
  return r.status === 0 ? null : 'compat/kafka/broker.sh install failed (needs maven and Maven Central)';
}

function configCommand(bootstrap: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const jvm = ['-Xms64m', '-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'compat/kafka/log4j2.properties')}`];
  const proc = spawn('java', [...jvm, '-cp', `${LIBS}/*`, 'org.apache.kafka.tools.ConfigCommand', '--bootstrap-server', bootstrap, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 120_000);
  return new Promise((resolve) =>
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

const g1 = ['--entity-type', 'groups', '--entity-name', 'g1'];
const g2Alter = (config: string) => ['--entity-type', 'groups', '--entity-name', 'g2', '--alter', '--add-config', config];

/** The commands of the transcript, in phases: a phase's commands are independent and run side by side. */
const PHASES: string[][][] = [
  [
    [...g1, '--describe', '--all'],
    [...g1, '--describe'],
  ],
  [[...g1, '--alter', '--add-config', 'consumer.session.timeout.ms=50000,share.auto.offset.reset=earliest,streams.rack.aware.assignment.tags=[a,b]']],
  [[...g1, '--describe'], [...g1, '--describe', '--all'], ['--entity-type', 'groups', '--describe']],
  [
    g2Alter('consumer.session.timeout.ms=10'),
    g2Alter('consumer.session.timeout.ms=abc'),
    g2Alter('foo.bar=1'),
    g2Alter('consumer.heartbeat.interval.ms=15000,consumer.session.timeout.ms=45000'),
  ],
  [
    g2Alter('errors.deadletterqueue.topic.name=__dlq'),
    g2Alter('streams.assignor.name=bogus'),
    g2Alter('streams.rack.aware.assignment.tags=[a,a]'),
    g2Alter('share.auto.offset.reset=bad'),
  ],
  [[...g1, '--alter', '--delete-config', 'consumer.session.timeout.ms']],
  [[...g1, '--describe']],
  // Broker-level values a group inherits: dynamic cluster default, dynamic per-broker (and the static one).
  [
    ['--entity-type', 'brokers', '--entity-default', '--alter', '--add-config', 'group.consumer.assignment.interval.ms=2000,group.share.assignor.offload.enable=false'],
    ['--entity-type', 'brokers', '--entity-name', '1', '--alter', '--add-config', 'group.streams.assignment.interval.ms=3000'],
  ],
  [['--entity-type', 'groups', '--entity-name', 'gx', '--describe', '--all']],
];

t.test('kafka-configs --entity-type groups prints what it prints against Kafka 4.4.0', async (t) => {
  const missing = installJars();
  if (missing) return t.fail(missing);
  // Both brokers had group.share.delivery.count.limit=4 in their static config (a STATIC_BROKER_CONFIG synonym).
  const b = await startBroker({ port: 0, memory: true, config: { 'group.share.delivery.count.limit': '4' } });
  t.teardown(() => b.close());
  let transcript = '';
  for (const phase of PHASES) {
    const results = await Promise.all(phase.map((args) => configCommand(b.bootstrap, args)));
    phase.forEach((args, i) => {
      const { code, out } = results[i]!;
      const kept = out
        .split('\n')
        .filter((l) => !/^\s+at /.test(l))
        .join('\n')
        .replaceAll(b.bootstrap, 'BOOTSTRAP');
      transcript += `### ${args.join(' ')}\n${kept}### exit ${code}\n`;
    });
  }
  const expected = readFileSync(path.join(REPO_ROOT, 'test/handlers/fixtures/group-configs-kafka-4.4.0.txt'), 'utf8');
  const want = expected.split('\n');
  const got = transcript.split('\n');
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] !== got[i]) {
      t.equal(got[i], want[i], `first difference at line ${i + 1}`);
      break;
    }
  }
  t.equal(transcript, expected, 'the whole transcript');
});
