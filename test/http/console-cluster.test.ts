// The console on every node of a 3-node cluster (startCluster, samsa.http.port=0): a topic whose
// partitions have one replica each, spread over the brokers, and a kafkajs group coordinated by one
// of them. Each node's console counts every message (offsets of partitions elsewhere from their
// leaders), shows the group with its lag (ListGroups on every broker, the group described at its
// coordinator), produces to a partition led by another broker (read back by kafkajs), and its page
// in headless Chromium lists messages of every partition.
import t from 'tap';
import kafkajs from 'kafkajs';
import { startCluster } from '../../src/index.js';
import { launchChromium, waitFor } from './console-fixture.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'spread';
const GROUP = 'spread-readers';

t.test('every node\'s console sees the whole cluster', async (t) => {
  const cluster = await startCluster({ nodes: 3, config: { 'samsa.http.port': '0', 'offsets.topic.num.partitions': '1', 'default.replication.factor': '1' } });
  t.teardown(() => cluster.close());
  const kafka = new Kafka({ brokers: String(cluster.bootstrap).split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1 }] });
  const md = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  const leaders = new Map(md.topics[0].partitions.map((p) => [p.partitionId, p.leader]));
  t.equal(new Set(leaders.values()).size, 3, 'one partition on each broker');

  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 9 }, (_, i) => ({ partition: i % 3, key: `k${i}`, value: `v${i}` })) });
  // Short fetch waits: once paused, no fetch sent before the pause is still out when the consoles produce.
  const consumer = kafka.consumer({ groupId: GROUP, maxWaitTimeInMs: 50 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({ eachMessage: async () => {} });
  await waitFor('the group to commit every message', async () => (await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }))[0].partitions.reduce((n, p) => n + Math.max(Number(p.offset), 0), 0) === 9, 120_000);
  consumer.pause([{ topic: TOPIC }]);
  await new Promise((r) => setTimeout(r, 1000));

  const nodes = cluster.nodes;
  t.equal(nodes.length, 3);
  let produced = 0;
  for (const node of nodes) {
    const url = `http://127.0.0.1:${node.httpPort}`;
    const topics = (await (await fetch(`${url}/api/console/topics`)).json()) as { name: string; messages: number }[];
    t.equal(topics.find((x) => x.name === TOPIC)?.messages, 9 + produced, `node ${node.nodeId}: every message counted`);
    const group = (await (await fetch(`${url}/api/console/groups/${GROUP}`)).json()) as { members: unknown[]; offsets: { partition: number; offset: number; lag: number }[] };
    t.equal(group.members.length, 1, `node ${node.nodeId}: the group's member`);
    t.same(group.offsets.map((o) => o.offset), [3, 3, 3], `node ${node.nodeId}: committed offsets`);
    t.same(group.offsets.map((o) => o.lag).reduce((a, b) => a + b, 0), produced, `node ${node.nodeId}: lag of what the consoles produced`);
    // A partition led by another broker.
    const partition = [...leaders].find(([, leader]) => leader !== node.nodeId)![0];
    const res = await fetch(`${url}/api/console/topics/${TOPIC}/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ partition, key: `from-${node.nodeId}`, value: `console of node ${node.nodeId}` }) });
    const out = (await res.json()) as { partition: number; offset: number; error: string | null };
    t.equal(res.status, 200, `node ${node.nodeId}: produced at leader ${leaders.get(partition)}: ${JSON.stringify(out)}`);
    produced++;
  }

  const reader = kafka.consumer({ groupId: 'spread-check' });
  await reader.connect();
  t.teardown(() => reader.disconnect());
  await reader.subscribe({ topic: TOPIC, fromBeginning: true });
  const seen = new Set<string>();
  await reader.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
  await waitFor('kafkajs to read the consoles\' records', async () => nodes.every((n) => seen.has(`console of node ${n.nodeId}`)), 120_000);
  t.pass('kafkajs reads the record each console produced');

  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${nodes[0].httpPort}/topics/${TOPIC}`);
  const partitions = await page.$$eval('#messages tbody tr', (rows) => [...new Set(rows.map((r) => r.getAttribute('data-partition')))].sort());
  t.same(partitions, ['0', '1', '2'], 'the page shows messages of partitions led by every broker');
});
