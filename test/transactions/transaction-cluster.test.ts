// One transaction across a 3-node cluster (in-process, RF=3), as a KIP-890 client runs it: the
// transaction coordinator, a partition's leader and the group coordinator may be three brokers.
// A Produce v11 to a partition led away from the coordinator is verified there with
// AddPartitionsToTxn v5 (not in the transaction: TRANSACTION_ABORTABLE), a Produce v12 adds it,
// a TxnOffsetCommit v5 adds the group's __consumer_offsets partition through the group coordinator's
// broker, and EndTxn's COMMIT markers reach both: the partition ends with the marker on every
// replica and the group serves the offset as committed.
import t from 'tap';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { buildBatch } from '../../src/protocol/records/records.js';
import { readBatchHeader, isControl, batchSize } from '../../src/protocol/records/batch.js';
import { readEndTxnMarker } from '../../src/protocol/records/control-batch.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { codecRequest } from '../metadata/helpers.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(240_000);

const TOPIC = 'orders';
const GROUP = 'order-copier';
const TXN = 'copier-1';
const RETRIABLE = new Set([ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR, ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.NOT_ENOUGH_REPLICAS]);

function hostPort(c: RunningCluster, nodeId: number): [string, number] {
  const [host, port] = c.node(nodeId).bootstrap!.split(':');
  return [host, Number(port)];
}

async function findCoordinator(c: RunningCluster, keyType: number, key: string): Promise<number> {
  return waitUntil(`the coordinator of ${key}`, 60_000, async () => {
    const res = await codecRequest(...hostPort(c, 1), 'FindCoordinator', 4, { keyType, coordinatorKeys: [key] });
    const found = res.coordinators[0];
    return found.errorCode === ErrorCode.NONE ? (found.nodeId as number) : undefined;
  });
}

/** The request answered by `nodeId` until its error is not a retriable coordinator one. */
async function untilSettled<T>(what: string, fn: () => Promise<T>, code: (r: T) => number): Promise<T> {
  return waitUntil(what, 60_000, async () => {
    const r = await fn();
    return RETRIABLE.has(code(r)) ? undefined : r;
  });
}

t.test('a transaction whose partitions are led by other brokers than its coordinator', async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t), config: { 'offsets.topic.num.partitions': '3', 'transaction.state.log.num.partitions': '3' } });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  await waitUntil('the topic created', 60_000, async () => {
    const res = await codecRequest(...hostPort(c, 1), 'CreateTopics', 7, { topics: [{ name: TOPIC, numPartitions: 3, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
    const e = res.topics[0].errorCode;
    return e === ErrorCode.NONE || e === ErrorCode.TOPIC_ALREADY_EXISTS;
  });
  const coordinator = await findCoordinator(c, 1, TXN);
  const groupCoordinator = await findCoordinator(c, 0, GROUP);
  const image = () => c.node(coordinator).node!.metadata.image;
  const leaders = await waitUntil('partition leaders', 60_000, () => {
    const regs = image().topics.get(TOPIC)?.registrations;
    const ls = [0, 1, 2].map((p) => regs?.get(p)?.leader ?? -1);
    return ls.every((l) => l >= 0) ? ls : undefined;
  });
  const partition = leaders.findIndex((l) => l !== coordinator);
  t.ok(partition >= 0, `a partition led away from the transaction coordinator ${coordinator} (leaders ${leaders})`);
  const leader = leaders[partition];

  const init = await untilSettled('InitProducerId', () => codecRequest(...hostPort(c, coordinator), 'InitProducerId', 5, { transactionalId: TXN, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }), (r: any) => r.errorCode);
  t.equal(init.errorCode, ErrorCode.NONE, 'InitProducerId');
  const p = { producerId: init.producerId as number, producerEpoch: init.producerEpoch as number };

  const produce = (version: number, seq: number) => {
    const records = buildBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from(`order-${seq}`) }], producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence: seq, transactional: true });
    return codecRequest(...hostPort(c, leader), 'Produce', version, { transactionalId: TXN, acks: -1, timeoutMs: 10_000, topicData: [{ name: TOPIC, partitionData: [{ index: partition, records }] }] }).then((r: any) => r.responses[0].partitionResponses[0].errorCode as number);
  };
  t.equal(await untilSettled('Produce v11', () => produce(11, 0), (e) => e), ErrorCode.TRANSACTION_ABORTABLE, `v11 at broker ${leader}: not in the transaction (verified at broker ${coordinator})`);
  t.equal(await untilSettled('Produce v12', () => produce(12, 0), (e) => e), ErrorCode.NONE, 'v12 adds the partition through the coordinator');
  t.equal(await produce(12, 1), ErrorCode.NONE, 'the open transaction\'s next batch');

  const committed = await untilSettled(
    'TxnOffsetCommit v5',
    () =>
      codecRequest(...hostPort(c, groupCoordinator), 'TxnOffsetCommit', 5, {
        transactionalId: TXN, groupId: GROUP, producerId: p.producerId, producerEpoch: p.producerEpoch, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: partition, committedOffset: 2, committedLeaderEpoch: -1, committedMetadata: '' }] }],
      }),
    (r: any) => r.topics[0].partitions[0].errorCode,
  );
  t.equal(committed.topics[0].partitions[0].errorCode, ErrorCode.NONE, `TxnOffsetCommit v5 at broker ${groupCoordinator} adds the offsets partition`);

  const described = await codecRequest(...hostPort(c, coordinator), 'DescribeTransactions', 0, { transactionalIds: [TXN] });
  const inTxn = described.transactionStates[0].topics.map((x: any) => x.topic).sort();
  t.same(inTxn, ['__consumer_offsets', TOPIC], 'the coordinator has both partitions in the transaction');

  const ended = await untilSettled('EndTxn', () => codecRequest(...hostPort(c, coordinator), 'EndTxn', 5, { transactionalId: TXN, producerId: p.producerId, producerEpoch: p.producerEpoch, committed: true }), (r: any) => r.errorCode);
  t.equal(ended.errorCode, ErrorCode.NONE, 'EndTxn commit');

  for (const n of [1, 2, 3]) {
    const marker = await waitUntil(`the COMMIT marker on broker ${n}`, 60_000, async () => {
      const l = c.node(n).node!.broker!.partitionLog(TOPIC, partition);
      if (!l || l.logEndOffset < 3) return undefined;
      const res = await l.read(l.logEndOffset - 1, 1 << 20, true, false, 'logEnd');
      const chunk = res.records[res.records.length - 1];
      let pos = 0;
      while (pos + batchSize(chunk, pos) < chunk.length) pos += batchSize(chunk, pos);
      const h = readBatchHeader(chunk, pos);
      return isControl(h.attributes) ? { producerId: h.producerId, commit: readEndTxnMarker(chunk, pos)?.commit } : undefined;
    });
    t.same(marker, { producerId: p.producerId, commit: true }, `${TOPIC}-${partition} on broker ${n} ends with the COMMIT marker`);
  }
  const offset = await waitUntil('the committed offset', 60_000, async () => {
    const res = await codecRequest(...hostPort(c, groupCoordinator), 'OffsetFetch', 8, { requireStable: true, groups: [{ groupId: GROUP, topics: [{ name: TOPIC, partitionIndexes: [partition] }] }] });
    const f = res.groups[0].topics[0].partitions[0];
    return f.errorCode === ErrorCode.NONE ? f.committedOffset : undefined;
  });
  t.equal(offset, 2, 'the group serves the transaction\'s offset');
});
