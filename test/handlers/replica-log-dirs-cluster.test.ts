// AlterReplicaLogDirs on a 3-node cluster whose nodes each have two log dirs: the leader's replica
// and a follower's replica of an RF=3, min.insync.replicas=2 partition move to their other dir while
// an idempotent acks=all kafkajs producer writes. The leader keeps its replica state across the swap
// (the ISR stays whole, acks=all completes), the follower keeps fetching into the moved log; every
// acknowledged record reads back once at its offset and the three logs end byte-identical.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { tempDir } from '../helpers/tmp.js';
import { codecRequest } from '../metadata/helpers.js';

t.setTimeout(300_000);

const TOPIC = 'moved';

function registration(c: RunningCluster, nodeId: number) {
  return c.node(nodeId).node?.metadata.image.topics.get(TOPIC)?.registrations.get(0);
}

/** Whole batches of a node's log, [log start, log end), as stored (read in as many steps as its segments take). */
async function logBytes(c: RunningCluster, nodeId: number): Promise<Buffer> {
  const l = c.node(nodeId).node!.broker!.partitionLog(TOPIC, 0)!;
  const out: Buffer[] = [];
  for (let offset = l.logStartOffset; offset < l.logEndOffset; ) {
    const r = await l.read(offset, 64 << 20, true, false, 'logEnd');
    const all = Buffer.concat(r.records);
    out.push(all);
    // The next offset follows the last batch: base offset + last offset delta + 1.
    let pos = 0;
    let last = offset;
    while (pos < all.length) {
      last = Number(all.readBigInt64BE(pos)) + all.readInt32BE(pos + 23);
      pos += 12 + all.readInt32BE(pos + 8);
    }
    offset = last + 1;
  }
  return Buffer.concat(out);
}

/** The dir (absolute) that holds the node's current replica, per DescribeLogDirs, and whether a future one exists. */
async function replicaDir(c: RunningCluster, nodeId: number): Promise<{ dir: string | null; future: boolean }> {
  const [host, port] = c.node(nodeId).bootstrap!.split(':');
  const r = await codecRequest(host, Number(port), 'DescribeLogDirs', 4, { topics: [{ topic: TOPIC, partitions: [0] }] });
  let dir: string | null = null;
  let future = false;
  for (const d of r.results) for (const x of d.topics) for (const p of x.partitions) if (p.isFutureKey) future = true; else dir = d.logDir;
  return { dir, future };
}

/** directory.id from a log dir's meta.properties. */
function directoryId(dir: string): string {
  return /^directory\.id=(.*)$/m.exec(readFileSync(path.join(dir, 'meta.properties'), 'utf8'))![1];
}

/** Whether every node's image names, for each replica, the dir its log is in (AssignReplicasToDirs). */
function assignmentsMatch(c: RunningCluster): boolean {
  return c.nodes.every((n) => {
    const reg = registration(c, n.nodeId);
    return reg !== undefined && reg.replicas.every((id, i) => {
      const l = c.node(id).node?.broker?.partitionLog(TOPIC, 0);
      return l !== undefined && reg.directories[i] === directoryId(path.dirname(l.dir as string));
    });
  });
}

t.test('moving the leader\'s and a follower\'s replica between log dirs under acks=all', async (t) => {
  const root = tempDir(t);
  const dirsOf = (id: number) => [path.join(root, `n${id}a`), path.join(root, `n${id}b`)];
  const c = await startCluster({ nodes: 3, dataDir: root, nodeConfig: (id) => ({ 'log.dirs': dirsOf(id).join(','), 'log.segment.bytes': '262144' }) });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'log-dirs-cluster', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 1000 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
  const placed = await waitUntil('the partition on every node, all in sync', 30_000, () => {
    const r = registration(c, 1);
    return c.nodes.every((n) => registration(c, n.nodeId)?.isr.length === 3) && r ? r : undefined;
  });
  const leader = placed!.leader;
  const follower = placed!.replicas.find((id) => id !== leader)!;
  // Created UNASSIGNED (each broker has two dirs): each broker tells the controller where its replica went.
  await waitUntil('the replicas\' dirs assigned (AssignReplicasToDirs)', 30_000, () => assignmentsMatch(c));
  t.pass('every replica\'s directory id in the partition registration');

  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const acked = new Map<string, number>();
  let sent = 0;
  let stop = false;
  const value = (n: number) => `m-${n}-`.padEnd(1000, 'x');
  const load = (async () => {
    while (!stop) {
      const batch = Array.from({ length: 10 }, () => value(sent++));
      const [r] = await producer.send({ topic: TOPIC, acks: -1, timeout: 30_000, messages: batch.map((v) => ({ value: v })) });
      batch.forEach((v, i) => acked.set(v, Number(r.baseOffset) + i));
    }
  })();
  await waitUntil('a few MiB written', 120_000, () => acked.size >= 3000);

  const targets = new Map<number, string>();
  for (const id of [leader, follower]) {
    const { dir } = await replicaDir(c, id);
    const to = dirsOf(id).find((d) => d !== dir)!;
    targets.set(id, to);
    const [host, port] = c.node(id).bootstrap!.split(':');
    const r = await codecRequest(host, Number(port), 'AlterReplicaLogDirs', 2, { dirs: [{ path: to, topics: [{ name: TOPIC, partitions: [0] }] }] });
    t.same(r.results, [{ topicName: TOPIC, partitions: [{ partitionIndex: 0, errorCode: 0 }] }], `node ${id} (${id === leader ? 'leader' : 'follower'}): the move is accepted`);
  }
  for (const [id, to] of targets) {
    await waitUntil(`node ${id}'s replica in ${to}`, 120_000, async () => {
      const w = await replicaDir(c, id);
      return w.dir === to && !w.future;
    });
  }
  const movedAt = acked.size;
  await waitUntil('more writes after the moves', 60_000, () => acked.size >= movedAt + 500);
  stop = true;
  await load;
  t.equal(registration(c, leader)!.leader, leader, 'the leader stayed');
  await waitUntil('the moved replicas\' dirs assigned', 30_000, () => assignmentsMatch(c));
  t.pass('the registration names the moved replicas\' new dirs');
  await waitUntil('every replica at the same log end, all in the ISR', 60_000, () => {
    const ends = c.nodes.map((n) => n.node!.broker!.partitionLog(TOPIC, 0)!.logEndOffset);
    return ends.every((e) => e === ends[0]) && registration(c, leader)!.isr.length === 3;
  });
  for (const [id, to] of targets) t.equal(path.dirname(c.node(id).node!.broker!.partitionLog(TOPIC, 0)!.dir as string), to, `node ${id} serves from the log in its new dir`);

  const reader = await KafkajsReader.connect(c.bootstrap.split(',')[0]);
  t.teardown(() => reader.close());
  const { messages } = await reader.readPartition(TOPIC, 0);
  const seen = new Map<string, number>();
  const duplicates: string[] = [];
  for (const m of messages) {
    const v = m.value!.toString();
    if (seen.has(v)) duplicates.push(v);
    seen.set(v, m.offset);
  }
  t.ok(acked.size > movedAt, `${acked.size} acknowledged, ${movedAt} by the end of the moves`);
  t.same([...acked.keys()].filter((v) => !seen.has(v)), [], 'no acknowledged write lost');
  t.same([...acked].filter(([v, o]) => seen.has(v) && seen.get(v) !== o), [], 'every acknowledged write at its acknowledged offset');
  t.same(duplicates, [], 'no duplicates');
  const bytes = await Promise.all(c.nodes.map((n) => logBytes(c, n.nodeId)));
  for (let i = 1; i < bytes.length; i++) t.ok(bytes[i].equals(bytes[0]), `node ${i + 1}'s log is byte-identical to node 1's (${bytes[i].length} bytes)`);
});

t.test('AssignReplicasToDirs errors, as the controller answers them', async (t) => {
  const root = tempDir(t);
  const c = await startCluster({ nodes: 2, dataDir: root, nodeConfig: (id) => ({ 'log.dirs': [`a${id}`, `b${id}`].map((d) => path.join(root, d)).join(',') }) });
  t.teardown(() => c.close());
  await waitUntil('both brokers registered', 30_000, () => c.leader()?.node?.metadata.image.cluster.brokers.size === 2 ? true : undefined);
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'assign-errors', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'one', replicaAssignment: [{ partition: 0, replicas: [1] }] }] });
  const image = () => c.leader()!.node!.metadata.image;
  const topicId = await waitUntil('the topic', 30_000, () => image().topics.get('one')?.topicId);
  const epoch = (id: number) => image().cluster.brokers.get(id)!.epoch;
  const [host, port] = c.bootstrapController.split(',').find((b) => b.endsWith(String(c.leader()!.spec.controllerPort)))!.split(':');
  const ask = (brokerId: number, brokerEpoch: number, topics: { topicId: string; partitions: number[] }[]) =>
    codecRequest(host, Number(port), 'AssignReplicasToDirs', 0, { brokerId, brokerEpoch, directories: [{ id: 'AAAAAAAAAAAAAAAAAAAAAQ', topics: topics.map((x) => ({ topicId: x.topicId, partitions: x.partitions.map((partitionIndex) => ({ partitionIndex })) })) }] });
  t.match(await ask(2, epoch(2) + 100, [{ topicId: topicId!, partitions: [0] }]), { errorCode: 77, directories: [] }, 'a stale broker epoch: STALE_BROKER_EPOCH for the whole request');
  const r = await ask(2, epoch(2), [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAg', partitions: [0] }, { topicId: topicId!, partitions: [0, 5] }]);
  t.equal(r.errorCode, 0);
  t.same(r.directories[0].topics.map((x: any) => x.partitions.map((p: any) => [p.partitionIndex, p.errorCode])), [[[0, 100]], [[0, 6], [5, 3]]], 'unknown topic id UNKNOWN_TOPIC_ID; not a replica NOT_LEADER_OR_FOLLOWER; unknown partition UNKNOWN_TOPIC_OR_PARTITION');
});
