// The replication throttle configs as a Kafka 4.4.0 broker takes and describes them (checked against
// a real one): leader-/follower.replication.throttled.rate are dynamic broker configs that
// DescribeConfigs does not list until set, then lists with source DYNAMIC_BROKER_CONFIG; removed,
// they are no longer listed.
// The topic configs leader-/follower.replication.throttled.replicas take "partition:broker" lists or "*".
import t from 'tap';
import kafkajs from 'kafkajs';
import { startBroker } from '../../src/index.js';

const { ConfigResourceTypes, Kafka, logLevel } = kafkajs;
const DYNAMIC_BROKER = 2;
const RATES = ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'];

t.test('throttle rates: listed once set; throttled replicas per topic', async (t) => {
  const broker = await startBroker({ port: 0, memory: true });
  t.teardown(() => broker.close());
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const describe = async () => {
    const r = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }] });
    return new Map(r.resources[0].configEntries.map((e) => [e.configName, e]));
  };
  const before = await describe();
  for (const name of RATES) t.notOk(before.has(name), `${name} not listed while unset`);

  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'leader.replication.throttled.rate', value: '1000' }, { name: 'follower.replication.throttled.rate', value: '5000' }] }] });
  const set = await describe();
  t.match(set.get('leader.replication.throttled.rate'), { configValue: '1000', configSource: DYNAMIC_BROKER, readOnly: false });
  t.match(set.get('follower.replication.throttled.rate'), { configValue: '5000', configSource: DYNAMIC_BROKER, readOnly: false });
  t.ok(set.size === before.size + 2, 'nothing else appears');

  const negative = await admin
    .alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'leader.replication.throttled.rate', value: '-1' }] }] })
    .catch((e) => e);
  t.match(negative, { type: 'INVALID_REQUEST' }, 'a negative rate is refused (as Kafka refuses a dynamic broker config)');

  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [] }] });
  const cleared = await describe();
  for (const name of RATES) t.notOk(cleared.has(name), `${name} no longer listed once removed`);

  await admin.createTopics({ topics: [{ topic: 'moving', numPartitions: 2 }] });
  const topic = (entries: { name: string; value: string }[]) => admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'moving', configEntries: entries }] });
  await topic([{ name: 'leader.replication.throttled.replicas', value: '0:1,1:1' }, { name: 'follower.replication.throttled.replicas', value: '*' }]);
  const r = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'moving', configNames: ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'] }] });
  const values = Object.fromEntries(r.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
  t.same(values, { 'leader.replication.throttled.replicas': '0:1,1:1', 'follower.replication.throttled.replicas': '*' });
  const bad = await topic([{ name: 'leader.replication.throttled.replicas', value: '0-1' }]).catch((e) => e);
  t.match(bad, { type: 'INVALID_CONFIG' }, 'not a partition:broker list');
});
