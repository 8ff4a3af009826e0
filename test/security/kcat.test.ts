// kcat (librdkafka) against samsa's secured listeners: metadata, produce and consume over SASL_SSL
// with PLAIN, over SSL with a client certificate, and a wrong password refused.
import { spawn } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { makePki } from './certs.js';

const dir = tempDir(t, 'samsa-kcat-sec-');
const pki = makePki(path.join(dir, 'pki'));
const server = pki.issue('broker', '/CN=localhost', { server: true });
const alice = pki.issue('alice', '/CN=alice');

let running: RunningBroker;
const ports: Record<string, number> = {};

t.before(async () => {
  running = await startBroker({
    memory: true,
    config: {
      'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_ssl.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': server.keyStore,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': pki.caCert,
      'listener.name.mtls.ssl.client.auth': 'required',
    },
    listeners: [
      { name: 'SASL_SSL', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_SSL' },
      { name: 'MTLS', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SSL' },
    ],
  });
  for (const e of running.broker.advertisedEndpoints) ports[e.name] = e.port;
  await running.broker.createTopic('kc', 1, {});
});
t.teardown(() => running?.close());

function kcat(args: string[], input: string | null): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    p.stdin.end(input ?? '');
  });
}

const saslSsl = (password: string) => [
  '-b', `localhost:${ports.SASL_SSL}`, '-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanisms=PLAIN',
  '-X', 'sasl.username=alice', '-X', `sasl.password=${password}`, '-X', `ssl.ca.location=${pki.caCert}`,
];
const mtls = () => [
  '-b', `localhost:${ports.MTLS}`, '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${pki.caCert}`,
  '-X', `ssl.certificate.location=${alice.cert}`, '-X', `ssl.key.location=${alice.key}`,
];

t.test('kcat over SASL_SSL: metadata, produce, consume', async (t) => {
  const md = await kcat([...saslSsl('alice-secret'), '-L'], null);
  t.equal(md.code, 0, 'kcat -L exits 0', { err: md.err });
  t.match(md.out, new RegExp(`broker 1 at localhost:${ports.SASL_SSL}`), 'the SASL_SSL endpoint is advertised');
  const produced = await kcat([...saslSsl('alice-secret'), '-P', '-t', 'kc', '-p', '0'], 'one\ntwo\nthree\n');
  t.equal(produced.code, 0, 'produce exits 0', { err: produced.err });
  const consumed = await kcat([...saslSsl('alice-secret'), '-C', '-t', 'kc', '-p', '0', '-o', 'beginning', '-e', '-q'], null);
  t.same(consumed.out.trim().split('\n'), ['one', 'two', 'three']);
});

t.test('kcat over SSL with a client certificate', async (t) => {
  const consumed = await kcat([...mtls(), '-C', '-t', 'kc', '-p', '0', '-o', 'beginning', '-e', '-q'], null);
  t.equal(consumed.code, 0, 'exits 0', { err: consumed.err });
  t.same(consumed.out.trim().split('\n'), ['one', 'two', 'three']);
});

t.test('kcat with a wrong password: Kafka message, no metadata', async (t) => {
  const md = await kcat([...saslSsl('wrong'), '-L', '-m', '5'], null);
  t.not(md.code, 0, 'kcat -L fails');
  t.match(md.err, /Authentication failed: Invalid username or password/);
});
