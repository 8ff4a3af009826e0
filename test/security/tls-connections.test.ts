// TLS connections hold and give back the listener's connection slots like plaintext ones: with
// max.connections.per.ip=2, TLS connections opened and closed one after another (a handshake that
// fails included) never run out of slots, and a third one open at once is refused.
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import t from 'tap';
import { BrokerConfig } from '../../src/config.js';
import { Server } from '../../src/network/server.js';
import type { RequestInfo } from '../../src/network/api.js';
import { apiVersionsHandler } from '../../src/handlers/18-api-versions.js';
import { listenerSecurity } from '../../src/security/listener-security.js';
import { tempDir } from '../helpers/tmp.js';
import { makePki } from './certs.js';

t.test('TLS connection slots are released on close', async (t) => {
  const dir = tempDir(t, 'samsa-tls-slots-');
  const pki = makePki(path.join(dir, 'pki'));
  const cert = pki.issue('broker', '/CN=localhost', { server: true });
  const config = new BrokerConfig({ 'max.connections.per.ip': '2', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': cert.keyStore });
  const server = new Server<RequestInfo>({
    listenerName: 'SSL',
    registry: new Map([[18, apiVersionsHandler as any]]),
    context: (info) => info,
    config,
    security: listenerSecurity((k) => config.get(k), 'SSL', 'SSL'),
  });
  const port = await server.listen('127.0.0.1', 0);
  t.teardown(() => server.close());
  const ca = fs.readFileSync(pki.caCert);
  /** Resolves with the socket once the handshake is done, or null when the broker drops the connection. */
  const open = (opts: tls.ConnectionOptions = {}) =>
    new Promise<tls.TLSSocket | null>((resolve) => {
      const s = tls.connect({ host: 'localhost', port, ca, ...opts });
      s.once('secureConnect', () => {
        // TLS 1.3: the server may still refuse after the client's side of the handshake; give it a moment.
        setTimeout(() => resolve(s.destroyed ? null : s), 200);
      });
      s.once('error', () => resolve(null));
      s.once('close', () => resolve(null));
    });
  const closed = (s: tls.TLSSocket) => new Promise<void>((r) => (s.once('close', () => r()), s.destroy()));
  for (let i = 0; i < 6; i++) {
    const s = await open();
    t.ok(s, `connection ${i + 1} opened`);
    if (s) await closed(s);
    // A failed handshake (untrusted server certificate on the client side) also gives its slot back.
    t.equal(await open({ ca: undefined }), null, `failed handshake ${i + 1}`);
  }
  await new Promise((r) => setTimeout(r, 200));
  const a = await open();
  const b = await open();
  t.ok(a && b, 'two at once');
  t.equal(await open(), null, 'a third one from the same address is refused');
  for (const s of [a, b]) if (s) await closed(s);
});
