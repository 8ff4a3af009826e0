// Replication under kill -9, on samsa processes: Apache Kafka 4.4.0's VerifiableProducer (idempotent,
// acks=all) writes to a topic with replication factor 3 and min.insync.replicas=2 while the
// partition's leader is SIGKILLed and later restarted, twice (SAMSA_REPLICATION_ROUNDS times). A checker in the manner of Jepsen's
// Kafka workload: every write the producer saw acknowledged is read back at the offset it was
// acknowledged at, none twice; after a clean stop every node's log files hold the same bytes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startProcCluster, type ProcCluster } from '../helpers/cluster-procs.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { tempDir } from '../helpers/tmp.js';

const TOPIC = 'jepsen';
/** Leader kills (SAMSA_REPLICATION_ROUNDS for a longer run). */
const ROUNDS = Number(process.env.SAMSA_REPLICATION_ROUNDS ?? 2);
const MESSAGES = ROUNDS * 600 + 1300;

t.setTimeout(300_000 + ROUNDS * 60_000);

/** The partition's leader as the brokers' Metadata says, once one is up; not `not`. */
async function leaderOf(c: ProcCluster, not = -1): Promise<number> {
  return waitUntil(`a leader of ${TOPIC}-0 other than ${not}`, 60_000, async () => {
    const alive = c.nodes.filter((n) => n.alive).map((n) => `127.0.0.1:${n.spec.port}`);
    const kafka = new Kafka({ brokers: alive, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const md = await admin.fetchTopicMetadata({ topics: [TOPIC] });
      const leader = md.topics[0].partitions[0].leader;
      return leader >= 0 && leader !== not && c.node(leader).alive ? leader : undefined;
    } catch {
      return undefined;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  });
}

/** The partition's .log files of a stopped node, concatenated in offset order. */
function logFiles(c: ProcCluster, nodeId: number): Buffer {
  const dir = path.join(c.dataDir, `node-${nodeId}`, `${TOPIC}-0`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  return Buffer.concat(files.map((f) => readFileSync(path.join(dir, f))));
}

t.test('VerifiableProducer acks=all across leader kill -9s: 0 lost, 0 moved, 0 duplicated; logs identical', async (t) => {
  const c = await startProcCluster(t, { nodes: 3, config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'replica.lag.time.max.ms': '3000' } });
  const created = await waitUntil('the topic created', 60_000, async () => {
    const r = await kafkaTool('org.apache.kafka.tools.TopicCommand', '--bootstrap-server', c.bootstrap, '--create', '--topic', TOPIC, '--partitions', '1', '--replication-factor', '3', '--config', 'min.insync.replicas=2');
    return r.code === 0 ? r : undefined;
  });
  t.match(created.out, /Created topic jepsen/);
  await leaderOf(c);

  const configFile = path.join(tempDir(t), 'producer.properties');
  writeFileSync(configFile, 'enable.idempotence=true\nretries=2147483647\nmax.in.flight.requests.per.connection=5\ndelivery.timeout.ms=120000\nrequest.timeout.ms=5000\nretry.backoff.ms=100\nlinger.ms=5\n');
  const producer = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'java', 'org.apache.kafka.tools.VerifiableProducer', '--bootstrap-server', c.bootstrap, '--topic', TOPIC, '--max-messages', String(MESSAGES), '--throughput', '150', '--acks', '-1', '--command-config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => void producer.kill('SIGKILL'));
  const acked = new Map<string, number>();
  const errors: string[] = [];
  let out = '';
  producer.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line) as { name: string; value?: string; offset?: number; exception?: string };
      if (e.name === 'producer_send_success') acked.set(e.value!, e.offset!);
      else if (e.name === 'producer_send_error') errors.push(`${e.value}: ${e.exception}`);
    }
  });
  let stderr = '';
  producer.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => producer.on('close', resolve));

  for (let round = 1; round <= ROUNDS; round++) {
    await waitUntil(() => `round ${round}: acknowledgements flowing (${acked.size} acked, errors: ${errors.slice(-3).join('; ')}; producer stderr: ${stderr.slice(-1500)}; stdout: ${out.slice(-500)})`, 60_000, () => acked.size >= round * 600);
    const leader = await leaderOf(c);
    await c.node(leader).kill9();
    const next = await leaderOf(c, leader);
    t.not(next, leader, `round ${round}: broker ${next} leads after broker ${leader} was killed (${acked.size} acked so far)`);
    await waitUntil(`round ${round}: acknowledgements from the new leader`, 60_000, () => acked.size >= round * 600 + 200);
    await c.node(leader).restart();
  }
  t.equal(await exited, 0, 'the producer finished');
  t.ok(acked.size >= MESSAGES * 0.9, `${acked.size} of ${MESSAGES} acknowledged (${errors.length} failed${errors.length ? `: ${errors.slice(0, 3).join('; ')}` : ''})`);

  const reader = await KafkajsReader.connect(c.bootstrap.split(',')[0]);
  const { messages } = await reader.readPartition(TOPIC, 0);
  await reader.close();
  const at = new Map<string, number>();
  const duplicates: string[] = [];
  for (const m of messages) {
    const v = m.value!.toString();
    if (at.has(v)) duplicates.push(v);
    at.set(v, m.offset);
  }
  t.same([...acked.keys()].filter((v) => !at.has(v)), [], 'no acknowledged write lost');
  t.same([...acked].filter(([v, o]) => at.has(v) && at.get(v) !== o), [], 'every acknowledged write at its acknowledged offset');
  t.same(duplicates, [], 'no duplicates');

  // Healed: all replicas back in the ISR, then a clean stop and the files compared.
  await waitUntil('all three replicas in the ISR', 60_000, async () => {
    const kafka = new Kafka({ brokers: [c.bootstrap.split(',')[0]], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const md = await admin.fetchTopicMetadata({ topics: [TOPIC] });
      return md.topics[0].partitions[0].isr.length === 3;
    } catch {
      return undefined;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  });
  for (const n of c.nodes) await n.stop();
  const files = c.nodes.map((n) => logFiles(c, n.nodeId));
  t.ok(files[0].length > 0);
  for (let i = 1; i < files.length; i++) t.ok(files[i].equals(files[0]), `node ${i + 1}'s log files hold node 1's bytes (${files[i].length} bytes)`);
});
