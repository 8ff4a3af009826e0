// A real Apache Kafka 4.4.0 broker (process.roles=broker) joins a samsa controller: it follows
// samsa's metadata log, registers (BrokerRegistration v4) and heartbeats until samsa unfences it,
// hosts a topic created through samsa, forwards an admin request to samsa in an Envelope, gets producer id blocks (AllocateProducerIds) and creates
// __consumer_offsets (CreateTopics) through samsa for kafkajs' idempotent producer and consumer
// group, and on SIGTERM leaves by controlled shutdown, exiting cleanly once samsa lets it go.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { startCluster } from '../../src/node/cluster.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { kafkaTool } from '../helpers/kafka-tool.js';

const { Kafka, logLevel } = kafkajs;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

t.test('a Kafka 4.4.0 broker registers with a samsa controller and serves its topics', async (t) => {
  const cluster = await startCluster({ controllers: 1, brokers: 0 });
  const dir = mkdtempSync(path.join(tmpdir(), 'samsa-kafka-broker-'));
  let kafka: ChildProcess | null = null;
  t.teardown(async () => {
    kafka?.kill('SIGKILL');
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const controller = () => cluster.node(1).node!.metadata;
  const port = await freePort();
  const props = path.join(dir, 'server.properties');
  writeFileSync(
    props,
    [
      'process.roles=broker',
      'node.id=2',
      `controller.quorum.voters=1@${cluster.node(1).controller}`,
      `listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${dir}/data`,
      'offsets.topic.num.partitions=3',
      'offsets.topic.replication.factor=1',
      'group.initial.rebalance.delay.ms=0',
    ].join('\n'),
  );
  const format = await kafkaTool('kafka.tools.StorageTool', 'format', '-t', cluster.clusterId, '-c', props);
  t.equal(format.code, 0, format.out);
  let log = '';
  kafka = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'java', 'kafka.Kafka', props], { stdio: ['ignore', 'pipe', 'pipe'] });
  kafka.stdout!.on('data', (d) => (log += d));
  kafka.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => kafka!.on('exit', (code) => resolve(code)));

  const reg = await until('broker 2 unfenced', () => {
    const b = controller().image.cluster.brokers.get(2);
    return b && !b.fenced ? b : null;
  });
  t.same(reg.endpoints, [{ name: 'PLAINTEXT', host: '127.0.0.1', port, securityProtocol: 0 }]);
  t.equal(reg.features.get('metadata.version')?.max, 33, "the broker's supported range, as Kafka sends it");
  t.equal(reg.logDirs.length, 1);

  const [created] = await controller().controller.createTopics([{ name: 'through-samsa', numPartitions: 2, replicationFactor: -1, assignments: [], configs: [] }], false);
  t.equal(created.errorCode, 0);
  const client = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  let described;
  for (let i = 0; i < 50 && !described; i++) {
    const md = await admin.fetchTopicMetadata({ topics: ['through-samsa'] }).catch(() => null);
    if (md && md.topics[0].partitions.every((p) => p.leader === 2)) described = md.topics[0];
    else await new Promise((r) => setTimeout(r, 200));
  }
  // The Kafka broker forwards an admin request to samsa in an Envelope (Kafka's ForwardingManager).
  // (Not waiting for leaders: kafkajs fails on the UNKNOWN_TOPIC_OR_PARTITION a broker answers until it replayed the topic.)
  t.equal(await admin.createTopics({ topics: [{ topic: 'via-kafka', numPartitions: 4 }], waitForLeaders: false }), true);
  t.equal(controller().image.topics.get('via-kafka')?.partitions, 4, 'created by the samsa controller');
  // kafkajs answers false when the broker says TOPIC_ALREADY_EXISTS: samsa's answer, back through Kafka.
  t.equal(await admin.createTopics({ topics: [{ topic: 'via-kafka', numPartitions: 1 }], waitForLeaders: false }), false);
  await admin.disconnect();
  t.ok(described, 'the Kafka broker leads both partitions samsa placed on it');
  t.equal(described?.partitions.length, 2);

  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic: 'through-samsa', acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.disconnect();
  t.ok(controller().image.producerIds.nextProducerId >= 1000, 'the Kafka broker got its producer ids from samsa');

  const consumer = client.consumer({ groupId: 'g', sessionTimeout: 10000 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'through-samsa', fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await until('20 records consumed', () => seen.length >= 20, 60_000);
  await consumer.disconnect();
  t.same(seen.sort(), Array.from({ length: 20 }, (_, i) => `v${i}`).sort());
  t.equal(controller().image.topics.get('__consumer_offsets')?.partitions, 3, 'the Kafka broker created __consumer_offsets through samsa');

  // Java exits 143 on SIGTERM, after its shutdown hook ran the controlled shutdown.
  kafka.kill('SIGTERM');
  t.equal(await exited, 143);
  kafka = null;
  t.notMatch(log, /ERROR/, 'no errors logged');
  // Fenced at once, not a session timeout (9 s) after its last heartbeat: samsa granted the shutdown.
  const left = controller().image.cluster.brokers.get(2);
  t.equal(left?.fenced, true, 'samsa fenced it as it left');
  t.equal(left?.inControlledShutdown, true, 'by controlled shutdown');
  const p0 = controller().image.topics.get('through-samsa')!.registrations.get(0)!;
  // As a Kafka 4.4.0 controller leaves them (ELR on): no leader, ISR empty, the broker eligible to lead again.
  t.same([p0.leader, p0.isr, p0.elr, p0.lastKnownElr], [-1, [], [2], [2]], 'its partitions have no leader now');
});
