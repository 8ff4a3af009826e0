// Streams groups end to end (KIP-1071, issue #16): Kafka Streams 4.4.0 with group.protocol=streams
// (compat/kafka-streams's StreamsGroupWordCount: two stream threads, exactly_once_v2, a word count through
// a repartition topic and a changelog) against samsa, whose group coordinator assigns the tasks and creates
// both internal topics itself. The output read committed must hold, per word, exactly 1..n. While the
// application runs, Kafka 4.4.0's kafka-streams-groups (StreamsGroupCommand) lists and describes the group;
// its output is compared with what the same run printed against Apache Kafka 4.4.0 (fixtures/, captured
// with STREAMS_E2E_CAPTURE=1 TXN_E2E_TARGET=kafka), ids, epochs and the tasks each thread got aside.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';
import { installKafkaJars, startTarget, TARGET } from '../transactions/target.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const STREAMS = path.join(REPO_ROOT, 'compat/kafka-streams');
const CLASSES = path.join(STREAMS, '.work/classes');
const LINES = 3000;
const TOOL = 'org.apache.kafka.tools.streams.StreamsGroupCommand';
t.setTimeout(290_000);

function install(): string | null {
  const missing = installKafkaJars();
  if (missing) return missing;
  const r = spawnSync('bash', [path.join(STREAMS, 'run.sh'), 'install'], { stdio: 'inherit', timeout: 240_000 });
  if (r.status !== 0) return 'compat/kafka-streams/run.sh install failed (needs maven, Maven Central and javac)';
  return null;
}
const missing = install();

/** The tool's output with what differs from run to run replaced: ids, epochs, the tasks of each member. */
function normalize(out: string, app: string): string {
  return out
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^\[\d{4}-|WARN|SLF4J/.test(l))
    .map((l) =>
      l
        .replaceAll(app, 'APP')
        .replace(/\b\d+\.\d+\.\d+\.\d+:\d+ \(/g, 'HOST:PORT (')
        .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, 'PROCESS')
        .replace(/StreamThread-\d/g, 'StreamThread-N')
        .replace(/\b[A-Za-z0-9_-]{22}\b/g, 'MEMBER')
        .replace(/(ACTIVE|TARGET-ACTIVE|STANDBY|TARGET-STANDBY|WARMUP|TARGET-WARMUP): [^A-Z]*/g, '$1: TASKS ')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .map((l) => (/^APP /.test(l) && /streams \d+/.test(l) ? l.replace(/^APP \d+ \d+ /, 'APP EPOCH TOPOLOGY-EPOCH ').replace(/streams \d+/, 'streams EPOCH') : l))
    .sort()
    .join('\n');
}

t.test(`Kafka Streams 4.4 with group.protocol=streams on ${TARGET}: exact word counts, kafka-streams-groups --describe`, async (t) => {
  if (missing) return t.fail(missing);
  const target = await startTarget(t);
  const app = `streams-wc-${Date.now().toString(36)}`;
  const jvm = ['-Xms128m', '-Xmx512m', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'compat/kafka/log4j2.properties')}`];
  const proc = spawn('java', [...jvm, '-cp', `${STREAMS}/.work/libs/*:${CLASSES}`, 'samsa.compat.StreamsGroupWordCount', target.bootstrap, app, path.join(tempDir(t), 'state'), String(LINES), '2', 'exactly_once_v2'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  t.teardown(() => void proc.kill('SIGKILL'));
  let out = '';
  let err = '';
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const result = new Promise<string>((resolve) => {
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /^(PASS|FAIL) .*$/m.exec(out);
      if (m) resolve(m[0]);
    });
    proc.on('close', (code) => resolve(`no result (exit ${code})`));
  });
  const closed = new Promise<void>((resolve) => proc.on('close', () => resolve()));

  t.equal(await result, 'PASS streams-group-word-count', 'per word exactly 1..n in the output, read committed', { err: err.slice(-4000) });

  // Both threads are members; wait until the group is Stable before describing it.
  let state = '';
  for (let i = 0; i < 60 && !/\bStable\b/.test(state); i++) {
    state = (await kafkaTool(TOOL, '--bootstrap-server', target.bootstrap, '--describe', '--state', '--group', app)).out;
    if (!/\bStable\b/.test(state)) await new Promise((r) => setTimeout(r, 1000));
  }
  t.match(state, /\bStable\b/, 'kafka-streams-groups --describe --state: Stable');
  const list = await kafkaTool(TOOL, '--bootstrap-server', target.bootstrap, '--list');
  t.match(list.out, new RegExp(`^${app}$`, 'm'), 'kafka-streams-groups --list names the group');
  const offsets = await kafkaTool(TOOL, '--bootstrap-server', target.bootstrap, '--describe', '--group', app);
  const members = await kafkaTool(TOOL, '--bootstrap-server', target.bootstrap, '--describe', '--members', '--verbose', '--group', app);
  t.equal(offsets.code, 0, 'describe (offsets) exits 0', { out: offsets.out });
  t.equal(members.code, 0, 'describe --members exits 0', { out: members.out });

  // Every task active on exactly one of the two threads, each at the group's assignment epoch.
  const rows = members.out.split('\n').filter((l) => l.startsWith(`${app} `));
  t.equal(rows.length, 2, 'two members (one per stream thread)', { out: members.out });
  const active: string[] = [];
  for (const r of rows) {
    const cols = r.trim().split(/\s+/);
    t.equal(cols[4], 'streams', 'member protocol streams');
    t.equal(cols[5], cols[1], 'member epoch = target assignment epoch');
    const m = /ACTIVE: (.*?) TARGET-ACTIVE/.exec(r);
    for (const [, sub, parts] of (m?.[1] ?? '').matchAll(/(\d+):\[([\d,]+)\]/g)) for (const p of parts!.split(',')) active.push(`${sub}-${p}`);
  }
  t.same(active.sort(), ['0-0', '0-1', '0-2', '1-0', '1-1', '1-2'], 'the six tasks (2 subtopologies x 3 partitions) each active once');

  const got = {
    state: normalize(state, app),
    offsets: normalize(offsets.out, app),
    members: normalize(members.out, app),
  };
  const fixture = path.join(here, 'fixtures/kafka-4.4.0-streams-groups-describe.json');
  if (process.env.STREAMS_E2E_CAPTURE === '1' && TARGET === 'kafka') {
    writeFileSync(fixture, JSON.stringify(got, null, 2) + '\n');
    t.comment(`captured ${fixture}`);
  } else {
    const kafka = JSON.parse(readFileSync(fixture, 'utf8'));
    t.equal(got.state, kafka.state, '--describe --state as Kafka 4.4.0 prints it');
    t.equal(got.offsets, kafka.offsets, '--describe (offsets and lag) as Kafka 4.4.0 prints it');
    t.equal(got.members, kafka.members, '--describe --members --verbose as Kafka 4.4.0 prints it');
  }

  proc.stdin.end();
  await closed;
  t.match(out, /^CLOSED$/m, 'the application closed cleanly');
  if (!t.passing()) t.comment(target.log().slice(-4000));
});
