// Cluster faults over HTTP on the nodes of a startCluster() cluster (/api/cluster): list the nodes,
// move a partition's leader (a reassignment reordering the replicas, then a PREFERRED election),
// kill, restart, isolate and heal nodes, while a kafkajs producer keeps succeeding. A lone
// broker answers /api/cluster with 404.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, startCluster } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { waitUntil } from '../helpers/cluster-wait.js';

t.setTimeout(300_000);

async function http(port: number, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

t.test('a lone broker has no /api/cluster', async (t) => {
  const b = await startBroker({ port: 0, memory: true, httpPort: 0 });
  t.teardown(() => b.close());
  const r = await http(b.httpPort!, 'GET', '/api/cluster/nodes');
  t.equal(r.status, 404);
  t.match(r.json.error, /not a node of a startCluster/);
});

t.test('a 3-node cluster: move a leader, kill, restart, isolate and heal over HTTP', async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t), config: { 'samsa.http.port': '0', 'offsets.topic.num.partitions': '3' } });
  t.teardown(() => c.close());
  const kafka = new Kafka({ clientId: 'cluster-faults', brokers: c.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 15, initialRetryTime: 100, maxRetryTime: 2000 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'moving', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
  const reg = () => c.nodes.find((n) => n.running)!.node!.metadata.image.topics.get('moving')?.registrations.get(0);
  await waitUntil('all three replicas in the ISR', 60_000, () => reg()?.isr.length === 3);
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'moving', messages: [{ value: 'before' }], acks: -1 });

  const port = (id: number) => c.node(id).httpPort!;
  const listed = await http(port(1), 'GET', '/api/cluster/nodes');
  t.equal(listed.status, 200);
  t.same(
    listed.json.nodes.map((n: any) => [n.nodeId, n.running, typeof n.httpPort]),
    [
      [1, true, 'number'],
      [2, true, 'number'],
      [3, true, 'number'],
    ],
  );

  const from = reg()!.leader;
  const to = [1, 2, 3].find((id) => id !== from)!;
  const moved = await http(port(from), 'POST', '/api/cluster/move-leader', { topic: 'moving', partition: 0, toNode: to });
  t.equal(moved.status, 200, JSON.stringify(moved.json));
  for (const n of c.nodes) t.equal(n.node!.metadata.image.topics.get('moving')!.registrations.get(0)!.leader, to, `node ${n.nodeId} sees ${to} lead`);
  t.equal(reg()!.replicas[0], to, 'the new leader is the preferred replica');
  await producer.send({ topic: 'moving', messages: [{ value: 'after-move' }], acks: -1 });
  t.equal((await http(port(from), 'POST', '/api/cluster/move-leader', { topic: 'moving', partition: 0, toNode: 9 })).status, 409, 'not a replica');
  t.equal((await http(port(from), 'POST', '/api/cluster/move-leader', { topic: 'moving' })).status, 400);

  // Kill the new leader from another node's HTTP port: another replica takes over.
  const other = [1, 2, 3].find((id) => id !== to)!;
  const killed = await http(port(other), 'POST', `/api/cluster/nodes/${to}/kill`);
  t.equal(killed.status, 200);
  t.notOk(c.node(to).running);
  await waitUntil('a new leader', 60_000, () => {
    const l = reg()?.leader;
    return l !== undefined && l !== to && l !== -1;
  });
  await producer.send({ topic: 'moving', messages: [{ value: 'after-kill' }], acks: -1 });
  const restarted = await http(port(other), 'POST', `/api/cluster/nodes/${to}/restart`);
  t.equal(restarted.status, 200, JSON.stringify(restarted.json));
  t.ok(c.node(to).running);
  t.equal((await http(port(other), 'POST', `/api/cluster/nodes/${to}/restart`)).status, 409, 'already running');
  t.equal((await http(port(other), 'POST', '/api/cluster/nodes/7/kill')).status, 404);

  t.equal((await http(port(other), 'POST', `/api/cluster/nodes/${to}/isolate`)).status, 200);
  t.equal((await http(port(other), 'POST', '/api/cluster/heal')).status, 200);
  await producer.send({ topic: 'moving', messages: [{ value: 'after-heal' }], acks: -1 });
  const [offsets] = await admin.fetchTopicOffsets('moving');
  t.equal(Number(offsets.high), 4, 'every send stored once');
});
