// Kafka creates __consumer_offsets when a group first needs it, not at start-up: a fresh broker
// lists no internal topic, and the first FindCoordinator brings it (with its 50 partitions) in.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';

t.test('__consumer_offsets is created by the first group lookup', async (t) => {
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());

  t.notOk((await admin.listTopics()).includes('__consumer_offsets'), 'a fresh broker has no __consumer_offsets');
  const described = await admin.describeGroups(['lazy']);
  t.equal(described.groups[0].state, 'Dead', 'an unknown group describes as Dead');
  const md = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
  t.equal(md.topics[0].partitions.length, 50, 'created with offsets.topic.num.partitions (50) partitions');
});
