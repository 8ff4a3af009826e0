// A KIP-848 consumer subscribing with a regular expression under the StandardAuthorizer: Kafka 4.4
// resolves the expression only to the topics the heartbeating principal may DESCRIBE
// (TopicRegexResolver.filterTopicDescribeAuthorizedTopics), so a member is never assigned a topic it
// may not see. alice may read group g-alice and topic orders-visible, not orders-secret; her raw
// ConsumerGroupHeartbeat v1 with SubscribedTopicRegex 'orders-.*' is assigned orders-visible's
// partitions only, while the super user's group with the same expression gets both topics.
import t from 'tap';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import * as P from '../../src/protocol/generated/index.js';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { call, saslConnect } from './sasl-wire.js';
import type { WireConnection } from '../helpers/wire.js';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs as unknown as Record<string, Record<string, number>>;
t.setTimeout(120_000);
const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';

let running: RunningBroker;
const conns: WireConnection[] = [];

t.before(async () => {
  running = await startBroker({
    memory: true,
    config: {
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:admin',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
    },
    listeners: [{ name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' }],
  });
  const port = running.broker.advertisedEndpoints[0].port;
  const kafka = new Kafka({ brokers: [`localhost:${port}`], logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders-visible', numPartitions: 2 }, { topic: 'orders-secret', numPartitions: 2 }], waitForLeaders: true });
  const allow = (resourceType: number, resourceName: string, operation: number) => ({
    resourceType, resourceName, resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation, permissionType: AclPermissionTypes.ALLOW,
  });
  await admin.createAcls({
    acl: [
      allow(AclResourceTypes.GROUP, 'g-alice', AclOperationTypes.READ),
      allow(AclResourceTypes.TOPIC, 'orders-visible', AclOperationTypes.READ),
      allow(AclResourceTypes.TOPIC, 'orders-visible', AclOperationTypes.DESCRIBE),
    ],
  });
  await admin.disconnect();
});
t.teardown(async () => {
  for (const c of conns) c.destroy();
  await running?.close();
});

async function connectAs(user: string, password: string): Promise<WireConnection> {
  const plain = { initial: () => Buffer.from(`\0${user}\0${password}`), evaluate: () => null };
  const outcome = await saslConnect(running.broker.advertisedEndpoints[0].port, 'PLAIN', plain as never);
  if (outcome.last.errorCode !== 0) throw new Error(`${user} did not authenticate`);
  conns.push(outcome.conn);
  return outcome.conn;
}

/** Joins `groupId` with the regular expression and heartbeats until an assignment with partitions comes; its topic names. */
async function assignedTopics(conn: WireConnection, groupId: string, regex: string): Promise<Map<string, number[]>> {
  const memberId = `member-${groupId}-0000000000`;
  let epoch = 0;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await call(conn, 68, 1, P.ConsumerGroupHeartbeatRequest, P.ConsumerGroupHeartbeatResponse, {
      groupId, memberId, memberEpoch: epoch, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: null, subscribedTopicRegex: epoch === 0 ? regex : null, serverAssignor: null, topicPartitions: epoch === 0 ? [] : null,
    }, true);
    // The group coordinator may still be loading (COORDINATOR_LOAD_IN_PROGRESS / NOT_AVAILABLE): ask again.
    if ((r.errorCode === 14 || r.errorCode === 15) && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 200));
      continue;
    }
    if (r.errorCode !== 0) throw new Error(`ConsumerGroupHeartbeat error ${r.errorCode} ${r.errorMessage ?? ''}`);
    epoch = r.memberEpoch;
    if (r.assignment && r.assignment.topicPartitions.length > 0) {
      const out = new Map<string, number[]>();
      for (const tp of r.assignment.topicPartitions) out.set(running.broker.topics.getById(tp.topicId)?.name ?? tp.topicId, [...tp.partitions].sort());
      return out;
    }
    if (Date.now() > deadline) throw new Error('no assignment within 60 s');
    await new Promise((res) => setTimeout(res, 200));
  }
}

t.test('the regular expression resolves to the topics the member\'s principal may describe', async (t) => {
  const alice = await connectAs('alice', 'alice-secret');
  const assigned = await assignedTopics(alice, 'g-alice', 'orders-.*');
  t.same([...assigned.keys()], ['orders-visible'], 'alice is assigned orders-visible only');
  t.same(assigned.get('orders-visible'), [0, 1], 'both of its partitions');

  const described = await call(alice, 69, 0, P.ConsumerGroupDescribeRequest, P.ConsumerGroupDescribeResponse, { groupIds: ['g-alice'], includeAuthorizedOperations: false }, true);
  const member = described.groups[0].members[0];
  t.equal(member?.subscribedTopicRegex, 'orders-.*', 'the member keeps its expression');
  t.notOk(member?.assignment.topicPartitions.some((tp) => running.broker.topics.getById(tp.topicId)?.name === 'orders-secret'), 'ConsumerGroupDescribe shows no orders-secret partition');

  const admin = await connectAs('admin', 'admin-secret');
  const all = await assignedTopics(admin, 'g-admin', 'orders-.*');
  t.same([...all.keys()].sort(), ['orders-secret', 'orders-visible'], 'the super user\'s member with the same expression gets both topics');
});
