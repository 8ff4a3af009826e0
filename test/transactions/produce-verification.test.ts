// Produce's transaction verification on one broker (KIP-890, transaction.partition.verification.enable):
// a producer's first transactional batch in a partition is appended only once the transaction
// coordinator says the partition is in the transaction: to a partition never added Produce v3-10
// gets INVALID_TXN_STATE and v11 TRANSACTION_ABORTABLE (Kafka 4.4's AddPartitionsToTxnManager
// mapping), after AddPartitionsToTxn it is appended (and later batches need no check); Produce
// v12+ adds the partition itself; a fenced epoch gets
// INVALID_PRODUCER_EPOCH; transactional records without a transactional id are refused whole with
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED; with verification disabled nothing is asked.
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { buildBatch } from '../../src/protocol/records/records.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { codecRequest } from '../metadata/helpers.js';
import { waitUntil } from '../helpers/cluster-wait.js';

t.setTimeout(120_000);

const TOPIC = 'payments';
const RETRIABLE = new Set([ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR, ErrorCode.CONCURRENT_TRANSACTIONS]);

async function setup(t: Tap.Test, config: Record<string, string> = {}): Promise<RunningBroker> {
  const b = await startBroker({ port: 0, memory: true, config: { 'transaction.state.log.num.partitions': '2', ...config } });
  t.teardown(() => b.close());
  await b.broker.createTopic(TOPIC, 4, {});
  return b;
}

async function initProducer(b: RunningBroker, transactionalId: string): Promise<{ producerId: number; producerEpoch: number }> {
  return waitUntil(`InitProducerId for ${transactionalId}`, 60_000, async () => {
    const res = await codecRequest(b.host, b.port, 'InitProducerId', 5, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    if (RETRIABLE.has(res.errorCode)) return undefined;
    if (res.errorCode !== ErrorCode.NONE) throw new Error(`InitProducerId: error ${res.errorCode}`);
    return { producerId: res.producerId, producerEpoch: res.producerEpoch };
  });
}

async function addPartitions(b: RunningBroker, transactionalId: string, p: { producerId: number; producerEpoch: number }, partitions: number[]): Promise<number[]> {
  const res = await codecRequest(b.host, b.port, 'AddPartitionsToTxn', 3, {
    v3AndBelowTransactionalId: transactionalId,
    v3AndBelowProducerId: p.producerId,
    v3AndBelowProducerEpoch: p.producerEpoch,
    v3AndBelowTopics: [{ name: TOPIC, partitions }],
  });
  return res.resultsByTopicV3AndBelow[0].resultsByPartition.map((r: any) => r.partitionErrorCode);
}

async function produce(b: RunningBroker, version: number, transactionalId: string | null, p: { producerId: number; producerEpoch: number }, partition: number, baseSequence: number): Promise<number> {
  const records = buildBatch({ records: [{ key: null, value: Buffer.from(`s${baseSequence}`) }], producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence, transactional: true });
  const res = await codecRequest(b.host, b.port, 'Produce', version, { transactionalId, acks: -1, timeoutMs: 10_000, topicData: [{ name: TOPIC, partitionData: [{ index: partition, records }] }] });
  return res.responses[0].partitionResponses[0].errorCode;
}

t.test('the first batch of a transaction in a partition is verified with the coordinator', async (t) => {
  const b = await setup(t);
  const p = await initProducer(b, 'tx-verify');

  t.equal(await produce(b, 10, 'tx-verify', p, 0, 0), ErrorCode.INVALID_TXN_STATE, 'v10 to a partition not in the transaction: INVALID_TXN_STATE');
  t.equal(await produce(b, 11, 'tx-verify', p, 0, 0), ErrorCode.TRANSACTION_ABORTABLE, 'v11: TRANSACTION_ABORTABLE');
  t.equal(b.broker.partitionLog(TOPIC, 0)!.logEndOffset, 0, 'nothing appended');

  t.same(await addPartitions(b, 'tx-verify', p, [0]), [ErrorCode.NONE], 'AddPartitionsToTxn');
  t.equal(await produce(b, 11, 'tx-verify', p, 0, 0), ErrorCode.NONE, 'v11 after the partition was added');
  t.equal(await produce(b, 11, 'tx-verify', p, 0, 1), ErrorCode.NONE, 'a later batch of the open transaction');

  t.equal(await produce(b, 12, 'tx-verify', p, 1, 0), ErrorCode.NONE, 'v12 adds the partition to the transaction itself');
  const described = await codecRequest(b.host, b.port, 'DescribeTransactions', 0, { transactionalIds: ['tx-verify'] });
  const parts = described.transactionStates[0].topics.flatMap((x: any) => x.partitions.map((n: number) => `${x.topic}-${n}`)).sort();
  t.same(parts, [`${TOPIC}-0`, `${TOPIC}-1`], 'the coordinator lists both partitions in the transaction');

  t.equal(await produce(b, 11, null, p, 2, 0), ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactional records without a transactional id');

  // A newer producer session fences the old epoch.
  const newer = await initProducer(b, 'tx-verify');
  t.ok(newer.producerEpoch > p.producerEpoch || newer.producerId !== p.producerId, 'InitProducerId again bumps the epoch');
  t.equal(await produce(b, 11, 'tx-verify', p, 3, 0), ErrorCode.INVALID_PRODUCER_EPOCH, 'the old epoch is fenced');
});

t.test('one request, several partitions: one check per transaction, an answer per partition', async (t) => {
  const b = await setup(t);
  const p = await initProducer(b, 'tx-many');
  t.same(await addPartitions(b, 'tx-many', p, [1]), [ErrorCode.NONE], 'partition 1 added');
  const batch = (seq: number) => buildBatch({ records: [{ key: null, value: Buffer.from(`m${seq}`) }], producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence: seq, transactional: true });
  const send = async (version: number, partitions: number[]) => {
    const res = await codecRequest(b.host, b.port, 'Produce', version, { transactionalId: 'tx-many', acks: -1, timeoutMs: 10_000, topicData: [{ name: TOPIC, partitionData: partitions.map((index) => ({ index, records: batch(0) })) }] });
    return res.responses[0].partitionResponses.map((r: any) => [r.index, r.errorCode]);
  };
  t.same(await send(11, [0, 1, 2]), [[0, ErrorCode.TRANSACTION_ABORTABLE], [1, 0], [2, ErrorCode.TRANSACTION_ABORTABLE]], 'v11: only the added partition is appended');
  t.same(await send(12, [0, 2, 3]), [[0, 0], [2, 0], [3, 0]], 'v12: the three are added and appended');
  const described = await codecRequest(b.host, b.port, 'DescribeTransactions', 0, { transactionalIds: ['tx-many'] });
  t.same(described.transactionStates[0].topics.flatMap((x: any) => x.partitions).sort(), [0, 1, 2, 3], 'all four in the transaction');
});

t.test('verification disabled: nothing is asked', async (t) => {
  const b = await setup(t, { 'transaction.partition.verification.enable': 'false' });
  const p = await initProducer(b, 'tx-off');
  t.equal(await produce(b, 11, 'tx-off', p, 0, 0), ErrorCode.NONE, 'appended without the partition in the transaction');
});
