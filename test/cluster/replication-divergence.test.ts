// KIP-101/279 on startCluster({ nodes: 3 }): a partition leader cut off from every other node still
// takes acks=1 writes no follower ever fetches; the others elect a new leader in a later epoch and
// take acks=all writes at the same offsets. Healed, the old leader follows: the diverging epoch in
// the new leader's Fetch answer makes it truncate its unreplicated suffix, and every replica then
// holds the same batches byte for byte, the acknowledged acks=all writes at their offsets.
import t from 'tap';
import { createRequire } from 'node:module';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { tempDir } from '../helpers/tmp.js';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-var-requires */
const KjsCluster = require('kafkajs/src/cluster');
const { createLogger, LEVELS } = require('kafkajs/src/loggers');
const LoggerConsole = require('kafkajs/src/loggers/console');
const defaultSocketFactory = require('kafkajs/src/network/socketFactory');

t.setTimeout(180_000);

const TOPIC = 'diverge';

function regOn(c: RunningCluster, nodeId: number) {
  return c.node(nodeId).node!.metadata.image.topics.get(TOPIC)?.registrations.get(0);
}

function logOf(c: RunningCluster, nodeId: number) {
  return c.node(nodeId).node!.broker!.partitionLog(TOPIC, 0)!;
}

async function bytesOf(c: RunningCluster, nodeId: number): Promise<Buffer> {
  const l = logOf(c, nodeId);
  const r = await l.read(l.logStartOffset, 64 << 20, true, false, 'logEnd');
  return Buffer.concat(r.records);
}

t.test('an isolated leader\'s unreplicated writes are truncated once it follows the new leader', async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t), config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'replica.socket.timeout.ms': '3000' } });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'diverge-test', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3 }] });
  const old = await waitUntil('the partition led, in sync on three', 30_000, () => {
    const r = regOn(c, 1);
    return r && r.isr.length === 3 && r.leader >= 0 && c.node(r.leader).node!.broker!.replicas!.checkFetch(TOPIC, 0).errorCode === 0 ? r : undefined;
  });
  const first = old.leader;
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  for (let i = 0; i < 10; i++) await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `before-${i}` }] });
  await waitUntil('the followers at 10', 20_000, () => c.nodes.every((n) => logOf(c, n.nodeId).logEndOffset === 10));

  // Cut off: the old leader goes on taking acks=1 writes from a client that still reaches it.
  const direct = new KjsCluster({ logger: createLogger({ level: LEVELS.NOTHING, logCreator: LoggerConsole }), socketFactory: defaultSocketFactory(), brokers: [c.node(first).bootstrap], clientId: 'diverge-direct', connectionTimeout: 10_000, requestTimeout: 10_000, retry: { retries: 0 } });
  await direct.connect();
  t.teardown(() => direct.disconnect());
  await direct.refreshMetadata();
  const oldLeader = await direct.findBroker({ nodeId: String(first) });
  c.node(first).isolate();
  for (let i = 0; i < 5; i++) await oldLeader.produce({ acks: 1, timeout: 1000, topicData: [{ topic: TOPIC, partitions: [{ partition: 0, messages: [{ value: `lost-${i}` }] }] }] });
  t.equal(logOf(c, first).logEndOffset, 15, 'the isolated leader appended 5 more');
  t.equal(logOf(c, first).highWatermark, 10, 'none of them committed');

  const others = c.nodes.filter((n) => n.nodeId !== first).map((n) => n.nodeId);
  const next = await waitUntil('a new leader among the others', 30_000, () => {
    const r = regOn(c, others[0]);
    return r && r.leader >= 0 && r.leader !== first && c.node(r.leader).node!.broker!.replicas!.checkFetch(TOPIC, 0).errorCode === 0 ? r : undefined;
  });
  t.ok(next.leaderEpoch > old.leaderEpoch, `broker ${next.leader} leads in epoch ${next.leaderEpoch}`);
  const acked = new Map<string, number>();
  const survivors = new Kafka({ brokers: others.map((id) => c.node(id).bootstrap!), clientId: 'diverge-survivors', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  const p2 = survivors.producer();
  await p2.connect();
  t.teardown(() => p2.disconnect());
  for (let i = 0; i < 7; i++) {
    const [r] = await p2.send({ topic: TOPIC, acks: -1, messages: [{ value: `after-${i}` }] });
    acked.set(`after-${i}`, Number(r.baseOffset));
  }
  t.same([...acked.values()], [10, 11, 12, 13, 14, 15, 16], 'the new leader wrote from offset 10');

  c.node(first).heal();
  await waitUntil('the old leader follows and matches the new leader', 60_000, async () => {
    const ends = c.nodes.map((n) => logOf(c, n.nodeId).logEndOffset);
    if (!ends.every((e) => e === 17)) return undefined;
    const b = await Promise.all(c.nodes.map((n) => bytesOf(c, n.nodeId)));
    return b.every((x) => x.equals(b[0])) ? b : undefined;
  });
  t.pass('every replica holds the same 17 offsets, byte for byte');
  t.equal(logOf(c, first).endOffsetForEpoch(old.leaderEpoch)?.endOffset, 10, "the old leader's epoch ends at 10 on the old leader too");

  const reader = await KafkajsReader.connect(c.node(next.leader).bootstrap!);
  t.teardown(() => reader.close());
  const { messages } = await reader.readPartition(TOPIC, 0);
  t.same(
    messages.map((m) => m.value!.toString()),
    [...Array.from({ length: 10 }, (_, i) => `before-${i}`), ...Array.from({ length: 7 }, (_, i) => `after-${i}`)],
    'the unreplicated acks=1 writes are gone, the acknowledged ones in place',
  );
});
