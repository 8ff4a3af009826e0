// The follower's side of KIP-320, as Kafka's fetcher computes it: lastFetchedEpoch is the epoch of
// the log's last batch (a leadership that ended with no append leaves an empty epoch at the end,
// which the follower must not name, or the leader would answer a divergence with nothing to cut);
// the truncation point is the smaller of the leader's and the follower's end offsets of the
// epoch the leader names. And the fetcher's back-off: a leader that has not yet taken the
// leadership our metadata names (it replays the record moments after us) is asked again soon,
// while other errors wait replica.fetch.backoff.ms as in Kafka.
import t from 'tap';
import type { NodeClient } from '../../src/network/node-client.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import type { FetchResponse, FetchResponsePartitionData } from '../../src/protocol/generated/fetch-response.js';
import { Partition } from '../../src/replica/partition.js';
import { lastFetchedEpoch, ReplicaFetcherManager, truncationOffset } from '../../src/replica/replica-fetcher.js';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { batch, logConfig } from '../storage/helpers.js';

async function newLog(t: Tap.Test) {
  const engine = new MemoryStorageEngine(true);
  await engine.open();
  t.teardown(() => engine.close());
  return engine.create('t', 0, logConfig());
}

t.test('lastFetchedEpoch: the epoch of the last batch, not an empty one at the end', async (t) => {
  const log = await newLog(t);
  t.equal(lastFetchedEpoch(log), -1, 'an empty log');
  await log.assignLeaderEpoch(1, 0);
  t.equal(lastFetchedEpoch(log), -1, 'an epoch with no batch yet');
  await log.append(batch(3), { now: 0 });
  t.equal(lastFetchedEpoch(log), 1);
  // Led in epochs 4 and 6 without appending anything.
  await log.assignLeaderEpoch(4, 3);
  await log.assignLeaderEpoch(6, 3);
  t.equal(log.leaderEpoch, 6);
  t.equal(lastFetchedEpoch(log), 1, 'epochs 4 and 6 hold nothing');
  await log.append(batch(2), { now: 0 });
  t.equal(lastFetchedEpoch(log), 6);
});

t.test("truncation: the smaller of both logs' ends of the epoch the leader names", async (t) => {
  const log = await newLog(t);
  await log.assignLeaderEpoch(1, 0);
  await log.append(batch(5), { now: 0 });
  await log.assignLeaderEpoch(2, 5);
  await log.append(batch(5), { now: 0 });
  const p = new Partition(2, 'id', log);
  t.equal(truncationOffset(p, 1, 3), 3, 'the leader ended epoch 1 earlier');
  t.equal(truncationOffset(p, 1, 7), 5, 'this log ended epoch 1 earlier');
  t.equal(truncationOffset(p, 2, 8), 8);
});

t.test('a leader behind our metadata is fetched from again soon; a fencing error waits replica.fetch.backoff.ms', async (t) => {
  const engine = new MemoryStorageEngine(true);
  await engine.open();
  t.teardown(() => engine.close());
  const topicId = 'AAAAAAAAAAAAAAAAAAAAAQ';
  // Broker 2 follows broker 1 in epoch 3 for t-0 and t-1.
  const parts: Partition[] = [];
  for (const i of [0, 1]) {
    const p = new Partition(2, topicId, await engine.create('t', i, logConfig()));
    p.leaderId = 1;
    p.leaderEpoch = 3;
    parts.push(p);
  }
  // Per partition, the answers in turn: t-0's leader says our epoch is stale (we must wait for
  // the metadata), t-1's has not caught up with it yet, twice, then serves it.
  const script: Record<number, number[]> = {
    0: [ErrorCode.FENCED_LEADER_EPOCH],
    1: [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.NONE],
  };
  const fetched: number[][] = [];
  let release!: () => void;
  const parked = new Promise<void>((r) => (release = r));
  let served!: () => void;
  const t1Served = new Promise<void>((r) => (served = r));
  const client = {
    setEndpoint() {},
    async send(_to: number, _req: unknown, _res: unknown, _v: number, req: FetchRequest): Promise<FetchResponse> {
      const asked = req.topics.flatMap((x) => x.partitions.map((p) => p.partition));
      t.ok(req.topics.every((x) => x.partitions.every((p) => p.currentLeaderEpoch === 3)), 'fetches in epoch 3');
      if (fetched.length >= 4) {
        // Served: later fetches long-poll until the test ends.
        await parked;
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, responses: [] };
      }
      fetched.push(asked);
      const partitions: FetchResponsePartitionData[] = asked.map((i) => {
        const errorCode = script[i].shift() ?? ErrorCode.NONE;
        if (i === 1 && errorCode === ErrorCode.NONE) served();
        return { partitionIndex: i, errorCode, highWatermark: 0, lastStableOffset: 0, logStartOffset: 0, abortedTransactions: null, records: null };
      });
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, responses: [{ topicId, partitions }] };
    },
  } as unknown as NodeClient;
  // A backoff far beyond the test's timeout: only the short retry can bring t-1's later fetches.
  const manager = new ReplicaFetcherManager(
    client,
    { nodeId: 2, brokerEpoch: () => 7, endpoint: () => ({ host: '127.0.0.1', port: 1 }) },
    { maxWaitMs: 500, minBytes: 1, maxBytes: 1 << 20, partitionMaxBytes: 1 << 20, backoffMs: 600_000, requestTimeoutMs: 30_000 },
  );
  t.teardown(() => {
    manager.close();
    release();
  });
  // The first add starts the fetcher, whose first request (t-0 alone) is built at once.
  for (const p of parts) manager.add(p);
  await t1Served;
  t.same(
    fetched,
    [[0], [1], [1], [1]],
    't-1, added while t-0 was in flight, fetched at once, and again after each answer from a leader behind our epoch; t-0 left alone after FENCED_LEADER_EPOCH',
  );
});
