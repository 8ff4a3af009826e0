// Kafka's Docker image convention: KAFKA_* variables are configs and CLUSTER_ID the cluster id, so the
// environment of apache/kafka's own single-node docker-compose example starts samsa unchanged.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { configFromEnv, envNameToConfig, DOCKER_DEFAULT_CLUSTER_ID } from '../../src/node/docker-env.js';
import { cliArgv, REPO_ROOT, spawnBroker } from '../helpers/cli-broker.js';

const { Kafka, logLevel } = kafkajs;

/** The `environment:` of docker/examples/docker-compose-files/single-node/plaintext/docker-compose.yml (Apache Kafka). */
const SINGLE_NODE_COMPOSE: Record<string, string> = {
  KAFKA_NODE_ID: '1',
  KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT',
  KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT_HOST://localhost:9092,PLAINTEXT://broker:19092',
  KAFKA_PROCESS_ROLES: 'broker,controller',
  KAFKA_CONTROLLER_QUORUM_VOTERS: '1@broker:29093',
  KAFKA_LISTENERS: 'CONTROLLER://:29093,PLAINTEXT_HOST://:9092,PLAINTEXT://:19092',
  KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
  KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
  CLUSTER_ID: '4L6g3nShT-eMCtK--X86sw',
  KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
  KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
  KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
  KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
  KAFKA_LOG_DIRS: '/tmp/kraft-combined-logs',
};

t.test('variable names map to configs as KafkaDockerWrapper maps them', async (t) => {
  // KafkaDockerWrapperTest.testGetServerConfigsFromEnv's cases.
  t.equal(envNameToConfig('KAFKA_VALID_PROPERTY'), 'valid.property');
  t.equal(envNameToConfig('KAFKA_VALID___PROPERTY__ALL_CASES'), 'valid-property_all.cases');
  t.equal(envNameToConfig('KAFKA_TOOLS_LOG4J_LOGLEVEL'), undefined, 'log4j settings are not configs');
  t.equal(envNameToConfig('SOME_VARIABLE'), undefined);
  t.equal(envNameToConfig('KAFKA_SASL_KAFKA_X'), 'sasl.x', 'every KAFKA_ goes, as String.replace takes them all');
  for (const jvm of ['KAFKA_HEAP_OPTS', 'KAFKA_OPTS', 'KAFKA_JMX_OPTS', 'KAFKA_JVM_PERFORMANCE_OPTS', 'KAFKA_VERSION']) {
    t.equal(envNameToConfig(jvm), undefined, `${jvm} is the JVM's`);
  }
  const env = configFromEnv(SINGLE_NODE_COMPOSE);
  t.same(env.config, {
    'node.id': '1',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT',
    'advertised.listeners': 'PLAINTEXT_HOST://localhost:9092,PLAINTEXT://broker:19092',
    'process.roles': 'broker,controller',
    'controller.quorum.voters': '1@broker:29093',
    listeners: 'CONTROLLER://:29093,PLAINTEXT_HOST://:9092,PLAINTEXT://:19092',
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'offsets.topic.replication.factor': '1',
    'group.initial.rebalance.delay.ms': '0',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.replication.factor': '1',
    'log.dirs': '/tmp/kraft-combined-logs',
  });
  t.equal(env.clusterId, '4L6g3nShT-eMCtK--X86sw', 'CLUSTER_ID');
});

t.test('the image\'s configure and configureDefaults rules', async (t) => {
  // Advertised listeners without listeners: listen on every interface at the advertised ports.
  const derived = configFromEnv({ KAFKA_PROCESS_ROLES: 'broker', KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://kafka:9092,SSL://kafka.example:9093' });
  t.equal(derived.config.listeners, 'PLAINTEXT://0.0.0.0:9092,SSL://0.0.0.0:9093');
  t.equal(derived.clusterId, DOCKER_DEFAULT_CLUSTER_ID, 'a KRaft node without CLUSTER_ID gets the image\'s default');
  t.equal(configFromEnv({ KAFKA_PROCESS_ROLES: 'controller', KAFKA_ADVERTISED_LISTENERS: 'X://h:1' }).config.listeners, undefined, 'not on a controller');
  t.equal(configFromEnv({ KAFKA_NUM_PARTITIONS: '3' }).clusterId, undefined, 'a lone broker needs no cluster id');
  t.equal(configFromEnv({ KAFKA_LOG4J_ROOT_LOGLEVEL: 'WARN' }).logLevel, 'warn');
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

t.test('apache/kafka\'s single-node docker-compose environment starts samsa', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'samsa-docker-env-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // What Docker would give: the service name resolves to the container, the ports are its own. Here
  // `broker` is loopback and the three ports free ones (the machine is shared); nothing else changes.
  const ports = new Map([['9092', await freePort()], ['19092', await freePort()], ['29093', await freePort()]]);
  const env: NodeJS.ProcessEnv = { ...process.env, SAMSA_TEST_CLI: '1' };
  delete env.NODE_OPTIONS;
  for (const [k, v] of Object.entries(SINGLE_NODE_COMPOSE)) {
    env[k] = v
      .replace(/\bbroker:/g, '127.0.0.1:')
      .replace(/:(9092|19092|29093)\b/g, (_, p: string) => `:${ports.get(p)}`)
      .replace('/tmp/kraft-combined-logs', path.join(dir, 'kraft-combined-logs'));
  }
  const proc = spawn(process.execPath, cliArgv([]), { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => {
      const check = () => /listening on/.test(out) && resolve(true);
      proc.stdout.on('data', check);
    }),
    exited.then(() => false),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 120_000))),
  ]);
  clearTimeout(timer); // a pending timer would keep this file's process alive for the full 120 s
  t.ok(ready, `ready line printed; stdout: ${out} stderr: ${err}`);
  if (!ready) return;
  t.match(out, /samsa node 1 \(broker,controller\) listening on/, 'a combined KRaft node, as the compose file asks');
  t.match(err, /KAFKA_PROCESS_ROLES sets process\.roles/, 'the start-up log names the variables it used');

  // A client on the host reaches it through PLAINTEXT_HOST, the advertised localhost listener.
  const kafka = new Kafka({ brokers: [`localhost:${ports.get('9092')}`], logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const cluster = await admin.describeCluster();
  t.equal(cluster.clusterId, '4L6g3nShT-eMCtK--X86sw', 'formatted with CLUSTER_ID');
  t.same(cluster.brokers.map((b) => `${b.host}:${b.port}`), [`localhost:${ports.get('9092')}`], 'advertises the PLAINTEXT_HOST listener to a client on it');
  await admin.createTopics({ topics: [{ topic: 'compose', numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'compose', messages: [{ key: 'k', value: 'from docker-compose env' }] });
  await producer.disconnect();
  const offsets = await admin.fetchTopicOffsets('compose');
  t.equal(offsets[0].high, '1', 'the record is in the log');

  proc.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM stops it cleanly');
});

t.test('precedence: the properties file, then KAFKA_* variables, then --config', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'samsa-docker-env-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'server.properties');
  writeFileSync(file, `num.partitions=2\nlog.retention.hours=5\nmessage.max.bytes=100000\nlog.dirs=${path.join(dir, 'data')}\n`);
  // spawnBroker hands the child this process's environment.
  process.env.KAFKA_NUM_PARTITIONS = '4';
  process.env.KAFKA_MESSAGE_MAX_BYTES = '200000';
  let b;
  try {
    b = await spawnBroker(t, [file, '--port', '0', '--config', 'message.max.bytes=300000'], { timeoutMs: 120_000 });
  } finally {
    delete process.env.KAFKA_NUM_PARTITIONS;
    delete process.env.KAFKA_MESSAGE_MAX_BYTES;
  }
  const admin = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 } }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const names = ['num.partitions', 'log.retention.hours', 'message.max.bytes'];
  const r = await admin.describeConfigs({ resources: [{ type: 4, name: '1', configNames: names }], includeSynonyms: false });
  t.same(
    Object.fromEntries(r.resources[0].configEntries.map((e) => [e.configName, e.configValue])),
    { 'num.partitions': '4', 'log.retention.hours': '5', 'message.max.bytes': '300000' },
    'the file\'s value where nothing else sets it, the variable over the file, --config over both',
  );
  await admin.createTopics({ topics: [{ topic: 'defaulted' }] });
  const meta = await admin.fetchTopicMetadata({ topics: ['defaulted'] });
  t.equal(meta.topics[0].partitions.length, 4, 'a topic created without a count gets num.partitions from KAFKA_NUM_PARTITIONS');
  t.equal((await b.stop('SIGTERM', 60_000)).code, 0);
});

t.test('CLUSTER_ID in the environment does not stop a --memory broker', async (t) => {
  process.env.CLUSTER_ID = 'MYwKGPhXQZidgd0qMv8Mkw';
  let b;
  try {
    b = await spawnBroker(t, ['--port', '0', '--memory'], { timeoutMs: 120_000 });
  } finally {
    delete process.env.CLUSTER_ID;
  }
  t.match(b.readyLine, /^samsa listening on /);
  t.equal((await b.stop('SIGTERM', 60_000)).code, 0);
});
