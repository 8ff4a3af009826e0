// A local cluster of fewer than three brokers caps its internal topics' replication factor at the
// brokers it has (Kafka's default of 3 would leave __consumer_offsets uncreatable), so a consumer
// group works on startCluster({ nodes: 1 }) with default settings.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster } from '../../src/node/cluster.js';
import { localClusterNodes } from '../../src/node/local-cluster.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(180_000);

t.test('the layout caps internal replication at the brokers', async (t) => {
  const two = localClusterNodes({ nodes: 2, dataDir: '/tmp/x' });
  t.equal(two[0].config['offsets.topic.replication.factor'], '2');
  t.equal(two[0].config['transaction.state.log.min.isr'], '2');
  const split = localClusterNodes({ controllers: 3, brokers: 1, dataDir: '/tmp/x' });
  t.equal(split[3].config['offsets.topic.replication.factor'], '1');
  const three = localClusterNodes({ nodes: 3, dataDir: '/tmp/x' });
  t.equal(three[0].config['offsets.topic.replication.factor'], undefined, "three brokers keep Kafka's default");
});

t.test('a kafkajs consumer group on a one-node cluster', async (t) => {
  const c = await startCluster({ nodes: 1, dataDir: tempDir(t) });
  t.teardown(() => c.close());
  await waitUntil('a leader', 20_000, () => c.leader());
  const kafka = new Kafka({ brokers: [c.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20 } });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'small', messages: Array.from({ length: 5 }, (_, i) => ({ value: `m${i}` })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'g' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'small', fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await waitUntil('five records consumed', 60_000, () => seen.length >= 5);
  await consumer.disconnect();
  t.same(seen, ['m0', 'm1', 'm2', 'm3', 'm4']);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchOffsets({ groupId: 'g', topics: ['small'] });
  await admin.disconnect();
  t.equal(offsets[0].partitions[0].offset, '5', 'the group committed its position');
});
