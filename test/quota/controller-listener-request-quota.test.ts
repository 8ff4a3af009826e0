// request_percentage on the controller listener, as Kafka 4.4's ControllerApis answers its requests
// through the request quota (sendResponseMaybeThrottle) but the quorum's and AlterPartition
// (sendResponseExemptThrottle): a KRaft node; a client-id quota set with AlterClientQuotas on the
// broker listener throttles that client's DescribeCluster and ApiVersions on the controller
// listener by at most one quota window, not another client's, and the quorum keeps working.
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { Node } from '../../src/node/node.js';
import * as P from '../../src/protocol/generated/index.js';
import type { Codec } from '../../src/protocol/generated/codec.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { WireConnection } from '../helpers/wire.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(180_000);

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => resolve(s)); })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function call<Req, Res>(conn: WireConnection, clientId: string, req: Codec<Req>, res: Codec<Res>, version: number, body: Req): Promise<Res> {
  const w = new Writer(256);
  req.encode(w, version, body);
  const flexible = req.firstFlexibleVersion >= 0 && version >= req.firstFlexibleVersion;
  const frame = await conn.request(req.apiKey, version, w.toBuffer(), { headerVersion: flexible ? 2 : 1, clientId, timeoutMs: 60_000 });
  const r = new Reader(frame);
  r.int32();
  // ApiVersions answers with response header v0 at every version.
  if (flexible && req.apiKey !== 18) r.taggedFields();
  return res.decode(r, version);
}

t.test('a client-id request_percentage quota throttles requests on the controller listener', async (t) => {
  const dir = tempDir(t, 'samsa-controller-quota-');
  const [port, controller] = await freePorts(2);
  const node = new Node({
    clusterId: 'c2FtC2EtY3RybC1xdW90YQ',
    properties: {
      'process.roles': 'broker,controller',
      'node.id': '1',
      'controller.quorum.voters': `1@127.0.0.1:${controller}`,
      listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      'advertised.listeners': `PLAINTEXT://localhost:${port}`,
      'controller.listener.names': 'CONTROLLER',
      'log.dirs': path.join(dir, 'data'),
      'offsets.topic.replication.factor': '1',
    },
  });
  await node.start();
  t.teardown(() => node.close());

  const broker = await WireConnection.connect('127.0.0.1', port);
  t.teardown(() => broker.destroy());
  const altered = await call(broker, 'admin', P.AlterClientQuotasRequest, P.AlterClientQuotasResponse, 1, {
    entries: [{ entity: [{ entityType: 'client-id', entityName: 'busy' }], ops: [{ key: 'request_percentage', value: 0.000001, remove: false }] }],
    validateOnly: false,
  });
  t.equal(altered.entries[0].errorCode, 0, 'AlterClientQuotas on the broker listener');

  const conn = await WireConnection.connect('127.0.0.1', controller);
  t.teardown(() => conn.destroy());
  const describe = (clientId: string) => call(conn, clientId, P.DescribeClusterRequest, P.DescribeClusterResponse, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
  // The quota reaches the controller's image with the commit; a millionth of a thread is soon over.
  let throttled: number | null = null;
  const deadline = Date.now() + 60_000;
  while (throttled === null && Date.now() < deadline) {
    const r = await describe('busy');
    t.equal(r.errorCode, 0, 'DescribeCluster answered');
    if (r.throttleTimeMs > 0) throttled = r.throttleTimeMs;
  }
  t.ok(throttled !== null && throttled <= 1000, `DescribeCluster on the controller listener throttled ${throttled} ms (at most one window)`);
  const versions = await call(conn, 'busy', P.ApiVersionsRequest, P.ApiVersionsResponse, 3, { clientSoftwareName: 'quota-test', clientSoftwareVersion: '1' });
  t.ok(versions.throttleTimeMs > 0, `ApiVersions too (${versions.throttleTimeMs} ms)`);
  t.equal((await describe('idle')).throttleTimeMs, 0, 'another client id is not throttled');

  // The quorum's own requests are exempt: the node still commits (a topic is created through it).
  const created = await call(broker, 'admin', P.CreateTopicsRequest, P.CreateTopicsResponse, 7, {
    topics: [{ name: 'after-quota', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false,
  });
  t.equal(created.topics[0].errorCode, 0, 'the node still commits metadata');
});
