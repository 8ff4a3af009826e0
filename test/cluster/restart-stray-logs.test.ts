// A cluster node restarted soon after a topic was created (issue #14): its first image is the
// metadata it had committed locally (snapshot + log up to the saved high watermark), which may
// predate the topic. It must keep that topic's log (with every replica restarted in that window,
// acknowledged records would be lost), and remove logs no partition owns only once it caught up
// with the quorum (Kafka finds stray replicas at its first publish after the initial catch-up).
// Reproduced deterministically: the restarted node's saved metadata high watermark is set back
// to before the TopicRecord while it is down.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import type { ReplicaManager } from '../../src/replica/replica-manager.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(240_000);

const TOPIC = 'fo';
const NODE = 3;
const RECORDS = 30;

function logDir(c: RunningCluster, nodeId: number): string {
  return c.node(nodeId).spec.config['log.dirs'] ?? c.node(nodeId).spec.dataDir;
}

/** The replication-offset-checkpoint under `dir` that holds the metadata log's high watermark. */
function metadataCheckpoint(dir: string): string {
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && e.name === 'replication-offset-checkpoint') {
      const file = path.join(e.parentPath, e.name);
      if (/^__cluster_metadata 0 \d+$/m.test(fs.readFileSync(file, 'utf8'))) return file;
    }
  }
  throw new Error(`no metadata high watermark checkpoint under ${dir}`);
}

t.test('a node restarted with its committed metadata predating a topic keeps the topic log and its records', async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t), config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500' } });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'restart-stray-logs', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await waitUntil('every broker registered on node 3', 30_000, () => c.node(NODE).node!.metadata.image.cluster.brokers.size === 3);

  // What node 3 had committed before the topic existed.
  const before = c.node(NODE).node!.metadata.replayedOffset;
  // The only replica is node 3: nothing could fetch a lost log back.
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [NODE] }] }] });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: RECORDS }, (_, i) => ({ value: `v-${i}` })) });

  await c.node(NODE).stop();
  const dir = logDir(c, NODE);
  t.ok(fs.existsSync(path.join(dir, `${TOPIC}-0`)), 'node 3 holds the log when it stops');
  // Its saved metadata high watermark goes back to before the TopicRecord (as if it had stopped
  // before learning that the topic's records were committed).
  const checkpoint = metadataCheckpoint(dir);
  const saved = Number(/^__cluster_metadata 0 (\d+)$/m.exec(fs.readFileSync(checkpoint, 'utf8'))![1]);
  t.ok(saved > before + 1, `the saved metadata high watermark ${saved} is past the topic's creation (after offset ${before})`);
  fs.writeFileSync(checkpoint, fs.readFileSync(checkpoint, 'utf8').replace(/^__cluster_metadata 0 \d+$/m, `__cluster_metadata 0 ${before + 1}`));
  // A log no partition owns (left by a crash between a RemoveTopicRecord and the data's removal):
  // the replica layer removes it once caught up.
  fs.cpSync(path.join(dir, `${TOPIC}-0`), path.join(dir, 'ghost-0'), { recursive: true });

  await c.node(NODE).restart();
  const node = c.node(NODE).node!;
  const replicas = node.broker!.replicas as ReplicaManager;
  await waitUntil('node 3 leads fo-0 again', 60_000, () => replicas.partition(TOPIC, 0)?.isLeader);
  const l = node.broker!.partitionLog(TOPIC, 0)!;
  t.equal(l.logEndOffset, RECORDS, 'the log kept its records across the restart');
  await waitUntil('the stray log removed after the catch-up', 30_000, () => !fs.existsSync(path.join(dir, 'ghost-0')));
  t.notOk(node.broker!.partitionLog('ghost', 0), 'the stray log is gone from the engine');

  // And a consumer reads every acknowledged record.
  const consumer = kafka.consumer({ groupId: 'restart-stray-logs' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await waitUntil(() => `${RECORDS} records consumed (got ${seen.length})`, 60_000, () => seen.length >= RECORDS);
  t.same(seen, Array.from({ length: RECORDS }, (_, i) => `v-${i}`), 'every acknowledged record, in order');
});
