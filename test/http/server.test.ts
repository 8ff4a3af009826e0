// The HTTP port's basics: routes with parameters, 404 for an unknown path, 405 for a known path
// with another method, a JSON body beyond its bound refused with 413, malformed JSON 400, a
// throwing handler 500 with a JSON error; and `samsa --http-port 0` printing the bound port.
import t from 'tap';
import http from 'node:http';
import net from 'node:net';
import { tempDir } from '../helpers/tmp.js';
import { HttpServer, HttpError, readJson, sendJson } from '../../src/http/server.js';
import { runCli, spawnBroker } from '../helpers/cli-broker.js';
import { localClusterNodes } from '../../src/node/local-cluster.js';

function request(port: number, method: string, path: string, body?: string | Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.setEncoding('utf8').on('data', (d: string) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

t.test('routing, bounded JSON bodies and errors', async (t) => {
  const server = new HttpServer();
  server.route('GET', '/api/topics/:name', (_req, res, params, url) => sendJson(res, 200, { name: params.name, q: url.searchParams.get('q') }));
  server.route('POST', '/api/echo', async (req, res) => sendJson(res, 201, { got: await readJson(req, 64) }));
  server.route('GET', '/boom', () => {
    throw new Error('handler exploded');
  });
  server.route('GET', '/teapot', () => {
    throw new HttpError(418, 'short and stout');
  });
  const { port } = await server.listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  t.ok(port > 0, `bound port ${port}`);

  const topic = await request(port, 'GET', '/api/topics/my%20topic?q=1');
  t.equal(topic.status, 200);
  t.match(topic.headers['content-type'], /^application\/json/);
  t.same(JSON.parse(topic.body), { name: 'my topic', q: '1' }, 'path parameter decoded, query string passed');

  const missing = await request(port, 'GET', '/api/nothing/here');
  t.equal(missing.status, 404, 'unknown path: 404');
  t.match(JSON.parse(missing.body), { error: /no route/ });

  const wrongMethod = await request(port, 'DELETE', '/api/topics/x');
  t.equal(wrongMethod.status, 405, 'known path, other method: 405');

  const echo = await request(port, 'POST', '/api/echo', JSON.stringify({ a: 1 }));
  t.equal(echo.status, 201);
  t.same(JSON.parse(echo.body), { got: { a: 1 } }, 'a small JSON body is read');

  const big = await request(port, 'POST', '/api/echo', JSON.stringify({ a: 'x'.repeat(200) }));
  t.equal(big.status, 413, 'a body beyond the bound: 413');
  t.match(JSON.parse(big.body), { error: /larger than 64 bytes/ });

  const bad = await request(port, 'POST', '/api/echo', '{nope');
  t.equal(bad.status, 400, 'malformed JSON: 400');

  const boom = await request(port, 'GET', '/boom');
  t.equal(boom.status, 500, 'a throwing handler: 500');
  t.same(JSON.parse(boom.body), { error: 'handler exploded' });

  const teapot = await request(port, 'GET', '/teapot');
  t.equal(teapot.status, 418, 'an HttpError keeps its status');

  const head = await request(port, 'HEAD', '/api/topics/x');
  t.equal(head.status, 200, 'HEAD answered as GET');
  t.equal(head.body, '', 'without a body');
});

t.test('close() returns with a keep-alive connection open', async (t) => {
  const server = new HttpServer();
  server.route('GET', '/', (_req, res) => sendJson(res, 200, {}));
  const { port } = await server.listen(0, '127.0.0.1');
  const agent = new http.Agent({ keepAlive: true });
  await new Promise<void>((resolve, reject) => http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => res.resume().on('end', resolve)).on('error', reject));
  await server.close();
  agent.destroy();
  t.pass('closed');
});

t.test('samsa --http-port 0 prints the HTTP port it bound in the ready line', async (t) => {
  const b = await spawnBroker(t, ['--port', '0', '--memory', '--http-port', '0'], { timeoutMs: 90_000 });
  const m = /listening on 127\.0\.0\.1:\d+ \(started in \d+ ms\), HTTP on 127\.0\.0\.1:(\d+)$/.exec(b.readyLine);
  t.ok(m, `ready line names the HTTP port: ${b.readyLine}`);
  const port = Number(m![1]);
  t.ok(port > 0 && port !== b.port, 'a real port of its own');
  const r = await request(port, 'GET', '/metrics');
  t.equal(r.status, 200, '/metrics answers on it');
  const none = await request(port, 'GET', '/no/such/page');
  t.equal(none.status, 404);
  const exit = await b.stop('SIGTERM');
  t.same(exit, { code: 0, signal: null }, 'SIGTERM still exits 0 with the HTTP server open');
});

t.test('samsa --help names --http-port', async (t) => {
  const r = await runCli(['--help'], { timeoutMs: 60_000 });
  t.equal(r.code, 0);
  t.match(r.stdout, /--http-port P\s+the HTTP port: web console, \/metrics, \/api\/faults \(samsa\.http\.port; 0: a free port\)/);
});

t.test('a local cluster (samsa --nodes N) gives each node its own HTTP port: P, P+1, ...', async (t) => {
  const specs = localClusterNodes({ nodes: 3, config: { 'samsa.http.port': '18080' } });
  t.same(specs.map((s) => s.config['samsa.http.port']), ['18080', '18081', '18082']);
  const free = localClusterNodes({ nodes: 2, config: { 'samsa.http.port': '0' } });
  t.same(free.map((s) => s.config['samsa.http.port']), ['0', '0'], '0: each a free port');
  const none = localClusterNodes({ nodes: 2 });
  t.same(none.map((s) => s.config['samsa.http.port']), [undefined, undefined], 'unset: no HTTP port');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

t.test('a KRaft node started with --http-port 0 prints its HTTP address and serves /metrics', async (t) => {
  const [port, controllerPort] = [await freePort(), await freePort()];
  const b = await spawnBroker(t, [
    '--config', 'process.roles=broker,controller', '--config', 'node.id=1',
    '--config', `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    '--config', `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    '--config', 'controller.listener.names=CONTROLLER', '--config', `log.dirs=${tempDir(t)}`,
    '--cluster-id', 'MkU3OEVBNTcwNTJENDM2Qg', '--http-port', '0',
  ], { timeoutMs: 90_000 });
  const m = /^samsa node 1 \(broker,controller\) listening on .* \(started in \d+ ms\), HTTP on 127\.0\.0\.1:(\d+)$/.exec(b.readyLine);
  t.ok(m, `ready line: ${b.readyLine}`);
  const r = await request(Number(m![1]), 'GET', '/metrics');
  t.equal(r.status, 200);
  t.match(r.body, /^kafka_controller_kafkacontroller_activecontrollercount 1$/m, 'the lone voter is the active controller');
  t.same(await b.stop('SIGTERM', 30_000), { code: 0, signal: null });
});
