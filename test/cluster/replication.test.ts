// Replication on startCluster({ nodes: 3 }): a topic with replication factor 3 and
// min.insync.replicas=2, an idempotent kafkajs producer with acks=all writing while the partition's
// leader is killed (no resignation, sockets dropped) and later restarted. Every acknowledged record
// is read back at the offset it was acknowledged at, nothing twice, and once healed every replica's
// log holds the same batches byte for byte.
import t from 'tap';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(240_000);

const TOPIC = 'replicated';

function registration(c: RunningCluster, nodeId: number) {
  return c.node(nodeId).node?.metadata.image.topics.get(TOPIC)?.registrations.get(0);
}

/** The partition as the running nodes' images see it, once they all agree on its leader. */
async function leaderOf(c: RunningCluster, not?: number): Promise<number> {
  return waitUntil(`a leader of ${TOPIC}-0 other than ${not}`, 60_000, () => {
    const leaders = new Set(c.nodes.filter((n) => n.running).map((n) => registration(c, n.nodeId)?.leader ?? -1));
    const [l] = [...leaders];
    return leaders.size === 1 && l >= 0 && l !== not ? l : undefined;
  });
}

/** Whole batches of a node's log, [0, log end), as stored. */
async function logBytes(c: RunningCluster, nodeId: number): Promise<Buffer> {
  const l = c.node(nodeId).node!.broker!.partitionLog(TOPIC, 0)!;
  const r = await l.read(l.logStartOffset, 64 << 20, true, false, 'logEnd');
  return Buffer.concat(r.records);
}

t.test('acks=all across a leader kill: nothing acknowledged is lost, moved or doubled; replicas agree', async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t), config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'replica.lag.time.max.ms': '3000' } });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'replication-test', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
  const placed = await waitUntil('the partition on every node', 30_000, () => c.nodes.every((n) => registration(c, n.nodeId)) && registration(c, 1));
  t.equal(placed!.replicas.length, 3, 'three replicas');
  t.equal(placed!.isr.length, 3, 'all in sync');

  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const acked = new Map<string, number>();
  let failed = 0;
  let sent = 0;
  const send = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const value = `m-${sent++}`;
      try {
        const [r] = await producer.send({ topic: TOPIC, acks: -1, timeout: 10_000, messages: [{ value }] });
        acked.set(value, Number(r.baseOffset));
      } catch {
        failed++;
      }
    }
  };

  await send(50);
  const first = await leaderOf(c);
  t.equal(acked.size, 50, 'all acknowledged before the fault');
  // Writes keep going while the leader dies.
  const during = send(100);
  await waitUntil('some writes in flight', 10_000, () => sent > 60);
  await c.node(first).kill();
  const second = await leaderOf(c, first);
  t.not(second, first, `broker ${second} took over from ${first}`);
  await during;
  await c.node(first).restart();
  await send(50);
  t.ok(acked.size >= 150, `${acked.size} acknowledged (${failed} failed)`);

  // Healed: the restarted replica catches up and rejoins the ISR.
  await waitUntil('every replica at the same log end and in the ISR', 60_000, async () => {
    const ends = c.nodes.map((n) => n.node!.broker!.partitionLog(TOPIC, 0)!.logEndOffset);
    return ends.every((e) => e === ends[0]) && registration(c, second)!.isr.length === 3;
  });

  const reader = await KafkajsReader.connect(c.bootstrap.split(',')[0]);
  t.teardown(() => reader.close());
  const { messages } = await reader.readPartition(TOPIC, 0);
  const seen = new Map<string, number>();
  const duplicates: string[] = [];
  for (const m of messages) {
    const v = m.value!.toString();
    if (seen.has(v)) duplicates.push(v);
    seen.set(v, m.offset);
  }
  const lost = [...acked.keys()].filter((v) => !seen.has(v));
  const moved = [...acked].filter(([v, o]) => seen.has(v) && seen.get(v) !== o);
  t.same(lost, [], 'no acknowledged write lost');
  t.same(moved, [], 'every acknowledged write at its acknowledged offset');
  t.same(duplicates, [], 'no duplicates');

  const bytes = await Promise.all(c.nodes.map((n) => logBytes(c, n.nodeId)));
  t.ok(bytes[0].length > 0);
  for (let i = 1; i < bytes.length; i++) t.ok(bytes[i].equals(bytes[0]), `node ${i + 1}'s log is byte-identical to node 1's (${bytes[i].length} bytes)`);
});
