// Kafka's connection limits, with its names and behaviour as Kafka 4.4.0 shows on a socket:
// - max.connections: a connection over the limit is accepted by TCP but not served until another
//   closes (Kafka's acceptor stops accepting; the client waits in the listen backlog);
// - max.connections.per.ip (+ .overrides "host:count,..."): a connection over its address's limit
//   is closed at once;
// - connections.max.idle.ms: a connection with no traffic for that long is closed;
// - socket.request.max.bytes: a larger size prefix closes the connection.
// Other connections are served throughout.
import t from 'tap';
import kafkajs from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { sleep } from '../helpers/timeout.js';
import { Bytes, WireConnection, apiVersionsV3Body, parseApiVersionsResponse, requestFrame } from '../helpers/wire.js';

const { ConfigResourceTypes, Kafka, logLevel } = kafkajs;

async function apiVersions(c: WireConnection, timeoutMs = 5000): Promise<number> {
  const res = parseApiVersionsResponse(await c.request(18, 3, apiVersionsV3Body(), { headerVersion: 2, timeoutMs }), 3);
  return res.errorCode;
}

function connectFrom(host: string, port: number, localAddress: string): Promise<WireConnection> {
  return WireConnection.connect(host, port, 5000, localAddress);
}

t.test('max.connections: the connection over the limit waits, and is served once another closes', async (t) => {
  const running = await startBroker({ memory: true, port: 0, config: { 'max.connections': '3' } });
  t.teardown(() => running.close());
  const open: WireConnection[] = [];
  t.teardown(() => open.forEach((c) => c.destroy()));
  for (let i = 0; i < 3; i++) {
    open.push(await WireConnection.connect(running.host, running.port));
    t.equal(await apiVersions(open[i]), 0, `connection ${i + 1} of 3 is served`);
  }
  const fourth = await WireConnection.connect(running.host, running.port);
  open.push(fourth);
  const id = 77;
  fourth.write(requestFrame(18, 3, id, apiVersionsV3Body(), { headerVersion: 2 }));
  await t.rejects(fourth.response(id, 700), /no response/, 'the fourth connection gets no answer while three are open');
  t.ok(fourth.isOpen, 'and is not closed');
  open[0].destroy();
  const frame = await fourth.response(id, 5000);
  t.equal(parseApiVersionsResponse(frame, 3).errorCode, 0, 'once one closes, its request is answered');
  t.equal(await apiVersions(open[1]), 0, 'the others are still served');
});

t.test('max.connections.per.ip and its overrides: a connection over the address limit is closed at once', async (t) => {
  const running = await startBroker({
    memory: true,
    port: 0,
    config: { 'max.connections.per.ip': '2', 'max.connections.per.ip.overrides': '127.0.0.2:1,127.0.0.3:3' },
  });
  t.teardown(() => running.close());
  const open: WireConnection[] = [];
  t.teardown(() => open.forEach((c) => c.destroy()));
  for (const [from, limit] of [['127.0.0.1', 2], ['127.0.0.2', 1], ['127.0.0.3', 3]] as const) {
    for (let i = 0; i < limit; i++) {
      const c = await connectFrom(running.host, running.port, from);
      open.push(c);
      t.equal(await apiVersions(c), 0, `${from}: connection ${i + 1} of ${limit} is served`);
    }
    const over = await connectFrom(running.host, running.port, from);
    open.push(over);
    t.ok(await over.closesWithin(3000), `${from}: connection ${limit + 1} is closed`);
  }
  // A slot frees when a connection closes.
  open[0].destroy();
  await sleep(100);
  const again = await connectFrom(running.host, running.port, '127.0.0.1');
  open.push(again);
  t.equal(await apiVersions(again), 0, '127.0.0.1: a new connection is served once one of its two closed');
});

t.test('connections.max.idle.ms: an idle connection is closed, a busy one is not', async (t) => {
  const running = await startBroker({ memory: true, port: 0, config: { 'connections.max.idle.ms': '400' } });
  t.teardown(() => running.close());
  const idle = await WireConnection.connect(running.host, running.port);
  const busy = await WireConnection.connect(running.host, running.port);
  t.teardown(() => {
    idle.destroy();
    busy.destroy();
  });
  t.equal(await apiVersions(idle), 0, 'the idle connection was served first');
  const closed = idle.closesWithin(5000);
  const until = Date.now() + 1500;
  let served = 0;
  while (Date.now() < until) {
    if ((await apiVersions(busy)) === 0) served++;
    await sleep(150);
  }
  t.ok(served >= 5, `the busy connection was served ${served} times over 1.5 s`);
  t.ok(await closed, 'the connection idle for 400 ms was closed');
  t.ok(busy.isOpen, 'the connection with a request every 150 ms stays open');
});

t.test('socket.request.max.bytes: a larger frame closes its connection only', async (t) => {
  const running = await startBroker({ memory: true, port: 0, config: { 'socket.request.max.bytes': '1024' } });
  t.teardown(() => running.close());
  const bystander = await WireConnection.connect(running.host, running.port);
  const bad = await WireConnection.connect(running.host, running.port);
  t.teardown(() => {
    bystander.destroy();
    bad.destroy();
  });
  t.equal(await apiVersions(bad), 0, 'a request under the limit is served');
  bad.write(Buffer.concat([new Bytes().int32(1025).build(), Buffer.alloc(1025)]));
  t.ok(await bad.closesWithin(3000), 'a 1025-byte frame closes the connection (limit 1024)');
  t.equal(await apiVersions(bystander), 0, 'another connection is still served');
});

t.test('the limits are dynamic: AlterConfigs on the broker applies to the next connection', async (t) => {
  const running = await startBroker({ memory: true, port: 0 });
  t.teardown(() => running.close());
  const kafka = new Kafka({ clientId: 'limits-test', brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'max.connections.per.ip', value: '2' }] }],
  });
  // kafkajs holds one connection (it may open a second for the controller): count what is left.
  const open: WireConnection[] = [];
  t.teardown(() => open.forEach((c) => c.destroy()));
  let closed = false;
  for (let i = 0; i < 3 && !closed; i++) {
    const c = await WireConnection.connect(running.host, running.port);
    open.push(c);
    closed = await c.closesWithin(500);
  }
  t.ok(closed, 'a raw connection beyond max.connections.per.ip=2 (set by AlterConfigs) is closed');
});
