// Apache Kafka 4.4.0's kafka-topics against samsa's SSL listener, both sides configured with JKS
// stores made by keytool, as a Kafka deployment is: the broker with a JKS key store (key password
// of its own) and trust store and ssl.client.auth=required, the tool with a --command-config of
// a JKS trust store and a JKS key store. Topics are created and listed over TLS; the same tool
// whose trust store holds another CA does not get through.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { kafkaToolIO } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';
import { makeKeytoolPki } from './jks-keytool.js';

t.setTimeout(300_000);

const dir = tempDir(t, 'samsa-jks-java-');
const pki = makeKeytoolPki(path.join(dir, 'pki'));
const brokerJks = pki.keyStore('broker', 'CN=localhost', { storePassword: 'store-secret', keyPassword: 'key-secret', server: true });
const trustJks = pki.trustStore('truststore', { storePassword: 'trust-secret' });
const aliceJks = pki.keyStore('alice', 'CN=alice', { storePassword: 'alice-store', keyPassword: 'alice-key' });

let running: RunningBroker;
let port = 0;
t.before(async () => {
  running = await startBroker({
    memory: true,
    config: {
      // ssl.keystore.type and ssl.truststore.type left at Kafka's default, JKS.
      'ssl.keystore.location': brokerJks,
      'ssl.keystore.password': 'store-secret',
      'ssl.key.password': 'key-secret',
      'ssl.truststore.location': trustJks,
      'ssl.truststore.password': 'trust-secret',
      'ssl.client.auth': 'required',
    },
    listeners: [{ name: 'SSL', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SSL' }],
  });
  port = running.broker.advertisedEndpoints.find((e) => e.name === 'SSL')!.port;
});
t.teardown(() => running?.close());

function props(name: string, lines: Record<string, string>): string {
  const file = path.join(dir, `${name}.properties`);
  fs.writeFileSync(file, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return file;
}
const client = (truststore: string, password: string) =>
  props(path.basename(truststore), {
    'security.protocol': 'SSL',
    'ssl.truststore.type': 'JKS',
    'ssl.truststore.location': truststore,
    'ssl.truststore.password': password,
    'ssl.keystore.type': 'JKS',
    'ssl.keystore.location': aliceJks,
    'ssl.keystore.password': 'alice-store',
    'ssl.key.password': 'alice-key',
    'default.api.timeout.ms': '15000',
    'request.timeout.ms': '10000',
  });

t.test('kafka-topics --create and --list over TLS with JKS stores on both sides', async (t) => {
  const config = client(trustJks, 'trust-secret');
  const created = await kafkaToolIO('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', `localhost:${port}`, '--command-config', config, '--create', '--topic', 'jks-java', '--partitions', '2']);
  t.equal(created.out.trim(), 'Created topic jks-java.', 'kafka-topics --create', { err: created.err.slice(-1500) });
  const listed = await kafkaToolIO('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', `localhost:${port}`, '--command-config', config, '--list']);
  t.equal(listed.code, 0, 'kafka-topics --list exits 0', { err: listed.err.slice(-1500) });
  t.same(listed.out.trim().split('\n'), ['jks-java'], 'the topic is listed');
});

t.test('a client trusting another CA does not get through', async (t) => {
  const other = makeKeytoolPki(path.join(dir, 'other-pki'));
  const otherTrust = other.trustStore('other-truststore', { storePassword: 'other-secret' });
  const r = await kafkaToolIO('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', `localhost:${port}`, '--command-config', client(otherTrust, 'other-secret'), '--list']);
  t.not(r.code, 0, 'kafka-topics fails');
  t.match(r.out + r.err, /SSL handshake failed|PKIX path building failed/, 'with an SSL handshake failure');
  t.notMatch(r.out, /jks-java/, 'no topic listed');
});
