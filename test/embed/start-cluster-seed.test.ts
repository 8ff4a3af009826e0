// startCluster({ topics }): the seeding option of startBroker on a 3-node KRaft cluster. The topics
// exist with the partitions and replication asked (min(3, brokers) when none is asked), with their
// configs, and kafkajs reads every seeded record back, keyed ones in the partition Kafka's producer
// picks (murmur2), before anything else has been produced.
import t from 'tap';
import kafkajs from 'kafkajs';
import { startCluster, type SeedTopic } from '../../src/index.js';
import { partitionForKey } from '../../src/seed.js';
import { tempDir } from '../helpers/tmp.js';

const { Kafka, logLevel } = kafkajs;

t.setTimeout(280_000);

interface Seen {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  timestamp: string;
}

const TOPICS: SeedTopic[] = [
  {
    name: 'orders',
    partitions: 3,
    replicationFactor: 2,
    configs: { 'cleanup.policy': 'compact', 'min.insync.replicas': '2' },
    records: [
      { key: 'alice', value: '{"n":1}', headers: [{ key: 'source', value: 'seed' }] },
      { key: 'bob', value: '{"n":2}' },
      { key: 'alice', value: '{"n":3}' },
      { key: 'carol', value: Buffer.from([0, 1, 2, 255]), partition: 2, timestamp: 1_700_000_000_000 },
    ],
  },
  // No partitions or replication factor asked: num.partitions, and min(3, brokers) = 3 replicas.
  { name: 'events', records: [{ value: 'e0' }, { value: 'e1' }, { value: 'e2' }] },
];

t.test('a 3-node startCluster creates the seed topics and kafkajs reads their records', async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t), config: { 'num.partitions': '2' }, topics: TOPICS });
  t.teardown(() => c.close());

  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'cluster-seed', logLevel: logLevel.NOTHING, connectionTimeout: 10_000, retry: { retries: 10 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());

  const meta = await admin.fetchTopicMetadata({ topics: ['orders', 'events'] });
  const byName = new Map(meta.topics.map((x) => [x.name, x.partitions.sort((a, b) => a.partitionId - b.partitionId)]));
  t.equal(byName.get('orders')?.length, 3, 'orders: the 3 partitions asked');
  t.same(byName.get('orders')!.map((p) => p.replicas.length), [2, 2, 2], 'orders: replication factor 2, as asked');
  t.equal(byName.get('events')?.length, 2, 'events: num.partitions (2) without partitions asked');
  t.same(byName.get('events')!.map((p) => p.replicas.length), [3, 3], 'events: 3 replicas on 3 brokers without a factor asked');
  for (const [name, parts] of byName) {
    t.ok(parts.every((p) => p.leader >= 1 && p.replicas.includes(p.leader)), `${name}: every partition has a leader among its replicas`);
  }

  const configs = await admin.describeConfigs({ resources: [{ type: 2, name: 'orders', configNames: ['cleanup.policy', 'min.insync.replicas'] }], includeSynonyms: false });
  t.same(
    Object.fromEntries(configs.resources[0].configEntries.map((e) => [e.configName, e.configValue])),
    { 'cleanup.policy': 'compact', 'min.insync.replicas': '2' },
    'orders: its configs',
  );

  const expected = [0, 0, 0];
  expected[partitionForKey(Buffer.from('alice'), 3)] += 2;
  expected[partitionForKey(Buffer.from('bob'), 3)] += 1;
  expected[2] += 1;
  const offsets = await admin.fetchTopicOffsets('orders');
  t.same(offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high)), expected, 'orders: high watermarks = records per partition (keyed by murmur2)');
  const eventOffsets = await admin.fetchTopicOffsets('events');
  t.same(eventOffsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high)), [2, 1], 'events: unkeyed records round-robin from partition 0');

  const consumer = kafka.consumer({ groupId: 'cluster-seed-reader' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topics: ['orders', 'events'], fromBeginning: true });
  const seen: Seen[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${seen.length} of 7 records in 120 s`)), 120_000);
    consumer
      .run({
        eachMessage: async ({ topic, partition, message }) => {
          seen.push({
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            value: message.value!.toString('hex'),
            headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
            timestamp: message.timestamp,
          });
          if (seen.length === 7) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  const orders = seen.filter((m) => m.topic === 'orders');
  const alice = orders.filter((m) => m.key === 'alice');
  alice.sort((a, b) => Number(a.offset) - Number(b.offset));
  t.same(alice.map((m) => [m.partition, Buffer.from(m.value, 'hex').toString()]), [
    [partitionForKey(Buffer.from('alice'), 3), '{"n":1}'],
    [partitionForKey(Buffer.from('alice'), 3), '{"n":3}'],
  ], 'same key, same partition, in the order seeded');
  t.same(alice[0].headers, { source: 'seed' }, 'headers');
  const carol = orders.find((m) => m.key === 'carol')!;
  t.same([carol.partition, carol.value, carol.timestamp], [2, '000102ff', '1700000000000'], 'explicit partition, binary value, create time');
  const events = seen.filter((m) => m.topic === 'events').sort((a, b) => a.value.localeCompare(b.value));
  t.same(events.map((m) => [Buffer.from(m.value, 'hex').toString(), m.partition]), [['e0', 0], ['e1', 1], ['e2', 0]], 'events: every record, round-robin');

  // Replicated: each orders partition's records are on both its replicas' logs.
  for (const p of byName.get('orders')!) {
    const ends = p.replicas.map((id) => c.node(id).node!.broker!.partitionLog('orders', p.partitionId)?.logEndOffset);
    t.same(ends, p.replicas.map(() => expected[p.partitionId]), `orders-${p.partitionId}: on replicas ${p.replicas}`);
  }
});

t.test('a seed record for a partition the topic lacks fails startCluster', async (t) => {
  await t.rejects(
    startCluster({ nodes: 1, dataDir: tempDir(t), topics: [{ name: 'x', partitions: 1, records: [{ value: 'v', partition: 1 }] }] }),
    /seed record for x: no partition 1 \(1 partitions\)/,
  );
});
