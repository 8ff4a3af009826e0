// The metadata log is the only source of truth: a clean restart, a restart from a snapshot plus
// the log after it, and a restart with every snapshot deleted all rebuild the same image, field
// by field; logs that no topic owns are removed; producer ids stay unique across restarts.
import t from 'tap';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { plainImage } from './helpers.js';

const quiet = { logLevel: logLevel.NOTHING };

function withoutBrokers(image: ReturnType<typeof plainImage>) {
  const { brokers, ...rest } = image;
  return { ...rest, brokerIds: brokers.map(([id]) => id) };
}

async function start(dir: string, config: Record<string, string> = {}): Promise<RunningBroker> {
  return startBroker({ port: 0, dataDir: dir, config: { 'offsets.topic.num.partitions': '2', ...config } });
}

/** A mix of every kind of change an admin can make, through a real client. */
async function changeThings(b: RunningBroker, prefix: string) {
  const admin = new Kafka({ brokers: [b.bootstrap], ...quiet }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        { topic: `${prefix}-a`, numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }, { name: 'cleanup.policy', value: 'compact' }] },
        { topic: `${prefix}-b`, numPartitions: 1 },
        { topic: `${prefix}-gone`, numPartitions: 2 },
      ],
    });
    await admin.createPartitions({ topicPartitions: [{ topic: `${prefix}-b`, count: 4 }] });
    await admin.deleteTopics({ topics: [`${prefix}-gone`] });
  } finally {
    await admin.disconnect();
  }
}

t.test('a clean restart rebuilds the same topics, ids, partitions and configs', async (t) => {
  const dir = tempDir(t);
  let b = await start(dir);
  await changeThings(b, 'x');
  await b.broker.controller.allocateProducerId();
  const before = plainImage(b.broker.metadata.image);
  t.ok(before.topicNames.includes('x-a') && !before.topicNames.includes('x-gone'), 'the changes are in the image');
  t.notOk(existsSync(path.join(dir, 'x-gone-0')), 'a deleted topic\'s data is removed');
  await b.close();

  b = await start(dir);
  t.teardown(() => b.close());
  const after = plainImage(b.broker.metadata.image);
  t.same(withoutBrokers(after), withoutBrokers(before), 'same image after restart (brokers re-register with a new port)');
  t.equal(after.clusterId, before.clusterId, 'cluster id from meta.properties');
  t.equal(b.broker.metadata.image.topics.get('x-b')!.partitions, 4, 'added partitions survive');
  for (let p = 0; p < 4; p++) t.ok(b.broker.partitionLog('x-b', p), `log x-b-${p} exists`);
});

t.test('restart from a snapshot plus a log tail, and with every snapshot deleted', async (t) => {
  const dir = tempDir(t);
  let b = await start(dir);
  await changeThings(b, 's1');
  const snap = await b.broker.metadata.snapshots!.snapshotNow();
  t.ok(snap && snap.offset > 0, `snapshot written at offset ${snap?.offset}`);
  await changeThings(b, 's2');
  const before = plainImage(b.broker.metadata.image);
  await b.close();

  const metaDir = path.join(dir, '__cluster_metadata-0');
  const snapshots = readdirSync(metaDir).filter((n) => n.endsWith('.checkpoint'));
  t.same(snapshots, [`${String(snap!.offset).padStart(20, '0')}-0000000000.checkpoint`], 'Kafka\'s snapshot file name: <offset>-<epoch>.checkpoint');

  b = await start(dir);
  t.equal(b.broker.metadata.loadedSnapshotOffset, snap!.offset, 'start-up loaded the snapshot');
  t.same(withoutBrokers(plainImage(b.broker.metadata.image)), withoutBrokers(before), 'snapshot + tail gives the same image');
  await b.close();

  for (const n of snapshots) rmSync(path.join(metaDir, n));
  b = await start(dir);
  t.teardown(() => b.close());
  t.equal(b.broker.metadata.loadedSnapshotOffset, -1, 'no snapshot left: replayed from offset 0');
  t.same(withoutBrokers(plainImage(b.broker.metadata.image)), withoutBrokers(before), 'the log alone gives the same image');
});

t.test('a torn newest snapshot is skipped for the log', async (t) => {
  const dir = tempDir(t);
  let b = await start(dir);
  await changeThings(b, 'torn');
  const snap = await b.broker.metadata.snapshots!.snapshotNow();
  const before = plainImage(b.broker.metadata.image);
  await b.close();
  const file = path.join(dir, '__cluster_metadata-0', `${String(snap!.offset).padStart(20, '0')}-0000000000.checkpoint`);
  writeFileSync(file, Buffer.from('not a snapshot'));
  b = await start(dir);
  t.teardown(() => b.close());
  t.equal(b.broker.metadata.loadedSnapshotOffset, -1, 'the torn snapshot was not used');
  t.same(withoutBrokers(plainImage(b.broker.metadata.image)), withoutBrokers(before), 'same image from the log');
});

t.test('a partition log no topic owns is removed at start', async (t) => {
  const dir = tempDir(t);
  let b = await start(dir);
  await changeThings(b, 'st');
  await b.close();
  mkdirSync(path.join(dir, 'ghost-0'));
  mkdirSync(path.join(dir, 'st-a-7'));
  b = await start(dir);
  t.teardown(() => b.close());
  t.notOk(existsSync(path.join(dir, 'ghost-0')), 'a topic the metadata log does not have');
  t.notOk(existsSync(path.join(dir, 'st-a-7')), 'a partition the topic does not have');
  t.ok(existsSync(path.join(dir, 'st-a-2')), 'real partitions stay');
  t.notOk(b.broker.partitionLog('ghost', 0), 'not served');
});

t.test('producer ids stay unique across restarts', async (t) => {
  const dir = tempDir(t);
  const seen = new Set<number>();
  for (let round = 0; round < 3; round++) {
    const b = await start(dir);
    for (let i = 0; i < 5; i++) {
      const id = await b.broker.controller.allocateProducerId();
      t.notOk(seen.has(id), `round ${round}: id ${id} is new`);
      seen.add(id);
    }
    await b.close();
  }
});

t.test('a second start of the same dir keeps the cluster id and refuses another node id', async (t) => {
  const dir = tempDir(t);
  let b = await start(dir);
  const clusterId = b.broker.clusterId;
  t.match(clusterId, /^[A-Za-z0-9_-]{22}$/, 'a Kafka Uuid');
  await b.close();
  b = await start(dir);
  t.equal(b.broker.clusterId, clusterId, 'same cluster id');
  await b.close();
  await t.rejects(start(dir, { 'node.id': '2' }), /Stored node id 1 doesn't match previous node id 2/);
});

t.test('snapshots are taken on their own once enough metadata bytes are written', async (t) => {
  const dir = tempDir(t);
  let b = await start(dir, { 'metadata.log.max.record.bytes.between.snapshots': '2000' });
  const metaDir = path.join(dir, '__cluster_metadata-0');
  t.same(readdirSync(metaDir).filter((n) => n.endsWith('.checkpoint')), [], 'none at first');
  for (let i = 0; i < 5; i++) await b.broker.createTopic(`auto-${i}`, 8, { 'retention.ms': String(1000 + i) });
  await b.broker.metadata.close();
  const taken = readdirSync(metaDir).filter((n) => n.endsWith('.checkpoint'));
  t.ok(taken.length >= 1 && taken.length <= 2, `snapshots written, at most two kept (${taken})`);
  const before = plainImage(b.broker.metadata.image);
  await b.close();
  b = await start(dir);
  t.teardown(() => b.close());
  t.ok(b.broker.metadata.loadedSnapshotOffset > 0, 'start-up used the newest one');
  t.same(withoutBrokers(plainImage(b.broker.metadata.image)), withoutBrokers(before));
});
