// A controller-only node's HTTP port (samsa.http.port on process.roles=controller), on a
// startCluster of 3 controllers and 1 broker: /metrics parsed as Prometheus text carries Kafka's
// raft metrics (kafka_server_raft_metrics_*: every controller names the same leader and epoch, and
// so does the broker, an observer) and KafkaController's gauges (exactly the quorum leader is the
// active controller and counts the cluster's topics, partitions and brokers); /api/faults injects
// errors into the controller listener's requests; the console's pages say the node is a
// controller. A lone controller whose listener is SASL_PLAINTEXT guards its HTTP port as a SASL
// broker does: 401 without Basic credentials. From the CLI, a controller-only node's ready line
// names its HTTP address.
import t from 'tap';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import kafkajs from 'kafkajs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { Node } from '../../src/node/node.js';
import { randomUuid } from '../../src/metadata/uuid.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { codecRequest } from '../metadata/helpers.js';
import { tempDir } from '../helpers/tmp.js';
import { spawnBroker } from '../helpers/cli-broker.js';

const { Kafka, logLevel } = kafkajs;

t.setTimeout(280_000);

interface Family { name: string; type: string; metrics: { value?: string; labels?: Record<string, string> }[] }

function get(port: number, path: string, init: { method?: string; body?: unknown; auth?: string } = {}): Promise<{ status: number; type: string; body: string }> {
  const data = init.body === undefined ? undefined : JSON.stringify(init.body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...(init.auth ? { authorization: init.auth } : {}) } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function scrape(port: number): Promise<Map<string, Family>> {
  const r = await get(port, '/metrics');
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return new Map((parsePrometheusTextFormat(r.body) as Family[]).map((f) => [f.name, f]));
}

function gauge(m: Map<string, Family>, name: string): number {
  const s = m.get(name)?.metrics.find((x) => !x.labels || Object.keys(x.labels).length === 0);
  if (s?.value === undefined) throw new Error(`no ${name}`);
  return Number(s.value);
}

const CONTROLLERS = [1, 2, 3];

async function controllerGauges(c: RunningCluster, name: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const id of CONTROLLERS) out.set(id, gauge(await scrape(c.node(id).httpPort!), name));
  return out;
}

t.test('controller-only nodes serve /metrics, /api/faults and a page saying what they are', async (t) => {
  const c = await startCluster({ controllers: 3, brokers: 1, dataDir: tempDir(t), config: { 'samsa.http.port': '0' } });
  t.teardown(() => c.close());
  const ports = c.nodes.map((n) => n.httpPort);
  t.ok(CONTROLLERS.every((id) => (c.node(id).httpPort ?? 0) > 0), `every controller-only node has an HTTP port (${ports})`);
  t.equal(new Set(ports).size, 4, 'each node its own');

  const leader = await waitUntil('a quorum leader', 60_000, () => c.leader());
  t.ok(CONTROLLERS.includes(leader.nodeId), `a controller leads (node ${leader.nodeId})`);

  // Raft metrics: the same leader and epoch on every controller once they agree; a committed log.
  const raft = await waitUntil('every controller naming the leader in /metrics', 60_000, async () => {
    const leaders = await controllerGauges(c, 'kafka_server_raft_metrics_current_leader');
    const epochs = await controllerGauges(c, 'kafka_server_raft_metrics_current_epoch');
    return [...leaders.values()].every((v) => v === leader.nodeId) && new Set(epochs.values()).size === 1 ? { epochs } : undefined;
  });
  t.equal([...raft.epochs.values()][0], leader.status()!.epoch, 'current_epoch is the quorum epoch');
  const m = await scrape(c.node(leader.nodeId).httpPort!);
  t.ok(gauge(m, 'kafka_server_raft_metrics_high_watermark') > 0, 'the leader has a high watermark');
  t.ok(gauge(m, 'kafka_server_raft_metrics_log_end_offset') >= gauge(m, 'kafka_server_raft_metrics_high_watermark'), 'log end offset at or past it');
  t.equal(m.get('kafka_server_raft_metrics_current_leader')?.type, 'GAUGE', 'typed as gauges');
  t.ok(m.has('process_resident_memory_bytes'), 'process metrics');
  t.notOk(m.has('kafka_server_replicamanager_partitioncount'), 'no broker gauges on a controller');
  t.notOk(m.has('kafka_network_requestmetrics_requests_total'), 'nor broker request metrics');
  // The broker (an observer of the quorum) reports the raft metrics too, as a Kafka broker does.
  const observed = await waitUntil('the broker naming the leader in /metrics', 60_000, async () => {
    const b = await scrape(c.node(4).httpPort!);
    return gauge(b, 'kafka_server_raft_metrics_current_leader') === leader.nodeId ? b : undefined;
  });
  t.equal(gauge(observed, 'kafka_server_raft_metrics_current_epoch'), leader.status()!.epoch, 'the broker: current_leader and current_epoch of the quorum');

  // A topic created through the broker: counted by the active controller, and only there.
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'controller-http', logLevel: logLevel.NOTHING, connectionTimeout: 10_000, retry: { retries: 10 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'counted', numPartitions: 3, replicationFactor: 1 }] });
  const active = await waitUntil('the active controller counting the topic', 60_000, async () => {
    const g = await controllerGauges(c, 'kafka_controller_kafkacontroller_activecontrollercount');
    const topics = await controllerGauges(c, 'kafka_controller_kafkacontroller_globaltopiccount');
    return [...g.values()].reduce((a, b) => a + b, 0) === 1 && g.get(leader.nodeId) === 1 && (topics.get(leader.nodeId) ?? 0) >= 1 ? { g, topics } : undefined;
  });
  t.same([...active.g.entries()].filter(([, v]) => v === 1).map(([id]) => id), [leader.nodeId], 'only the quorum leader is the active controller');
  const lm = await scrape(c.node(leader.nodeId).httpPort!);
  const internal = [...c.node(4).node!.broker!.image.topics.all()].filter((x) => x.name.startsWith('__'));
  t.equal(gauge(lm, 'kafka_controller_kafkacontroller_globaltopiccount'), 1 + internal.length, 'global topic count');
  t.equal(gauge(lm, 'kafka_controller_kafkacontroller_globalpartitioncount'), 3 + internal.reduce((a, x) => a + x.partitions, 0), 'global partition count');
  t.equal(gauge(lm, 'kafka_controller_kafkacontroller_offlinepartitionscount'), 0, 'no offline partitions');
  t.equal(gauge(lm, 'kafka_controller_kafkacontroller_activebrokercount'), 1, 'one unfenced broker');
  t.equal(gauge(lm, 'kafka_controller_kafkacontroller_fencedbrokercount'), 0, 'none fenced');
  const follower = CONTROLLERS.find((id) => id !== leader.nodeId)!;
  t.equal(gauge(await scrape(c.node(follower).httpPort!), 'kafka_controller_kafkacontroller_globaltopiccount'), 0, 'an inactive controller reports 0');

  // /api/faults applies to the controller listener: one DescribeQuorum answered with an error.
  const port = c.node(leader.nodeId).httpPort!;
  const added = await get(port, '/api/faults', { method: 'POST', body: { api: 'DescribeQuorum', error: 'NOT_LEADER_OR_FOLLOWER', times: 1 } });
  t.equal(added.status, 201, `fault added (${added.body})`);
  const [host, cport] = c.node(leader.nodeId).controller!.split(':');
  const describe = () => codecRequest(host, Number(cport), 'DescribeQuorum', 2, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] });
  const failed = await describe();
  const code = (r: any) => (r.errorCode !== 0 ? r.errorCode : r.topics?.[0]?.partitions?.[0]?.errorCode);
  t.equal(code(failed), 6, 'the injected NOT_LEADER_OR_FOLLOWER');
  const listed = JSON.parse((await get(port, '/api/faults')).body) as { faults: { remaining?: number; times?: number }[] };
  t.equal(listed.faults.length, 1, 'GET /api/faults lists it');
  const ok = await describe();
  t.equal(code(ok), 0, 'used once: the next DescribeQuorum is answered');
  t.equal(ok.topics[0].partitions[0].leaderId, leader.nodeId, 'by the leader');
  t.equal((await get(port, '/api/faults', { method: 'DELETE' })).status, 200, 'DELETE /api/faults');
  const unknown = await get(port, '/api/faults', { method: 'POST', body: { api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER' } });
  t.equal(unknown.status, 400, 'a broker API is not one the controller listener serves');
  // The startCluster's /api/cluster is there too.
  const nodes = JSON.parse((await get(port, '/api/cluster/nodes')).body) as { nodes: { nodeId: number; httpPort: number | null }[] };
  t.same(nodes.nodes.map((n) => n.nodeId), [1, 2, 3, 4], '/api/cluster/nodes lists every node');
  t.ok(nodes.nodes.every((n) => (n.httpPort ?? 0) > 0), 'with their HTTP ports');

  const page = await get(port, '/');
  t.equal(page.status, 200, '/ answers');
  t.match(page.type, /text\/html/);
  t.match(page.body, new RegExp(`Node ${leader.nodeId} is a controller`), 'saying this node is a controller');
  t.equal((await get(port, '/topics/counted')).status, 404, 'broker console pages: 404');
});

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret";';

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

t.test('a controller with a SASL listener asks HTTP clients for its users\' credentials', async (t) => {
  const port = await freePort();
  const node = new Node({
    clusterId: randomUuid(),
    properties: {
      'process.roles': 'controller',
      'node.id': '1',
      'controller.quorum.voters': `1@127.0.0.1:${port}`,
      'listeners': `CONTROLLER://127.0.0.1:${port}`,
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'CONTROLLER:SASL_PLAINTEXT',
      'sasl.mechanism.controller.protocol': 'PLAIN',
      'listener.name.controller.sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.controller.plain.sasl.jaas.config': JAAS,
      'log.dirs': path.join(tempDir(t), 'controller'),
      'samsa.http.port': '0',
    },
  });
  await node.start();
  t.teardown(() => node.close());
  const hp = node.httpPort!;
  t.ok(hp > 0, `the controller-only node has an HTTP port (${hp})`);
  t.equal(node.httpHost, '127.0.0.1', 'on its controller listener\'s host');
  const none = await get(hp, '/metrics');
  t.equal(none.status, 401, '/metrics without credentials: 401');
  t.equal((await get(hp, '/metrics', { auth: `Basic ${Buffer.from('admin:wrong').toString('base64')}` })).status, 401, 'a wrong password: 401');
  t.equal((await get(hp, '/api/faults', { method: 'POST', body: { api: 'DescribeQuorum', error: 'NOT_LEADER_OR_FOLLOWER' } })).status, 401, 'POST /api/faults without credentials: 401');
  const admin = `Basic ${Buffer.from('admin:admin-secret').toString('base64')}`;
  const ok = await waitUntil('the lone controller active in /metrics', 60_000, async () => {
    const r = await get(hp, '/metrics', { auth: admin });
    return r.status === 200 && /^kafka_controller_kafkacontroller_activecontrollercount 1$/m.test(r.body) ? r : undefined;
  });
  t.match(ok.body, /^kafka_server_raft_metrics_current_leader 1$/m, 'with the JAAS user: 200, the lone voter leads');
  t.equal(node.controllerFaults?.list().length, 0, 'no fault added by the refused requests');
});

t.test('samsa with process.roles=controller and --http-port 0 prints its HTTP address and serves /metrics', async (t) => {
  const port = await freePort();
  const node = await spawnBroker(t, [
    '--config', 'process.roles=controller', '--config', 'node.id=1',
    '--config', `controller.quorum.voters=1@127.0.0.1:${port}`,
    '--config', `listeners=CONTROLLER://127.0.0.1:${port}`,
    '--config', 'controller.listener.names=CONTROLLER', '--config', `log.dirs=${tempDir(t)}`,
    '--cluster-id', 'MkU3OEVBNTcwNTJENDM2Qg', '--http-port', '0',
  ], { timeoutMs: 90_000 });
  const m = /^samsa node 1 \(controller\) listening on .* \(started in \d+ ms\), HTTP on 127\.0\.0\.1:(\d+)$/.exec(node.readyLine);
  t.ok(m, `ready line: ${node.readyLine}`);
  const hp = Number(m![1]);
  const r = await waitUntil('the lone controller active in /metrics', 60_000, async () => {
    const x = await get(hp, '/metrics');
    return x.status === 200 && /^kafka_controller_kafkacontroller_activecontrollercount 1$/m.test(x.body) ? x : undefined;
  });
  const parsed = new Map((parsePrometheusTextFormat(r.body) as Family[]).map((f) => [f.name, f]));
  t.equal(gauge(parsed, 'kafka_server_raft_metrics_current_leader'), 1, 'parsed: the lone voter leads');
  t.ok(gauge(parsed, 'kafka_server_raft_metrics_current_epoch') >= 1, 'in an epoch');
  t.same(await node.stop('SIGTERM', 30_000), { code: 0, signal: null }, 'SIGTERM: exit 0');
});
