// KIP-612's max.connection.creation.rate, broker-wide and per listener
// (listener.name.<l>.max.connection.creation.rate), as Kafka's ConnectionQuotas applies it: a
// connection over the rate is still served, but only after its listener's acceptor has waited out
// the throttle time, and the connections behind it wait their turn; a listener without a rate
// serves a burst at once. quota.window.num=2 (1-s windows): at 1 connection/s the second connection
// of a burst waits a full window (Kafka caps the wait at one window). A KRaft node's controller
// listeners have their own rates, as Kafka's controller has its own SocketServer.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import kafkajs from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { Node } from '../../src/node/node.js';

t.setTimeout(120_000);

/** Opens a connection and resolves once it is established; `answered` resolves when ApiVersions v0 is answered. */
function probe(port: number): Promise<{ answered: Promise<number> }> {
  return new Promise((resolveConnected, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const clientId = Buffer.from('probe');
    const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
    body.writeInt16BE(18, 0);
    body.writeInt16BE(0, 2);
    body.writeInt32BE(1, 4);
    body.writeInt16BE(clientId.length, 8);
    clientId.copy(body, 10);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    const answered = new Promise<number>((resolve, rejectAnswer) => {
      const timer = setTimeout(() => {
        socket.destroy();
        rejectAnswer(new Error('not answered within 60 s'));
      }, 60_000);
      let got = 0;
      socket.on('data', (d) => {
        got += d.length;
        if (got >= 8) {
          clearTimeout(timer);
          socket.destroy();
          resolve(Date.now());
        }
      });
      socket.on('close', () => {
        clearTimeout(timer);
        if (got < 8) rejectAnswer(new Error('closed unanswered'));
      });
    });
    answered.catch(() => {});
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(Buffer.concat([size, body]));
      resolveConnected({ answered });
    });
  });
}

/** A burst of `n` connections, each opened once the one before is established (so the kernel queues them in order). */
async function burst(port: number, n: number): Promise<Promise<number>[]> {
  const out: Promise<number>[] = [];
  for (let i = 0; i < n; i++) out.push((await probe(port)).answered);
  return out;
}

function inOrder(times: number[]): boolean {
  return times.every((x, i) => i === 0 || x >= times[i - 1]);
}

const port = (b: RunningBroker, name: string) => b.broker.advertisedEndpoints.find((e) => e.name === name)!.port;

t.test('listener.name.<l>.max.connection.creation.rate delays that listener\'s connections, not the others\'', async (t) => {
  const b = await startBroker({
    memory: true,
    config: { 'quota.window.num': '2', 'listener.name.external.max.connection.creation.rate': '1' },
    listeners: [
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost' },
      { name: 'EXTERNAL', host: '127.0.0.1', port: 0, advertisedHost: 'localhost' },
    ],
  });
  t.teardown(() => b.close());
  const start = Date.now();
  const [limited, open] = await Promise.all([burst(port(b, 'EXTERNAL'), 4), burst(port(b, 'PLAINTEXT'), 4)]);
  const limitedAt = await Promise.all(limited);
  const openAt = await Promise.all(open);
  t.ok(inOrder(limitedAt), 'the limited listener serves its burst one connection after the other');
  t.ok(limitedAt[1] - start >= 900, `the second connection waits out a window (${limitedAt[1] - start} ms after the burst began)`);
  t.ok(limitedAt[3] >= limitedAt[1], 'and the later ones wait behind it');
  t.ok(Math.max(...openAt) <= limitedAt[1], 'the listener without a rate served its whole burst while the limited one still waited');
});

t.test('the broker-wide max.connection.creation.rate delays connections over it', async (t) => {
  const b = await startBroker({ port: 0, memory: true, config: { 'quota.window.num': '2', 'max.connection.creation.rate': '1' } });
  t.teardown(() => b.close());
  const start = Date.now();
  const at = await Promise.all(await burst(b.port, 3));
  t.ok(inOrder(at), 'served in the order they came');
  t.ok(at[1] - start >= 900, `the second connection is served only after a window (${at[1] - start} ms)`);
  t.ok(at[0] <= at[1], 'the first one before it');
});

t.test('the listener rate is dynamic: AlterConfigs of listener.name.<l>.max.connection.creation.rate applies to the next connections', async (t) => {
  const b = await startBroker({ port: 0, memory: true, config: { 'quota.window.num': '2' } });
  t.teardown(() => b.close());
  const admin = new kafkajs.Kafka({ clientId: 'creation-rate', brokers: [b.bootstrap], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: kafkajs.ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'listener.name.plaintext.max.connection.creation.rate', value: '1' }] }],
  });
  await admin.disconnect();
  const start = Date.now();
  const at = await Promise.all(await burst(b.port, 3));
  t.ok(inOrder(at), 'served in the order they came');
  t.ok(at[2] - start >= 900, `the third connection waits at least a window (${at[2] - start} ms)`);
});

t.test('without a rate every connection of a burst is served', async (t) => {
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  const at = await Promise.all(await burst(b.port, 20));
  t.equal(at.length, 20, 'all 20 answered');
});

t.test('a KRaft node\'s controller listener has its own rate (listener.name.controller.max.connection.creation.rate)', async (t) => {
  const servers = await Promise.all([0, 1].map(() => new Promise<net.Server>((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => resolve(s)); })));
  const [brokerPort, controllerPort] = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-creation-rate-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const node = new Node({
    clusterId: 'c2FtC2EtY3JlYXRlLXJhdGU',
    properties: {
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
      listeners: `PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
      'advertised.listeners': `PLAINTEXT://localhost:${brokerPort}`,
      'controller.listener.names': 'CONTROLLER',
      'log.dirs': dir,
      'quota.window.num': '2',
      'listener.name.controller.max.connection.creation.rate': '1',
    },
  });
  await node.start();
  t.teardown(() => node.close());
  const start = Date.now();
  const [limited, open] = await Promise.all([burst(controllerPort, 3), burst(brokerPort, 3)]);
  const limitedAt = await Promise.all(limited);
  const openAt = await Promise.all(open);
  t.ok(inOrder(limitedAt), 'the controller listener serves its burst in order');
  t.ok(limitedAt[1] - start >= 900, `its second connection waits out a window (${limitedAt[1] - start} ms)`);
  t.ok(Math.max(...openAt) <= limitedAt[1], 'the broker listener served its whole burst meanwhile');
});
