// read_committed in a 3-node cluster (in-process, RF=3): transactions written on the leader (data
// batches and markers as its coordinator would leave them) reach the followers, whose producer
// state and aborted-transaction index replay them: each follower ends with the leader's LSO and
// aborted list. The leader is then killed; the new leader answers a read_committed Fetch with the
// same last stable offset, records and AbortedTransactions the old one did.
import t from 'tap';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { buildBatch } from '../../src/protocol/records/records.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { codecRequest } from '../metadata/helpers.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';
import { decodeAll } from '../storage/helpers.js';

t.setTimeout(240_000);

const TOPIC = 'rcc';
const broker = (c: RunningCluster, id: number) => c.node(id).node!.broker!;

function hostPort(c: RunningCluster, nodeId: number): [string, number] {
  const [host, port] = c.node(nodeId).bootstrap!.split(':');
  return [host, Number(port)];
}

const data = (value: string, producerId = -1, seq = -1, transactional = false) =>
  buildBatch({ records: [{ key: value, value, timestamp: Date.now() }], producerId, producerEpoch: producerId < 0 ? -1 : 0, baseSequence: seq, transactional });

async function fetchCommitted(c: RunningCluster, nodeId: number) {
  const res = await codecRequest(...hostPort(c, nodeId), 'Fetch', 12, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const p = res.responses[0].partitions[0];
  const records = p.records === null ? [] : Array.isArray(p.records) ? p.records : [p.records];
  return { errorCode: p.errorCode, lastStableOffset: p.lastStableOffset, aborted: p.abortedTransactions, offsets: (await decodeAll(records)).map((b) => b.baseOffset) };
}

t.test('followers replay transactions; after a failover the new leader serves read_committed alike', async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t), config: { 'transaction.partition.verification.enable': 'false' } });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  await waitUntil('the topic created', 60_000, async () => {
    const res = await codecRequest(...hostPort(c, 1), 'CreateTopics', 7, { topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
    const e = res.topics[0].errorCode;
    return e === ErrorCode.NONE || e === ErrorCode.TOPIC_ALREADY_EXISTS;
  });
  const leaderOf = (viewer: number) => broker(c, viewer).metadata.image.topics.get(TOPIC)?.registrations.get(0)?.leader ?? -1;
  const leader = await waitUntil('a leader hosting the partition', 60_000, () => {
    const l = leaderOf(1);
    return l >= 0 && broker(c, l).partitionLog(TOPIC, 0) ? l : undefined;
  });
  const log = broker(c, leader).partitionLog(TOPIC, 0)!;
  // 0 plain | 1 pid 500 (aborted) | 2 pid 600 (committed) | 3 ABORT 500 | 4 COMMIT 600 | 5 pid 700 (open) | 6 plain
  await log.append(data('a'), { now: Date.now() });
  await log.append(data('x', 500, 0, true), { now: Date.now() });
  await log.append(data('c', 600, 0, true), { now: Date.now() });
  await log.appendMarker({ producerId: 500, producerEpoch: 0, commit: false, coordinatorEpoch: 3 });
  await log.appendMarker({ producerId: 600, producerEpoch: 0, commit: true, coordinatorEpoch: 3 });
  await log.append(data('open', 700, 0, true), { now: Date.now() });
  await log.append(data('d'), { now: Date.now() });
  await waitUntil('the high watermark at the log end', 60_000, () => (log.highWatermark === 7 ? true : undefined));
  t.equal(log.lastStableOffset, 5, 'leader: pid 700 holds the LSO');

  const followers = [1, 2, 3].filter((id) => id !== leader);
  for (const f of followers) {
    const fl = await waitUntil(`broker ${f}'s replica caught up`, 60_000, () => {
      const l = broker(c, f).partitionLog(TOPIC, 0);
      return l && l.logEndOffset === 7 && l.highWatermark === 7 ? l : undefined;
    });
    t.equal(fl.lastStableOffset, 5, `follower ${f}: the same LSO`);
    t.same(fl.abortedTransactions(0, 7), [{ producerId: 500, firstOffset: 1 }], `follower ${f}: the same aborted list`);
    t.equal(fl.activeProducers().find((p) => p.producerId === 700)?.currentTxnStartOffset, 5, `follower ${f}: pid 700's transaction open`);
  }
  const before = await fetchCommitted(c, leader);
  t.same(before, { errorCode: 0, lastStableOffset: 5, aborted: [{ producerId: 500, firstOffset: 1 }], offsets: [0, 1, 2, 3, 4] }, 'the leader answers read_committed');

  await c.node(leader).kill();
  const viewer = followers[0];
  const next = await waitUntil('a new leader', 60_000, () => {
    const l = leaderOf(viewer);
    return l >= 0 && l !== leader ? l : undefined;
  });
  const after = await waitUntil('the new leader serving the partition', 60_000, async () => {
    const r = await fetchCommitted(c, next).catch(() => undefined);
    return r && r.errorCode === 0 ? r : undefined;
  });
  t.same(after, before, `the new leader (broker ${next}) answers the same`);
});
