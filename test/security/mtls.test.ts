// TLS listeners with client certificates: ssl.client.auth required / requested (listener-prefixed),
// PKCS12 key and trust stores, an inline PEM key store with an encrypted key, ssl.enabled.protocols,
// and the principal taken from the client certificate's subject through ssl.principal.mapping.rules
// (Kafka's rule syntax). The principal is observed through kafkajs: the listener's Metadata
// handler here reports ctx.principal as the cluster id, which kafkajs's describeCluster returns.
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { Server } from '../../src/network/server.js';
import { HANDLERS } from '../../src/handlers/registry.js';
import type { RequestContext } from '../../src/handlers/handler.js';
import type { RequestInfo } from '../../src/network/api.js';
import { listenerSecurity, type SecurityProtocol } from '../../src/security/listener-security.js';
import { principalString } from '../../src/security/principal.js';
import { tempDir } from '../helpers/tmp.js';
import { makePki } from './certs.js';

const dir = tempDir(t, 'samsa-mtls-');
const pki = makePki(path.join(dir, 'pki'));
const other = makePki(path.join(dir, 'other-pki'));
const serverCert = pki.issue('broker', '/CN=localhost', { server: true, keyPassword: 'key-pass' });
const alice = pki.issue('alice', '/C=US/O=acme/OU=eng/CN=Alice');
const bob = pki.issue('bob', '/CN=bob');
const stranger = other.issue('stranger', '/OU=eng/CN=Stranger');

const settings: Record<string, string> = {
  'ssl.principal.mapping.rules': 'RULE:^CN=([a-zA-Z0-9.]*),OU=eng,.*$/$1/L,DEFAULT',
  // MTLS: PKCS12 stores, client certificates required.
  'listener.name.mtls.ssl.keystore.type': 'PKCS12',
  'listener.name.mtls.ssl.keystore.location': pki.pkcs12({ ...serverCert }, 'store-pass'),
  'listener.name.mtls.ssl.keystore.password': 'store-pass',
  'listener.name.mtls.ssl.truststore.type': 'PKCS12',
  'listener.name.mtls.ssl.truststore.location': pki.trustStore('trust-pass'),
  'listener.name.mtls.ssl.truststore.password': 'trust-pass',
  'listener.name.mtls.ssl.client.auth': 'required',
  // REQUESTED: inline PEM key store with an encrypted key, PEM trust store in a file, TLSv1.3 only.
  'listener.name.requested.ssl.keystore.type': 'PEM',
  'listener.name.requested.ssl.keystore.key': fs.readFileSync(serverCert.key, 'utf8'),
  'listener.name.requested.ssl.keystore.certificate.chain': fs.readFileSync(serverCert.cert, 'utf8'),
  'listener.name.requested.ssl.key.password': 'key-pass',
  'listener.name.requested.ssl.truststore.type': 'PEM',
  'listener.name.requested.ssl.truststore.location': pki.caCert,
  'listener.name.requested.ssl.client.auth': 'requested',
  'listener.name.requested.ssl.enabled.protocols': 'TLSv1.3',
};

let running: RunningBroker;
const ports: Record<string, number> = {};
const servers: Server<RequestContext>[] = [];

/** A listener of the broker whose Metadata answers carry the connection's principal as the cluster id. */
async function principalListener(name: string, protocol: SecurityProtocol): Promise<number> {
  const broker = running.broker;
  const metadata = HANDLERS.get(3)!;
  const registry = new Map(HANDLERS);
  registry.set(3, { ...metadata, handle: async (ctx: RequestContext, req: unknown) => ({ ...(await metadata.handle(ctx, req)), clusterId: principalString(ctx.principal) }) });
  let port = 0;
  // Advertises this listener's own port, as a broker listener does.
  const view = new Proxy(broker, { get: (target, p) => (p === 'advertisedEndpointOf' ? () => ({ host: 'localhost', port }) : Reflect.get(target, p, target)) });
  const server = new Server<RequestContext>({
    listenerName: name,
    registry,
    context: (info: RequestInfo): RequestContext => ({ ...info, broker: view }),
    config: broker.config,
    security: listenerSecurity((k) => broker.config.get(k), name, protocol),
  });
  servers.push(server);
  port = await server.listen('127.0.0.1', 0);
  return port;
}

t.before(async () => {
  running = await startBroker({ memory: true, config: settings, host: '127.0.0.1', port: 0 });
  ports.MTLS = await principalListener('MTLS', 'SSL');
  ports.REQUESTED = await principalListener('REQUESTED', 'SSL');
});
t.teardown(async () => {
  for (const s of servers) await s.close();
  await running?.close();
});

const ca = () => [fs.readFileSync(pki.caCert, 'utf8')];
const certOf = (c: { key: string; cert: string }) => ({ key: fs.readFileSync(c.key, 'utf8'), cert: fs.readFileSync(c.cert, 'utf8') });

async function principalVia(listener: string, ssl: tls.ConnectionOptions): Promise<string> {
  const kafka = new Kafka({ clientId: 'mtls-test', brokers: [`localhost:${ports[listener]}`], ssl, logLevel: logLevel.NOTHING, connectionTimeout: 10_000, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.describeCluster()).clusterId;
  } finally {
    await admin.disconnect();
  }
}

t.test('ssl.client.auth=required: the certificate subject mapped by the rules is the principal', async (t) => {
  t.equal(await principalVia('MTLS', { ca: ca(), ...certOf(alice) }), 'User:alice', 'RULE:^CN=([a-zA-Z0-9.]*),OU=eng,.*$/$1/L on CN=Alice,OU=eng,O=acme,C=US');
  t.equal(await principalVia('MTLS', { ca: ca(), ...certOf(bob) }), 'User:CN=bob', 'DEFAULT keeps the DN');
});

t.test('ssl.client.auth=required: no certificate, or one from another CA, gets no connection', async (t) => {
  await t.rejects(principalVia('MTLS', { ca: ca() }), 'without a certificate');
  await t.rejects(principalVia('MTLS', { ca: ca(), ...certOf(stranger) }), 'with an untrusted certificate');
});

t.test('ssl.client.auth=requested: ANONYMOUS without a certificate, the mapped subject with one, refused with an untrusted one', async (t) => {
  t.equal(await principalVia('REQUESTED', { ca: ca() }), 'User:ANONYMOUS');
  t.equal(await principalVia('REQUESTED', { ca: ca(), ...certOf(alice) }), 'User:alice');
  await t.rejects(principalVia('REQUESTED', { ca: ca(), ...certOf(stranger) }), 'an untrusted certificate');
});

t.test('ssl.enabled.protocols=TLSv1.3: a TLSv1.2-only client fails the handshake, the broker keeps serving', async (t) => {
  const err = await new Promise<Error | null>((resolve) => {
    const s = tls.connect({ host: 'localhost', port: ports.REQUESTED, ca: ca(), maxVersion: 'TLSv1.2' });
    s.once('secureConnect', () => (s.destroy(), resolve(null)));
    s.once('error', (e) => resolve(e));
  });
  t.ok(err, `handshake refused (${err?.message})`);
  t.equal(await principalVia('REQUESTED', { ca: ca() }), 'User:ANONYMOUS', 'TLSv1.3 clients still served');
});

t.test('PLAINTEXT connections are User:ANONYMOUS', async (t) => {
  const port = await principalListener('PLAIN2', 'PLAINTEXT');
  ports.PLAIN2 = port;
  const kafka = new Kafka({ clientId: 'mtls-test', brokers: [`localhost:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  t.equal((await admin.describeCluster()).clusterId, 'User:ANONYMOUS');
  await admin.disconnect();
});
