// Consumer groups on 3 samsa processes with Apache Kafka 4.4.0's VerifiableConsumer (classic
// protocol, a synchronous commit after each batch): it reads everything produced and commits it;
// the node coordinating the group (leader of the group's __consumer_offsets partition, RF 3) is
// SIGKILLed; a second VerifiableConsumer of the same group finds the new coordinator, gets the
// committed offsets and reads exactly the records produced since, starting at the committed offsets.
import path from 'node:path';
import { spawn } from 'node:child_process';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startProcCluster, type ProcCluster } from '../helpers/cluster-procs.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { codecRequest } from '../metadata/helpers.js';
import { ErrorCode } from '../../src/protocol/errors.js';

t.setTimeout(360_000);

const TOPIC = 'ledger';
const GROUP = 'ledger-readers';

interface Consumed {
  committed: Map<number, number>;
  ranges: { partition: number; count: number; minOffset: number; maxOffset: number }[];
  exitCode: number | null;
  stderr: string;
}

/** Runs VerifiableConsumer until it has read `max` records; its commits and what it read. */
function verifiableConsumer(c: ProcCluster, max: number): Promise<Consumed> {
  const alive = c.nodes.filter((n) => n.alive).map((n) => `127.0.0.1:${n.spec.port}`).join(',');
  const args = ['java', 'org.apache.kafka.tools.VerifiableConsumer', '--bootstrap-server', alive, '--topic', TOPIC, '--group-id', GROUP, '--max-messages', String(max), '--session-timeout', '10000'];
  const p = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Consumed = { committed: new Map(), ranges: [], exitCode: null, stderr: '' };
  let buf = '';
  p.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line);
      if (e.name === 'records_consumed') for (const r of e.partitions) out.ranges.push({ partition: r.partition, count: r.count, minOffset: r.minOffset, maxOffset: r.maxOffset });
      if (e.name === 'offsets_committed' && e.success) for (const o of e.offsets) out.committed.set(o.partition, o.offset);
    }
  });
  p.stderr.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  const timer = setTimeout(() => p.kill('SIGKILL'), 180_000);
  return new Promise((resolve) =>
    p.on('close', (code) => {
      clearTimeout(timer);
      out.exitCode = code;
      resolve(out);
    }),
  );
}

async function produce(c: ProcCluster, prefix: string, count: number): Promise<void> {
  const alive = c.nodes.filter((n) => n.alive).map((n) => `127.0.0.1:${n.spec.port}`);
  const kafka = new Kafka({ brokers: alive, logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `${prefix}-${i}` })) });
  } finally {
    await producer.disconnect();
  }
}

/** The group's coordinator as a live node's FindCoordinator names it, once it is a live node other than `not`. */
async function coordinatorOf(c: ProcCluster, not = -1): Promise<number> {
  return waitUntil(`a coordinator of ${GROUP} other than ${not}`, 60_000, async () => {
    const ask = c.nodes.find((n) => n.alive)!;
    const res = await codecRequest('127.0.0.1', ask.spec.port!, 'FindCoordinator', 4, { keyType: 0, coordinatorKeys: [GROUP] });
    const found = res.coordinators[0];
    return found.errorCode === ErrorCode.NONE && found.nodeId !== not && c.node(found.nodeId).alive ? found.nodeId : undefined;
  });
}

const sum = (m: Map<number, number>) => [...m.values()].reduce((s, x) => s + x, 0);

t.test('VerifiableConsumer: the group and its committed offsets survive kill -9 of its coordinator', async (t) => {
  const c = await startProcCluster(t, { nodes: 3, config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'group.initial.rebalance.delay.ms': '0' } });
  await waitUntil('the topic created', 60_000, async () => {
    const r = await kafkaTool('org.apache.kafka.tools.TopicCommand', '--bootstrap-server', c.bootstrap, '--create', '--topic', TOPIC, '--partitions', '3', '--replication-factor', '3');
    return r.code === 0 ? r : undefined;
  });
  await waitUntil('300 records produced', 60_000, () => produce(c, 'first', 300).then(() => true));

  const first = await verifiableConsumer(c, 300);
  t.equal(first.exitCode, 0, `the first consumer finished (stderr: ${first.stderr.slice(-1500)})`);
  t.equal(sum(first.committed), 300, 'it committed all 300 records');

  const coordinator = await coordinatorOf(c);
  await c.node(coordinator).kill9();
  const next = await coordinatorOf(c, coordinator);
  t.not(next, coordinator, `broker ${next} coordinates the group after broker ${coordinator} was killed`);

  await waitUntil('150 more records produced', 60_000, () => produce(c, 'second', 150).then(() => true));
  const second = await verifiableConsumer(c, 150);
  t.equal(second.exitCode, 0, `the second consumer finished (stderr: ${second.stderr.slice(-1500)})`);
  t.equal(second.ranges.reduce((s, r) => s + r.count, 0), 150, 'it read exactly the 150 new records');
  for (const [partition, offset] of first.committed) {
    const mins = second.ranges.filter((r) => r.partition === partition).map((r) => r.minOffset);
    t.ok(mins.every((m) => m >= offset), `partition ${partition}: resumed at or after the committed offset ${offset} (read from ${Math.min(...mins)})`);
  }
  t.equal(sum(second.committed), 450, 'its commits continue from the first consumer\'s');
  await c.node(coordinator).restart();
});
