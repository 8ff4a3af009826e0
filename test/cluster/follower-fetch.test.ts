// Fetch from follower (KIP-392) on 3 nodes in racks r1/r2/r3 with Kafka's RackAwareReplicaSelector:
// Kafka 4.4.0's ConsoleConsumer with client.rack naming a follower's rack reads every record of an
// RF=3 partition, and it is that follower that served them: the leader answered preferredReadReplica
// with no records. Proved from the broker side by counting consumer reads (not a follower's
// replication reads) of each node's partition log. With client.rack of the leader's rack, the leader
// serves them itself.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { RACK_AWARE_REPLICA_SELECTOR } from '../../src/replica/replica-selector.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { kafkaToolIO } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(240_000);

const TOPIC = 'racks';
const COUNT = 300;

/** Per node, the records its partition log handed to consumer fetches (replication reads left out). */
function countConsumerReads(c: RunningCluster): Map<number, { reads: number; bytes: number }> {
  const counts = new Map<number, { reads: number; bytes: number }>();
  for (const n of c.nodes) {
    const l = n.node!.broker!.partitionLog(TOPIC, 0)!;
    const count = { reads: 0, bytes: 0 };
    counts.set(n.nodeId, count);
    const read = l.read.bind(l);
    l.read = async (...args: Parameters<typeof l.read>) => {
      const r = await read(...args);
      if (args[4] !== 'logEnd') {
        count.reads++;
        count.bytes += r.bytes;
      }
      return r;
    };
  }
  return counts;
}

async function consume(c: RunningCluster, rack: string): Promise<string[]> {
  const { code, out, err } = await kafkaToolIO('org.apache.kafka.tools.consumer.ConsoleConsumer', [
    '--bootstrap-server', c.bootstrap, '--topic', TOPIC, '--partition', '0', '--offset', 'earliest',
    '--max-messages', String(COUNT), '--timeout-ms', '60000', '--command-property', `client.rack=${rack}`,
  ]);
  if (code !== 0) throw new Error(`ConsoleConsumer exited ${code}: ${err.slice(-2000)}`);
  return out.split('\n').filter((line) => line.length > 0);
}

t.test('a Java consumer with client.rack reads from its rack\'s in-sync follower', async (t) => {
  const c = await startCluster({
    nodes: 3,
    dataDir: tempDir(t),
    config: { 'replica.selector.class': RACK_AWARE_REPLICA_SELECTOR },
    nodeConfig: (id) => ({ 'broker.rack': `r${id}` }),
  });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'follower-fetch', logLevel: logLevel.NOTHING, connectionTimeout: 10_000 });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3 }] });
  const reg = await waitUntil('the partition in sync on three brokers', 30_000, () => {
    const r = c.node(1).node!.metadata.image.topics.get(TOPIC)?.registrations.get(0);
    return r && r.isr.length === 3 && r.leader >= 0 && c.node(r.leader).node!.broker!.replicas!.checkFetch(TOPIC, 0).errorCode === 0 ? r : undefined;
  });
  const leader = reg.leader;
  const follower = reg.replicas.find((id) => id !== leader)!;

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const values = Array.from({ length: COUNT }, (_, i) => `v${i}`);
  for (let i = 0; i < COUNT; i += 100) await producer.send({ topic: TOPIC, acks: -1, messages: values.slice(i, i + 100).map((value) => ({ value })) });
  // The follower serves up to its own high watermark, which its next fetch from the leader brings.
  await waitUntil('every replica at the high watermark', 30_000, () => c.nodes.every((n) => n.node!.broker!.partitionLog(TOPIC, 0)!.highWatermark === COUNT));

  const counts = countConsumerReads(c);
  const read = await consume(c, `r${follower}`);
  t.same(read, values, 'every record, in order');
  t.ok(counts.get(follower)!.bytes > 0, `follower ${follower} served the records (${JSON.stringify(counts.get(follower))})`);
  t.equal(counts.get(leader)!.bytes, 0, 'the leader read none for the consumer: it named the follower');
  for (const n of c.nodes) if (n.nodeId !== leader && n.nodeId !== follower) t.equal(counts.get(n.nodeId)!.reads, 0, 'the other follower was not asked');

  for (const n of counts.values()) Object.assign(n, { reads: 0, bytes: 0 });
  t.same(await consume(c, `r${leader}`), values, 'on the leader\'s rack: every record');
  t.ok(counts.get(leader)!.bytes > 0, 'the leader served them itself');
  t.equal(counts.get(follower)!.reads, 0, 'no follower was asked');
});
