// Transactions on a three-node cluster: the coordinator of a transactional id is the leader of its
// __transaction_state partition (FindCoordinator names it, the others answer NOT_COORDINATOR), its
// markers reach the leaders of partitions on other brokers, and when the coordinator is killed the
// partition's new leader loads the replicated state and carries the id on (a newer epoch, fencing
// the old producer).
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { txnPartitionFor } from '../../src/coordinator/transaction/records.js';
import { batchSize, readBatchHeader } from '../../src/protocol/records/batch.js';
import { readEndTxnMarker } from '../../src/protocol/records/control-batch.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(240_000);
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const TXN_TOPIC = '__transaction_state';
const ID = 'cluster-txn';

function leaderOf(c: RunningCluster, topic: string, partition: number): number {
  for (const n of c.nodes) {
    const l = n.node?.metadata.image.topics.get(topic)?.registrations.get(partition)?.leader;
    if (l !== undefined && l >= 0 && c.node(l).running) return l;
  }
  return -1;
}

/** The markers (COMMIT/ABORT) of a producer id in a partition, read from its leader's log. */
async function markers(c: RunningCluster, topic: string, partition: number, producerId: number): Promise<string[]> {
  const broker = c.node(leaderOf(c, topic, partition)).node!.broker!;
  const log = broker.partitionLog(topic, partition)!;
  const read = await log.read(log.logStartOffset, 1 << 20, true, false, 'logEnd');
  const out: string[] = [];
  for (const chunk of read.records) {
    for (let pos = 0; pos < chunk.length; pos += batchSize(chunk, pos)) {
      const m = readEndTxnMarker(chunk, pos);
      if (m && readBatchHeader(chunk, pos).producerId === producerId) out.push(m.commit ? 'COMMIT' : 'ABORT');
    }
  }
  return out;
}

t.test('a transaction across three brokers, then its coordinator killed', async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t) });
  t.teardown(() => c.close());
  await waitUntil('a leader', 30_000, () => c.leader());
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'cluster-txn', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'ct', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });

  const p = kafka.producer({ transactionalId: ID, maxInFlightRequests: 1, idempotent: true });
  await p.connect();
  const tx = await p.transaction();
  await tx.send({ topic: 'ct', messages: [0, 1, 2].map((i) => ({ partition: i, value: `v${i}` })) });
  await tx.commit();

  const partition = txnPartitionFor(ID, 50);
  const coordinatorId = leaderOf(c, TXN_TOPIC, partition);
  t.ok(coordinatorId >= 0, `__transaction_state-${partition} has a leader`);
  const coordinator = c.node(coordinatorId).node!.broker!.transactions;
  await waitUntil('CompleteCommit', 30_000, () => coordinator.describe(ID).transactionState === 'CompleteCommit');
  const described = coordinator.describe(ID);
  for (const n of c.nodes) {
    if (n.nodeId !== coordinatorId) t.equal(n.node!.broker!.transactions.describe(ID).errorCode, ErrorCode.NOT_COORDINATOR, `node ${n.nodeId} does not coordinate it`);
  }
  const leaders = new Set([0, 1, 2].map((i) => leaderOf(c, 'ct', i)));
  t.comment(`coordinator ${coordinatorId}, partition leaders ${[...leaders].join(',')}`);
  for (const i of [0, 1, 2]) {
    await waitUntil(`the COMMIT marker in ct-${i}`, 30_000, async () => (await markers(c, 'ct', i, described.producerId)).length === 1);
    t.same(await markers(c, 'ct', i, described.producerId), ['COMMIT'], `ct-${i} (leader ${leaderOf(c, 'ct', i)})`);
  }
  await p.disconnect();

  // The coordinator dies; the partition's new leader loads the replicated state.
  await c.node(coordinatorId).kill();
  const next = await waitUntil('a new coordinator', 60_000, () => {
    const l = leaderOf(c, TXN_TOPIC, partition);
    return l >= 0 && l !== coordinatorId ? l : undefined;
  });
  const again = c.node(next).node!.broker!.transactions;
  await waitUntil('the id loaded', 30_000, () => again.describe(ID).errorCode === ErrorCode.NONE);
  t.match(again.describe(ID), { transactionState: 'CompleteCommit', producerId: described.producerId, producerEpoch: described.producerEpoch });

  const kafka2 = new Kafka({ brokers: c.nodes.filter((n) => n.running).map((n) => n.bootstrap!), clientId: 'cluster-txn-2', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100 } });
  const p2 = kafka2.producer({ transactionalId: ID, maxInFlightRequests: 1, idempotent: true });
  await p2.connect();
  t.teardown(() => p2.disconnect());
  const tx2 = await p2.transaction();
  await tx2.send({ topic: 'ct', messages: [{ partition: 0, value: 'after' }] });
  await tx2.abort();
  await waitUntil('CompleteAbort', 30_000, () => again.describe(ID).transactionState === 'CompleteAbort');
  t.ok(again.describe(ID).producerEpoch > described.producerEpoch, 'a newer epoch than before the failover');
  await waitUntil('the ABORT marker in ct-0', 30_000, async () => (await markers(c, 'ct', 0, described.producerId)).length === 2);
  t.same(await markers(c, 'ct', 0, described.producerId), ['COMMIT', 'ABORT']);
});
