// The kafkajs admin client against samsa: create, describe, alter and delete topics and configs,
// with the answers Apache Kafka 4.0 gives (values, sources and messages checked against a Kafka
// 4.0.2 broker; kafkajs shows its own messages, so messages are checked on raw frames). IncrementalAlterConfigs, which kafkajs lacks, is driven with hand-built v0 frames.
import t from 'tap';
import { existsSync } from 'node:fs';
import path from 'node:path';
import kafkajs, { type Admin } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { Bytes, Cursor, WireConnection } from '../helpers/wire.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;
const Source = { TOPIC: 1, DYNAMIC_BROKER: 2, DYNAMIC_DEFAULT: 3, STATIC: 4, DEFAULT: 5 };

let b: RunningBroker;
let admin: Admin;
let dir: string;

t.before(async () => {
  dir = tempDir(t);
  b = await startBroker({ port: 0, dataDir: dir, config: { 'offsets.topic.num.partitions': '1', 'log.retention.hours': '48', 'num.partitions': '2' } });
  admin = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
});
t.teardown(async () => {
  await admin?.disconnect();
  await b?.close();
});

async function topicConfigs(name: string, configNames?: string[]) {
  const r = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames }] });
  return new Map(r.resources[0].configEntries.map((e) => [e.configName, e]));
}

async function createError(topic: object): Promise<{ type: string; message?: string }> {
  try {
    await admin.createTopics({ topics: [topic as never] });
  } catch (e) {
    const err = (e as { errors?: { type: string; message?: string }[] }).errors?.[0];
    return err ?? { type: (e as Error).name, message: (e as Error).message };
  }
  return { type: 'none' };
}

t.test('CreateTopics: configs, defaults, validate-only and Kafka\'s errors', async (t) => {
  t.equal(
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }, { name: 'cleanup.policy', value: 'compact' }] }] }),
    true,
  );
  t.equal(await admin.createTopics({ topics: [{ topic: 'plain' }] }), true, 'default partition count');
  t.equal(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'dry', numPartitions: 1 }] }), true, 'validate-only succeeds');
  const listed = await admin.listTopics();
  t.ok(listed.includes('orders') && listed.includes('plain'), 'created topics are listed');
  t.notOk(listed.includes('dry'), 'validate-only creates nothing');
  const md = await admin.fetchTopicMetadata({ topics: ['orders', 'plain'] });
  const counts = Object.fromEntries(md.topics.map((x) => [x.name, x.partitions.length]));
  t.same(counts, { orders: 3, plain: 2 }, 'partition counts (num.partitions=2 for the default)');

  t.equal(await admin.createTopics({ topics: [{ topic: 'orders' }] }), false, 'TOPIC_ALREADY_EXISTS (kafkajs answers false)');
  t.match(await createError({ topic: 'bad name' }), { type: 'INVALID_TOPIC_EXCEPTION' });
  t.match(await createError({ topic: 'np', numPartitions: 0 }), { type: 'INVALID_PARTITIONS' });
  t.match(await createError({ topic: 'rf', replicationFactor: 3 }), { type: 'INVALID_REPLICATION_FACTOR' });
  t.match(await createError({ topic: 'cfg', configEntries: [{ name: 'cleanup.policy', value: 'shred' }] }), { type: 'INVALID_CONFIG' });
  t.match(await createError({ topic: 'cfg2', configEntries: [{ name: 'no.such.config', value: '1' }] }), { type: 'INVALID_CONFIG' });
  t.match(await createError({ topic: 'asg', replicaAssignment: [{ partition: 0, replicas: [7] }] }), { type: 'INVALID_REPLICA_ASSIGNMENT' });
  t.equal(await admin.createTopics({ topics: [{ topic: 'manual', replicaAssignment: [{ partition: 0, replicas: [1] }, { partition: 1, replicas: [1] }] }] }), true);
  t.equal((await admin.fetchTopicMetadata({ topics: ['manual'] })).topics[0].partitions.length, 2, 'explicit assignment of two partitions');
});

t.test('DescribeConfigs: values, sources and synonyms as Kafka reports them', async (t) => {
  const c = await topicConfigs('orders');
  t.equal(c.size, 37, 'every topic config Kafka 4.4 lists');
  t.match(c.get('retention.ms'), { configValue: '3600000', configSource: Source.TOPIC, readOnly: false, isSensitive: false });
  t.same(c.get('retention.ms')!.configSynonyms.map((s) => [s.configName, s.configValue, s.configSource]), [['retention.ms', '3600000', Source.TOPIC]]);
  t.match(c.get('segment.bytes'), { configValue: '1073741824', configSource: Source.DEFAULT });
  t.same(c.get('segment.bytes')!.configSynonyms.map((s) => [s.configName, s.configValue, s.configSource]), [['log.segment.bytes', '1073741824', Source.DEFAULT]]);
  // log.retention.hours=48 is static; Kafka reports retention.ms from it but names no synonym.
  const plain = await topicConfigs('plain', ['retention.ms', 'segment.ms', 'cleanup.policy']);
  t.match(plain.get('retention.ms'), { configValue: String(48 * 3600000), configSource: Source.DEFAULT });
  t.same(plain.get('retention.ms')!.configSynonyms, []);
  t.match(plain.get('segment.ms'), { configValue: '604800000', configSource: Source.DEFAULT });
  t.equal(plain.size, 3, 'only the names asked for');

  const r = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }] });
  const broker = new Map(r.resources[0].configEntries.map((e) => [e.configName, e]));
  t.ok(broker.size >= 280, `every broker config Kafka 4.0 lists (${broker.size})`);
  t.match(broker.get('num.partitions'), { configValue: '2', configSource: Source.STATIC, readOnly: true });
  t.match(broker.get('log.retention.hours'), { configValue: '48', configSource: Source.STATIC, readOnly: true });
  t.match(broker.get('log.retention.ms'), { configValue: null, configSource: Source.DEFAULT, readOnly: false });
  t.match(broker.get('ssl.keystore.password'), { configValue: null, isSensitive: true });
  t.match(broker.get('message.max.bytes'), { configValue: '1048588', readOnly: false });

  const missing = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'nope' }] }).catch((e) => e);
  t.match(missing, { type: 'UNKNOWN_TOPIC_OR_PARTITION' }, 'unknown topic');
});

t.test('AlterConfigs replaces a topic\'s overrides; broker dynamic configs reach topic defaults', async (t) => {
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders', configEntries: [{ name: 'max.message.bytes', value: '2000000' }] }] });
  const c = await topicConfigs('orders');
  t.match(c.get('max.message.bytes'), { configValue: '2000000', configSource: Source.TOPIC });
  t.match(c.get('retention.ms'), { configSource: Source.DEFAULT }, 'overrides not given are removed (legacy AlterConfigs)');
  t.match(c.get('cleanup.policy'), { configValue: 'delete', configSource: Source.DEFAULT });

  await admin.alterConfigs({ validateOnly: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'orders', configEntries: [] }] });
  t.match((await topicConfigs('orders')).get('max.message.bytes'), { configValue: '2000000' }, 'validate-only changes nothing');

  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'log.retention.ms', value: '7200000' }] }] });
  const p = await topicConfigs('plain', ['retention.ms']);
  t.match(p.get('retention.ms'), { configValue: '7200000', configSource: Source.DYNAMIC_BROKER });
  t.same(p.get('retention.ms')!.configSynonyms.map((s) => [s.configName, s.configValue, s.configSource]), [
    ['log.retention.ms', '7200000', Source.DYNAMIC_BROKER],
    ['log.retention.hours', '48', Source.STATIC],
    ['log.retention.hours', '168', Source.DEFAULT],
  ]);
  t.equal(b.broker.partitionLog('plain', 0)!.config.retentionMs, 7200000, 'the partition logs got the new default');

  const ro = await admin
    .alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'num.partitions', value: '9' }] }] })
    .catch((e) => e);
  t.match(ro, { type: 'INVALID_REQUEST' }, 'read-only broker configs cannot be altered');
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [] }] });
  t.match((await topicConfigs('plain', ['retention.ms'])).get('retention.ms'), { configValue: String(48 * 3600000), configSource: Source.DEFAULT });
});

/** IncrementalAlterConfigs v0 for one resource, built byte by byte; returns [errorCode, message]. */
async function incrementalAlter(resourceType: number, name: string, ops: [string, number, string | null][]): Promise<[number, string | null]> {
  const conn = await WireConnection.connect(b.host, b.port);
  try {
    const body = new Bytes().int32(1).int8(resourceType).string(name).int32(ops.length);
    for (const [k, op, v] of ops) body.string(k).int8(op).string(v);
    body.int8(0);
    const c = new Cursor(await conn.request(44, 0, body.build()));
    c.int32(); // correlation id
    c.int32(); // throttle
    c.int32(); // responses
    return [c.int16(), c.string()];
  } finally {
    conn.destroy();
  }
}

t.test('IncrementalAlterConfigs: SET, DELETE, APPEND, SUBTRACT', async (t) => {
  t.same(await incrementalAlter(2, 'plain', [['cleanup.policy', 2, 'compact'], ['retention.ms', 0, '1000']]), [0, null]);
  let c = await topicConfigs('plain', ['cleanup.policy', 'retention.ms']);
  t.equal(c.get('cleanup.policy')!.configValue, 'delete,compact', 'APPEND starts from the default');
  t.equal(c.get('retention.ms')!.configValue, '1000');
  t.same(await incrementalAlter(2, 'plain', [['cleanup.policy', 3, 'delete'], ['retention.ms', 1, null]]), [0, null]);
  c = await topicConfigs('plain', ['cleanup.policy', 'retention.ms']);
  t.equal(c.get('cleanup.policy')!.configValue, 'compact', 'SUBTRACT');
  t.equal(c.get('retention.ms')!.configSource, Source.DEFAULT, 'DELETE removes the override');
  t.same(await incrementalAlter(2, 'plain', [['retention.ms', 2, '5']]), [40, "Can't APPEND to key retention.ms because its type is not LIST."]);
  t.same(await incrementalAlter(2, 'plain', [['segment.ms', 0, '0']]), [40, 'Invalid value 0 for configuration segment.ms: Value must be at least 1']);
  t.same(await incrementalAlter(2, 'nope', [['segment.ms', 0, '1']]), [3, "The topic 'nope' does not exist."]);
  t.same(await incrementalAlter(4, '', [['log.segment.bytes', 0, '2097152']]), [0, null], 'cluster-wide default');
  t.match((await topicConfigs('plain', ['segment.bytes'])).get('segment.bytes'), { configValue: '2097152', configSource: Source.DYNAMIC_DEFAULT });
  t.equal(b.broker.partitionLog('plain', 1)!.config.segmentBytes, 2097152);
  t.same(await incrementalAlter(4, '', [['log.segment.bytes', 1, null]]), [0, null]);
  t.same(await incrementalAlter(4, '7', [['log.segment.bytes', 0, '1']]), [42, 'Unexpected broker id, expected 1, but received 7']);
});

t.test('CreatePartitions and DeleteTopics', async (t) => {
  await admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 5 }] });
  t.equal((await admin.fetchTopicMetadata({ topics: ['orders'] })).topics[0].partitions.length, 5);
  t.ok(existsSync(path.join(dir, 'orders-4')), 'the new partition has a log');
  const lower = await admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 2 }] }).catch((e) => e);
  t.match(lower, { type: 'INVALID_PARTITIONS' });

  await admin.deleteTopics({ topics: ['orders', 'manual'] });
  t.notOk((await admin.listTopics()).includes('orders'), 'deleted');
  for (let p = 0; p < 5; p++) t.notOk(existsSync(path.join(dir, `orders-${p}`)), `orders-${p} data removed`);
  const unknown = await admin.deleteTopics({ topics: ['orders'] }).catch((e) => e);
  t.match(unknown, { message: /does not host this topic-partition/ }, 'UNKNOWN_TOPIC_OR_PARTITION');
  t.equal(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] }), true, 'the name can be used again');
  const c = await topicConfigs('orders', ['max.message.bytes']);
  t.equal(c.get('max.message.bytes')!.configSource, Source.DEFAULT, 'a recreated topic does not inherit the old configs');
});
