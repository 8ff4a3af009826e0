// The transaction state machine sans IO, checked against Kafka's TransactionMetadata and
// TransactionCoordinator rules: which state may follow which, how epochs move (bump, fence, TV2
// bump per EndTxn, producer id rotation when exhausted) and the error each request gets in each
// state (the cases of Kafka's TransactionCoordinatorTest).
import t from 'tap';
import { ErrorCode as E } from '../../../src/protocol/errors.js';
import { IllegalTxnTransition, TransactionMetadata, TxnState as S, tpKey, type TxnMetadataInit } from '../../../src/coordinator/transaction/txn-metadata.js';
import { checkBeforeMarkers, decideAddPartitions, decideEndTxn, decideInitProducerId, decideVerify } from '../../../src/coordinator/transaction/decisions.js';

const NOW = 1_000_000;
const noId = () => {
  throw new Error('no new producer id expected');
};

function md(init: Partial<TxnMetadataInit> = {}): TransactionMetadata {
  return new TransactionMetadata('txn', { producerId: 10, producerEpoch: 5, txnTimeoutMs: 60_000, state: S.Empty, txnLastUpdateTimestamp: NOW - 1000, ...init });
}

function ongoing(init: Partial<TxnMetadataInit> = {}): TransactionMetadata {
  return md({ state: S.Ongoing, partitions: [tpKey('t', 0), tpKey('t', 1)], txnStartTimestamp: NOW - 500, ...init });
}

/** Applies a decision's transit as the coordinator does once the record is written. */
function apply(m: TransactionMetadata, d: { transit: Parameters<TransactionMetadata['completeTransitionTo']>[0] } | { errorCode: number }) {
  if (!('transit' in d)) throw new Error(`expected a transit, got error ${d.errorCode}`);
  m.completeTransitionTo(d.transit);
  return d.transit;
}

function errorOf(d: object): number | undefined {
  return 'errorCode' in d ? (d as { errorCode: number }).errorCode : undefined;
}

t.test('valid previous states are Kafka\'s; anything else is refused', async (t) => {
  const m = md({ state: S.Empty });
  t.throws(() => m.prepareAbortOrCommit(S.PrepareCommit, 0, -1, NOW), IllegalTxnTransition, 'Empty -> PrepareCommit');
  t.throws(() => m.prepareComplete(NOW), IllegalTxnTransition, 'Empty -> CompleteAbort');
  t.throws(() => m.prepareFenceProducerEpoch(), IllegalTxnTransition, 'Empty -> PrepareEpochFence');
  const o = ongoing();
  t.throws(() => o.prepareIncrementProducerEpoch(1000, null, NOW), IllegalTxnTransition, 'Ongoing -> Empty');
  t.throws(() => o.prepareDead(), IllegalTxnTransition, 'Ongoing -> Dead');
  // One change at a time: a second prepare while one is pending is a bug.
  o.prepareAddPartitions([tpKey('t', 2)], NOW, 0);
  t.throws(() => o.prepareAbortOrCommit(S.PrepareAbort, 0, -1, NOW), IllegalTxnTransition);
});

t.test('InitProducerId', async (t) => {
  t.test('a new id gets epoch 0, an existing one the next epoch with no partitions', async (t) => {
    const fresh = md({ producerEpoch: -1 });
    const tr = apply(fresh, decideInitProducerId(fresh, 30_000, null, noId, NOW));
    t.match(tr, { producerId: 10, producerEpoch: 0, state: S.Empty, txnTimeoutMs: 30_000, txnStartTimestamp: -1 });
    t.equal(fresh.producerEpoch, 0);
    const m = md({ state: S.CompleteCommit, txnStartTimestamp: NOW - 10 });
    const tr2 = apply(m, decideInitProducerId(m, 60_000, null, noId, NOW));
    t.equal(tr2.producerEpoch, 6);
    t.equal(m.state, S.Empty);
    t.equal(m.partitions.size, 0);
  });

  t.test('CONCURRENT_TRANSACTIONS while a change is pending or the transaction completes', async (t) => {
    const p = ongoing();
    p.prepareAddPartitions([tpKey('t', 2)], NOW, 0);
    t.equal(errorOf(decideInitProducerId(p, 60_000, null, noId, NOW)), E.CONCURRENT_TRANSACTIONS, 'pending');
    t.equal(errorOf(decideInitProducerId(ongoing({ state: S.PrepareCommit }), 60_000, null, noId, NOW)), E.CONCURRENT_TRANSACTIONS, 'PrepareCommit');
    t.equal(errorOf(decideInitProducerId(ongoing({ state: S.PrepareAbort }), 60_000, null, noId, NOW)), E.CONCURRENT_TRANSACTIONS, 'PrepareAbort');
  });

  t.test('an Ongoing transaction of the previous session is fenced (epoch + 1) to be aborted', async (t) => {
    const o = ongoing();
    const d = decideInitProducerId(o, 60_000, null, noId, NOW);
    t.ok('transit' in d);
    if (!('transit' in d)) return;
    t.equal(d.transit.state, S.PrepareEpochFence);
    t.equal(d.transit.producerEpoch, 6);
    t.equal(o.pendingState, S.PrepareEpochFence);
  });

  t.test('v3+ with the producer\'s id/epoch: a lost answer is retried to the same epoch, others are fenced', async (t) => {
    const m = md({ state: S.CompleteAbort, txnStartTimestamp: 1 });
    const first = apply(m, decideInitProducerId(m, 60_000, { producerId: 10, producerEpoch: 5 }, noId, NOW));
    t.same([first.producerEpoch, first.lastProducerEpoch], [6, 5]);
    // The producer never saw epoch 6 and retries with 5: it gets 6 again, not 7.
    const retry = apply(m, decideInitProducerId(m, 60_000, { producerId: 10, producerEpoch: 5 }, noId, NOW));
    t.equal(retry.producerEpoch, 6);
    t.equal(errorOf(decideInitProducerId(m, 60_000, { producerId: 10, producerEpoch: 3 }, noId, NOW)), E.PRODUCER_FENCED, 'an older epoch');
    t.equal(errorOf(decideInitProducerId(m, 60_000, { producerId: 99, producerEpoch: 6 }, noId, NOW)), E.PRODUCER_FENCED, 'another producer id');
  });

  t.test('an exhausted epoch rotates to a new producer id at epoch 0', async (t) => {
    const m = md({ producerEpoch: 32766 });
    const tr = apply(m, decideInitProducerId(m, 60_000, null, () => 77, NOW));
    t.match(tr, { producerId: 77, producerEpoch: 0, prevProducerId: 10, lastProducerEpoch: -1 });
    t.same([m.producerId, m.producerEpoch, m.previousProducerId], [77, 0, 10]);
    // The producer that had the old id and the exhausted epoch may resume (KIP-360).
    const m2 = md({ producerEpoch: 32766 });
    const tr2 = apply(m2, decideInitProducerId(m2, 60_000, { producerId: 10, producerEpoch: 32766 }, () => 78, NOW));
    t.match(tr2, { producerId: 78, producerEpoch: 0, lastProducerEpoch: 32766 });
    t.equal(errorOf(decideInitProducerId(m2, 60_000, { producerId: 10, producerEpoch: 32766 }, noId, NOW)) ?? E.NONE, E.NONE, 'previous id with an exhausted epoch is still valid');
  });
});

t.test('AddPartitionsToTxn', async (t) => {
  const parts = [tpKey('t', 0)];
  t.equal(errorOf(decideAddPartitions(undefined, 10, 5, parts, 0, NOW)), E.INVALID_PRODUCER_ID_MAPPING, 'unknown id');
  t.equal(errorOf(decideAddPartitions(md(), 11, 5, parts, 0, NOW)), E.INVALID_PRODUCER_ID_MAPPING, 'other producer id');
  t.equal(errorOf(decideAddPartitions(md(), 10, 4, parts, 0, NOW)), E.PRODUCER_FENCED, 'old epoch');
  t.equal(errorOf(decideAddPartitions(ongoing({ state: S.PrepareCommit }), 10, 5, parts, 0, NOW)), E.CONCURRENT_TRANSACTIONS);
  t.equal(errorOf(decideAddPartitions(ongoing({ state: S.PrepareAbort }), 10, 5, parts, 0, NOW)), E.CONCURRENT_TRANSACTIONS);
  const pending = ongoing();
  pending.prepareAddPartitions([tpKey('t', 9)], NOW, 0);
  t.equal(errorOf(decideAddPartitions(pending, 10, 5, parts, 0, NOW)), E.CONCURRENT_TRANSACTIONS, 'pending change');
  t.equal(errorOf(decideAddPartitions(pending, 11, 4, parts, 0, NOW)), E.CONCURRENT_TRANSACTIONS, 'a pending change answers before the producer id and epoch (Kafka 4.4)');
  t.equal(errorOf(decideAddPartitions(ongoing(), 10, 5, parts, 0, NOW)), E.NONE, 'already in the transaction: nothing to write');

  const m = md({ state: S.CompleteCommit, txnStartTimestamp: 5 });
  const tr = apply(m, decideAddPartitions(m, 10, 5, [tpKey('t', 0), tpKey('u', 3)], 0, NOW));
  t.equal(tr.state, S.Ongoing);
  t.equal(m.txnStartTimestamp, NOW, 'a new transaction starts now');
  const later = apply(m, decideAddPartitions(m, 10, 5, [tpKey('v', 1)], 0, NOW + 50));
  t.equal(later.txnStartTimestamp, NOW, 'adding to an ongoing one keeps its start');
  t.same([...m.partitions].sort(), ['t:0', 'u:3', 'v:1']);
});

t.test('verifyOnly (a leader checking a TV1 transactional produce)', async (t) => {
  const o = ongoing();
  t.same([...decideVerify(o, 10, 5, ['t:0', 't:7'])], [['t:0', E.NONE], ['t:7', E.TRANSACTION_ABORTABLE]]);
  t.same([...decideVerify(undefined, 10, 5, ['t:0'])], [['t:0', E.INVALID_PRODUCER_ID_MAPPING]]);
  t.same([...decideVerify(o, 10, 4, ['t:0'])], [['t:0', E.PRODUCER_FENCED]]);
  t.same([...decideVerify(ongoing({ state: S.PrepareCommit }), 10, 5, ['t:0'])], [['t:0', E.CONCURRENT_TRANSACTIONS]]);
  t.equal(o.pendingState, null, 'verifying changes nothing');
});

t.test('EndTxn (TV0/TV1: the epoch stays)', async (t) => {
  const o = ongoing();
  const d = decideEndTxn(o, 10, 5, true, true, 0, noId, NOW);
  t.ok('transit' in d);
  if (!('transit' in d)) return;
  t.match(d.transit, { state: S.PrepareCommit, producerEpoch: 5 });
  o.completeTransitionTo(d.transit);
  t.equal(checkBeforeMarkers(o, 10, 5, true), E.NONE);
  t.equal(errorOf(decideEndTxn(o, 10, 5, true, true, 0, noId, NOW)), E.CONCURRENT_TRANSACTIONS, 'commit again while PrepareCommit');
  t.equal(errorOf(decideEndTxn(o, 10, 5, false, true, 0, noId, NOW)), E.INVALID_TXN_STATE, 'abort while PrepareCommit');
  o.completeTransitionTo(o.prepareComplete(NOW + 1));
  t.equal(o.state, S.CompleteCommit);
  t.equal(o.partitions.size, 0);
  t.same(decideEndTxn(o, 10, 5, true, true, 0, noId, NOW), { errorCode: E.NONE, producerId: 10, producerEpoch: 5 }, 'a retried commit succeeds');
  t.equal(errorOf(decideEndTxn(o, 10, 5, false, true, 0, noId, NOW)), E.INVALID_TXN_STATE, 'abort after commit');

  t.equal(errorOf(decideEndTxn(md(), 10, 5, true, true, 0, noId, NOW)), E.INVALID_TXN_STATE, 'Empty');
  t.equal(errorOf(decideEndTxn(undefined, 10, 5, true, true, 0, noId, NOW)), E.INVALID_PRODUCER_ID_MAPPING, 'unknown id');
  t.equal(errorOf(decideEndTxn(ongoing(), 11, 5, true, true, 0, noId, NOW)), E.INVALID_PRODUCER_ID_MAPPING, 'other producer id');
  t.equal(errorOf(decideEndTxn(ongoing(), 10, 4, true, true, 0, noId, NOW)), E.PRODUCER_FENCED, 'older epoch');
  t.equal(errorOf(decideEndTxn(ongoing(), 10, 6, true, true, 0, noId, NOW)), E.PRODUCER_FENCED, 'a client epoch newer than the coordinator\'s');
  const ab = ongoing({ state: S.PrepareAbort });
  t.equal(errorOf(decideEndTxn(ab, 10, 5, false, true, 0, noId, NOW)), E.CONCURRENT_TRANSACTIONS);
  t.equal(errorOf(decideEndTxn(ab, 10, 5, true, true, 0, noId, NOW)), E.INVALID_TXN_STATE);
});

t.test('EndTxn v5 (TV2, KIP-890): the epoch is bumped at every end, a retry with the old epoch succeeds', async (t) => {
  const o = ongoing({ clientTransactionVersion: 2 });
  const d = decideEndTxn(o, 10, 5, false, true, 2, noId, NOW);
  if (!('transit' in d)) return t.fail('expected a transit');
  t.match(d.transit, { state: S.PrepareAbort, producerEpoch: 6, lastProducerEpoch: 5, clientTransactionVersion: 2 });
  o.completeTransitionTo(d.transit);
  t.equal(o.producerEpoch, 6, 'markers carry the bumped epoch');
  t.equal(checkBeforeMarkers(o, 10, 5, false), E.NONE, 'the request\'s epoch is the one before the bump');
  t.equal(errorOf(decideEndTxn(o, 10, 5, false, true, 2, noId, NOW)), E.CONCURRENT_TRANSACTIONS, 'retry while PrepareAbort');
  const complete = o.prepareComplete(NOW);
  t.match(complete, { producerId: 10, producerEpoch: 6 });
  o.completeTransitionTo(complete);
  t.same(decideEndTxn(o, 10, 5, false, true, 2, noId, NOW), { errorCode: E.NONE, producerId: 10, producerEpoch: 6 }, 'retry after completion');
  t.equal(errorOf(decideEndTxn(o, 10, 4, false, true, 2, noId, NOW)), E.PRODUCER_FENCED, 'an epoch two behind');
});

t.test('EndTxn v5 at the last epoch: a new producer id is allocated and the transaction completes onto it', async (t) => {
  const o = ongoing({ producerEpoch: 32766, clientTransactionVersion: 2 });
  const d = decideEndTxn(o, 10, 32766, true, true, 2, () => 500, NOW);
  if (!('transit' in d)) return t.fail('expected a transit');
  t.match(d.transit, { state: S.PrepareCommit, producerEpoch: 32767, nextProducerId: 500 });
  o.completeTransitionTo(d.transit);
  const complete = o.prepareComplete(NOW);
  t.match(complete, { state: S.CompleteCommit, producerId: 500, producerEpoch: 0, prevProducerId: 10 });
  o.completeTransitionTo(complete);
  t.same([o.producerId, o.producerEpoch, o.previousProducerId], [500, 0, 10]);
  // The client retries with the old id and its last epoch: answered with the new id.
  t.same(decideEndTxn(o, 10, 32766, true, true, 2, noId, NOW), { errorCode: E.NONE, producerId: 500, producerEpoch: 0 });
});

t.test('a fence then abort (timeout or a new session) writes the abort with the fenced epoch', async (t) => {
  const o = ongoing();
  const fence = o.prepareFenceProducerEpoch();
  const d = decideEndTxn(o, fence.producerId, fence.producerEpoch, false, false, 2, noId, NOW);
  if (!('transit' in d)) return t.fail('expected a transit');
  t.ok(d.isEpochFence);
  // The server's TV2 bumps once more when preparing the abort.
  t.match(d.transit, { state: S.PrepareAbort, producerEpoch: 7, lastProducerEpoch: 6 });
  o.completeTransitionTo(d.transit);
  t.equal(checkBeforeMarkers(o, 10, 6, false), E.NONE);
  o.completeTransitionTo(o.prepareComplete(NOW));
  t.equal(o.state, S.CompleteAbort);
  // The zombie (epoch 5) is fenced everywhere.
  t.equal(errorOf(decideAddPartitions(o, 10, 5, ['t:0'], 0, NOW)), E.PRODUCER_FENCED);
  t.equal(errorOf(decideEndTxn(o, 10, 5, true, true, 0, noId, NOW)), E.PRODUCER_FENCED);
  // A fence whose write failed is not bumped again by the next one.
  const o2 = ongoing();
  o2.prepareFenceProducerEpoch();
  o2.pendingState = null;
  o2.hasFailedEpochFence = true;
  t.equal(o2.prepareFenceProducerEpoch().producerEpoch, 5);
});

t.test('completing a transition checks it fits the metadata', async (t) => {
  const o = ongoing();
  const tr = o.prepareAbortOrCommit(S.PrepareCommit, 0, -1, NOW);
  o.partitions.add('x:1');
  t.throws(() => o.completeTransitionTo(tr), IllegalTxnTransition, 'partitions changed under a PrepareCommit');
  const m = md();
  const other = md().prepareIncrementProducerEpoch(1000, null, NOW);
  if ('error' in other) return t.fail();
  t.throws(() => m.completeTransitionTo(other), IllegalTxnTransition, 'no pending state');
});

t.test('EndTxn v5 (TV2) as Kafka 4.4: a pending change answers first, and an abort with no transaction open bumps the epoch', async (t) => {
  const pending = ongoing({ clientTransactionVersion: 2 });
  pending.prepareAddPartitions(['t:9'], NOW, 2);
  t.equal(errorOf(decideEndTxn(pending, 99, 5, true, true, 2, noId, NOW)), E.CONCURRENT_TRANSACTIONS, 'TV2: CONCURRENT_TRANSACTIONS before the producer id check');
  t.equal(errorOf(decideEndTxn(pending, 99, 5, true, true, 0, noId, NOW)), E.INVALID_PRODUCER_ID_MAPPING, 'TV1: the producer id first');

  for (const state of [S.Empty, S.CompleteCommit, S.CompleteAbort]) {
    const m = md({ state, txnStartTimestamp: state === S.Empty ? -1 : NOW - 100, clientTransactionVersion: 2 });
    const d = decideEndTxn(m, 10, 5, false, true, 2, noId, NOW);
    if (!('transit' in d)) {
      t.fail(`${state}: abort refused with ${d.errorCode}`);
      continue;
    }
    t.match(d.transit, { state: S.PrepareAbort, producerEpoch: 6, lastProducerEpoch: 5, txnStartTimestamp: NOW }, `abort in state ${state}`);
    t.equal(d.transit.partitions.size, 0);
    m.completeTransitionTo(d.transit);
    t.equal(checkBeforeMarkers(m, 10, 5, false), E.NONE);
    m.completeTransitionTo(m.prepareComplete(NOW + 1));
    t.match(m, { state: S.CompleteAbort, producerEpoch: 6 });
  }
  t.equal(errorOf(decideEndTxn(md({ clientTransactionVersion: 2 }), 10, 5, true, true, 2, noId, NOW)), E.INVALID_TXN_STATE, 'commit with nothing open (Empty)');
  const done = md({ state: S.CompleteCommit, txnStartTimestamp: 1, clientTransactionVersion: 2 });
  t.equal(errorOf(decideEndTxn(done, 10, 5, true, true, 2, noId, NOW)), E.INVALID_TXN_STATE, 'commit again at the current epoch: not a retry');
  t.equal(errorOf(decideEndTxn(done, 10, 4, false, true, 2, noId, NOW)), E.INVALID_TXN_STATE, 'an abort retried after the commit');
  t.same(decideEndTxn(done, 10, 4, true, true, 2, noId, NOW), { errorCode: E.NONE, producerId: 10, producerEpoch: 5 }, 'the commit retried');
  // At epoch 32767 an abort cannot bump (Kafka logs it and keeps the epoch).
  const top = ongoing({ producerEpoch: 32767, clientTransactionVersion: 2 });
  const d = decideEndTxn(top, 10, 32767, false, true, 2, () => 900, NOW);
  if ('transit' in d) t.match(d.transit, { producerEpoch: 32767, nextProducerId: 900 });
  else t.fail(`refused with ${d.errorCode}`);
});
