// Apache Kafka 4.4.0's own tools against samsa's secured listeners, configured as for Kafka
// (--command-config files with security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*):
// kafka-topics over SASL_SSL, the console producer over SASL_SSL with PLAIN, the console consumer
// (in a group) over SSL with a client certificate, a wrong password refused with Kafka's message,
// and a client that skips SASL on a SASL_SSL listener gets nothing.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { kafkaToolIO } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';
import { makePki } from './certs.js';

t.setTimeout(300_000);
const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule required';

const dir = tempDir(t, 'samsa-java-sec-');
const pki = makePki(path.join(dir, 'pki'));
const server = pki.issue('broker', '/CN=localhost', { server: true });
const alice = pki.issue('alice', '/O=acme/OU=eng/CN=alice');

let running: RunningBroker;
const ports: Record<string, number> = {};

t.before(async () => {
  running = await startBroker({
    memory: true,
    config: {
      'offsets.topic.num.partitions': '1',
      'group.initial.rebalance.delay.ms': '0',
      'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_ssl.plain.sasl.jaas.config': `${PLAIN} user_admin="admin-secret" user_alice="alice-secret";`,
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': server.keyStore,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': pki.caCert,
      'listener.name.mtls.ssl.client.auth': 'required',
      'ssl.principal.mapping.rules': 'RULE:^CN=([a-z]+),OU=eng,.*$/$1/,DEFAULT',
    },
    listeners: [
      { name: 'SASL_SSL', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_SSL' },
      { name: 'MTLS', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SSL' },
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
const trust = { 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': pki.caCert };
const saslSsl = (user: string, password: string) =>
  props(`sasl-${user}-${password}`, {
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'PLAIN',
    'sasl.jaas.config': `${PLAIN} username="${user}" password="${password}";`,
    ...trust,
  });
const bootstrap = (listener: string) => ['--bootstrap-server', `localhost:${ports[listener]}`];

t.test('kafka-topics, console producer and consumer over SASL_SSL and mTLS', async (t) => {
  const created = await kafkaToolIO('org.apache.kafka.tools.TopicCommand', [...bootstrap('SASL_SSL'), '--command-config', saslSsl('admin', 'admin-secret'), '--create', '--topic', 'jsec', '--partitions', '2']);
  t.equal(created.out.trim(), 'Created topic jsec.', 'kafka-topics --create over SASL_SSL');
  const described = await kafkaToolIO('org.apache.kafka.tools.TopicCommand', [...bootstrap('MTLS'), '--command-config', props('mtls', { 'security.protocol': 'SSL', ...trust, 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': alice.keyStore }), '--describe', '--topic', 'jsec']);
  t.match(described.out, /Topic: jsec\tTopicId: \S+\tPartitionCount: 2\tReplicationFactor: 1/, 'kafka-topics --describe over mTLS (metadata over TLS)');

  const lines = Array.from({ length: 10 }, (_, i) => `k${i}:value-${i}`);
  const produced = await kafkaToolIO(
    'org.apache.kafka.tools.ConsoleProducer',
    [...bootstrap('SASL_SSL'), '--command-config', saslSsl('alice', 'alice-secret'), '--topic', 'jsec', '--property', 'parse.key=true', '--property', 'key.separator=:', '--producer-property', 'acks=all'],
    lines.join('\n') + '\n',
  );
  t.equal(produced.code, 0, 'console producer over SASL_SSL exits 0', { err: produced.err.slice(-1500) });
  t.equal([0, 1].reduce((n, p) => n + running.broker.partitionLog('jsec', p)!.highWatermark, 0), 10, 'all 10 records are in the log');

  const consumed = await kafkaToolIO('org.apache.kafka.tools.consumer.ConsoleConsumer', [
    ...bootstrap('MTLS'), '--command-config', path.join(dir, 'mtls.properties'), '--topic', 'jsec', '--group', 'jsec-group', '--from-beginning',
    '--max-messages', '10', '--timeout-ms', '60000', '--formatter-property', 'print.key=true', '--formatter-property', 'key.separator=:',
  ]);
  t.equal(consumed.code, 0, 'console consumer over mTLS exits 0', { err: consumed.err.slice(-1500) });
  t.same(consumed.out.trim().split('\n').sort(), [...lines].sort(), 'every record comes back over mTLS, through a consumer group');
});

t.test('a wrong password is refused with Kafka message', async (t) => {
  const r = await kafkaToolIO('org.apache.kafka.tools.TopicCommand', [...bootstrap('SASL_SSL'), '--command-config', saslSsl('alice', 'wrong'), '--list']);
  t.not(r.code, 0, 'kafka-topics fails');
  t.match(r.out + r.err, /SaslAuthenticationException: Authentication failed: Invalid username or password/);
  t.notMatch(r.out, /jsec/, 'no topic listed');
});

t.test('a client that skips SASL on the SASL_SSL listener gets nothing', async (t) => {
  const noSasl = props('no-sasl', { 'security.protocol': 'SSL', ...trust, 'default.api.timeout.ms': '8000', 'request.timeout.ms': '4000' });
  const r = await kafkaToolIO('org.apache.kafka.tools.TopicCommand', [...bootstrap('SASL_SSL'), '--command-config', noSasl, '--list']);
  t.not(r.code, 0, 'kafka-topics fails');
  t.notMatch(r.out, /jsec/, 'no topic listed');
});
