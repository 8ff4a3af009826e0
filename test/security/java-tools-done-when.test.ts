// Issue #17's first "Done when", with Apache Kafka 4.4.0's own tools against one samsa broker: a
// SASL_PLAINTEXT listener (PLAIN and SCRAM-SHA-256) and an SSL listener (client certificates, the
// principal from ssl.principal.mapping.rules), the StandardAuthorizer with super.users=User:admin.
// A wrong password is refused; kafka-configs (as admin) creates alice's SCRAM-SHA-256 credential;
// alice is denied (TopicAuthorizationException from the console producer and consumer,
// GroupAuthorizationException once she may describe the topic) until kafka-acls grants her
// --producer and --consumer, then the console producer and a console consumer in a group work as
// alice and the group's offsets are committed; metadata over TLS (kafka-broker-api-versions,
// kafka-topics --describe denied, then allowed by ACLs); a tool without SASL gets nothing. Each
// expectation is what Kafka 4.4.0 itself answered to the same tools, checked by hand.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { kafkaToolIO } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';
import { makePki } from './certs.js';

t.setTimeout(300_000);
const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule required';
const SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule required';
const TOPIC = 'orders';
const GROUP = 'billing';

const dir = tempDir(t, 'samsa-done-when-');
const pki = makePki(path.join(dir, 'pki'));
const server = pki.issue('broker', '/CN=localhost', { server: true });
const monitor = pki.issue('monitor', '/O=acme/CN=monitor');

let running: RunningBroker;
const ports: Record<string, number> = {};

t.before(async () => {
  running = await startBroker({
    memory: true,
    config: {
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:admin',
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': `${PLAIN} user_admin="admin-secret";`,
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': `${SCRAM};`,
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': server.keyStore,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': pki.caCert,
      'listener.name.ssl.ssl.client.auth': 'required',
      'ssl.principal.mapping.rules': 'RULE:^.*CN=([a-z]+).*$/$1/,DEFAULT',
      'offsets.topic.num.partitions': '1',
      'group.initial.rebalance.delay.ms': '0',
    },
    listeners: [
      { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' },
      { name: 'SSL', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SSL' },
    ],
  });
  for (const e of running.broker.advertisedEndpoints) ports[e.name] = e.port;
});
t.teardown(() => running?.close());

function props(name: string, lines: Record<string, string>): string {
  const file = path.join(dir, `${name}.properties`);
  fs.writeFileSync(file, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return file;
}
const sasl = (mechanism: 'PLAIN' | 'SCRAM-SHA-256', user: string, password: string) =>
  props(`${mechanism}-${user}-${password}`, {
    'security.protocol': 'SASL_PLAINTEXT',
    'sasl.mechanism': mechanism,
    'sasl.jaas.config': `${mechanism === 'PLAIN' ? PLAIN : SCRAM} username="${user}" password="${password}";`,
  });
const admin = () => sasl('PLAIN', 'admin', 'admin-secret');
const alice = () => sasl('SCRAM-SHA-256', 'alice', 'alice-secret');
// Metadata over TLS: the CA as trust store, the monitor's certificate as key store (principal User:monitor).
const tls = () => props('tls-monitor', { 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': pki.caCert, 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': monitor.keyStore });

const on = (listener: string, config: string) => ['--bootstrap-server', `localhost:${ports[listener]}`, '--command-config', config];
const tool = (cls: string, config: string, args: string[], listener = 'SASL_PLAINTEXT', stdin = '') => kafkaToolIO(`org.apache.kafka.tools.${cls}`, [...on(listener, config), ...args], stdin);
const topics = (config: string, ...args: string[]) => tool('TopicCommand', config, args);
const acls = (...args: string[]) => tool('AclCommand', admin(), args);
const RECORDS = Array.from({ length: 10 }, (_, i) => `k${i}:order-${i}`);
const produce = () => tool('ConsoleProducer', alice(), ['--topic', TOPIC, '--reader-property', 'parse.key=true', '--reader-property', 'key.separator=:', '--producer-property', 'acks=all'], 'SASL_PLAINTEXT', RECORDS.join('\n') + '\n');
const consume = (config: string, timeoutMs: number, ...extra: string[]) =>
  tool('consumer.ConsoleConsumer', config, ['--topic', TOPIC, '--from-beginning', '--max-messages', String(RECORDS.length), '--timeout-ms', String(timeoutMs), '--formatter-property', 'print.key=true', '--formatter-property', 'key.separator=:', ...extra]);
const logEnd = () => [0, 1].reduce((n, p) => n + (running.broker.partitionLog(TOPIC, p)?.highWatermark ?? 0), 0);
const tail = (r: { out: string; err: string }) => ({ out: r.out.slice(-1500), err: r.err.slice(-1500) });

t.test('admin (PLAIN) creates the topic; wrong passwords are refused', async (t) => {
  const created = await topics(admin(), '--create', '--topic', TOPIC, '--partitions', '2');
  t.equal(created.out.trim(), `Created topic ${TOPIC}.`, 'kafka-topics --create as the super user', tail(created));

  const [plain, scram] = await Promise.all([topics(sasl('PLAIN', 'admin', 'wrong'), '--list'), topics(alice(), '--list')]);
  t.not(plain.code, 0, 'a wrong PLAIN password: kafka-topics fails');
  t.match(plain.out + plain.err, /SaslAuthenticationException: Authentication failed: Invalid username or password/);
  t.notMatch(plain.out, TOPIC);
  // alice has no SCRAM credential yet: refused like a wrong password.
  t.not(scram.code, 0, 'SCRAM before alice exists: kafka-topics fails');
  t.match(scram.out + scram.err, /SaslAuthenticationException: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256/);
  t.notMatch(scram.out, TOPIC);
});

t.test('kafka-configs creates alice; she is authenticated but sees nothing', async (t) => {
  const add = await tool('ConfigCommand', admin(), ['--alter', '--add-config', 'SCRAM-SHA-256=[password=alice-secret]', '--entity-type', 'users', '--entity-name', 'alice']);
  t.equal(add.code, 0, 'kafka-configs --alter exits 0', tail(add));
  t.match(add.out, /Completed updating config for user alice\./);
  const listed = await topics(alice(), '--list');
  t.equal(listed.code, 0, 'kafka-topics --list authenticates alice with SCRAM-SHA-256', tail(listed));
  t.equal(listed.out.trim(), '', 'and lists no topic: she may describe none');
});

// alice's flow and the monitor's over TLS touch different principals: they run side by side.
t.test('as alice and over TLS', { jobs: 2 }, async (t) => {
  t.test('alice is denied until kafka-acls grants her, then produces and consumes in a group', async (t) => {
    const [deniedProduce, deniedConsume] = await Promise.all([produce(), consume(alice(), 20_000, '--group', GROUP)]);
    t.match(deniedProduce.err, /TopicAuthorizationException: Not authorized to access topics: \[orders\]/, 'the console producer without ACLs', tail(deniedProduce));
    t.match(deniedConsume.err, /TopicAuthorizationException: Not authorized to access topics: \[orders\]/, 'the console consumer without ACLs', tail(deniedConsume));
    t.equal(deniedConsume.out, '', 'no record reaches her');
    t.equal(logEnd(), 0, 'nothing was written');

    const producer = await acls('--add', '--allow-principal', 'User:alice', '--producer', '--topic', TOPIC);
    t.equal(producer.code, 0, 'kafka-acls --add --producer', tail(producer));
    t.match(producer.out, /Adding ACLs for resource `ResourcePattern\(resourceType=TOPIC, name=orders, patternType=LITERAL\)`/);
    const produced = await produce();
    t.equal(produced.code, 0, 'the console producer as alice exits 0', tail(produced));
    t.notMatch(produced.err, /Exception/, 'without errors');
    t.equal(logEnd(), RECORDS.length, 'all her records are in the log');

    // She may describe the topic now, not the group: the coordinator lookup is refused.
    // Both group protocols: classic (FindCoordinator) and KIP-848's (ConsumerGroupHeartbeat).
    const [noGroup, noGroup848] = await Promise.all([consume(alice(), 20_000, '--group', GROUP), consume(alice(), 20_000, '--group', GROUP, '--command-property', 'group.protocol=consumer')]);
    t.match(noGroup.err, /GroupAuthorizationException: Not authorized to access group: billing/, 'the console consumer without a group ACL', tail(noGroup));
    t.match(noGroup848.err, /GroupAuthorizationException: Not authorized to access group: billing/, 'and with group.protocol=consumer', tail(noGroup848));
    t.equal(noGroup.out + noGroup848.out, '', 'no record reaches her');

    const consumer = await acls('--add', '--allow-principal', 'User:alice', '--consumer', '--topic', TOPIC, '--group', GROUP);
    t.equal(consumer.code, 0, 'kafka-acls --add --consumer', tail(consumer));
    // The tool asks DescribeAcls first: the DESCRIBE granted with --producer is found.
    t.match(consumer.out, /Acl \(pattern=ResourcePattern\(resourceType=TOPIC, name=orders, patternType=LITERAL\), entry=\(principal=User:alice, host=\*, operation=DESCRIBE, permissionType=ALLOW\)\) already exists\./);
    t.match(consumer.out, /Adding ACLs for resource `ResourcePattern\(resourceType=GROUP, name=billing, patternType=LITERAL\)`: \n \t\(principal=User:alice, host=\*, operation=READ, permissionType=ALLOW\)/);

    const consumed = await consume(alice(), 60_000, '--group', GROUP);
    t.equal(consumed.code, 0, 'the console consumer as alice exits 0', tail(consumed));
    t.same(consumed.out.trim().split('\n').sort(), [...RECORDS].sort(), 'every record comes back to alice through her group');

    const [listed, group] = await Promise.all([acls('--list', '--principal', 'User:alice'), tool('consumer.group.ConsumerGroupCommand', alice(), ['--describe', '--group', GROUP])]);
    t.equal(listed.code, 0, tail(listed));
    t.match(listed.out, /Current ACLs for resource `ResourcePattern\(resourceType=TOPIC, name=orders, patternType=LITERAL\)`:/);
    for (const op of ['CREATE', 'WRITE', 'DESCRIBE', 'READ']) t.match(listed.out, `(principal=User:alice, host=*, operation=${op}, permissionType=ALLOW)`, `kafka-acls --list shows ${op} on the topic`);
    t.match(listed.out, /Current ACLs for resource `ResourcePattern\(resourceType=GROUP, name=billing, patternType=LITERAL\)`:\n\t\(principal=User:alice, host=\*, operation=READ, permissionType=ALLOW\)/);

    t.equal(group.code, 0, 'kafka-consumer-groups --describe as alice', tail(group));
    const rows = group.out.split('\n').filter((l) => l.startsWith(`${GROUP} `)).map((l) => l.trim().split(/\s+/));
    t.equal(rows.length, 2, 'a row per partition');
    t.equal(rows.reduce((n, r) => n + Number(r[3]), 0), RECORDS.length, 'the group committed every record');
    t.same(rows.map((r) => r[5]), ['0', '0'], 'lag 0');
  });

  t.test('metadata over TLS', async (t) => {
    const versions = await tool('BrokerApiVersionsCommand', tls(), [], 'SSL');
    t.equal(versions.code, 0, 'kafka-broker-api-versions over SSL', tail(versions));
    t.match(versions.out, new RegExp(`^localhost:${ports.SSL} \\(id: \\d+ rack: null isFenced: false\\) -> \\(`, 'm'), 'the SSL endpoint, as advertised');
    t.match(versions.out, /\tMetadata\(3\): 0 to 13 \[usable: 13\],/);

    const describe = () => tool('TopicCommand', tls(), ['--describe', '--topic', TOPIC], 'SSL');
    const hidden = await describe();
    t.not(hidden.code, 0, 'User:monitor without ACLs');
    t.match(hidden.out + hidden.err, /Topic 'orders' does not exist as expected/, 'the topic is hidden from its Metadata');
    t.equal((await acls('--add', '--allow-principal', 'User:monitor', '--operation', 'Describe', '--topic', TOPIC)).code, 0);
    const noConfigs = await describe();
    t.not(noConfigs.code, 0, 'DESCRIBE alone');
    t.match(noConfigs.out + noConfigs.err, /TopicAuthorizationException: Topic authorization failed\./, 'its configs are refused (no DESCRIBE_CONFIGS)');
    t.equal((await acls('--add', '--allow-principal', 'User:monitor', '--operation', 'DescribeConfigs', '--topic', TOPIC)).code, 0);
    const described = await describe();
    t.equal(described.code, 0, 'kafka-topics --describe over SSL', tail(described));
    t.match(described.out, /^Topic: orders\tTopicId: \S+\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: /m);
    t.match(described.out, /\tTopic: orders\tPartition: 0\tLeader: \d+\tReplicas: \d+\tIsr: \d+/);
    t.match(described.out, /\tTopic: orders\tPartition: 1\tLeader: \d+\tReplicas: \d+\tIsr: \d+/);
  });
});

t.test('a tool without SASL gets nothing', async (t) => {
  const none = props('no-sasl', { 'default.api.timeout.ms': '8000', 'request.timeout.ms': '4000' });
  const [listed, consumed] = await Promise.all([topics(none, '--list'), consume(none, 10_000)]);
  t.not(listed.code, 0, 'kafka-topics fails');
  t.match(listed.out + listed.err, /Timed out waiting for a node assignment/);
  t.notMatch(listed.out, TOPIC, 'no topic listed');
  t.equal(consumed.out, '', 'the console consumer receives no record');
  t.match(consumed.err, /Processed a total of 0 messages/);
  t.equal(logEnd(), RECORDS.length, 'the log holds the records it did not get');
});
