// A node's cluster settings checked as Kafka 4.4.0 checks them: every case of
// fixtures/node-config-cases.properties and fixtures/node-config-random-cases.properties is given to resolveNodeConfig and its verdict compared with
// what Kafka 4.4.0's KafkaConfig.fromProps said of the same properties (recorded by
// compat/kafka/capture-node-config.sh into fixtures/kafka-4.4.0-node-config.tsv): accepted by both,
// or refused by both with the same message.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLoneNode, resolveNodeConfig } from '../../src/node/config.js';
import { parseProperties } from '../../src/node/properties.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

function cases(): { name: string; props: Record<string, string> }[] {
  // Written by hand, then seeded random ones (compat/kafka/node-config-random-cases.ts).
  const text = ['node-config-cases.properties', 'node-config-random-cases.properties'].map((f) => readFileSync(path.join(fixtures, f), 'latin1')).join('\n');
  return text
    .split(/^### /m)
    .filter((part) => part.trim() !== '' && !part.startsWith('#'))
    .map((part) => {
      const nl = part.indexOf('\n');
      return { name: part.slice(0, nl).trim(), props: Object.fromEntries(parseProperties(part.slice(nl + 1))) };
    });
}

const kafka = new Map(
  readFileSync(path.join(fixtures, 'kafka-4.4.0-node-config.tsv'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, verdict, , message] = line.split('\t');
      return [name, verdict === 'OK' ? 'OK' : message] as const;
    }),
);

t.test('every case gets Kafka 4.4.0\'s verdict and message', async (t) => {
  const all = cases();
  t.equal(all.length, kafka.size, 'Kafka judged every case');
  t.ok(all.length >= 360);
  for (const { name, props } of all) {
    let mine = 'OK';
    try {
      resolveNodeConfig(props);
    } catch (e) {
      mine = (e as Error).message;
    }
    t.equal(mine, kafka.get(name), name);
  }
});

const COMBINED = {
  'process.roles': 'broker,controller',
  'node.id': '2',
  'controller.quorum.voters': '1@127.0.0.1:19092,2@127.0.0.1:19093,3@127.0.0.1:19094',
  listeners: 'PLAINTEXT://127.0.0.1:9093,CONTROLLER://127.0.0.1:19093',
  'controller.listener.names': 'CONTROLLER',
  'log.dirs': '/data/node-2',
};

t.test('a combined node of the 3-node layout', async (t) => {
  const c = resolveNodeConfig(COMBINED);
  t.same(c.roles, ['broker', 'controller']);
  t.equal(c.nodeId, 2);
  t.same(c.voters, [
    { id: 1, host: '127.0.0.1', port: 19092 },
    { id: 2, host: '127.0.0.1', port: 19093 },
    { id: 3, host: '127.0.0.1', port: 19094 },
  ]);
  t.same(c.bootstrapServers, []);
  // Kafka maps an unmapped controller listener name to PLAINTEXT when the map is not set.
  t.equal(c.securityProtocolMap.get('CONTROLLER'), 'PLAINTEXT');
  t.same(c.controllerListeners, [{ listenerName: 'CONTROLLER', host: '127.0.0.1', port: 19093, securityProtocol: 'PLAINTEXT' }]);
  t.same(c.brokerListeners, [{ listenerName: 'PLAINTEXT', host: '127.0.0.1', port: 9093, securityProtocol: 'PLAINTEXT' }]);
  t.same(c.advertisedListeners, c.brokerListeners, 'advertised.listeners unset: the broker listeners');
  t.same(c.advertisedControllerListeners, c.controllerListeners);
  t.equal(c.interBrokerListenerName, 'PLAINTEXT');
  t.same(c.logDirs, ['/data/node-2']);
  t.equal(c.metadataLogDir, '/data/node-2', 'metadata.log.dir unset: the first log dir');
  t.same(c.quorum, {
    electionTimeoutMs: 1000,
    fetchTimeoutMs: 2000,
    electionBackoffMaxMs: 1000,
    requestTimeoutMs: 2000,
    retryBackoffMs: 20,
    appendLingerMs: 25,
    fetchMaxBytes: 1048576,
    fetchSnapshotMaxBytes: 1048576,
    autoJoin: false,
  });
  t.equal(c.brokerSessionTimeoutMs, 9000);
  t.equal(c.brokerHeartbeatIntervalMs, 2000);
  t.equal(c.rack, null);
});

t.test('split roles, advertised listeners, metadata.log.dir, dynamic quorum', async (t) => {
  const controller = resolveNodeConfig({
    'process.roles': 'controller',
    'node.id': '1',
    'controller.quorum.bootstrap.servers': 'c1:9093,c2:9093',
    listeners: 'CONTROLLER://:9093',
    'controller.listener.names': 'CONTROLLER',
    'log.dirs': '/a,/b',
    'metadata.log.dir': '/meta',
  });
  t.same(controller.roles, ['controller']);
  t.same(controller.voters, []);
  t.same(controller.bootstrapServers, [{ host: 'c1', port: 9093 }, { host: 'c2', port: 9093 }]);
  t.same(controller.advertisedListeners, [], 'a controller-only node registers no broker endpoints');
  t.equal(controller.controllerListeners[0].host, '', 'an empty host binds every interface');
  t.same(controller.logDirs, ['/a', '/b']);
  t.equal(controller.metadataLogDir, '/meta');

  const broker = resolveNodeConfig({
    'process.roles': 'broker',
    'node.id': '4',
    'controller.quorum.voters': '1@c1:9093',
    listeners: 'INTERNAL://:9094,EXTERNAL://:9095',
    'advertised.listeners': 'INTERNAL://b4.internal:9094,EXTERNAL://b4.example.com:443',
    'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'INTERNAL',
    'controller.listener.names': 'CONTROLLER',
    'broker.rack': 'rack-b',
  });
  t.same(broker.controllerListeners, [], 'the controller listener is where the controllers listen, not here');
  t.same(
    broker.advertisedListeners.map((e) => [e.listenerName, e.host, e.port, e.securityProtocol]),
    [['INTERNAL', 'b4.internal', 9094, 'PLAINTEXT'], ['EXTERNAL', 'b4.example.com', 443, 'SASL_SSL']],
  );
  t.equal(broker.interBrokerListenerName, 'INTERNAL');
  t.equal(broker.logDirs[0], '/tmp/kafka-logs', 'Kafka\'s log.dir default');
  t.equal(broker.rack, 'rack-b');
});

t.test('what Kafka logs but accepts, as Kafka 4.4.0 words it', async (t) => {
  t.same(resolveNodeConfig(COMBINED).warnings, [], 'nothing for the 3-node layout');
  const c = resolveNodeConfig({ ...COMBINED, 'process.roles': 'broker,controller,broker', 'broker.id': '2', 'broker.heartbeat.interval.ms': '5000', 'broker.session.timeout.ms': '1000' });
  // Lines from KafkaConfig and ConfigDef (kafka_2.13 / kafka-clients 4.4.0), as its log printed them for these settings.
  t.same(c.warnings, [
    'Configuration key "process.roles" contains duplicate values. Duplicates will be removed. The original value is: [broker, controller, broker], the updated value is: [broker, controller]',
    "The 'broker.id' configuration is deprecated and will be removed in Apache Kafka 5.0. Please use 'node.id' instead.",
    "broker.heartbeat.interval.ms (5000 ms) must be less than or equal to half of the broker.session.timeout.ms (1000 ms). The broker.session.timeout.ms is configured on controller. The broker.heartbeat.interval.ms is configured on broker. If a broker doesn't send heartbeat request within broker.session.timeout.ms, it loses broker lease. Please increase broker.session.timeout.ms or decrease broker.heartbeat.interval.ms.",
  ]);
  const broker = resolveNodeConfig({ 'process.roles': 'broker', 'node.id': '4', 'controller.quorum.voters': '1@127.0.0.1:19092', listeners: 'PLAINTEXT://127.0.0.1:9092', 'controller.listener.names': 'CONTROLLER,CTL2', 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,CTL2:PLAINTEXT' });
  t.same(broker.warnings, ['controller.listener.names has multiple entries; only the first will be used since process.roles=broker: [CONTROLLER, CTL2]']);
});

t.test('lone node: none of process.roles, controller.quorum.voters/bootstrap.servers, listeners', async (t) => {
  t.ok(isLoneNode({}));
  t.ok(isLoneNode({ 'num.partitions': '3', 'node.id': '1', 'controller.quorum.election.timeout.ms': '500' }));
  for (const k of ['process.roles', 'controller.quorum.voters', 'controller.quorum.bootstrap.servers', 'listeners']) {
    t.notOk(isLoneNode({ [k]: 'x' }), k);
  }
});
