// startBroker({ topics }): topics and records a broker starts with, read back by kafkajs; keyed
// records in the partition Kafka's producer would pick (kafkajs's murmur2 is the Java client's).
import t from 'tap';
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { murmur2, partitionForKey } from '../../src/seed.js';

const { Kafka, logLevel } = kafkajs;
const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

t.test('murmur2 is the Java client\'s (as kafkajs ports it)', async (t) => {
  for (const key of ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'user-42', 'ключ', '\u0000\u00ff\u0080binary']) {
    t.equal(murmur2(Buffer.from(key)), kafkajsMurmur2(Buffer.from(key)), JSON.stringify(key));
  }
  // Kafka's UtilsTest.testMurmur2 vectors.
  t.equal(murmur2(Buffer.from('21')), -973932308);
  t.equal(murmur2(Buffer.from('foobar')), -790332482);
  t.equal(murmur2(Buffer.from('a-little-bit-long-string')), -985981536);
  t.equal(murmur2(Buffer.from('a-little-bit-longer-string')), -1486304829);
  t.equal(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')), -58897971);
  t.equal(murmur2(Buffer.from([97, 98, 99])), 479470107);
});

t.test('startBroker seeds topics, configs and records before it resolves', async (t) => {
  const b = await startBroker({
    port: 0,
    memory: true,
    topics: [
      {
        name: 'orders',
        partitions: 3,
        configs: { 'cleanup.policy': 'compact', 'retention.ms': '3600000' },
        records: [
          { key: 'alice', value: '{"n":1}', headers: [{ key: 'source', value: 'seed' }] },
          { key: 'bob', value: '{"n":2}' },
          { key: 'alice', value: '{"n":3}' },
          { value: Buffer.from([0, 1, 2, 255]), partition: 2, timestamp: 1_700_000_000_000 },
        ],
      },
      { name: 'empty' },
    ],
  });
  t.teardown(() => b.close());

  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const meta = await admin.fetchTopicMetadata({ topics: ['orders', 'empty'] });
  t.same(meta.topics.map((x) => [x.name, x.partitions.length]).sort(), [['empty', 1], ['orders', 3]], 'partition counts (num.partitions for the second)');
  const configs = await admin.describeConfigs({ resources: [{ type: 2, name: 'orders', configNames: ['cleanup.policy', 'retention.ms'] }], includeSynonyms: false });
  t.same(Object.fromEntries(configs.resources[0].configEntries.map((e) => [e.configName, e.configValue])), { 'cleanup.policy': 'compact', 'retention.ms': '3600000' }, 'topic configs');

  const offsets = await admin.fetchTopicOffsets('orders');
  const expected = [0, 0, 0];
  expected[partitionForKey(Buffer.from('alice'), 3)] += 2;
  expected[partitionForKey(Buffer.from('bob'), 3)] += 1;
  expected[2] += 1;
  t.same(offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high)), expected, 'records per partition, keyed ones by murmur2');

  // Read them all back with a consumer.
  const consumer = kafka.consumer({ groupId: 'seed-reader' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  const seen: { partition: number; key: string | null; value: string; headers: Record<string, string>; timestamp: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${seen.length} of 4 records in 60 s`)), 60_000);
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          seen.push({
            partition,
            key: message.key?.toString() ?? null,
            value: message.value!.toString('hex'),
            headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
            timestamp: message.timestamp,
          });
          if (seen.length === 4) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  const alice = seen.filter((m) => m.key === 'alice');
  t.same(alice.map((m) => Buffer.from(m.value, 'hex').toString()), ['{"n":1}', '{"n":3}'], 'same key, same partition, in order');
  t.same(alice[0].headers, { source: 'seed' }, 'headers');
  const binary = seen.find((m) => m.key === null)!;
  t.same([binary.partition, binary.value, binary.timestamp], [2, '000102ff', '1700000000000'], 'explicit partition, binary value, create time');
});

t.test('a record for a partition the topic lacks fails startBroker', async (t) => {
  await t.rejects(startBroker({ port: 0, memory: true, topics: [{ name: 'x', partitions: 1, records: [{ value: 'v', partition: 1 }] }] }), /seed record for x: no partition 1 \(1 partitions\)/);
});
