// Streams groups across processes (KIP-1071): two instances of compat/kafka-streams's StreamsGroupWordCount
// (Kafka Streams 4.4.0, group.protocol=streams, exactly_once_v2, one stream thread each, an IQ endpoint
// each) with group.streams.num.standby.replicas=1. The second instance joins while the first one runs, so
// tasks move between processes (revoked first); the counts must still be exact (1..n per word, read
// committed), and kafka-streams-groups --describe --members --verbose must show every task active on one
// process and, if it has state, standby on the other (as Kafka 4.4.0 places them). TXN_E2E_TARGET=kafka runs the same against Apache Kafka 4.4.0.
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

/** "0:[0,2]; 1:[1];" -> ["0-0", "0-2", "1-1"]. */
function taskList(s: string | undefined): string[] {
  return [...(s ?? '').matchAll(/(\d+):\[([\d,]*)\]/g)].flatMap(([, sub, parts]) => (parts ? parts.split(',').map((p) => `${sub}-${p}`) : []));
}

t.test(`two Kafka Streams instances with a standby each on ${TARGET}: exact counts, tasks and standbys spread over the processes`, async (t) => {
  if (missing) return t.fail(missing);
  const target = await startTarget(t, { 'group.streams.num.standby.replicas': '1' });
  const app = `streams-two-${Date.now().toString(36)}`;
  const a = startApp(t, [target.bootstrap, app, path.join(tempDir(t), 'a'), '4000', '1', 'exactly_once_v2']);
  t.equal(await a.line(/^RUNNING$/), 'RUNNING', 'the first instance runs', { err: a.err().slice(-3000) });
  const b = startApp(t, [target.bootstrap, app, path.join(tempDir(t), 'b'), '0', '1', 'exactly_once_v2', 'join']);
  t.equal(await b.line(/^RUNNING$/), 'RUNNING', 'the second instance joins and runs', { err: b.err().slice(-3000) });
  t.equal(await a.line(/^(PASS|FAIL) .*$/), 'PASS streams-group-word-count', 'per word exactly 1..n in the output, read committed', { err: a.err().slice(-4000) });

  // Both processes hold tasks: every task active on one and standby on the other.
  let rows: string[] = [];
  let spread = false;
  for (let i = 0; i < 30 && !spread; i++) {
    const d = await kafkaTool(TOOL, '--bootstrap-server', target.bootstrap, '--describe', '--members', '--verbose', '--group', app);
    rows = d.out.split('\n').filter((l) => l.startsWith(`${app} `));
    const parsed = rows.map((r) => ({ active: taskList(/ ACTIVE: (.*?) (TARGET-ACTIVE|STANDBY):/.exec(r)?.[1]), standby: taskList(/ STANDBY: (.*?) (TARGET-STANDBY|TARGET-ACTIVE):/.exec(r)?.[1]) }));
    // Only tasks with state (subtopology 1, the counts) get standbys, as Kafka 4.4's assignor does.
    const stateful = (l: string[]) => l.filter((x) => x.startsWith('1-'));
    spread =
      parsed.length === 2 &&
      parsed.every((p) => p.active.length === 3) &&
      [...parsed[0]!.active, ...parsed[1]!.active].sort().join() === '0-0,0-1,0-2,1-0,1-1,1-2' &&
      parsed.every((p, i) => p.standby.sort().join() === stateful(parsed[1 - i]!.active).sort().join());
    if (!spread) await new Promise((r) => setTimeout(r, 1000));
  }
  t.ok(spread, 'two members, three active tasks each; each stateful task standby on the other process', { rows });
  const processes = new Set(rows.map((r) => r.trim().split(/\s+/)[6]));
  t.equal(processes.size, 2, 'on two processes');

  a.proc.stdin!.end();
  b.proc.stdin!.end();
  t.equal(await a.line(/^CLOSED$/), 'CLOSED', 'the first instance closed');
  t.equal(await b.line(/^CLOSED$/), 'CLOSED', 'the second instance closed');
  if (!t.passing()) t.comment(target.log().slice(-4000));
});
