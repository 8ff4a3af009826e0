// KIP-612's per-IP connection_creation_rate, as Kafka's ConnectionQuotas applies it: a connection
// over its address's rate (measured over the quota window, at least 10 s) is accepted but never
// served, and closed after the throttle time; the default ip entity applies to every address, an
// ip entity overrides it; without a quota nothing is throttled.
import net from 'node:net';
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';

t.setTimeout(120_000);

/** Opens a connection from `localAddress` and sends ApiVersions v0: 'answered' or 'closed' (no answer). */
function probe(b: RunningBroker, localAddress: string): Promise<'answered' | 'closed'> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: b.port, localAddress });
    const clientId = Buffer.from('probe');
    const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
    body.writeInt16BE(18, 0);
    body.writeInt16BE(0, 2);
    body.writeInt32BE(1, 4);
    body.writeInt16BE(clientId.length, 8);
    clientId.copy(body, 10);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('neither answered nor closed within 30 s'));
    }, 30_000);
    let got = 0;
    socket.on('connect', () => socket.write(Buffer.concat([size, body])));
    socket.on('data', (d) => {
      got += d.length;
      if (got >= 8) {
        clearTimeout(timer);
        socket.destroy();
        resolve('answered');
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got >= 8 ? 'answered' : 'closed');
    });
  });
}

async function ipQuota(b: RunningBroker, ip: string | null, value: number): Promise<void> {
  const r = await b.broker.controller.alterClientQuotas({ validateOnly: false, entries: [{ entity: [{ entityType: 'ip', entityName: ip }], ops: [{ key: 'connection_creation_rate', value, remove: false }] }] });
  if (r.entries[0].errorCode !== 0) throw new Error(`AlterClientQuotas: ${r.entries[0].errorMessage}`);
}

t.test('connections over the default ip connection_creation_rate are closed unserved', async (t) => {
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  const before: string[] = [];
  for (let i = 0; i < 25; i++) before.push(await probe(b, '127.0.0.1'));
  t.ok(before.every((r) => r === 'answered'), 'without a quota every connection is served');

  // 2 connections/s over a window of at least 10 s: about 20 more from one address, then throttled.
  await ipQuota(b, null, 2);
  const results: string[] = [];
  for (let i = 0; i < 30; i++) results.push(await probe(b, '127.0.0.1'));
  const answered = results.filter((r) => r === 'answered').length;
  t.ok(answered >= 15 && answered <= 25, `${answered} of 30 served`);
  t.equal(results.at(-1), 'closed', 'the last ones are closed without an answer');

  // An ip entity overrides the default for its address (127.0.0.2 is loopback too).
  await ipQuota(b, '127.0.0.2', 1000);
  const other: string[] = [];
  for (let i = 0; i < 25; i++) other.push(await probe(b, '127.0.0.2'));
  t.ok(other.every((r) => r === 'answered'), 'its own higher quota: all 25 served');
});
