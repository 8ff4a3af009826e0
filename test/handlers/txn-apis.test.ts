// The transactional APIs over a real socket at the versions Kafka 4.4 serves, in samsa's generated
// codecs (kafkajs speaks only v0-1): FindCoordinator v4 batched key type 1; InitProducerId v3+
// resume and its INVALID_REQUEST for half an id/epoch; AddPartitionsToTxn v3 unknown partitions
// (UNKNOWN_TOPIC_OR_PARTITION + OPERATION_NOT_ATTEMPTED) and v5 batched adds and verifyOnly
// checks (TRANSACTION_ABORTABLE), as partition leaders send them; EndTxn v5's epoch bump (KIP-890)
// and its retry; PRODUCER_FENCED sent as INVALID_PRODUCER_EPOCH to versions that predate it;
// ListTransactions v2's id pattern and INVALID_REGULAR_EXPRESSION.
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { FindCoordinatorRequest } from '../../src/protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../../src/protocol/generated/find-coordinator-response.js';
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js';
import { AddPartitionsToTxnRequest } from '../../src/protocol/generated/add-partitions-to-txn-request.js';
import { AddPartitionsToTxnResponse } from '../../src/protocol/generated/add-partitions-to-txn-response.js';
import { AddOffsetsToTxnRequest } from '../../src/protocol/generated/add-offsets-to-txn-request.js';
import { AddOffsetsToTxnResponse } from '../../src/protocol/generated/add-offsets-to-txn-response.js';
import { EndTxnRequest } from '../../src/protocol/generated/end-txn-request.js';
import { EndTxnResponse } from '../../src/protocol/generated/end-txn-response.js';
import { DescribeTransactionsRequest } from '../../src/protocol/generated/describe-transactions-request.js';
import { DescribeTransactionsResponse } from '../../src/protocol/generated/describe-transactions-response.js';
import { ListTransactionsRequest } from '../../src/protocol/generated/list-transactions-request.js';
import { ListTransactionsResponse } from '../../src/protocol/generated/list-transactions-response.js';
import { ErrorCode as E } from '../../src/protocol/errors.js';
import { GroupWire } from '../coordinator/group-wire.js';

let b: RunningBroker;
let c: GroupWire;
t.before(async () => {
  b = await startBroker({ port: 0, memory: true });
  await b.broker.createTopic('wt', 2, {});
  c = await GroupWire.connect(t, b);
});
t.teardown(() => b.close());

const init = (version: number, transactionalId: string, producerId = -1, producerEpoch = -1) =>
  c.call(InitProducerIdRequest, InitProducerIdResponse, version, { transactionalId, transactionTimeoutMs: 60_000, producerId, producerEpoch });
const addV3 = (version: number, id: string, producerId: number, producerEpoch: number, topics: { name: string; partitions: number[] }[]) =>
  c.call(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, version, { v3AndBelowTransactionalId: id, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch, v3AndBelowTopics: topics });
const endTxn = (version: number, transactionalId: string, producerId: number, producerEpoch: number, committed: boolean) =>
  c.call(EndTxnRequest, EndTxnResponse, version, { transactionalId, producerId, producerEpoch, committed });
const describe = async (id: string) => (await c.call(DescribeTransactionsRequest, DescribeTransactionsResponse, 0, { transactionalIds: [id] })).transactionStates[0];
const codes = (r: AddPartitionsToTxnResponse['resultsByTopicV3AndBelow']) => (r ?? []).flatMap((x) => x.resultsByPartition.map((p) => [x.name, p.partitionIndex, p.partitionErrorCode]));

async function completes(id: string, state: string): Promise<void> {
  const end = Date.now() + 30_000;
  while ((await describe(id)).transactionState !== state) {
    if (Date.now() > end) throw new Error(`${id} never reached ${state}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('FindCoordinator v4 with key type 1 creates __transaction_state and names this broker for each id', async (t) => {
  const r = await c.call(FindCoordinatorRequest, FindCoordinatorResponse, 4, { key: '', keyType: 1, coordinatorKeys: ['a', 'b'] });
  t.same(r.coordinators!.map((x) => [x.key, x.errorCode, x.nodeId, x.port]), [['a', 0, b.broker.nodeId, b.port], ['b', 0, b.broker.nodeId, b.port]]);
  t.equal(b.broker.topics.get('__transaction_state')?.partitions, 50);
});

t.test('InitProducerId v3+: id and epoch both or neither; a retry with the old epoch gets the same new one', async (t) => {
  t.equal((await init(4, 'w-init', -1, 3)).errorCode, E.INVALID_REQUEST);
  t.equal((await init(4, 'w-init', 7, -1)).errorCode, E.INVALID_REQUEST);
  const first = await init(5, 'w-init');
  t.equal(first.errorCode, E.NONE);
  const bumped = await init(5, 'w-init', first.producerId, first.producerEpoch);
  t.same([bumped.errorCode, bumped.producerId, bumped.producerEpoch], [E.NONE, first.producerId, first.producerEpoch + 1]);
  const retried = await init(5, 'w-init', first.producerId, first.producerEpoch);
  t.same([retried.errorCode, retried.producerEpoch], [E.NONE, first.producerEpoch + 1], 'the answer was lost: same epoch again');
  t.equal((await init(4, 'w-init', first.producerId + 1000, 0)).errorCode, E.PRODUCER_FENCED, 'another producer id');
  t.equal((await init(3, 'w-init', first.producerId + 1000, 0)).errorCode, E.INVALID_PRODUCER_EPOCH, 'v3 does not know PRODUCER_FENCED');
  t.equal((await c.call(InitProducerIdRequest, InitProducerIdResponse, 5, { transactionalId: 'w-init', transactionTimeoutMs: 900_001, producerId: -1, producerEpoch: -1 })).errorCode, E.INVALID_TRANSACTION_TIMEOUT);
});

t.test('AddPartitionsToTxn v3: an unknown partition fails the whole request', async (t) => {
  const { producerId, producerEpoch } = await init(5, 'w-add');
  const r = await addV3(3, 'w-add', producerId, producerEpoch, [{ name: 'wt', partitions: [0, 5] }, { name: 'nope', partitions: [0] }]);
  t.same(codes(r.resultsByTopicV3AndBelow), [['wt', 0, E.OPERATION_NOT_ATTEMPTED], ['wt', 5, E.UNKNOWN_TOPIC_OR_PARTITION], ['nope', 0, E.UNKNOWN_TOPIC_OR_PARTITION]]);
  t.equal((await describe('w-add')).transactionState, 'Empty', 'nothing added');
  const ok = await addV3(3, 'w-add', producerId, producerEpoch, [{ name: 'wt', partitions: [1] }]);
  t.same(codes(ok.resultsByTopicV3AndBelow), [['wt', 1, E.NONE]]);
  t.same(codes((await addV3(3, 'w-add', producerId, producerEpoch - 1, [{ name: 'wt', partitions: [1] }])).resultsByTopicV3AndBelow), [['wt', 1, E.PRODUCER_FENCED]]);
  t.same(codes((await addV3(1, 'w-add', producerId, producerEpoch - 1, [{ name: 'wt', partitions: [1] }])).resultsByTopicV3AndBelow), [['wt', 1, E.INVALID_PRODUCER_EPOCH]], 'v1');
  const off = await c.call(AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, 4, { transactionalId: 'w-add', producerId, producerEpoch, groupId: 'w-group' });
  t.equal(off.errorCode, E.NONE);
  const d = await describe('w-add');
  t.same(d.topics.map((x) => x.topic).sort(), ['__consumer_offsets', 'wt'], 'the group\'s offsets partition joined the transaction');
  t.equal((await endTxn(3, 'w-add', producerId, producerEpoch, false)).errorCode, E.NONE);
  await completes('w-add', 'CompleteAbort');
});

t.test('AddPartitionsToTxn v5 from partition leaders: batched, verifyOnly and TV2 adds', async (t) => {
  const one = await init(5, 'w-v5-one');
  const two = await init(5, 'w-v5-two');
  const r = await c.call(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, 5, {
    transactions: [
      { transactionalId: 'w-v5-one', producerId: one.producerId, producerEpoch: one.producerEpoch, verifyOnly: true, topics: [{ name: 'wt', partitions: [0] }] },
      { transactionalId: 'w-v5-two', producerId: two.producerId, producerEpoch: two.producerEpoch, verifyOnly: false, topics: [{ name: 'wt', partitions: [0, 1] }] },
    ],
  });
  t.equal(r.errorCode, E.NONE);
  const results = new Map(r.resultsByTransaction!.map((x) => [x.transactionalId, codes(x.topicResults)]));
  t.same(results.get('w-v5-one'), [['wt', 0, E.TRANSACTION_ABORTABLE]], 'verifyOnly: not in the transaction');
  t.same(results.get('w-v5-two'), [['wt', 0, E.NONE], ['wt', 1, E.NONE]], 'added for a TV2 producer');
  t.same((await describe('w-v5-two')).topics, [{ topic: 'wt', partitions: [0, 1] }]);
  const verify = await c.call(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, 4, {
    transactions: [{ transactionalId: 'w-v5-two', producerId: two.producerId, producerEpoch: two.producerEpoch, verifyOnly: true, topics: [{ name: 'wt', partitions: [1] }] }],
  });
  t.same(codes(verify.resultsByTransaction![0].topicResults), [['wt', 1, E.NONE]], 'now verified');

  // EndTxn v5 (TV2): answered with the bumped epoch; the markers carry it.
  const end = await endTxn(5, 'w-v5-two', two.producerId, two.producerEpoch, true);
  t.same([end.errorCode, end.producerId, end.producerEpoch], [E.NONE, two.producerId, two.producerEpoch + 1]);
  await completes('w-v5-two', 'CompleteCommit');
  const retry = await endTxn(5, 'w-v5-two', two.producerId, two.producerEpoch, true);
  t.same([retry.errorCode, retry.producerEpoch], [E.NONE, two.producerEpoch + 1], 'a retry with the epoch before the bump');
  t.equal((await endTxn(5, 'w-v5-two', two.producerId, two.producerEpoch, false)).errorCode, E.INVALID_TXN_STATE, 'abort after commit');
  t.equal((await endTxn(4, 'w-v5-two', two.producerId, two.producerEpoch - 1, true)).errorCode, E.PRODUCER_FENCED);
  t.equal((await endTxn(1, 'w-v5-two', two.producerId, two.producerEpoch - 1, true)).errorCode, E.INVALID_PRODUCER_EPOCH, 'v1 gets INVALID_PRODUCER_EPOCH');
});

t.test('ListTransactions: filters, unknown states, v2 id patterns', async (t) => {
  const list = (version: number, body: Partial<ListTransactionsRequest>) =>
    c.call(ListTransactionsRequest, ListTransactionsResponse, version, { stateFilters: [], producerIdFilters: [], durationFilter: -1, transactionalIdPattern: null, ...body });
  const all = await list(0, {});
  t.equal(all.errorCode, E.NONE);
  t.same(all.transactionStates.map((x) => x.transactionalId).sort(), ['w-add', 'w-init', 'w-v5-one', 'w-v5-two']);
  const bad = await list(2, { transactionalIdPattern: '(' });
  t.equal(bad.errorCode, E.INVALID_REGULAR_EXPRESSION);
  const v5 = await list(2, { transactionalIdPattern: 'w-v5-.*' });
  t.same(v5.transactionStates.map((x) => x.transactionalId).sort(), ['w-v5-one', 'w-v5-two']);
  t.same((await list(2, { transactionalIdPattern: 'v5' })).transactionStates, [], 'the whole id must match');
  const states = await list(1, { stateFilters: ['CompleteCommit', 'NoSuchState'] });
  t.same(states.unknownStateFilters, ['NoSuchState']);
  t.same(states.transactionStates.map((x) => x.transactionalId), ['w-v5-two']);
  // Kafka measures from the start timestamp, -1 for an id without a transaction yet: those are listed.
  const long = await list(1, { durationFilter: 3_600_000 });
  t.same(long.transactionStates.map((x) => [x.transactionalId, x.transactionState]).sort(), [['w-init', 'Empty'], ['w-v5-one', 'Empty']]);
});
