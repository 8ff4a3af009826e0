// The kafka-consumer-groups views through kafkajs's admin client (DescribeGroups, ListGroups,
// OffsetFetch for all partitions, OffsetCommit from the admin, DeleteGroups), checked field by
// field against what Kafka reports after the same history.
import t from 'tap';
import { Kafka, logLevel, AssignerProtocol, type Consumer } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { sleep, withTimeout } from '../helpers/timeout.js';

const TOPIC = 'views';
const GROUP = 'viewers';

t.test('describe, list and offsets of a group through its life', async (t) => {
  const b = await startBroker({ port: 0, dataDir: tempDir(t), config: { 'group.initial.rebalance.delay.ms': '0' } });
  t.teardown(() => b.close());
  const kafka = new Kafka({ clientId: 'views-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 4 }] });
  const producer = kafka.producer();
  await producer.connect();
  for (let p = 0; p < 4; p++) await producer.send({ topic: TOPIC, messages: Array.from({ length: 10 + p }, (_, i) => ({ partition: p, value: `m${i}` })) });
  await producer.disconnect();

  t.same(await admin.listGroups(), { groups: [] }, 'no groups yet');

  const seen = new Map<number, number>();
  const consumers: Consumer[] = [];
  for (let i = 0; i < 2; i++) {
    const c = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
    await c.connect();
    await c.subscribe({ topic: TOPIC, fromBeginning: true });
    await c.run({ eachMessage: async ({ partition, message }) => void seen.set(partition, Number(message.offset) + 1) });
    consumers.push(c);
  }
  // Both consumers in one Stable generation, everything read and committed.
  await withTimeout(
    (async () => {
      for (;;) {
        const d = (await admin.describeGroups([GROUP])).groups[0];
        const offsets = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
        if (d.state === 'Stable' && d.members.length === 2 && offsets[0].partitions.every((p) => Number(p.offset) === 10 + p.partition)) return;
        await sleep(100);
      }
    })(),
    30_000,
    'two consumers consuming and committing everything',
  );

  const stable = (await admin.describeGroups([GROUP])).groups[0];
  t.same(
    { errorCode: stable.errorCode, groupId: stable.groupId, state: stable.state, protocolType: stable.protocolType, protocol: stable.protocol },
    { errorCode: 0, groupId: GROUP, state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' },
  );
  const owned: number[] = [];
  for (const m of stable.members) {
    t.equal(m.clientId, 'views-test');
    t.equal(m.clientHost, '/127.0.0.1');
    t.match(m.memberId, /^views-test-[0-9a-f-]{36}$/);
    t.same(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics, [TOPIC], 'the subscription the member sent');
    const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)!.assignment[TOPIC];
    t.equal(assignment.length, 2, 'two partitions each');
    owned.push(...assignment);
  }
  t.same(owned.sort(), [0, 1, 2, 3]);
  t.same(await admin.listGroups(), { groups: [{ groupId: GROUP, protocolType: 'consumer' }] });

  // All partitions, as kafka-consumer-groups --describe asks (OffsetFetch with a null topic list).
  const all = await admin.fetchOffsets({ groupId: GROUP });
  t.same(
    all.map((tp) => ({ topic: tp.topic, partitions: [...tp.partitions].sort((x, y) => x.partition - y.partition) })),
    [
      {
        topic: TOPIC,
        partitions: [0, 1, 2, 3].map((p) => ({ partition: p, offset: String(10 + p), metadata: null })),
      },
    ],
  );

  // One leaves: the other owns everything. Then the last leaves: Empty, no members, no protocol.
  await consumers[0].disconnect();
  await withTimeout(
    (async () => {
      for (;;) {
        const d = (await admin.describeGroups([GROUP])).groups[0];
        if (d.state === 'Stable' && d.members.length === 1) return;
        await sleep(100);
      }
    })(),
    20_000,
    'rebalance after the first consumer left',
  );
  const single = (await admin.describeGroups([GROUP])).groups[0];
  t.same(AssignerProtocol.MemberAssignment.decode(single.members[0].memberAssignment)!.assignment[TOPIC].sort(), [0, 1, 2, 3]);
  await consumers[1].disconnect();
  const empty = (await admin.describeGroups([GROUP])).groups[0];
  t.same(
    { state: empty.state, protocolType: empty.protocolType, protocol: empty.protocol, members: empty.members },
    { state: 'Empty', protocolType: 'consumer', protocol: '', members: [] },
  );
  t.same(await admin.listGroups(), { groups: [{ groupId: GROUP, protocolType: 'consumer' }] });

  // The admin may move an Empty group's offsets (OffsetCommit with generation -1).
  await admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [{ partition: 1, offset: '3' }] });
  const moved = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  t.same(
    [...moved[0].partitions].sort((x, y) => x.partition - y.partition).map((p) => [p.partition, p.offset]),
    [
      [0, '10'],
      [1, '3'],
      [2, '12'],
      [3, '13'],
    ],
  );

  // Deleted: Dead to DescribeGroups, absent from ListGroups, no offsets.
  t.same(await admin.deleteGroups([GROUP]), [{ groupId: GROUP, errorCode: 0 }]);
  const dead = (await admin.describeGroups([GROUP])).groups[0];
  t.same({ state: dead.state, members: dead.members, protocolType: dead.protocolType }, { state: 'Dead', members: [], protocolType: '' });
  t.same(await admin.listGroups(), { groups: [] });
  t.same(await admin.fetchOffsets({ groupId: GROUP }), []);
  t.ok(seen.size === 4, 'the consumers read every partition');
});
