// Issue #14's "kafka-reassign-partitions moves a partition between brokers under load with nothing
// lost", on 3 samsa processes: a topic with replication factor 2 (min.insync.replicas=2) under
// Kafka 4.4.0's idempotent acks=all VerifiableProducer; Kafka 4.4.0's kafka-reassign-partitions
// --execute --throttle moves partition 0 from brokers [1,2] (led by 1) to [3,2] (the leader among
// the removed replicas) and sets the replication throttles (broker rates, topic replica lists),
// --verify is run until it reports the move complete and clears them. Then: the partition is on
// [3,2] with both in the ISR, broker 1 deleted its log, the checker finds nothing lost, doubled or
// moved, and after a clean stop the new replica's log files hold the same bytes as the other's.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import t from 'tap';
import kafkajs from 'kafkajs';
import { startProcCluster, type ProcCluster } from '../helpers/cluster-procs.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { check, describe, jsonLines, type Ack, type LogRecord } from '../helpers/jepsen-checker.js';
import { tempDir } from '../helpers/tmp.js';
import { sleep } from '../helpers/timeout.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

t.setTimeout(290_000);

const TOPIC = 'moving';
const THROTTLE = 200_000;
const REASSIGN = 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand';

function logFiles(c: ProcCluster, nodeId: number, partition: number): Buffer {
  const dir = path.join(c.dataDir, `node-${nodeId}`, `${TOPIC}-${partition}`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  return Buffer.concat(files.map((f) => readFileSync(path.join(dir, f))));
}

t.test('kafka-reassign-partitions --execute --throttle, --verify: the partition moves under acks=all load, nothing lost', async (t) => {
  const c = await startProcCluster(t, { nodes: 3, config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'replica.lag.time.max.ms': '3000' } });
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'reassign-e2e', logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const created = await waitUntil('the topic created', 60_000, async () => {
    const r = await kafkaTool('org.apache.kafka.tools.TopicCommand', '--bootstrap-server', c.bootstrap, '--create', '--topic', TOPIC, '--replica-assignment', '1:2,2:3', '--config', 'min.insync.replicas=2');
    return r.code === 0 || /already exists/.test(r.out) ? r : undefined;
  });
  t.equal(created.code, 0, 'created with partition 0 on [1,2] and 1 on [2,3]');
  const partitionState = async (p: number) => (await admin.fetchTopicMetadata({ topics: [TOPIC] })).topics[0].partitions.find((x) => x.partitionId === p)!;
  await waitUntil('partition 0 led by 1 with both in the ISR', 60_000, async () => {
    const s = await partitionState(0);
    return s.leader === 1 && s.isr.length === 2;
  });

  const dir = tempDir(t);
  const producerConfig = path.join(dir, 'producer.properties');
  // No adaptive partitioning: the sticky partitioner then picks uniformly at every batch (one adaptive run
  // stayed on partition 1 throughout, leaving the moved partition empty).
  writeFileSync(producerConfig, 'enable.idempotence=true\nretries=2147483647\nmax.in.flight.requests.per.connection=5\ndelivery.timeout.ms=120000\nrequest.timeout.ms=5000\nretry.backoff.ms=100\nlinger.ms=5\npartitioner.adaptive.partitioning.enable=false\n');
  const producer = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'java', 'org.apache.kafka.tools.VerifiableProducer', '--bootstrap-server', c.bootstrap, '--topic', TOPIC, '--max-messages', '-1', '--throughput', '200', '--acks', '-1', '--command-config', producerConfig], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void producer.kill('SIGKILL'));
  const acked: Ack[] = [];
  const sendErrors: string[] = [];
  let pending = '';
  producer.stdout!.setEncoding('utf8').on('data', (d: string) => {
    pending += d;
    const nl = pending.lastIndexOf('\n');
    if (nl < 0) return;
    for (const e of jsonLines<{ name: string; value?: string; partition?: number; offset?: number; exception?: string }>(pending.slice(0, nl))) {
      if (e.name === 'producer_send_success') acked.push({ partition: e.partition!, offset: e.offset!, value: e.value! });
      else if (e.name === 'producer_send_error') sendErrors.push(`${e.value}: ${e.exception}`);
    }
    pending = pending.slice(nl + 1);
  });
  let producerErr = '';
  producer.stderr!.setEncoding('utf8').on('data', (d: string) => (producerErr = (producerErr + d).slice(-3000)));
  const producerExited = new Promise<number | null>((resolve) => producer.on('close', resolve));
  const flowing = (n: number) => waitUntil(() => `${n} acknowledgements (${acked.length} so far; errors: ${sendErrors.slice(-3).join('; ')}; producer stderr: ${producerErr.slice(-1000)})`, 90_000, () => acked.length >= n);
  await flowing(1500);

  const plan = path.join(dir, 'reassignment.json');
  writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 0, replicas: [3, 2], log_dirs: ['any', 'any'] }] }));
  const execute = await kafkaTool(REASSIGN, '--bootstrap-server', c.bootstrap, '--reassignment-json-file', plan, '--execute', '--throttle', String(THROTTLE));
  t.equal(execute.code, 0, `--execute exits 0: ${execute.out.trim().split('\n').slice(-3).join(' | ')}`);
  t.match(execute.out, /Successfully started partition reassignment for moving-0/);
  t.match(execute.out, new RegExp(`The inter-broker throttle limit was set to ${THROTTLE} B/s`));
  const started = acked.length;

  // The throttles the tool set, as the brokers describe them (they stay until --verify sees it done).
  const throttles = async () => {
    const r = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'] },
        { type: ConfigResourceTypes.BROKER, name: '3', configNames: ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'] },
      ],
    });
    const values: Record<string, string> = {};
    for (const res of r.resources) for (const e of res.configEntries) values[e.configName] = e.configValue;
    return values;
  };
  const set = await throttles();
  t.equal(set['leader.replication.throttled.replicas'], '0:1,0:2', 'the leader side throttles the current replicas');
  t.equal(set['follower.replication.throttled.replicas'], '0:3', 'the follower side the new one');
  t.equal(set['follower.replication.throttled.rate'], String(THROTTLE), 'broker 3 throttled at the given rate (listed once set, as Kafka does)');
  // The brokers took them: each logs its throttles when they change.
  await waitUntil('the brokers applying the throttles', 30_000, () => c.node(1).log().includes(`broker 1: leader replication throttle ${THROTTLE} B/s on [${TOPIC}:0]`) && c.node(3).log().includes(`broker 3: follower replication throttle ${THROTTLE} B/s on [${TOPIC}:0]`));
  t.pass('broker 1 throttles its leader side of partition 0, broker 3 its follower side, at the rate given');

  let verify = { code: null as number | null, out: '' };
  await waitUntil(() => `--verify reporting the move complete (last: ${verify.out})`, 120_000, async () => {
    verify = await kafkaTool(REASSIGN, '--bootstrap-server', c.bootstrap, '--reassignment-json-file', plan, '--verify');
    if (/Reassignment of partition moving-0 is completed/.test(verify.out)) return true;
    await sleep(1000);
    return false;
  });
  t.equal(verify.code, 0, '--verify exits 0');
  t.match(verify.out, /Clearing broker-level throttles on brokers 1,2,3/);
  t.match(verify.out, /Clearing topic-level throttles on topic moving/);
  const cleared = await throttles();
  t.equal(cleared['leader.replication.throttled.replicas'] ?? '', '', 'topic throttles removed');
  t.equal(cleared['follower.replication.throttled.replicas'] ?? '', '', 'both sides');
  t.equal(cleared['follower.replication.throttled.rate'], undefined, 'the broker rate removed (no longer listed)');
  const lastThrottle = (n: ProcCluster['nodes'][number], side: string) => n.log().split('\n').filter((l) => l.includes(`${side} replication throttle`)).pop() ?? '';
  await waitUntil('the brokers dropping the throttles', 30_000, () => c.nodes.every((n) => ['leader', 'follower'].every((side) => lastThrottle(n, side).includes(`: no ${side} replication throttle`))));
  t.pass('every broker dropped its throttles');

  const moved = await waitUntil('partition 0 on [3,2] with both in the ISR', 60_000, async () => {
    const s = await partitionState(0);
    return String(s.replicas) === '3,2' && s.isr.length === 2 && s.leader >= 0 ? s : undefined;
  });
  t.not(moved.leader, 1, `led by broker ${moved.leader}, off the removed broker 1`);
  await waitUntil("broker 1 deleted the partition's log", 30_000, () => !existsSync(path.join(c.dataDir, 'node-1', `${TOPIC}-0`)));
  t.pass("broker 1 deleted the partition's log");

  // More writes after the move, then the producer closes (its shutdown hook completes what is in flight).
  await flowing(acked.length + 600);
  // Errors are counted up to the stop: a record the producer is sending while its shutdown hook closes it
  // fails with a client-side KafkaException (seen in a CI run); it was never acknowledged, so the checker
  // below still holds every acknowledged write to account.
  const errorsBeforeStop = sendErrors.slice();
  producer.kill('SIGTERM');
  const producerExit = await producerExited;
  t.ok(producerExit === 0 || producerExit === 143, `the producer closed cleanly (exit ${producerExit})`);
  t.ok(acked.length > started && errorsBeforeStop.length === 0, `${acked.length} acknowledged (${started} before the move started), ${errorsBeforeStop.length} failed before the stop ${errorsBeforeStop.slice(0, 3).join('; ')}`);
  t.ok(acked.some((a) => a.partition === 0 && a.offset > 0), 'partition 0 took writes');

  // A CI run once timed out here (the whole test 270 s, not ~25): the states and the nodes' lines on
  // this topic are printed then, to tell a replica that stopped fetching from one slow to be added.
  let states = '';
  try {
    await waitUntil(() => `every replica in every ISR (last: ${states})`, 60_000, async () => {
      const s = await Promise.all([0, 1].map(partitionState));
      states = s.map((x) => `partition ${x.partitionId}: leader ${x.leader}, replicas [${x.replicas}], ISR [${x.isr}]`).join('; ');
      return s.every((x) => x.isr.length === 2);
    });
  } catch (e) {
    t.comment(c.nodes.map((n) => `--- node ${n.nodeId}\n${n.log().split('\n').filter((l) => l.includes(TOPIC)).slice(-40).join('\n')}`).join('\n'));
    throw e;
  }
  const log: LogRecord[] = [];
  const reader = await KafkajsReader.connect(c.bootstrap.split(',')[0]);
  try {
    for (const p of [0, 1]) {
      const { messages } = await reader.readPartition(TOPIC, p);
      for (const m of messages) log.push({ partition: p, offset: Number(m.offset), value: m.value!.toString() });
    }
  } finally {
    await reader.close();
  }
  const a = check(acked, log, []);
  t.same(a.lost, [], 'no acknowledged write lost');
  t.same(a.duplicates, [], 'no duplicates');
  t.same(a.moved, [], 'every acknowledged write at its acknowledged offset');
  if (Object.values(a).some((v) => v.length > 0)) t.comment(`anomalies: ${describe(a)}\n${c.nodes.map((n) => `--- node ${n.nodeId}\n${n.log().slice(-3000)}`).join('\n')}`);

  for (const n of c.nodes) await n.stop();
  const p0 = [3, 2].map((id) => logFiles(c, id, 0));
  t.ok(p0[0].length > 0 && p0[0].equals(p0[1]), `partition 0: the new replica's log files hold the same bytes as broker 2's (${p0[0].length}/${p0[1].length})`);
  const p1 = [2, 3].map((id) => logFiles(c, id, 1));
  t.ok(p1[0].length > 0 && p1[0].equals(p1[1]), `partition 1 (not moved): identical on 2 and 3 (${p1[0].length}/${p1[1].length})`);
  t.notOk(existsSync(path.join(c.dataDir, 'node-1', `${TOPIC}-0`)), 'broker 1 holds no log of partition 0');
});
