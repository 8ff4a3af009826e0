// ACLs end to end with kafkajs over SASL_PLAINTEXT (PLAIN) and the StandardAuthorizer: a user with
// no ACLs gets TOPIC_AUTHORIZATION_FAILED / GROUP_AUTHORIZATION_FAILED as clients see them, a
// super user grants it ACLs with CreateAcls, then produce and group consumption work; DescribeAcls
// lists them, DeleteAcls removes them; ACL admin needs CLUSTER ALTER/DESCRIBE; Metadata hides topics.
import t from 'tap';
import kafkajs, { Kafka, logLevel } from 'kafkajs';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs as unknown as Record<string, Record<string, number>>;
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { kafkaTool } from '../helpers/kafka-tool.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';

let running: RunningBroker;
let port = 0;

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
  port = running.broker.advertisedEndpoints[0].port;
});
t.teardown(() => running?.close());

const client = (username: string) =>
  new Kafka({
    clientId: `acl-${username}`,
    brokers: [`localhost:${port}`],
    logLevel: logLevel.NOTHING,
    sasl: { mechanism: 'plain', username, password: `${username}-secret` },
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { retries: 0 },
  });

const errorType = (e: unknown) => (e as { type?: string }).type ?? String(e);

t.test('a user is denied until ACLs grant it, then produces and consumes in a group', async (t) => {
  const admin = client('admin').admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'acl-t', numPartitions: 1 }], waitForLeaders: true });

  const alice = client('alice');
  const producer = alice.producer({ retry: { retries: 0 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  // Metadata answers the topic TOPIC_AUTHORIZATION_FAILED (no DESCRIBE): kafkajs gives up before producing.
  const denied = await producer.send({ topic: 'acl-t', messages: [{ value: 'x' }] }).then(() => 'sent', (e) => String(e));
  t.match(denied, /Not authorized to access topics: \[Topic authorization failed\]/, 'produce without ACLs');

  // ACL admin is for CLUSTER ALTER only.
  const aliceAdmin = alice.admin();
  await aliceAdmin.connect();
  t.teardown(() => aliceAdmin.disconnect());
  const selfGrant = await aliceAdmin
    .createAcls({ acl: [{ resourceType: AclResourceTypes.TOPIC, resourceName: 'acl-t', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.ALLOW }] })
    .then(() => 'created', errorType);
  t.equal(selfGrant, 'CLUSTER_AUTHORIZATION_FAILED');
  t.equal(await aliceAdmin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }).then(() => 'described', errorType), 'CLUSTER_AUTHORIZATION_FAILED');
  // Metadata of all topics hides what alice may not describe.
  t.same((await aliceAdmin.fetchTopicMetadata()).topics.map((x) => x.name), []);

  // DESCRIBE alone: the Produce request itself is refused.
  await admin.createAcls({
    acl: [
      { resourceType: AclResourceTypes.TOPIC, resourceName: 'acl-t', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.DESCRIBE, permissionType: AclPermissionTypes.ALLOW },
    ],
  });
  t.equal(await producer.send({ topic: 'acl-t', messages: [{ value: 'x' }] }).then(() => 'sent', errorType), 'TOPIC_AUTHORIZATION_FAILED', 'Produce without WRITE');
  await admin.createAcls({
    acl: [
      { resourceType: AclResourceTypes.TOPIC, resourceName: 'acl-t', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW },
    ],
  });
  await producer.send({ topic: 'acl-t', messages: [{ value: 'granted' }] });
  t.pass('produce after CreateAcls WRITE');
  t.same((await aliceAdmin.fetchTopicMetadata()).topics.map((x) => x.name), ['acl-t'], 'WRITE implies DESCRIBE');

  // Consuming in a group needs READ on the group (and the topic).
  const tryGroup = async (groupId: string) => {
    const c = client('alice').consumer({ groupId, retry: { retries: 0 } });
    await c.connect();
    const crash = new Promise<string>((resolve) => c.on(c.events.CRASH, (e) => resolve(errorType(e.payload.error))));
    await c.subscribe({ topic: 'acl-t', fromBeginning: true });
    await c.run({ eachMessage: async () => {} });
    const result = await crash;
    await c.disconnect();
    return result;
  };
  // FindCoordinator answers GROUP_AUTHORIZATION_FAILED without DESCRIBE; kafkajs reports it as no coordinator.
  t.equal(await tryGroup('acl-g-1'), 'KafkaJSGroupCoordinatorNotFound: Failed to find group coordinator', 'a group without ACLs');
  await admin.createAcls({
    acl: [
      { resourceType: AclResourceTypes.GROUP, resourceName: 'acl-g-1', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.DESCRIBE, permissionType: AclPermissionTypes.ALLOW },
    ],
  });
  t.equal(await tryGroup('acl-g-1'), 'GROUP_AUTHORIZATION_FAILED', 'JoinGroup without READ on the group');

  await admin.createAcls({
    acl: [
      { resourceType: AclResourceTypes.GROUP, resourceName: 'acl-g', resourcePatternType: ResourcePatternTypes.PREFIXED, principal: 'User:alice', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
      { resourceType: AclResourceTypes.TOPIC, resourceName: 'acl-t', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
    ],
  });
  const consumer = client('alice').consumer({ groupId: 'acl-g-2' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'acl-t', fromBeginning: true });
  const got = await new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
  t.equal(got, 'granted', 'consumed in a group after READ on the group and topic');
  await consumer.disconnect();

  const described = await admin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
  t.same(
    described.resources.map((r) => [r.resourceType, r.resourceName, r.resourcePatternType, r.acls.length]).sort(),
    [[AclResourceTypes.GROUP, 'acl-g', ResourcePatternTypes.PREFIXED, 1], [AclResourceTypes.GROUP, 'acl-g-1', ResourcePatternTypes.LITERAL, 1], [AclResourceTypes.TOPIC, 'acl-t', ResourcePatternTypes.LITERAL, 3]].sort(),
  );

  const deleted = await admin.deleteAcls({ filters: [{ resourceType: AclResourceTypes.TOPIC, resourceName: 'acl-t', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ANY }] });
  t.equal(deleted.filterResponses[0].matchingAcls.length, 1);
  t.equal(await producer.send({ topic: 'acl-t', messages: [{ value: 'y' }] }).then(() => 'sent', errorType), 'TOPIC_AUTHORIZATION_FAILED', 'denied again after DeleteAcls');
});

t.test('kafka-acls (Apache Kafka 4.4.0) --add, --list, --remove over SASL PLAIN; --cluster sends kafka-cluster', { timeout: 280_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-acls-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const props = path.join(dir, 'admin.properties');
  fs.writeFileSync(props, `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";\n`);
  const acls = (...args: string[]) => kafkaTool('org.apache.kafka.tools.AclCommand', '--bootstrap-server', `localhost:${port}`, '--command-config', props, ...args);

  const add = await acls('--add', '--allow-principal', 'User:bob', '--operation', 'Read', '--operation', 'Write', '--topic', 'tool-t', '--resource-pattern-type', 'prefixed');
  t.equal(add.code, 0, add.out);
  t.match(add.out, /Adding ACLs for resource `ResourcePattern\(resourceType=TOPIC, name=tool-t, patternType=PREFIXED\)`/);

  const list = await acls('--list', '--topic', 'tool-t', '--resource-pattern-type', 'prefixed');
  t.equal(list.code, 0, list.out);
  t.match(list.out, /\(principal=User:bob, host=\*, operation=READ, permissionType=ALLOW\)/);
  t.match(list.out, /\(principal=User:bob, host=\*, operation=WRITE, permissionType=ALLOW\)/);

  const remove = await acls('--remove', '--force', '--allow-principal', 'User:bob', '--operation', 'Write', '--topic', 'tool-t', '--resource-pattern-type', 'prefixed');
  t.equal(remove.code, 0, remove.out);
  const after = await acls('--list', '--topic', 'tool-t', '--resource-pattern-type', 'prefixed');
  t.match(after.out, /operation=READ/);
  t.notMatch(after.out, /operation=WRITE/);

  const bad = await acls('--add', '--allow-principal', 'User:bob', '--operation', 'Alter', '--cluster', '--resource-pattern-type', 'literal');
  t.equal(bad.code, 0, bad.out);
  t.notMatch(bad.out, /InvalidRequestException/, 'kafka-cluster is the name the tool sends');
});
