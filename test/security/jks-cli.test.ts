// `samsa server.properties` with a KRaft node's server.properties written as for Kafka: an SSL
// listener (also the inter-broker one) with JKS stores and no ssl.keystore.type (Kafka's default).
// A wrong key store password stops the start with one line naming the file and exit code 1, as
// Kafka 4.4 exits ("Failed to load SSL keystore <file> of type JKS", caused by "Keystore was
// tampered with, or password was incorrect"); with the right one the node starts and kafkajs
// creates and lists a topic over TLS.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import kafkajs from 'kafkajs';
import { runCli, spawnBroker } from '../helpers/cli-broker.js';
import { tempDir } from '../helpers/tmp.js';
import { makeKeytoolPki } from './jks-keytool.js';

const { Kafka, logLevel } = kafkajs;
t.setTimeout(300_000);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

const dir = tempDir(t, 'samsa-jks-cli-');
const pki = makeKeytoolPki(path.join(dir, 'pki'));
const brokerJks = pki.keyStore('broker', 'CN=localhost', { storePassword: 'store-secret', keyPassword: 'key-secret', server: true });
const trustJks = pki.trustStore('truststore', { storePassword: 'trust-secret' });

async function serverProperties(name: string, storePassword: string): Promise<{ file: string; port: number }> {
  const port = await freePort();
  const controller = await freePort();
  const file = path.join(dir, `${name}.properties`);
  fs.writeFileSync(file, [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controller}`,
    `listeners=SSL://localhost:${port},CONTROLLER://127.0.0.1:${controller}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=SSL',
    'listener.security.protocol.map=SSL:SSL,CONTROLLER:PLAINTEXT',
    `log.dirs=${path.join(dir, `${name}-data`)}`,
    'offsets.topic.replication.factor=1',
    `ssl.keystore.location=${brokerJks}`,
    `ssl.keystore.password=${storePassword}`,
    'ssl.key.password=key-secret',
    `ssl.truststore.location=${trustJks}`,
    'ssl.truststore.password=trust-secret',
    '',
  ].join('\n'));
  return { file, port };
}

t.test('a wrong key store password: one line naming the file, exit code 1', async (t) => {
  const { file } = await serverProperties('wrong', 'not-the-password');
  const r = await runCli([file, '--cluster-id', '5L6g3nShT-eMCtK--X86sw'], { timeoutMs: 60_000 });
  t.equal(r.code, 1, 'exit code 1');
  t.match(r.stderr, `Failed to load SSL keystore ${brokerJks} of type JKS: Keystore was tampered with, or password was incorrect`, 'the reason, naming the file');
  t.notMatch(r.stdout, /listening on/, 'never listening');
});

t.test('the right password: the node starts and serves kafkajs over TLS', async (t) => {
  const { file, port } = await serverProperties('right', 'store-secret');
  const node = await spawnBroker(t, [file, '--cluster-id', '5L6g3nShT-eMCtK--X86sw'], { timeoutMs: 120_000 });
  t.match(node.readyLine, `localhost:${port} (SSL)`, 'listening on the SSL listener');
  const admin = new Kafka({ clientId: 'jks-cli', brokers: [`localhost:${port}`], ssl: { ca: [fs.readFileSync(pki.caPem, 'utf8')] }, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'jks-cli', numPartitions: 1 }], waitForLeaders: true });
  t.same(await admin.listTopics(), ['jks-cli'], 'the topic is listed');
  await admin.disconnect();
  t.equal((await node.stop('SIGTERM', 30_000)).code, 0, 'SIGTERM: exit code 0');
});
