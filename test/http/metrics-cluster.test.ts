// /metrics on a startCluster of 3 combined nodes, each with its own HTTP port
// (samsa.http.port=0): exactly one node reports kafka_controller_kafkacontroller_activecontrollercount 1
// (the quorum leader), leaders are counted once across the brokers, every broker has a replica of
// each partition, and when a node is cut off the leaders' under-replicated partitions rise to the
// partition count, then fall back to 0 once it is healed and back in the ISR.
import t from 'tap';
import http from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(280_000);

const TOPIC = 'metered-rep';
const PARTITIONS = 3;

interface Family { name: string; type: string; metrics: { value?: string; labels?: Record<string, string> }[] }

function scrape(port: number): Promise<Map<string, Family>> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`/metrics answered ${res.statusCode}`));
        resolve(new Map((parsePrometheusTextFormat(body) as Family[]).map((f) => [f.name, f])));
      });
    }).on('error', reject);
  });
}

function gauge(m: Map<string, Family>, name: string): number {
  const s = m.get(name)?.metrics.find((x) => !x.labels || Object.keys(x.labels).length === 0);
  if (s?.value === undefined) throw new Error(`no ${name}`);
  return Number(s.value);
}

async function gauges(c: RunningCluster, ids: number[], name: string): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const id of ids) out.set(id, gauge(await scrape(c.node(id).httpPort!), name));
  return out;
}

const total = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);

t.test('controller and replica gauges across a 3-node cluster', async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t), config: { 'samsa.http.port': '0', 'replica.lag.time.max.ms': '2000', 'replica.socket.timeout.ms': '3000' } });
  t.teardown(() => c.close());
  const ids = c.nodes.map((n) => n.nodeId);
  const ports = c.nodes.map((n) => n.httpPort);
  t.ok(ports.every((p) => p !== null && p > 0), `each node has an HTTP port (${ports})`);
  t.equal(new Set(ports).size, 3, 'its own');

  const leader = await waitUntil('a quorum leader', 30_000, () => c.leader());
  const active = await waitUntil('one active controller in /metrics', 60_000, async () => {
    const g = await gauges(c, ids, 'kafka_controller_kafkacontroller_activecontrollercount');
    return total(g) === 1 && g.get(leader.nodeId) === 1 ? g : undefined;
  });
  t.same([...active.entries()].filter(([, v]) => v === 1).map(([id]) => id), [leader.nodeId], `only the quorum leader (node ${leader.nodeId}) reports 1`);

  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'metrics-cluster', logLevel: logLevel.NOTHING, connectionTimeout: 10_000 });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }] });

  // Every partition in the cluster (the topic and any internal one) as the brokers' images agree.
  const inSync = () => {
    const image = c.node(ids[0]).node!.broker!.image;
    const regs = [...image.topics.all()].flatMap((x) => [...x.registrations.values()]);
    return regs.length >= PARTITIONS && regs.every((r) => r.isr.length === r.replicas.length && r.leader >= 0) ? regs.length : undefined;
  };
  const partitions = await waitUntil('every partition in sync', 60_000, inSync);
  const leaders = await waitUntil('leaders counted once across the brokers', 60_000, async () => {
    const g = await gauges(c, ids, 'kafka_server_replicamanager_leadercount');
    return total(g) === partitions ? g : undefined;
  });
  t.equal(total(leaders), partitions, `leader counts add up to the ${partitions} partitions`);
  const replicas = await gauges(c, ids, 'kafka_server_replicamanager_partitioncount');
  t.same([...replicas.values()], [partitions, partitions, partitions], 'each broker has a replica of every partition (replication factor 3)');
  t.equal(total(await gauges(c, ids, 'kafka_server_replicamanager_underreplicatedpartitions')), 0, 'none under-replicated');
  t.equal(total(await gauges(c, ids, 'kafka_controller_kafkacontroller_offlinepartitionscount')), 0, 'none offline');
  // Followers fetch from the leaders: counted under FetchFollower, not as consumers' bytes out.
  const followerFetches = await waitUntil('follower fetches in /metrics', 60_000, async () => {
    let n = 0;
    for (const id of ids) {
      const m = await scrape(c.node(id).httpPort!);
      n += (m.get('kafka_network_requestmetrics_requests_total')?.metrics ?? []).filter((s) => s.labels?.request === 'FetchFollower').reduce((a, s) => a + Number(s.value), 0);
    }
    return n > 0 ? n : undefined;
  });
  t.ok(followerFetches > 0, `follower fetches counted under FetchFollower (${followerFetches})`);

  // Cut one node off (not the quorum leader): the others' leaders drop it from every ISR.
  const cut = ids.find((id) => id !== leader.nodeId)!;
  const rest = ids.filter((id) => id !== cut);
  c.node(cut).isolate();
  const under = await waitUntil(`every partition under-replicated without node ${cut}`, 120_000, async () => {
    const g = await gauges(c, rest, 'kafka_server_replicamanager_underreplicatedpartitions');
    return total(g) === partitions ? g : undefined;
  });
  t.equal(total(under), partitions, `the remaining leaders report all ${partitions} partitions under-replicated`);
  t.equal(total(await gauges(c, rest, 'kafka_server_replicamanager_leadercount')), partitions, 'and lead them all');

  c.node(cut).heal();
  await waitUntil('the ISRs whole again in /metrics', 120_000, async () => {
    const g = await gauges(c, ids, 'kafka_server_replicamanager_underreplicatedpartitions');
    return total(g) === 0 ? true : undefined;
  });
  t.pass('healed: no partition under-replicated');
});
