// One Jepsen-style run on 3 samsa processes, shared by test/cluster/jepsen.test.ts (a few rounds)
// and test/cluster/jepsen-torture.ts (many): Kafka 4.4.0's VerifiableProducer (idempotent,
// acks=all) and VerifiableConsumer (a group, committing) against a topic with replication factor 3
// and min.insync.replicas=2, while rounds of faults run: a partition leader kill -9'ed and
// restarted, the active controller kill -9'ed and restarted, a node paused (SIGSTOP: cut off from
// everyone, its connections stalled) and resumed. The history goes to jepsen-checker.ts.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { startProcCluster, type ProcCluster } from './cluster-procs.js';
import { startNetnsCluster, type NetnsCluster } from './netns-cluster.js';
import { REPO_ROOT } from './cli-broker.js';
import { quorumLeader, waitUntil } from './cluster-wait.js';
import { kafkaTool } from './kafka-tool.js';
import { KafkajsReader } from './kafkajs-reader.js';
import { check, jsonLines, type Ack, type Anomalies, type ConsumerEvent, type LogRecord } from './jepsen-checker.js';
import { tempDir } from './tmp.js';
import { sleep } from './timeout.js';

export const TOPIC = 'jepsen';
export const PARTITIONS = 2;
/** Acknowledgements between faults. */
const PER_ROUND = 300;

interface Teardown {
  teardown(fn: () => unknown): void;
}

export type Fault = 'leader' | 'controller' | 'pause' | 'partition';

export interface JepsenResult {
  seed: number;
  faults: string[];
  acked: number;
  sendErrors: string[];
  /** The producer's exit after SIGTERM (its shutdown hook closes it cleanly). */
  producerExit: number | null;
  anomalies: Anomalies;
  consumerEvents: number;
  /** Per partition: whether every node's .log files hold the same bytes after a clean stop. */
  identical: { partition: number; sizes: number[]; same: boolean }[];
  /** The tail of each node's log (for a report when a check fails). */
  nodeLogs: () => string;
}

function java(cls: string, args: string[]): ChildProcess {
  return spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'java', cls, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Nodes cut off by a network partition now (clients of the test skip them). */
const cut = new Set<number>();

async function withAdmin<T>(c: ProcCluster, f: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T | undefined> {
  const alive = c.nodes.filter((n) => n.alive && !cut.has(n.nodeId)).map((n) => `${n.spec.host}:${n.spec.port}`);
  const admin = new Kafka({ brokers: alive, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    return await f(admin);
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** The partition's leader per the brokers' Metadata, once a live one other than `not` leads. */
function leaderOf(c: ProcCluster, partition: number, not = -1): Promise<number> {
  return waitUntil(`a leader of ${TOPIC}-${partition} other than ${not}`, 60_000, () =>
    withAdmin(c, async (admin) => {
      const md = await admin.fetchTopicMetadata({ topics: [TOPIC] });
      const leader = md.topics[0].partitions.find((p) => p.partitionId === partition)!.leader;
      return leader >= 0 && leader !== not && c.node(leader).alive && !cut.has(leader) ? leader : undefined;
    }),
  );
}

function logFiles(c: ProcCluster, nodeId: number, partition: number): Buffer {
  const dir = path.join(c.dataDir, `node-${nodeId}`, `${TOPIC}-${partition}`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  return Buffer.concat(files.map((f) => readFileSync(path.join(dir, f))));
}

/** `netns`: each node in its own network namespace, and network partitions among the faults (root only). */
export async function jepsenRun(t: Teardown, o: { rounds: number; seed: number; netns?: boolean; progress?: (line: string) => void }): Promise<JepsenResult> {
  let seed = o.seed;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const say = o.progress ?? (() => {});
  const layout = { nodes: 3, config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'replica.lag.time.max.ms': '3000' } };
  const c: ProcCluster = o.netns ? await startNetnsCluster(t, layout) : await startProcCluster(t, layout);
  cut.clear();
  t.teardown(() => {
    for (const n of c.nodes) if (n.alive) process.kill(n.pid, 'SIGCONT');
  });
  await waitUntil('the topic created', 60_000, async () => {
    const r = await kafkaTool('org.apache.kafka.tools.TopicCommand', '--bootstrap-server', c.bootstrap, '--create', '--topic', TOPIC, '--partitions', String(PARTITIONS), '--replication-factor', '3', '--config', 'min.insync.replicas=2');
    return r.code === 0 || /already exists/.test(r.out) ? r : undefined;
  });
  for (let p = 0; p < PARTITIONS; p++) await leaderOf(c, p);

  const dir = tempDir(t);
  const producerConfig = path.join(dir, 'producer.properties');
  writeFileSync(producerConfig, 'enable.idempotence=true\nretries=2147483647\nmax.in.flight.requests.per.connection=5\ndelivery.timeout.ms=120000\nrequest.timeout.ms=5000\nretry.backoff.ms=100\nlinger.ms=5\n');
  const consumerConfig = path.join(dir, 'consumer.properties');
  writeFileSync(consumerConfig, 'request.timeout.ms=5000\nretry.backoff.ms=100\n');
  const producer = java('org.apache.kafka.tools.VerifiableProducer', ['--bootstrap-server', c.bootstrap, '--topic', TOPIC, '--max-messages', '-1', '--throughput', '150', '--acks', '-1', '--command-config', producerConfig]);
  const consumer = java('org.apache.kafka.tools.VerifiableConsumer', ['--bootstrap-server', c.bootstrap, '--topic', TOPIC, '--group-id', 'jepsen-group', '--reset-policy', 'earliest', '--verbose', '--command-config', consumerConfig]);
  t.teardown(() => void producer.kill('SIGKILL'));
  t.teardown(() => void consumer.kill('SIGKILL'));

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
  let consumerOut = '';
  consumer.stdout!.setEncoding('utf8').on('data', (d: string) => (consumerOut += d));
  consumer.stderr!.resume();
  const consumerExited = new Promise<void>((resolve) => consumer.on('close', () => resolve()));

  const flowing = (round: number, n: number) =>
    waitUntil(() => `round ${round}: ${n} acknowledgements (${acked.length} so far; errors: ${sendErrors.slice(-3).join('; ')}; producer stderr: ${producerErr.slice(-1000)})`, 90_000, () => acked.length >= n);

  const faults: string[] = [];
  const kinds: Fault[] = o.netns ? ['leader', 'controller', 'partition', 'pause'] : ['leader', 'controller', 'pause'];
  for (let round = 1; round <= o.rounds; round++) {
    await flowing(round, acked.length + PER_ROUND);
    const kind = kinds[(round - 1) % kinds.length];
    const partition = Math.floor(random() * PARTITIONS);
    let victim: number;
    if (kind === 'controller') {
      const q = await waitUntil('an active controller', 60_000, () => quorumLeader(c.bootstrapController.split(',')).then((v) => v ?? undefined));
      victim = q.leaderId;
    } else {
      victim = await leaderOf(c, partition);
    }
    const node = c.node(victim);
    faults.push(`round ${round}: ${kind} ${victim} (partition ${partition}) at ${acked.length} acked`);
    say(faults[faults.length - 1]);
    if (kind === 'partition') {
      (c as NetnsCluster).isolate(victim);
      cut.add(victim);
      await leaderOf(c, partition, victim);
      await flowing(round, acked.length + 100);
      (c as NetnsCluster).heal(victim);
      cut.delete(victim);
    } else if (kind === 'pause') {
      process.kill(node.pid, 'SIGSTOP');
      // Longer than the session and lag timeouts: the others fence it and shrink it out of the ISR.
      await sleep(4000 + Math.floor(random() * 3000));
      await leaderOf(c, partition, victim).catch(() => -1);
      process.kill(node.pid, 'SIGCONT');
    } else {
      await node.kill9();
      if (kind === 'leader') await leaderOf(c, partition, victim);
      else await waitUntil('a new active controller', 60_000, () => quorumLeader(c.bootstrapController.split(',')).then((v) => (v && v.leaderId !== victim ? v : undefined)));
      await flowing(round, acked.length + 100);
      await node.restart();
    }
  }
  await flowing(o.rounds + 1, acked.length + PER_ROUND);
  // SIGTERM: the producer's shutdown hook closes it, which completes (and prints) what is in flight.
  producer.kill('SIGTERM');
  const producerExit = await producerExited;
  say(`producer exited ${producerExit}, ${acked.length} acked, ${sendErrors.length} failed`);

  // Healed: every replica back in every ISR.
  await waitUntil('all three replicas in every ISR', 90_000, () =>
    withAdmin(c, async (admin) => {
      const md = await admin.fetchTopicMetadata({ topics: [TOPIC] });
      return md.topics[0].partitions.every((p) => p.isr.length === 3) || undefined;
    }),
  );
  const log: LogRecord[] = [];
  const reader = await KafkajsReader.connect(c.bootstrap.split(',')[0]);
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      const { messages: ms } = await reader.readPartition(TOPIC, p);
      for (const m of ms) log.push({ partition: p, offset: Number(m.offset), value: m.value!.toString() });
    }
  } finally {
    await reader.close();
  }
  // The consumer reads concurrently; give it until it polled every acknowledged value.
  const ackedValues = new Set(acked.map((a) => a.value));
  await waitUntil('the consumer polled every acknowledged write', 60_000, () => {
    const seen = new Set(jsonLines<ConsumerEvent>(consumerOut).filter((e) => e.name === 'record_data').map((e) => e.value));
    for (const v of ackedValues) if (!seen.has(v)) return undefined;
    return true;
  }).catch(() => undefined);
  consumer.kill('SIGTERM');
  await Promise.race([consumerExited, sleep(15_000)]);
  const consumerEvents = jsonLines<ConsumerEvent>(consumerOut);
  const anomalies = check(acked, log, consumerEvents, { consumerReadAll: true });

  for (const n of c.nodes) await n.stop();
  const identical: JepsenResult['identical'] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const files = c.nodes.map((n) => logFiles(c, n.nodeId, p));
    identical.push({ partition: p, sizes: files.map((f) => f.length), same: files.every((f) => f.length > 0 && f.equals(files[0])) });
  }
  return {
    seed: o.seed,
    faults,
    acked: acked.length,
    sendErrors,
    producerExit,
    anomalies,
    consumerEvents: consumerEvents.length,
    identical,
    nodeLogs: () => c.nodes.map((n) => `--- node ${n.nodeId}\n${n.log().slice(-3000)}`).join('\n'),
  };
}
