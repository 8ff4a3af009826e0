// Key stores altered without a restart, where Kafka allows it: a per-broker
// listener.name.<l>.ssl.keystore.location set through the admin API (kafkajs alterConfigs on the
// BROKER resource) serves new TLS connections with the new certificate; a key store that can't be
// loaded leaves the listener with the one it had.
import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import t from 'tap';
import kafkajs from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { makePki } from './certs.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

t.test('listener.name.ssl.ssl.keystore.location altered per broker applies to new connections', async (t) => {
  const dir = tempDir(t, 'samsa-reload-');
  const pki = makePki(path.join(dir, 'pki'));
  const first = pki.issue('first', '/CN=localhost', { server: true });
  const second = pki.issue('second', '/CN=localhost', { server: true });
  const running: RunningBroker = await startBroker({
    memory: true,
    config: { 'listener.name.ssl.ssl.keystore.type': 'PEM', 'listener.name.ssl.ssl.keystore.location': first.keyStore },
    listeners: [
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
      { name: 'SSL', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SSL' },
    ],
  });
  t.teardown(() => running.close());
  const sslPort = running.broker.advertisedEndpoints.find((e) => e.name === 'SSL')!.port;
  const fingerprint = (file: string) => new X509Certificate(fs.readFileSync(file)).fingerprint256;
  const served = () =>
    new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: 'localhost', port: sslPort, ca: fs.readFileSync(pki.caCert) });
      s.once('secureConnect', () => {
        const fp = s.getPeerX509Certificate()!.fingerprint256;
        s.destroy();
        resolve(fp);
      });
      s.once('error', reject);
    });
  t.equal(await served(), fingerprint(first.cert), 'the first certificate');

  const admin = new Kafka({ clientId: 'reload', brokers: [`127.0.0.1:${running.broker.advertisedEndpoints[0].port}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const alter = (location: string) =>
    admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: String(running.broker.nodeId), configEntries: [{ name: 'listener.name.ssl.ssl.keystore.type', value: 'PEM' }, { name: 'listener.name.ssl.ssl.keystore.location', value: location }] }],
    });
  await alter(second.keyStore);
  const deadline = Date.now() + 30_000;
  let now = await served();
  while (now !== fingerprint(second.cert) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    now = await served();
  }
  t.equal(now, fingerprint(second.cert), 'new connections get the second certificate');

  await alter(path.join(dir, 'missing.pem'));
  await new Promise((r) => setTimeout(r, 500));
  t.equal(await served(), fingerprint(second.cert), 'a key store that cannot be read changes nothing');
});
