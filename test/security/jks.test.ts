// JKS key and trust stores made by keytool, as a server.properties written for Kafka points at them:
// ssl.keystore.type left at Kafka's default (JKS) with a key password other than the store password,
// a JKS trust store and ssl.client.auth=required; kafkajs over TLS with a client certificate gets
// through, one without is refused; the broker's own client side, built from JKS stores, gets
// through too. A wrong store password or a missing one stops the start with Kafka 4.4's message
// naming the file (checked against Kafka: "Failed to load SSL keystore <file> of type JKS" caused by
// "Keystore was tampered with, or password was incorrect"); a wrong key password with Java's
// "Cannot recover key" (Kafka's own message names no file; ours does). The JDK 17 pairings of type
// and file (keystore.type.compat, checked with keytool -list) hold: a PKCS12 file read as JKS and a
// JKS one as PKCS12 or JCEKS work, a JCEKS file as JKS or a PKCS12 one as JCEKS is "Invalid keystore
// format"; a JCEKS store of its own type works. A rewritten JKS file set again through the admin API
// is served to new connections.
import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import t from 'tap';
import kafkajs from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { clientTls } from '../../src/security/tls-options.js';
import { tempDir } from '../helpers/tmp.js';
import { keytool, makeKeytoolPki } from './jks-keytool.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;
t.setTimeout(300_000);

const dir = tempDir(t, 'samsa-jks-');
const pki = makeKeytoolPki(path.join(dir, 'pki'));
const brokerJks = pki.keyStore('broker', 'CN=localhost', { storePassword: 'store-secret', keyPassword: 'key-secret', server: true });
const trustJks = pki.trustStore('truststore', { storePassword: 'trust-secret' });
const aliceJks = pki.keyStore('alice', 'CN=alice,OU=eng', { storePassword: 'alice-store', keyPassword: 'alice-store' });
// The client side (kafkajs) gets its certificate from keytool too, as PKCS12 (Node reads that natively).
const aliceP12 = path.join(pki.dir, 'alice.p12');
keytool(pki.dir, '-importkeystore', '-srckeystore', aliceJks, '-srcstoretype', 'JKS', '-srcstorepass', 'alice-store', '-destkeystore', aliceP12, '-deststoretype', 'PKCS12', '-deststorepass', 'alice-store', '-noprompt');
const ca = fs.readFileSync(pki.caPem, 'utf8');

const sslListener = [{ name: 'SSL', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SSL' as const }];
const jksConfig = {
  'ssl.keystore.location': brokerJks,
  'ssl.keystore.password': 'store-secret',
  'ssl.key.password': 'key-secret',
  'ssl.truststore.location': trustJks,
  'ssl.truststore.password': 'trust-secret',
  'ssl.client.auth': 'required',
};
const sslPort = (r: RunningBroker) => r.broker.advertisedEndpoints.find((e) => e.name === 'SSL')!.port;
/** The broker certificate's fingerprint a TLS client sees, or the handshake's error. */
const served = (port: number) =>
  new Promise<string>((resolve, reject) => {
    const s = tls.connect({ host: 'localhost', port, ca, pfx: fs.readFileSync(aliceP12), passphrase: 'alice-store' });
    s.once('secureConnect', () => {
      const fp = s.getPeerX509Certificate()!.fingerprint256;
      s.destroy();
      resolve(fp);
    });
    s.once('error', reject);
  });
const signedFingerprint = (name: string) => new X509Certificate(fs.readFileSync(path.join(pki.dir, `${name}.signed.pem`))).fingerprint256;

t.test('kafkajs over TLS to a broker with JKS key and trust stores, client certificates required', async (t) => {
  const running = await startBroker({ memory: true, config: { ...jksConfig, 'offsets.topic.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' }, listeners: sslListener });
  t.teardown(() => running.close());
  const port = sslPort(running);
  t.equal(await served(port), signedFingerprint('broker'), 'the broker serves the CA-signed certificate of its JKS key entry');

  const kafka = new Kafka({ clientId: 'jks', brokers: [`localhost:${port}`], ssl: { ca: [ca], pfx: fs.readFileSync(aliceP12), passphrase: 'alice-store' }, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'jks-topic', numPartitions: 1 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'jks-topic', messages: [{ key: 'k', value: 'over-tls' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'jks-group' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'jks-topic', fromBeginning: true });
  const value = await new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
  t.equal(value, 'over-tls', 'produced and consumed over TLS');

  // The broker's own client side (inter-broker, controller connections) reads the same JKS stores:
  // alice's key store and the JKS trust store get it through the required client authentication.
  const clientSide = { ...jksConfig, 'ssl.keystore.location': aliceJks, 'ssl.keystore.password': 'alice-store', 'ssl.key.password': 'alice-store' } as Record<string, string>;
  const brokerClient = clientTls((name) => clientSide[name] ?? null, 'SSL')('localhost');
  const peer = await new Promise<string>((resolve, reject) => {
    const s = tls.connect({ host: 'localhost', port, ...brokerClient });
    s.once('secureConnect', () => (resolve(s.getPeerX509Certificate()!.fingerprint256), s.destroy()));
    s.once('error', reject);
  });
  t.equal(peer, signedFingerprint('broker'), "the broker's client side connects with its JKS key and trust stores");

  // Without a client certificate the handshake (or the first request, under TLS 1.3) fails.
  const anonymous = new Kafka({ clientId: 'jks-anon', brokers: [`localhost:${port}`], ssl: { ca: [ca] }, connectionTimeout: 5000, retry: { retries: 0 }, logLevel: logLevel.NOTHING }).admin();
  await t.rejects(anonymous.connect().then(() => anonymous.listTopics()), 'a client without a certificate is refused');
  await anonymous.disconnect().catch(() => undefined);
});

t.test('a broker whose JKS stores cannot be opened does not start, naming the file', async (t) => {
  const start = (config: Record<string, string>) => startBroker({ memory: true, config: { ...jksConfig, ...config }, listeners: sslListener });
  await t.rejects(start({ 'ssl.keystore.password': 'wrong-store' }), {
    message: `Failed to load SSL keystore ${brokerJks} of type JKS: Keystore was tampered with, or password was incorrect`,
  }, 'a wrong key store password');
  await t.rejects(start({ 'ssl.key.password': 'wrong-key' }), { message: new RegExp(`^Failed to load SSL keystore ${brokerJks} of type JKS: Cannot recover key of entry broker`) }, 'a wrong key password');
  await t.rejects(start({ 'ssl.key.password': '' }).then((r) => r.close()), { message: /Cannot recover key/ }, 'an empty key password is a password, not the store password');
  const { 'ssl.key.password': _unused, ...noKeyPassword } = jksConfig;
  await t.rejects(startBroker({ memory: true, config: noKeyPassword, listeners: sslListener }), { message: /Cannot recover key of entry broker/ }, 'without ssl.key.password the store password is tried, as Kafka does');
  await t.rejects(start({ 'ssl.truststore.password': 'wrong-trust' }), {
    message: `Failed to load SSL keystore ${trustJks} of type JKS: Keystore was tampered with, or password was incorrect`,
  }, 'a wrong trust store password');
  const { 'ssl.keystore.password': _p, ...noStorePassword } = jksConfig;
  await t.rejects(startBroker({ memory: true, config: noStorePassword, listeners: sslListener }), { message: 'SSL key store is specified, but key store password is not specified.' }, 'no key store password');
  // A trust store needs no password: Java then skips the integrity check.
  const { 'ssl.truststore.password': _t, ...noTrustPassword } = jksConfig;
  const running = await startBroker({ memory: true, config: noTrustPassword, listeners: sslListener });
  t.teardown(() => running.close());
  t.equal(await served(sslPort(running)), signedFingerprint('broker'), 'a trust store without a password is read');
});

t.test('without ssl.key.password the store password opens the key, as Kafka reads it', async (t) => {
  const same = pki.keyStore('same', 'CN=localhost', { storePassword: 'same-secret', keyPassword: 'same-secret', server: true });
  const { 'ssl.key.password': _k, ...config } = { ...jksConfig, 'ssl.keystore.location': same, 'ssl.keystore.password': 'same-secret' };
  const running = await startBroker({ memory: true, config, listeners: sslListener });
  t.teardown(() => running.close());
  t.equal(await served(sslPort(running)), signedFingerprint('same'), 'the key entry opened with the store password');
});

t.test('store types and files pair as on JDK 17 (keystore.type.compat)', async (t) => {
  const convert = (type: string) => {
    const out = path.join(pki.dir, `broker-converted.${type.toLowerCase()}`);
    keytool(pki.dir, '-importkeystore', '-srckeystore', brokerJks, '-srcstoretype', 'JKS', '-srcstorepass', 'store-secret', '-srcalias', 'broker', '-srckeypass', 'key-secret',
      '-destkeystore', out, '-deststoretype', type, '-deststorepass', 'store-secret', '-destkeypass', type === 'PKCS12' ? 'store-secret' : 'key-secret', '-noprompt');
    return out;
  };
  const p12 = convert('PKCS12');
  const jceks = convert('JCEKS');
  const cases: [string, string, string, string | null][] = [
    ['a PKCS12 file with ssl.keystore.type=JKS', 'JKS', p12, null],
    ['a JKS file with ssl.keystore.type=PKCS12', 'PKCS12', brokerJks, null],
    ['a JKS file with ssl.keystore.type=JCEKS', 'JCEKS', brokerJks, null],
    ['a JCEKS file with ssl.keystore.type=JCEKS', 'JCEKS', jceks, null],
    ['a JCEKS file with ssl.keystore.type=JKS', 'JKS', jceks, `Failed to load SSL keystore ${jceks} of type JKS: Invalid keystore format`],
    ['a PKCS12 file with ssl.keystore.type=JCEKS', 'JCEKS', p12, `Failed to load SSL keystore ${p12} of type JCEKS: Invalid keystore format`],
  ];
  // Read as PKCS12, a wrong password also stops the start (the JDK: "keystore password was incorrect").
  await t.rejects(startBroker({ memory: true, config: { ...jksConfig, 'ssl.keystore.location': p12, 'ssl.keystore.password': 'wrong-store' }, listeners: sslListener }), {
    message: `Failed to load SSL keystore ${p12} of type JKS: keystore password was incorrect`,
  }, 'a PKCS12 file read as JKS, wrong password');
  for (const [what, type, file, error] of cases) {
    const config = { ...jksConfig, 'ssl.keystore.type': type, 'ssl.keystore.location': file, 'ssl.truststore.type': type === 'JCEKS' ? 'JCEKS' : 'PKCS12' };
    if (error) {
      await t.rejects(startBroker({ memory: true, config, listeners: sslListener }), { message: error }, what);
      continue;
    }
    const running = await startBroker({ memory: true, config, listeners: sslListener });
    t.equal(await served(sslPort(running)), signedFingerprint('broker'), `${what} (the JKS trust store read as ${config['ssl.truststore.type']})`);
    await running.close();
  }
});

t.test('a rewritten JKS key store set again through the admin API serves new connections', async (t) => {
  const live = path.join(pki.dir, 'live.jks');
  fs.copyFileSync(brokerJks, live);
  const running = await startBroker({
    memory: true,
    config: { ...jksConfig, 'listener.name.ssl.ssl.keystore.location': live, 'listener.name.ssl.ssl.keystore.password': 'store-secret', 'listener.name.ssl.ssl.key.password': 'key-secret' },
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }, ...sslListener],
  });
  t.teardown(() => running.close());
  const port = sslPort(running);
  t.equal(await served(port), signedFingerprint('broker'), 'the first certificate');
  const next = pki.keyStore('next', 'CN=localhost', { storePassword: 'store-secret', keyPassword: 'key-secret', server: true });
  fs.copyFileSync(next, live);
  // keytool names the entry after the store; Kafka reads any alias.
  const admin = new Kafka({ clientId: 'jks-reload', brokers: [`127.0.0.1:${running.broker.advertisedEndpoints[0].port}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.BROKER, name: String(running.broker.nodeId), configEntries: [{ name: 'listener.name.ssl.ssl.keystore.location', value: live }] }],
  });
  const deadline = Date.now() + 60_000;
  let now = await served(port);
  while (now !== signedFingerprint('next') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    now = await served(port);
  }
  t.equal(now, signedFingerprint('next'), 'new connections get the rewritten store\'s certificate');
});
