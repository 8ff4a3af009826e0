// DescribeLogDirs and AlterReplicaLogDirs on a broker with two log dirs (Kafka's log.dirs), raw
// requests: both dirs listed in config order with the partitions each holds, the error codes of
// Kafka's alterReplicaLogDirs (INVALID_TOPIC_EXCEPTION, LOG_DIR_NOT_FOUND,
// UNKNOWN_TOPIC_OR_PARTITION), a move to the other dir, and the
// moved partition still produced to and fetched from at the same offsets.
import t from 'tap';
import path from 'node:path';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { WireConnection } from '../helpers/wire.js';
import { buildBatch, produceRaw } from '../helpers/batch-builder.js';
import { codecRequest } from '../metadata/helpers.js';

let b: RunningBroker;
let dirs: string[];
const q = (name: string, version: number, body: unknown) => codecRequest(b.host, b.port, name, version, body);
const LONG = 'l'.repeat(214);

t.before(async () => {
  const root = tempDir(t);
  dirs = [path.join(root, 'a'), path.join(root, 'b')];
  b = await startBroker({ port: 0, logDirs: dirs });
  await b.broker.createTopic('two', 2, {});
  await b.broker.createTopic(LONG, 1, {});
});
t.teardown(() => b?.close());

async function where(topic: string, partition: number): Promise<{ dir: string; isFuture: boolean; size: number }[]> {
  const r = await q('DescribeLogDirs', 4, { topics: [{ topic, partitions: [partition] }] });
  return r.results.flatMap((d: any) => d.topics.flatMap((x: any) => x.partitions.map((p: any) => ({ dir: d.logDir, isFuture: p.isFutureKey, size: p.partitionSize }))));
}

t.test('DescribeLogDirs lists each dir with its partitions', async (t) => {
  const r = await q('DescribeLogDirs', 4, { topics: null });
  t.equal(r.errorCode, 0);
  t.same(r.results.map((d: any) => d.logDir), dirs, 'both dirs, absolute, in config order');
  t.ok(r.results.every((d: any) => d.errorCode === 0 && d.totalBytes > 0 && d.usableBytes > 0));
  const held = r.results.map((d: any) => d.topics.flatMap((x: any) => x.partitions.map((p: any) => `${x.name.slice(0, 5)}-${p.partitionIndex}`)).sort());
  t.same(held, [['lllll-0', 'two-0'], ['two-1']], 'the dir with the fewest logs first, a tie to the first: two-0 in a, two-1 in b, the long one in a');
});

t.test('AlterReplicaLogDirs error codes', async (t) => {
  const r = await q('AlterReplicaLogDirs', 2, {
    dirs: [
      { path: '/nonexistent', topics: [{ name: 'two', partitions: [0] }] },
      { path: dirs[1], topics: [{ name: 'nope', partitions: [0] }, { name: 'two', partitions: [9] }, { name: LONG, partitions: [0] }] },
      { path: `${dirs[0]}/`, topics: [{ name: 'two', partitions: [1] }] },
    ],
  });
  t.same(r.results, [
    { topicName: LONG, partitions: [{ partitionIndex: 0, errorCode: 17 }] },
    { topicName: 'nope', partitions: [{ partitionIndex: 0, errorCode: 3 }] },
    { topicName: 'two', partitions: [{ partitionIndex: 0, errorCode: 57 }, { partitionIndex: 1, errorCode: 57 }, { partitionIndex: 9, errorCode: 3 }] },
  ], 'a name too long for a future dir: INVALID_TOPIC_EXCEPTION; unknown dir (or not its exact path): LOG_DIR_NOT_FOUND; unknown partition: UNKNOWN_TOPIC_OR_PARTITION');
  const same = await q('AlterReplicaLogDirs', 1, { dirs: [{ path: dirs[1], topics: [{ name: 'two', partitions: [1] }] }] });
  t.same(same.results, [{ topicName: 'two', partitions: [{ partitionIndex: 1, errorCode: 0 }] }], 'to the dir it is in: NONE');
  t.same(await where('two', 1), [{ dir: dirs[1], isFuture: false, size: 0 }], 'and nothing moves');
});

t.test('a move: the partition ends up in the other dir and serves from there', async (t) => {
  const conn = await WireConnection.connect(b.host, b.port);
  t.teardown(() => conn.destroy());
  const value = Buffer.alloc(1000, 'v');
  for (let i = 0; i < 200; i++) t.same(await produceRaw(conn, 'two', 0, buildBatch([{ key: null, value, headers: [], timestamp: Date.now() }], 'none')), [0, i], `produce ${i}`);
  const before = await where('two', 0);
  t.same(before.map((x) => [x.dir, x.isFuture]), [[dirs[0], false]]);
  const r = await q('AlterReplicaLogDirs', 2, { dirs: [{ path: dirs[1], topics: [{ name: 'two', partitions: [0] }] }] });
  t.same(r.results, [{ topicName: 'two', partitions: [{ partitionIndex: 0, errorCode: 0 }] }]);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const w = await where('two', 0);
    if (w.length === 1 && w[0].dir === dirs[1] && !w[0].isFuture) {
      t.equal(w[0].size, before[0].size, 'the same bytes in the new dir');
      break;
    }
    if (Date.now() > deadline) throw new Error(`not moved: ${JSON.stringify(w)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  t.same(await produceRaw(conn, 'two', 0, buildBatch([{ key: null, value, headers: [], timestamp: Date.now() }], 'none')), [0, 200], 'produce goes on at the next offset');
  const fetched = await q('ListOffsets', 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'two', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] });
  t.equal(Number(fetched.topics[0].partitions[0].offset), 201, 'the log end');
});
