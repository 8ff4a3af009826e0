// A streams group member that dies (KIP-1071): two instances of compat/kafka-streams's StreamsGroupWordCount
// (Kafka Streams 4.4.0, group.protocol=streams, exactly_once_v2, one stream thread each); the second is
// kill -9'ed once it runs. The coordinator fences it after group.streams.session.timeout.ms (10 s here) and
// the first instance takes its tasks over; the output read committed must still hold, per word, exactly
// 1..n. TXN_E2E_TARGET=kafka runs the same against Apache Kafka 4.4.0.
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';
import { installKafkaJars, startTarget, TARGET } from '../transactions/target.js';

const STREAMS = path.join(REPO_ROOT, 'compat/kafka-streams');
const CLASSES = path.join(STREAMS, '.work/classes');
const TOOL = 'org.apache.kafka.tools.streams.StreamsGroupCommand';
t.setTimeout(295_000);

function install(): string | null {
  const missing = installKafkaJars();
  if (missing) return missing;
  const r = spawnSync('bash', [path.join(STREAMS, 'run.sh'), 'install'], { stdio: 'inherit', timeout: 240_000 });
  if (r.status !== 0) return 'compat/kafka-streams/run.sh install failed (needs maven, Maven Central and javac)';
  return null;
}
const missing = install();

interface App {
  proc: ChildProcess;
  out(): string;
  err(): string;
  /** Resolves with the first line matching `re`, or null if the process ends first. */
  line(re: RegExp): Promise<string | null>;
}

function startApp(t: { teardown(fn: () => unknown): void }, args: string[]): App {
  const jvm = ['-Xms128m', '-Xmx384m', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'compat/kafka/log4j2.properties')}`];
  const proc = spawn('java', [...jvm, '-cp', `${STREAMS}/.work/libs/*:${CLASSES}`, 'samsa.compat.StreamsGroupWordCount', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => void proc.kill('SIGKILL'));
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of waiters) w();
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  let closed = false;
  proc.on('close', () => {
    closed = true;
    for (const w of waiters) w();
  });
  return {
    proc,
    out: () => out,
    err: () => err,
    line: (re) =>
      new Promise((resolve) => {
        const check = () => {
          const m = new RegExp(re.source, 'm').exec(out);
          if (m) resolve(m[0]);
          else if (closed) resolve(null);
        };
        waiters.push(check);
        check();
      }),
  };
}


t.test(`a Kafka Streams instance kill -9'ed on ${TARGET}: fenced after the session timeout, its tasks taken over, counts exact`, async (t) => {
  if (missing) return t.fail(missing);
  const target = await startTarget(t, { 'group.streams.min.session.timeout.ms': '6000', 'group.streams.session.timeout.ms': '10000' });
  const app = `streams-kill-${Date.now().toString(36)}`;
  const a = startApp(t, [target.bootstrap, app, path.join(tempDir(t), 'a'), '20000', '1', 'exactly_once_v2']);
  t.equal(await a.line(/^RUNNING$/), 'RUNNING', 'the first instance runs', { err: a.err().slice(-3000) });
  const b = startApp(t, [target.bootstrap, app, path.join(tempDir(t), 'b'), '0', '1', 'exactly_once_v2', 'join']);
  t.equal(await b.line(/^RUNNING$/), 'RUNNING', 'the second instance joins and runs', { err: b.err().slice(-3000) });
  // Let it hold tasks for a moment, then kill it without a goodbye.
  let two = false;
  for (let i = 0; i < 20 && !two; i++) {
    const d = await kafkaTool(TOOL, '--bootstrap-server', target.bootstrap, '--describe', '--members', '--verbose', '--group', app);
    const rows = d.out.split('\n').filter((l) => l.startsWith(`${app} `));
    two = rows.length === 2 && rows.every((r) => / ACTIVE: \d/.test(r));
    if (!two) await new Promise((r) => setTimeout(r, 500));
  }
  t.ok(two, 'both instances are members running active tasks');
  b.proc.kill('SIGKILL');
  t.equal(await a.line(/^(PASS|FAIL) .*$/), 'PASS streams-group-word-count', 'per word exactly 1..n in the output, read committed', { err: a.err().slice(-4000) });
  // The killed instance may have committed its tasks' output before it died, so the count can pass before
  // its session (10 s) expires: wait for the fencing rather than assume it came first.
  let d = { code: null as number | null, out: '' };
  for (let i = 0; i < 60; i++) {
    d = await kafkaTool(TOOL, '--bootstrap-server', target.bootstrap, '--describe', '--members', '--group', app);
    if (d.out.split('\n').filter((l) => l.startsWith(`${app} `)).length === 1) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  t.equal(d.out.split('\n').filter((l) => l.startsWith(`${app} `)).length, 1, 'the dead instance was fenced', { out: d.out });
  a.proc.stdin!.end();
  t.equal(await a.line(/^CLOSED$/), 'CLOSED', 'the first instance closed');
  if (!t.passing()) t.comment(target.log().slice(-4000));
});
