// The transaction coordinator over real storage (a broker's __transaction_state) with a test clock
// and a recording marker writer: a transaction's life (init, add, describe/list, EndTxn, markers,
// completion), CONCURRENT_TRANSACTIONS while markers are out, timed-out transactions fenced and
// aborted, a new session aborting the old one, recovery of a PrepareCommit after a restart,
// transactional id expiration, and the errors Kafka gives before/without a coordinator.
import t from 'tap';
import { startBroker, type RunningBroker } from '../../../src/index.js';
import { ErrorCode as E } from '../../../src/protocol/errors.js';
import { TransactionCoordinator } from '../../../src/coordinator/transaction/coordinator.js';
import type { TxnMarkerWriter } from '../../../src/coordinator/transaction/marker-writer.js';
import { decodeTxnKey, decodeTxnValue, txnPartitionFor } from '../../../src/coordinator/transaction/records.js';
import { TxnState } from '../../../src/coordinator/transaction/txn-metadata.js';
import { tempDir } from '../../helpers/tmp.js';
import { batchSize, readBatchHeader } from '../../../src/protocol/records/batch.js';
import { decodeRecords } from '../../../src/protocol/records/records.js';
import { readEndTxnMarker } from '../../../src/protocol/records/control-batch.js';

type MarkerReq = Parameters<TxnMarkerWriter['write']>[0];

/** Records every marker request; answers at once, or when released (hold = true). */
class RecordingWriter implements TxnMarkerWriter {
  readonly requests: MarkerReq[] = [];
  hold = false;
  private waiting: (() => void)[] = [];
  write(req: MarkerReq) {
    this.requests.push(req);
    const answer = () => req.partitions.map((p) => ({ ...p, errorCode: E.NONE }));
    if (!this.hold) return Promise.resolve(answer());
    return new Promise<ReturnType<typeof answer>>((resolve) => this.waiting.push(() => resolve(answer())));
  }
  release(): void {
    this.hold = false;
    for (const w of this.waiting.splice(0)) w();
  }
}

class Clock {
  ms = 1_700_000_000_000;
  now = () => this.ms;
}

async function broker(t: Tap.Test, config: Record<string, string> = {}, dataDir?: string): Promise<RunningBroker> {
  const b = await startBroker({ port: 0, ...(dataDir ? { dataDir } : { memory: true }), config });
  t.teardown(() => b.close());
  await b.broker.createTopic('t', 3, {});
  return b;
}

function coordinator(t: Tap.Test, b: RunningBroker, writer: TxnMarkerWriter, clock: Clock): TransactionCoordinator {
  const br = b.broker;
  const c = new TransactionCoordinator(
    {
      config: br.config,
      nodeId: br.nodeId,
      topics: br.topics,
      partitionLog: (topic, p) => br.partitionLog(topic, p),
      createTopic: (n, p, cfg, rf) => br.createTopic(n, p, cfg, rf),
      allocateProducerId: () => br.controller.allocateProducerId(),
      transactionVersion: () => 2,
    },
    writer,
    { now: clock.now },
  );
  t.teardown(() => c.close());
  return c;
}

async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const P = (topic: string, partition: number) => ({ topic, partition });

t.test('a transaction from InitProducerId to CompleteCommit', async (t) => {
  const b = await broker(t);
  const clock = new Clock();
  const w = new RecordingWriter();
  const c = coordinator(t, b, w, clock);
  t.equal(c.describe('tx').errorCode, E.NOT_COORDINATOR, 'a lone node before __transaction_state exists');
  t.notOk(b.broker.topics.get('__transaction_state'), 'not created by a describe');
  const init = await c.initProducerId('tx', 60_000, null);
  t.ok(b.broker.topics.get('__transaction_state'), 'created on the first InitProducerId (or FindCoordinator)');
  t.equal(b.broker.topics.get('__transaction_state')!.partitions, 50);
  t.equal(init.errorCode, E.NONE);
  t.equal(init.producerEpoch, 0);
  const pid = init.producerId;
  t.match(c.describe('tx'), { errorCode: E.NONE, transactionState: 'Empty', producerId: pid, producerEpoch: 0, transactionTimeoutMs: 60_000, transactionStartTimeMs: -1, topics: [] });

  clock.ms += 100;
  const started = clock.ms;
  t.equal(await c.addPartitions('tx', pid, 0, [P('t', 0), P('t', 2)], 0), E.NONE);
  t.equal(await c.addPartitions('tx', pid, 0, [P('t', 0)], 0), E.NONE, 'again: nothing to do');
  t.match(c.describe('tx'), { transactionState: 'Ongoing', transactionStartTimeMs: started, topics: [{ topic: 't', partitions: [0, 2] }] });

  clock.ms += 5_000;
  t.same(c.list([], [], -1, null).transactionStates, [{ transactionalId: 'tx', producerId: pid, transactionState: 'Ongoing' }]);
  t.same(c.list(['Ongoing', 'Bogus'], [], -1, null).unknownStateFilters, ['Bogus']);
  t.equal(c.list(['Empty'], [], -1, null).transactionStates.length, 0, 'state filter');
  t.equal(c.list([], [pid + 1], -1, null).transactionStates.length, 0, 'producer id filter');
  t.equal(c.list([], [], 5_000, null).transactionStates.length, 0, 'running 5 s: not longer than 5 s');
  t.equal(c.list([], [], 4_999, null).transactionStates.length, 1, 'longer than 4999 ms');
  t.equal(c.list([], [], -1, /^(?:t.)$/).transactionStates.length, 1, 'id pattern');
  t.equal(c.list([], [], -1, /^(?:x)$/).transactionStates.length, 0);

  w.hold = true;
  const end = await c.endTxn('tx', pid, 0, true, 0);
  t.same(end, { errorCode: E.NONE, producerId: pid, producerEpoch: 0 }, 'answered once PrepareCommit is written');
  t.equal(c.describe('tx').transactionState, 'PrepareCommit');
  // While the markers are out every change waits.
  t.equal(await c.addPartitions('tx', pid, 0, [P('t', 1)], 0), E.CONCURRENT_TRANSACTIONS);
  t.equal((await c.initProducerId('tx', 60_000, null)).errorCode, E.CONCURRENT_TRANSACTIONS);
  t.equal((await c.endTxn('tx', pid, 0, true, 0)).errorCode, E.CONCURRENT_TRANSACTIONS);
  t.equal((await c.endTxn('tx', pid, 0, false, 0)).errorCode, E.CONCURRENT_TRANSACTIONS, 'the completion pending comes first, as in Kafka');
  await until(() => w.requests.length === 1, 'the marker request');
  t.match(w.requests[0], { producerId: pid, producerEpoch: 0, commit: true, coordinatorEpoch: 0, transactionVersion: 0 });
  t.same(w.requests[0].partitions.map((p) => `${p.topic}-${p.partition}`).sort(), ['t-0', 't-2']);
  w.release();
  await until(() => c.describe('tx').transactionState === 'CompleteCommit', 'CompleteCommit');
  t.same(c.describe('tx').topics, []);
  t.same(await c.endTxn('tx', pid, 0, true, 0), { errorCode: E.NONE, producerId: pid, producerEpoch: 0 }, 'a retried commit');

  // What __transaction_state holds, record by record (Kafka's TransactionLogValue).
  const states: number[] = [];
  const log = b.broker.partitionLog('__transaction_state', c.partitionFor('tx'))!;
  const read = await log.read(0, 1 << 20, true, false, 'logEnd');
  for (const chunk of read.records) {
    for (let pos = 0; pos < chunk.length; pos += batchSize(chunk, pos)) {
      for (const r of decodeRecords(chunk, pos)) {
        t.equal(decodeTxnKey(r.key!), 'tx');
        states.push(decodeTxnValue('tx', r.value!).state);
      }
    }
  }
  t.same(states, [TxnState.Empty, TxnState.Ongoing, TxnState.PrepareCommit, TxnState.CompleteCommit]);
});

t.test('transaction.timeout.ms: INVALID_TRANSACTION_TIMEOUT above transaction.max.timeout.ms; a timed-out transaction is fenced and aborted', async (t) => {
  const b = await broker(t, { 'transaction.max.timeout.ms': '100000' });
  const clock = new Clock();
  const w = new RecordingWriter();
  const c = coordinator(t, b, w, clock);
  await c.activate();
  t.equal((await c.initProducerId('slow', 100_001, null)).errorCode, E.INVALID_TRANSACTION_TIMEOUT);
  t.equal((await c.initProducerId('slow', 0, null)).errorCode, E.INVALID_TRANSACTION_TIMEOUT);
  t.equal((await c.initProducerId('', 1000, null)).errorCode, E.INVALID_REQUEST);
  const { producerId: pid } = await c.initProducerId('slow', 10_000, null);
  t.equal(await c.addPartitions('slow', pid, 0, [P('t', 1)], 0), E.NONE);
  clock.ms += 10_000;
  await c.abortTimedOutTransactions();
  t.equal(w.requests.length, 0, 'not older than its timeout yet');
  clock.ms += 1;
  await c.abortTimedOutTransactions();
  await until(() => c.describe('slow').transactionState === 'CompleteAbort', 'CompleteAbort');
  t.equal(w.requests.length, 1);
  // Fenced (epoch 1), then the abort bumps once more with the broker's transaction version 2.
  t.match(w.requests[0], { producerId: pid, producerEpoch: 2, commit: false, partitions: [{ topic: 't', partition: 1 }] });
  t.equal(c.describe('slow').producerEpoch, 2);
  // The producer, still at epoch 0, is fenced.
  t.equal(await c.addPartitions('slow', pid, 0, [P('t', 1)], 0), E.PRODUCER_FENCED);
  t.equal((await c.endTxn('slow', pid, 0, true, 0)).errorCode, E.PRODUCER_FENCED);
  t.equal((await c.endTxn('slow', pid, 0, true, 5)).errorCode, E.PRODUCER_FENCED);
});

t.test('a new session (InitProducerId) aborts the Ongoing transaction of the old one first', async (t) => {
  const b = await broker(t);
  const clock = new Clock();
  const w = new RecordingWriter();
  const c = coordinator(t, b, w, clock);
  await c.activate();
  const first = await c.initProducerId('app', 60_000, null);
  t.equal(await c.addPartitions('app', first.producerId, 0, [P('t', 0)], 0), E.NONE);
  w.hold = true;
  t.equal((await c.initProducerId('app', 60_000, null)).errorCode, E.CONCURRENT_TRANSACTIONS, 'retry once the abort is done');
  await until(() => w.requests.length === 1, 'the abort markers');
  t.match(w.requests[0], { commit: false, producerId: first.producerId });
  t.equal((await c.initProducerId('app', 60_000, null)).errorCode, E.CONCURRENT_TRANSACTIONS, 'still completing');
  w.release();
  await until(() => c.describe('app').transactionState === 'CompleteAbort', 'CompleteAbort');
  const second = await c.initProducerId('app', 60_000, null);
  t.equal(second.errorCode, E.NONE);
  t.equal(second.producerId, first.producerId);
  t.ok(second.producerEpoch > w.requests[0].producerEpoch, 'a newer epoch than the markers carried');
  t.equal(await c.addPartitions('app', first.producerId, 0, [P('t', 0)], 0), E.PRODUCER_FENCED, 'the zombie');
});

t.test('a PrepareCommit left by a crash is completed by the coordinator that loads the partition', async (t) => {
  const dir = tempDir(t);
  const clock = new Clock();
  let b = await broker(t, {}, dir);
  const stuck = new RecordingWriter();
  stuck.hold = true;
  const a = coordinator(t, b, stuck, clock);
  await a.activate();
  const { producerId: pid } = await a.initProducerId('crash', 60_000, null);
  t.equal(await a.addPartitions('crash', pid, 0, [P('t', 0), P('t', 1)], 0), E.NONE);
  t.equal((await a.endTxn('crash', pid, 0, true, 0)).errorCode, E.NONE);
  await until(() => stuck.requests.length === 1, 'markers sent');
  await a.close();
  await b.close();

  // The restarted broker's own coordinator loads the partition and writes the markers itself.
  b = await broker(t, {}, dir);
  const c = b.broker.transactions;
  await until(() => c.describe('crash').transactionState === 'CompleteCommit', 'CompleteCommit after the load');
  for (const p of [0, 1]) {
    const log = b.broker.partitionLog('t', p)!;
    const read = await log.read(0, 1 << 20, true, false, 'logEnd');
    const markers = read.records.flatMap((chunk) => {
      const out: { commit: boolean; producerId: number }[] = [];
      for (let pos = 0; pos < chunk.length; pos += batchSize(chunk, pos)) {
        const h = readBatchHeader(chunk, pos);
        const m = readEndTxnMarker(chunk, pos);
        if (m) out.push({ commit: m.commit, producerId: h.producerId });
      }
      return out;
    });
    t.same(markers, [{ commit: true, producerId: pid }], `a COMMIT marker in t-${p}`);
  }
  t.equal((await c.initProducerId('crash', 60_000, null)).producerEpoch, 1, 'the id carries on');
});

t.test('transactional.id.expiration.ms: an idle id is removed (tombstone), a busy one stays', async (t) => {
  const dir = tempDir(t);
  const clock = new Clock();
  let b = await broker(t, { 'transactional.id.expiration.ms': '60000' }, dir);
  const w = new RecordingWriter();
  const c = coordinator(t, b, w, clock);
  await c.activate();
  await c.initProducerId('idle', 30_000, null);
  const busy = await c.initProducerId('busy', 600_000, null);
  t.equal(await c.addPartitions('busy', busy.producerId, 0, [P('t', 0)], 0), E.NONE);
  clock.ms += 59_000;
  await c.removeExpiredTransactionalIds();
  t.equal(c.describe('idle').errorCode, E.NONE, 'not idle long enough');
  clock.ms += 1_000;
  await c.removeExpiredTransactionalIds();
  t.equal(c.describe('idle').errorCode, E.TRANSACTIONAL_ID_NOT_FOUND);
  t.equal(c.describe('busy').transactionState, 'Ongoing', 'an Ongoing transaction never expires');
  t.same(c.list([], [], -1, null).transactionStates.map((s) => s.transactionalId), ['busy']);
  await c.close();
  await b.close();
  b = await broker(t, {}, dir);
  const again = coordinator(t, b, w, clock);
  await again.start();
  await again.whenLoaded();
  t.equal(again.describe('idle').errorCode, E.TRANSACTIONAL_ID_NOT_FOUND, 'the tombstone is in the log');
  t.equal(again.describe('busy').transactionState, 'Ongoing');
});

t.test('unknown ids and requests that name no transaction', async (t) => {
  const b = await broker(t);
  const c = coordinator(t, b, new RecordingWriter(), new Clock());
  await c.activate();
  t.equal(c.describe('nope').errorCode, E.TRANSACTIONAL_ID_NOT_FOUND);
  t.equal(c.describe('').errorCode, E.INVALID_REQUEST);
  t.equal(await c.addPartitions('nope', 1, 0, [P('t', 0)], 0), E.INVALID_PRODUCER_ID_MAPPING);
  t.equal((await c.endTxn('nope', 1, 0, true, 0)).errorCode, E.INVALID_PRODUCER_ID_MAPPING);
  t.same(await c.verifyOrAdd('nope', 1, 0, [P('t', 0)], false), [{ topic: 't', partition: 0, errorCode: E.INVALID_PRODUCER_ID_MAPPING }]);
  const { producerId: pid } = await c.initProducerId('v', 60_000, null);
  t.same(await c.verifyOrAdd('v', pid, 0, [P('t', 0)], false), [{ topic: 't', partition: 0, errorCode: E.TRANSACTION_ABORTABLE }], 'not added: abortable');
  t.same(await c.verifyOrAdd('v', pid, 0, [P('t', 0)], true), [{ topic: 't', partition: 0, errorCode: E.NONE }], 'a TV2 leader adds it');
  t.same(await c.verifyOrAdd('v', pid, 0, [P('t', 0)], false), [{ topic: 't', partition: 0, errorCode: E.NONE }]);
  t.equal((await c.endTxn('v', pid, 0, true, 2)).producerEpoch, 1, 'TV2 (added by a leader, EndTxn v5): the epoch is bumped');
});

t.test('TV2: an abort with no transaction open is written (epoch bumped) and completes without markers', async (t) => {
  const b = await broker(t);
  const w = new RecordingWriter();
  const c = coordinator(t, b, w, new Clock());
  await c.activate();
  const { producerId: pid } = await c.initProducerId('empty', 60_000, null);
  const r = await c.endTxn('empty', pid, 0, false, 2);
  t.same(r, { errorCode: E.NONE, producerId: pid, producerEpoch: 1 });
  await until(() => c.describe('empty').transactionState === 'CompleteAbort', 'CompleteAbort');
  t.equal(w.requests.length, 0, 'no partition, no marker');
  t.equal((await c.endTxn('empty', pid, 1, true, 2)).errorCode, E.INVALID_TXN_STATE, 'a commit with nothing open');
  t.equal((await c.endTxn('empty', pid, 0, false, 0)).errorCode, E.PRODUCER_FENCED, 'the old epoch, through EndTxn v4');
});

t.test('a lone node whose load failed (a read error) loads again at the next request', async (t) => {
  const dir = tempDir(t);
  let b = await broker(t, {}, dir);
  const first = coordinator(t, b, new RecordingWriter(), new Clock());
  const { producerId } = await first.initProducerId('flaky', 60_000, null);
  await first.close();
  await b.close();
  b = await broker(t, {}, dir);
  const br = b.broker;
  let failures = 1;
  const c = new TransactionCoordinator(
    {
      config: br.config,
      nodeId: br.nodeId,
      topics: br.topics,
      partitionLog: (topic, p) => {
        const log = br.partitionLog(topic, p);
        if (!log || topic !== '__transaction_state' || p !== txnPartitionFor('flaky', 50)) return log;
        return Object.assign(Object.create(log), {
          read: (...args: Parameters<typeof log.read>) => {
            if (failures > 0) {
              failures--;
              return Promise.reject(new Error('injected read failure'));
            }
            return log.read(...args);
          },
        });
      },
      createTopic: (n, p, cfg, rf) => br.createTopic(n, p, cfg, rf),
      allocateProducerId: () => br.controller.allocateProducerId(),
      transactionVersion: () => 2,
    },
    new RecordingWriter(),
  );
  t.teardown(() => c.close());
  await c.start();
  await c.whenLoaded();
  t.equal(failures, 0, 'the read of the id\'s partition failed once');
  t.equal(c.describe('flaky').errorCode, E.COORDINATOR_LOAD_IN_PROGRESS, 'not served yet; the request starts a new load');
  await until(() => c.describe('flaky').errorCode === E.NONE, 'the id served');
  t.equal(c.describe('flaky').producerId, producerId);
  await until(() => c.list([], [], -1, null).errorCode === E.NONE, 'every partition loaded');
});
