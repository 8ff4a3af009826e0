// read_committed over a real socket: transactions written straight into the partition log (the
// batches and markers a transactional producer and its coordinator leave), then Fetch,
// ListOffsets and DescribeProducers asked as clients ask, and kafkajs's own consumer (which
// reads read_committed by default and drops aborted batches using AbortedTransactions) reading
// exactly the committed records. Expectations are Kafka's rules: records only below the last
// stable offset, LastStableOffset reported at both isolation levels, AbortedTransactions (null
// for read_uncommitted) naming the aborted transactions whose data may be in what was read.
// Kafka 4.4.0's Java consumer reads it too.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import { ListOffsetsRequest } from '../../src/protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse } from '../../src/protocol/generated/list-offsets-response.js';
import { DescribeProducersRequest } from '../../src/protocol/generated/describe-producers-request.js';
import { DescribeProducersResponse } from '../../src/protocol/generated/describe-producers-response.js';
import { buildBatch } from '../../src/protocol/records/records.js';
import { startBroker, type RunningBroker } from '../../src/index.js';
import type { PartitionLog } from '../../src/storage/types.js';
import { GroupWire } from '../coordinator/group-wire.js';
import { decodeAll } from '../storage/helpers.js';
import { withTimeout } from '../helpers/timeout.js';
import { kafkaToolIO } from '../helpers/kafka-tool.js';

const now = Date.now();
const batch = (values: string[], producerId = -1, producerEpoch = -1, baseSequence = -1, transactional = false) =>
  buildBatch({ records: values.map((v) => ({ key: v, value: v, timestamp: now })), producerId, producerEpoch, baseSequence, transactional });

let b: RunningBroker;
let c: GroupWire;
let log: PartitionLog;
t.before(async () => {
  b = await startBroker({ port: 0, memory: true });
  await b.broker.createTopic('rc', 1, {});
  log = b.broker.partitionLog('rc', 0)!;
  // 0-1 plain | 2-3 pid 100 (aborted) | 4 pid 200 (committed) | 5 ABORT 100 | 6 COMMIT 200 | 7 pid 300 (open) | 8 plain
  await log.append(batch(['a', 'b']), { now });
  await log.append(batch(['x1', 'x2'], 100, 0, 0, true), { now });
  await log.append(batch(['c'], 200, 0, 0, true), { now });
  await log.appendMarker({ producerId: 100, producerEpoch: 0, commit: false, coordinatorEpoch: 5 });
  await log.appendMarker({ producerId: 200, producerEpoch: 0, commit: true, coordinatorEpoch: 5 });
  await log.append(batch(['later'], 300, 1, 0, true), { now });
  await log.append(batch(['d']), { now });
  c = await GroupWire.connect(t, b);
});
t.teardown(() => b.close());

const fetch = (version: number, isolationLevel: number, fetchOffset: number) =>
  c.call(FetchRequest, FetchResponse, version, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: 'rc', topicId: b.broker.topics.get('rc')!.topicId, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, logStartOffset: -1 }] }],
    forgottenTopicsData: [],
    rackId: '',
  });

async function offsetsRead(records: Buffer | Buffer[] | null): Promise<number[]> {
  const bufs = records === null ? [] : Array.isArray(records) ? records : [records];
  return (await decodeAll(bufs)).map((x) => x.baseOffset);
}

for (const version of [4, 12, 16]) {
  t.test(`Fetch v${version}: read_committed stops at the LSO and lists the aborted transactions`, async (t) => {
    const rc = (await fetch(version, 1, 0)).responses[0].partitions[0];
    t.equal(rc.errorCode, 0);
    t.equal(rc.highWatermark, 9);
    t.equal(rc.lastStableOffset, 7, 'LSO: the open transaction of pid 300');
    t.same(await offsetsRead(rc.records), [0, 2, 4, 5, 6], 'batches below the LSO only');
    t.same(rc.abortedTransactions, [{ producerId: 100, firstOffset: 2 }]);

    const ru = (await fetch(version, 0, 0)).responses[0].partitions[0];
    t.equal(ru.lastStableOffset, 7, 'read_uncommitted is told the LSO too');
    t.same(await offsetsRead(ru.records), [0, 2, 4, 5, 6, 7, 8], 'read_uncommitted reads to the high watermark');
    t.equal(ru.abortedTransactions, null, 'no aborted list for read_uncommitted');

    const later = (await fetch(version, 1, 6)).responses[0].partitions[0];
    t.same(later.abortedTransactions, [], 'the abort marker lies before the fetch offset');
    const atLso = (await fetch(version, 1, 7)).responses[0].partitions[0];
    t.same(await offsetsRead(atLso.records), [], 'nothing to read at the LSO');
    t.equal(atLso.lastStableOffset, 7);
  });
}

t.test('ListOffsets latest: the LSO for read_committed, the high watermark otherwise', async (t) => {
  const latest = async (isolationLevel: number) => {
    const r = await c.call(ListOffsetsRequest, ListOffsetsResponse, 7, {
      replicaId: -1,
      isolationLevel,
      topics: [{ name: 'rc', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }],
    });
    return r.topics[0].partitions[0].offset;
  };
  t.equal(await latest(1), 7);
  t.equal(await latest(0), 9);
});

t.test('DescribeProducers: the open transaction start offset and the marker coordinator epoch', async (t) => {
  const r = await c.call(DescribeProducersRequest, DescribeProducersResponse, 0, { topics: [{ name: 'rc', partitionIndexes: [0] }] });
  const producers = new Map(r.topics[0].partitions[0].activeProducers.map((p) => [p.producerId, p]));
  t.equal(producers.get(300)?.currentTxnStartOffset, 7);
  t.equal(producers.get(300)?.producerEpoch, 1);
  t.equal(producers.get(200)?.currentTxnStartOffset, -1, 'committed: no open transaction');
  t.equal(producers.get(200)?.coordinatorEpoch, 5);
  t.equal(producers.get(100)?.coordinatorEpoch, 5);
});

t.test("Kafka 4.4.0's Java consumer (ConsoleConsumer --isolation-level read_committed) reads the committed records only", async (t) => {
  const read = await kafkaToolIO('org.apache.kafka.tools.consumer.ConsoleConsumer', [
    '--bootstrap-server', b.bootstrap, '--topic', 'rc', '--partition', '0', '--offset', 'earliest',
    '--isolation-level', 'read_committed', '--timeout-ms', '5000',
  ]);
  t.same(read.out.split('\n').filter((l) => l), ['a', 'b', 'c'], 'no aborted record, nothing at or past the LSO', { err: read.err.slice(-2000) });
  const all = await kafkaToolIO('org.apache.kafka.tools.consumer.ConsoleConsumer', [
    '--bootstrap-server', b.bootstrap, '--topic', 'rc', '--partition', '0', '--offset', 'earliest',
    '--isolation-level', 'read_uncommitted', '--timeout-ms', '5000',
  ]);
  t.same(all.out.split('\n').filter((l) => l), ['a', 'b', 'x1', 'x2', 'c', 'later', 'd'], 'read_uncommitted: every data record, no control record');
});

t.test("kafkajs's consumer (read_committed) sees exactly the committed records, and the rest once pid 300 commits", async (t) => {
  const kafka = new Kafka({ clientId: 'rc', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: 'rc-reader', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'rc', fromBeginning: true });
  const seen: string[] = [];
  let waiting: { until: string; done: () => void } | null = null;
  let reachedC!: () => void;
  const first = new Promise<void>((r) => (reachedC = r));
  waiting = { until: 'c', done: reachedC };
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(message.value!.toString());
      if (waiting && message.value!.toString() === waiting.until) waiting.done();
    },
  });
  await withTimeout(first, 30_000, 'kafkajs reading up to the LSO');
  // Give it time to (wrongly) read past the LSO: it must not.
  await new Promise((r) => setTimeout(r, 500));
  t.same(seen, ['a', 'b', 'c'], 'the aborted records are dropped, the open transaction not read');
  let reachedD!: () => void;
  const second = new Promise<void>((r) => (reachedD = r));
  waiting = { until: 'd', done: reachedD };
  await log.appendMarker({ producerId: 300, producerEpoch: 1, commit: true, coordinatorEpoch: 5 });
  await withTimeout(second, 30_000, 'kafkajs reading past the commit');
  t.same(seen, ['a', 'b', 'c', 'later', 'd']);
});
