// NodeClient on real sockets: requests pipelined on one pooled connection come back to their own
// callers (against a real samsa broker's Kafka listener), a silent peer times out and loses the
// connection, a refused one backs off and is reached again once it listens, the queue per peer is
// bounded, and the fault layer black-holes, cuts and heals traffic between two nodes.
import t from 'tap';
import net from 'node:net';
import { startBroker } from '../../src/index.js';
import { NodeClient, NodeUnavailableError, RequestTimeoutError } from '../../src/network/node-client.js';
import { NodeFaults } from '../../src/network/node-faults.js';
import { ApiVersionsRequest } from '../../src/protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { sleep } from '../helpers/timeout.js';

const apiVersions = (c: NodeClient, to: number, timeoutMs?: number) =>
  c.send(to, ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: 'samsa', clientSoftwareVersion: '1' }, timeoutMs);

/** A TCP server that accepts and never answers; counts connections and closes. */
async function silentServer(t: { teardown(fn: () => unknown): void }): Promise<{ port: number; accepted: () => number; closed: () => number }> {
  let accepted = 0;
  let closed = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.resume();
    s.on('close', () => closed++);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { port: (server.address() as net.AddressInfo).port, accepted: () => accepted, closed: () => closed };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

t.test('pipelined requests on one connection each get their own response', async (t) => {
  const broker = await startBroker({ memory: true, port: 0 });
  t.teardown(() => broker.close());
  const client = new NodeClient({ nodeId: 100, requestTimeoutMs: 5000 });
  t.teardown(() => client.close());
  client.setEndpoint(1, { host: broker.host, port: broker.port });
  const [versions, metadata, versions2] = await Promise.all([
    apiVersions(client, 1),
    client.send(1, MetadataRequest, MetadataResponse, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }),
    apiVersions(client, 1),
  ]);
  t.equal(versions.errorCode, 0);
  t.ok(versions.apiKeys.some((k) => k.apiKey === 1), 'ApiVersions lists Fetch');
  t.same(
    metadata.brokers.map((b) => b.port),
    [broker.port],
    'the Metadata response went to the Metadata caller',
  );
  t.same(versions2.apiKeys, versions.apiKeys);
});

t.test('a peer that never answers: the request times out and the connection is closed', async (t) => {
  const peer = await silentServer(t);
  const client = new NodeClient({ nodeId: 1, requestTimeoutMs: 300 });
  t.teardown(() => client.close());
  client.setEndpoint(2, { host: '127.0.0.1', port: peer.port });
  await t.rejects(apiVersions(client, 2), RequestTimeoutError);
  for (let i = 0; i < 50 && peer.closed() === 0; i++) await sleep(20);
  t.equal(peer.closed(), 1, 'the timed-out connection was closed (a late answer cannot be taken for another request)');
});

t.test('refused: fails at once during the backoff, then reconnects once the peer listens', async (t) => {
  const port = await freePort();
  const client = new NodeClient({ nodeId: 1, requestTimeoutMs: 2000, reconnectBackoffMs: 200, reconnectBackoffMaxMs: 200 });
  t.teardown(() => client.close());
  client.setEndpoint(1, { host: '127.0.0.1', port });
  await t.rejects(apiVersions(client, 1), NodeUnavailableError, 'connection refused');
  await t.rejects(apiVersions(client, 1), /reconnect backoff/, 'the next request inside the backoff fails without dialling');
  const broker = await startBroker({ memory: true, port });
  t.teardown(() => broker.close());
  await sleep(300);
  t.equal((await apiVersions(client, 1)).errorCode, 0, 'after the backoff the peer is reached');
  await t.rejects(apiVersions(client, 9), /no endpoint known for node 9/);
});

t.test('the requests held for one peer are bounded', async (t) => {
  const peer = await silentServer(t);
  const client = new NodeClient({ nodeId: 1, requestTimeoutMs: 500, maxQueuedRequests: 2 });
  t.teardown(() => client.close());
  client.setEndpoint(2, { host: '127.0.0.1', port: peer.port });
  const held = [apiVersions(client, 2), apiVersions(client, 2)];
  await t.rejects(apiVersions(client, 2), /already has 2 requests queued/);
  await t.rejects(held[0], RequestTimeoutError);
  await t.rejects(held[1], /timed out/, 'the second fails with the connection the first timeout closed, as in Kafka');
});

t.test('faults: isolate black-holes and cuts, drop is one direction, heal restores; servers can refuse the isolated', async (t) => {
  const broker = await startBroker({ memory: true, port: 0 });
  t.teardown(() => broker.close());
  const faults = new NodeFaults();
  // Node 1 talks to node 2 (the broker).
  const client = new NodeClient({ nodeId: 1, requestTimeoutMs: 300, reconnectBackoffMs: 10, reconnectBackoffMaxMs: 10, faults });
  t.teardown(() => client.close());
  client.setEndpoint(2, { host: broker.host, port: broker.port });
  t.equal((await apiVersions(client, 2)).errorCode, 0, 'connected');

  let serverSawClose = false;
  const changes: string[] = [];
  faults.onChange(() => changes.push('changed'));
  faults.isolate(2);
  t.equal(changes.length, 1, 'listeners hear of the change');
  await t.rejects(apiVersions(client, 2), NodeUnavailableError, 'the connection to an isolated node is cut');
  await sleep(30);
  await t.rejects(apiVersions(client, 2), RequestTimeoutError, 'past the backoff, a request to it is lost');

  faults.heal();
  await sleep(30);
  t.equal((await apiVersions(client, 2)).errorCode, 0, 'healed');

  faults.drop(1, 2);
  await sleep(30);
  await t.rejects(apiVersions(client, 2), RequestTimeoutError, 'requests 1 -> 2 dropped');
  faults.heal();
  faults.drop(2, 1);
  await sleep(30);
  await t.rejects(apiVersions(client, 2), RequestTimeoutError, 'responses 2 -> 1 dropped');
  faults.heal();
  await sleep(30);
  t.equal((await apiVersions(client, 2)).errorCode, 0);

  // A server consulting the fault layer cuts inbound connections from a peer it may not hear.
  let inbound: net.Socket | null = null;
  let refused = false;
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.resume();
    inbound = s;
    s.on('close', () => (serverSawClose = true));
  });
  faults.onChange(() => {
    if (inbound && !faults.acceptsFrom(3, inbound.remotePort!)) {
      refused = true;
      inbound.destroy();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  client.setEndpoint(3, { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  const inFlight = apiVersions(client, 3, 1000);
  await sleep(50);
  t.ok(inbound && faults.acceptsFrom(3, inbound.remotePort!), 'node 3 accepts node 1 while they may talk');
  faults.isolate(1);
  t.ok(refused, "node 3's server judged the connection to be node 1's and cut it");
  await t.rejects(inFlight, NodeUnavailableError, 'the request in flight fails with the cut connection');
  await sleep(30);
  t.ok(serverSawClose);
  t.ok(faults.acceptsFrom(3, 1), 'a port no NodeClient opened is accepted (clients, tools)');
  await t.rejects(apiVersions(client, 3, 300), /timed out|not reachable|within/i, 'nothing reaches node 3 while isolated');
});
