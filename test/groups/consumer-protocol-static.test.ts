// KIP-848 static membership end to end: two Apache Kafka 4.4.0 VerifiableConsumers with
// group.protocol=consumer and group.instance.id. One closes (a static member leaves with epoch -2,
// keeping its partitions) and a new process with the same instance id takes its place: it gets
// the same partitions back, and the other member sees no revocation and no new assignment.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';

const TOPIC = 'kip848-static';
const GROUP = 'kip848-static-readers';

interface Reader {
  proc: ChildProcess;
  owned: Set<number>;
  events: string[];
  closed: Promise<number | null>;
}

function startReader(bootstrap: string, instanceId: string): Reader {
  const args = ['java', 'org.apache.kafka.tools.VerifiableConsumer', '--bootstrap-server', bootstrap, '--topic', TOPIC, '--group-id', GROUP, '--group-protocol', 'consumer', '--group-instance-id', instanceId];
  const proc = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const r: Reader = { proc, owned: new Set(), events: [], closed: Promise.resolve(null) };
  let buf = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line);
      if (e.name === 'partitions_assigned') for (const p of e.partitions) r.owned.add(p.partition);
      if (e.name === 'partitions_revoked') for (const p of e.partitions) r.owned.delete(p.partition);
      if ((e.name === 'partitions_assigned' || e.name === 'partitions_revoked') && e.partitions.length > 0) r.events.push(`${e.name}:${e.partitions.map((p: { partition: number }) => p.partition).join(',')}`);
    }
  });
  r.closed = new Promise((resolve) => proc.on('close', resolve));
  return r;
}

async function waitFor(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

t.test('a static member that restarts gets its partitions back without a rebalance', async (t) => {
  const b = await startBroker({ port: 0, memory: true, config: { 'offsets.topic.num.partitions': '1' } });
  t.teardown(() => b.close());
  const bootstrap = `127.0.0.1:${b.port}`;
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6 }] });
  await admin.disconnect();

  const readers: Reader[] = [];
  t.teardown(async () => {
    for (const r of readers) r.proc.kill('SIGKILL');
    await Promise.all(readers.map((r) => r.closed));
  });
  const a = startReader(bootstrap, 'static-a');
  const first = startReader(bootstrap, 'static-b');
  readers.push(a, first);
  await waitFor('3 partitions each', 120_000, () => a.owned.size === 3 && first.owned.size === 3);
  const mine = [...first.owned].sort();
  const describe = () => b.broker.groups.consumerGroupDescribe([GROUP], false)[0];
  const epoch = describe().groupEpoch;
  const eventsOfA = a.events.length;

  first.proc.kill('SIGTERM');
  await first.closed;
  const left = describe().members.find((m) => m.instanceId === 'static-b');
  t.equal(left?.memberEpoch, -2, 'the closed static member is kept at epoch -2');
  t.equal(describe().groupEpoch, epoch, 'no rebalance on its leave');

  const second = startReader(bootstrap, 'static-b');
  readers.push(second);
  await waitFor('the restarted member to own 3 partitions', 120_000, () => second.owned.size === 3);
  t.same([...second.owned].sort(), mine, 'the same partitions');
  await new Promise((r) => setTimeout(r, 2000));
  t.same(a.events.slice(eventsOfA), [], 'the other member saw no revocation or assignment');
  t.equal(describe().groupEpoch, epoch, 'the group epoch did not move');
  t.equal(describe().members.length, 2);
  t.equal(describe().groupState, 'Stable');
});
