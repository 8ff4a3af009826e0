// The other way round: a samsa broker (process.roles=broker) joins a real Apache Kafka 4.4.0
// controller. Its lifecycle manager's BrokerRegistration v4 and BrokerHeartbeat v2 are accepted
// and Kafka unfences it; an admin request sent to samsa is forwarded to Kafka's controller in
// samsa's Envelope and Kafka creates the topic; samsa's InitProducerId gets its id from a block
// Kafka's controller reserved (AllocateProducerIds).
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { Node } from '../../src/node/node.js';
import { NodeClient } from '../../src/network/node-client.js';
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { tempDir } from '../helpers/tmp.js';

const { Kafka, logLevel } = kafkajs;

function kafkaBroker(action: 'start' | 'stop', dir: string): Promise<{ code: number | null; out: string }> {
  const proc = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), action, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d) => (out += d));
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, out })));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

t.test('a samsa broker registers with a Kafka 4.4.0 controller and forwards to it', async (t) => {
  const base = tempDir(t);
  const kafkaDir = path.join(base, 'kafka');
  const started = await kafkaBroker('start', kafkaDir);
  t.equal(started.code, 0, started.out);
  t.teardown(() => kafkaBroker('stop', kafkaDir));
  const props = Object.fromEntries(
    readFileSync(path.join(kafkaDir, 'server.properties'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const meta = readFileSync(path.join(kafkaDir, 'data', 'meta.properties'), 'utf8');
  const clusterId = /cluster\.id=(.*)/.exec(meta)![1].trim();
  const kafkaBootstrap = /PLAINTEXT:\/\/([^,]+)/.exec(props.listeners)![1];

  const port = await freePort();
  const node = new Node({
    clusterId,
    properties: {
      'process.roles': 'broker',
      'node.id': '2',
      'controller.quorum.voters': props['controller.quorum.voters'],
      listeners: `PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'log.dirs': path.join(base, 'samsa'),
    },
  });
  await node.start();
  t.teardown(() => node.close());

  const kafka = new Kafka({ brokers: [kafkaBootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  // Kafka lists only unfenced brokers: samsa's registration and heartbeats were accepted.
  const cluster = await until('samsa broker 2 in Kafka\'s cluster', async () => {
    const c = await admin.describeCluster();
    return c.brokers.some((b) => b.nodeId === 2) ? c : null;
  });
  t.same(cluster.brokers.find((b) => b.nodeId === 2), { nodeId: 2, host: '127.0.0.1', port });
  await until('samsa RUNNING', async () => node.brokerState === 'RUNNING');

  const viaSamsa = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING }).admin();
  await viaSamsa.connect();
  t.teardown(() => viaSamsa.disconnect());
  t.equal(await viaSamsa.createTopics({ topics: [{ topic: 'from-samsa', numPartitions: 2 }], waitForLeaders: false }), true);
  t.ok((await admin.listTopics()).includes('from-samsa'), "Kafka's controller created it");
  t.equal(await viaSamsa.createTopics({ topics: [{ topic: 'from-samsa', numPartitions: 2 }], waitForLeaders: false }), false, "Kafka's TOPIC_ALREADY_EXISTS back through samsa");

  const client = new NodeClient({ nodeId: 99, requestTimeoutMs: 10_000 });
  client.setEndpoint(2, { host: '127.0.0.1', port });
  t.teardown(() => client.close());
  const init = await client.send(2, InitProducerIdRequest, InitProducerIdResponse, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
  t.equal(init.errorCode, ErrorCode.NONE);
  t.ok(init.producerId >= 0, `producer id ${init.producerId} from a block of Kafka's controller`);
});
