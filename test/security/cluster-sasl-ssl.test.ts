// A 3-node samsa cluster configured as Kafka would be: clients on a SASL_PLAINTEXT listener (PLAIN),
// the inter-broker listener SASL_SSL (PLAIN, sasl.mechanism.inter.broker.protocol), the controller
// listener SSL with client certificates required, or SASL_PLAINTEXT (sasl.mechanism.controller.protocol).
// Brokers register, replicate (a topic of replication factor 3 with min.insync.replicas=3 takes
// acks=all writes and every replica holds them), and Metadata on the client listener advertises
// the client endpoints.
import net from 'node:net';
import path from 'node:path';
import t, { type Test } from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { Node } from '../../src/node/node.js';
import { tempDir } from '../helpers/tmp.js';
import { makePki } from './certs.js';

const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule required';

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function formsAndReplicates(t: Test, controllerProtocol: 'SSL' | 'SASL_PLAINTEXT') {
  const dir = tempDir(t, 'samsa-sec-cluster-');
  const pki = makePki(path.join(dir, 'pki'));
  const cert = pki.issue('node', '/CN=localhost', { server: true });
  const ports = await freePorts(9);
  const client = (i: number) => ports[i];
  const internal = (i: number) => ports[3 + i];
  const controller = (i: number) => ports[6 + i];
  const voters = [0, 1, 2].map((i) => `${i + 1}@127.0.0.1:${controller(i)}`).join(',');
  const nodes = [0, 1, 2].map(
    (i) =>
      new Node({
        clusterId: controllerProtocol === 'SSL' ? 'c2FtC2Etc2VjdXJpdHkx' : 'c2FtC2Etc2VjdXJpdHky',
        properties: {
          'process.roles': 'broker,controller',
          'node.id': String(i + 1),
          'controller.quorum.voters': voters,
          'listeners': `CLIENT://127.0.0.1:${client(i)},INTERNAL://127.0.0.1:${internal(i)},CONTROLLER://127.0.0.1:${controller(i)}`,
          'advertised.listeners': `CLIENT://localhost:${client(i)},INTERNAL://localhost:${internal(i)}`,
          'listener.security.protocol.map': `CLIENT:SASL_PLAINTEXT,INTERNAL:SASL_SSL,CONTROLLER:${controllerProtocol}`,
          'inter.broker.listener.name': 'INTERNAL',
          'controller.listener.names': 'CONTROLLER',
          'sasl.enabled.mechanisms': 'PLAIN',
          'sasl.mechanism.inter.broker.protocol': 'PLAIN',
          'listener.name.internal.plain.sasl.jaas.config': `${PLAIN} username="broker" password="broker-secret" user_broker="broker-secret";`,
          'listener.name.client.plain.sasl.jaas.config': `${PLAIN} user_alice="alice-secret";`,
          'ssl.keystore.type': 'PEM',
          'ssl.keystore.location': cert.keyStore,
          'ssl.truststore.type': 'PEM',
          'ssl.truststore.location': pki.caCert,
          'listener.name.controller.ssl.client.auth': 'required',
          'sasl.mechanism.controller.protocol': 'PLAIN',
          'listener.name.controller.plain.sasl.jaas.config': `${PLAIN} username="controller" password="controller-secret" user_controller="controller-secret";`,
          'log.dirs': path.join(dir, `node-${i + 1}`),
        },
      }),
  );
  t.teardown(async () => {
    for (const n of nodes) await n.close().catch(() => {});
  });
  await Promise.all(nodes.map((n) => n.start()));

  const kafka = new Kafka({
    clientId: 'cluster-sec-test',
    brokers: [`localhost:${client(0)}`],
    sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
    logLevel: logLevel.NOTHING,
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { retries: 8 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const cluster = await admin.describeCluster();
  t.same(cluster.brokers.map((b) => b.port).sort(), [client(0), client(1), client(2)].sort(), 'Metadata on CLIENT advertises the CLIENT endpoints');

  const topic = 'replicated-over-sasl-ssl';
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '3' }] }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
  // acks=all with min.insync.replicas=3: each write waits for both followers, fetching over SASL_SSL.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const err = await producer.send({ topic, messages, acks: -1 }).then(() => null, (e: Error) => e);
    if (err === null) break;
    if (Date.now() > deadline) throw err;
    await new Promise((r) => setTimeout(r, 500));
  }
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  for (const p of meta.topics[0].partitions) t.equal(p.isr.length, 3, `partition ${p.partitionId}: all three replicas in sync`);
  // Every replica holds the records: the followers' logs reach the leader's high watermark.
  const total = () =>
    nodes.map((n) => [0, 1, 2].reduce((sum, p) => sum + (n.broker!.partitionLog(topic, p)?.highWatermark ?? 0), 0));
  const until = Date.now() + 60_000;
  while (total().some((n) => n < 30) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  t.same(total(), [30, 30, 30], 'every node holds all 30 records');
}

t.test('inter-broker SASL_SSL, controller SSL with client certificates: the cluster forms and replicates', (t) => formsAndReplicates(t, 'SSL'));
t.test('inter-broker SASL_SSL, controller SASL_PLAINTEXT (sasl.mechanism.controller.protocol=PLAIN): the cluster forms and replicates', (t) => formsAndReplicates(t, 'SASL_PLAINTEXT'));
