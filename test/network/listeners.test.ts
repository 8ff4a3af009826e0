// A Server per listener: each serves its own registry with its owner's context, side by side on one
// node. ApiVersions (and its v0 answer to a version it can't parse) advertises the registry of the
// listener it came in on; an API that listener does not serve closes the connection, as Kafka does
// for an API not enabled on a listener; handlers see the listener's name.
import t from 'tap';
import { Broker } from '../../src/broker.js';
import { Server } from '../../src/network/server.js';
import type { RequestInfo } from '../../src/network/api.js';
import type { Handler, RequestContext } from '../../src/handlers/handler.js';
import { apiVersionsHandler } from '../../src/handlers/18-api-versions.js';
import describeCluster from '../../src/handlers/60-describe-cluster.js';
import { Bytes, Cursor, WireConnection, requestFrame } from '../helpers/wire.js';

/** ApiVersions v0 response body (after the correlation id): error code and [apiKey, min, max] per API. */
function apiVersionsV0(frame: Buffer): { errorCode: number; apis: number[][] } {
  const c = new Cursor(frame.subarray(4));
  const errorCode = c.int16();
  const n = c.int32();
  const apis: number[][] = [];
  for (let i = 0; i < n; i++) apis.push([c.int16(), c.int16(), c.int16()]);
  return { errorCode, apis };
}

t.test('a broker listener and a second listener with its own registry, side by side', async (t) => {
  const broker = new Broker({ memory: true, port: 0 });
  const { port: brokerPort } = await broker.start();
  t.teardown(() => broker.close());

  const seen: string[] = [];
  const describe: Handler = { ...describeCluster, handle: (ctx: RequestContext, req: unknown) => (seen.push(ctx.listenerName), describeCluster.handle(ctx, req)) };
  const registry = new Map<number, Handler>([
    [18, apiVersionsHandler<RequestContext>((ctx) => ctx.broker) as Handler],
    [60, describe],
  ]);
  const controller = new Server<RequestContext>({
    listenerName: 'CONTROLLER',
    registry,
    context: (info: RequestInfo) => ({ ...info, broker }),
    config: broker.config,
  });
  const controllerPort = await controller.listen('127.0.0.1', 0);
  t.teardown(() => controller.close());

  const onBroker = await WireConnection.connect('127.0.0.1', brokerPort);
  const onController = await WireConnection.connect('127.0.0.1', controllerPort);
  t.teardown(() => {
    onBroker.socket.destroy();
    onController.socket.destroy();
  });

  onBroker.write(requestFrame(18, 0, 1, Buffer.alloc(0)));
  const b = apiVersionsV0(await onBroker.response(1));
  t.equal(b.errorCode, 0);
  const brokerKeys = b.apis.map((a) => a[0]);
  t.ok(brokerKeys.includes(0) && brokerKeys.includes(1) && brokerKeys.includes(3), 'the broker listener advertises Produce, Fetch, Metadata');

  onController.write(requestFrame(18, 0, 1, Buffer.alloc(0)));
  const c = apiVersionsV0(await onController.response(1));
  t.same(c, { errorCode: 0, apis: [[18, 0, 5], [60, 0, 2]] }, 'the second listener advertises exactly its registry');

  // A version ApiVersions can't parse: v0, UNSUPPORTED_VERSION (35) and this listener's ranges.
  onController.write(requestFrame(18, 127, 2, Buffer.alloc(0)));
  t.same(apiVersionsV0(await onController.response(2)), { errorCode: 35, apis: [[18, 0, 5], [60, 0, 2]] });

  // DescribeCluster v0 (flexible: header v2; IncludeClusterAuthorizedOperations=false, no tags).
  onController.write(requestFrame(60, 0, 3, new Bytes().int8(0).tags().build(), { headerVersion: 2 }));
  const dc = await onController.response(3);
  t.ok(dc.length > 4, 'DescribeCluster answered on the second listener');
  t.same(seen, ['CONTROLLER'], 'its handler saw the listener name');

  // Metadata is served on the broker listener only: the second listener closes the connection.
  onController.write(requestFrame(3, 1, 4, new Bytes().int32(-1).build()));
  await onController.closed;
  t.notOk(onController.received.some((f) => f.readInt32BE(0) === 4), 'no response to an API the listener does not serve');
  t.ok(onBroker.isOpen, 'the broker listener is unaffected');
});

t.test('a broker with two listeners serves its APIs on both and advertises each endpoint', async (t) => {
  const broker = new Broker({
    memory: true,
    listeners: [
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0 },
      { name: 'INTERNAL', host: '127.0.0.1', port: 0, advertisedHost: 'internal.example' },
    ],
  });
  const first = await broker.start();
  t.teardown(() => broker.close());
  const [external, internal] = broker.advertisedEndpoints;
  t.same(external, { name: 'PLAINTEXT', host: '127.0.0.1', port: first.port });
  t.equal(internal.name, 'INTERNAL');
  t.equal(internal.host, 'internal.example');
  t.not(internal.port, first.port);
  t.equal(broker.advertisedPort, first.port, 'the first listener is the one advertised');
  const answers: number[][][] = [];
  for (const port of [external.port, internal.port]) {
    const c = await WireConnection.connect('127.0.0.1', port);
    t.teardown(() => c.socket.destroy());
    c.write(requestFrame(18, 0, 1, Buffer.alloc(0)));
    const r = apiVersionsV0(await c.response(1));
    t.equal(r.errorCode, 0);
    answers.push(r.apis);
  }
  t.ok(answers[0].some((a) => a[0] === 0), 'Produce is served');
  t.same(answers[1], answers[0], 'both listeners advertise the broker registry');
});
