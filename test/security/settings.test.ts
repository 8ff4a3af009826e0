// The pieces a secured listener is configured from: JAAS config text as Kafka parses it, per-listener
// settings over broker-wide ones, ssl.cipher.suites (Java's IANA names) honoured by a TLS listener.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import t from 'tap';
import { parseJaasConfig } from '../../src/security/jaas.js';
import { jaasConfigOf, listenerSetting } from '../../src/security/listener-settings.js';
import { listenerSecurity } from '../../src/security/listener-security.js';
import { openSslCipherName } from '../../src/security/tls-options.js';
import { tempDir } from '../helpers/tmp.js';
import { makePki } from './certs.js';

t.test('JAAS config: options bare or quoted, several modules, errors', async (t) => {
  const [m] = parseJaasConfig('org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="a b\\"c" user_alice=secret;');
  t.equal(m.loginModule, 'org.apache.kafka.common.security.plain.PlainLoginModule');
  t.equal(m.flag, 'required');
  t.same([...m.options], [['username', 'admin'], ['password', 'a b"c'], ['user_alice', 'secret']]);
  t.equal(parseJaasConfig('a.B required; c.D optional x=1;').length, 2);
  t.throws(() => parseJaasConfig('a.B required x=1'), /semi/i, 'an entry must end with ;');
  t.throws(() => parseJaasConfig('a.B x=1;'), /control flag/, 'a flag is required');
  t.throws(() => parseJaasConfig(''), 'empty');
});

t.test('listener.name.<lower-case name>.<config> wins over <config>', async (t) => {
  const values: Record<string, string> = {
    'ssl.client.auth': 'none',
    'listener.name.secure.ssl.client.auth': 'required',
    'sasl.jaas.config': 'broker-wide',
    'listener.name.secure.plain.sasl.jaas.config': 'secure-plain',
  };
  const get = (k: string) => values[k] ?? null;
  t.equal(listenerSetting(get, 'SECURE', 'ssl.client.auth'), 'required');
  t.equal(listenerSetting(get, 'OTHER', 'ssl.client.auth'), 'none');
  t.equal(jaasConfigOf(get, 'SECURE', 'PLAIN'), 'secure-plain');
  t.equal(jaasConfigOf(get, 'SECURE', 'SCRAM-SHA-256'), 'broker-wide');
});

t.test("Java's cipher suite names as OpenSSL's", async (t) => {
  t.equal(openSslCipherName('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'), 'ECDHE-RSA-AES128-GCM-SHA256');
  t.equal(openSslCipherName('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'), 'ECDHE-ECDSA-AES256-GCM-SHA384');
  t.equal(openSslCipherName('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'), 'ECDHE-RSA-CHACHA20-POLY1305');
  t.equal(openSslCipherName('TLS_RSA_WITH_AES_128_GCM_SHA256'), 'AES128-GCM-SHA256');
  t.equal(openSslCipherName('TLS_AES_128_GCM_SHA256'), 'TLS_AES_128_GCM_SHA256');
});

t.test('ssl.cipher.suites and ssl.enabled.protocols=TLSv1.2: the listener negotiates only the suite named', async (t) => {
  const dir = tempDir(t, 'samsa-ciphers-');
  const pki = makePki(path.join(dir, 'pki'));
  const cert = pki.issue('broker', '/CN=localhost', { server: true });
  const values: Record<string, string> = {
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': cert.keyStore,
    'ssl.enabled.protocols': 'TLSv1.2',
    'ssl.cipher.suites': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  };
  const security = listenerSecurity((k) => values[k] ?? null, 'SSL', 'SSL')!;
  const server = net.createServer((s) => {
    const secure = new tls.TLSSocket(s, { ...security.tls!.options, isServer: true });
    secure.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const connect = (opts: tls.ConnectionOptions) =>
    new Promise<string | Error>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port, ca: fs.readFileSync(pki.caCert), checkServerIdentity: () => undefined, ...opts });
      s.once('secureConnect', () => {
        const c = `${s.getProtocol()} ${s.getCipher().standardName}`;
        s.destroy();
        resolve(c);
      });
      s.once('error', (e) => resolve(e));
    });
  t.equal(await connect({}), 'TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
  t.type(await connect({ ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }), Error, 'a client without that suite fails the handshake');
});
