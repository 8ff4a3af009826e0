// The ErrorsPerSec counting of /metrics: every errorCode in a response, nested ones included,
// record bytes never walked; Metadata without its top-level error (Kafka's MetadataResponse.errorCounts).
import t from 'tap';
import { countErrors } from '../../src/metrics/error-counts.js';
import { RequestMetrics } from '../../src/metrics/request-metrics.js';
import { BrokerTopicMetrics } from '../../src/metrics/topic-metrics.js';

t.test('nested error codes are counted, buffers skipped', async (t) => {
  const into = new Map<number, number>();
  countErrors({
    throttleTimeMs: 0,
    errorCode: 0,
    responses: [
      { topic: 'a', partitions: [{ partitionIndex: 0, errorCode: 0, records: Buffer.from([0, 1]) }, { partitionIndex: 1, errorCode: 6, records: [Buffer.alloc(3)] }] },
      { topic: 'b', partitions: [{ partitionIndex: 0, errorCode: 1, records: null }] },
    ],
  }, into);
  t.same([...into].sort(), [[0, 2], [1, 1], [6, 1]]);
});

t.test('Metadata: topics and partitions, not the top-level error', async (t) => {
  const m = new RequestMetrics(new BrokerTopicMetrics(() => undefined), (k) => (k === 3 ? 'Metadata' : `api${k}`));
  m.completed(3, 12, {}, { errorCode: 0, brokers: [], topics: [{ name: 't', errorCode: 0, partitions: [{ errorCode: 0 }, { errorCode: 9 }] }] }, 1.4);
  const s = [...m.requests()].find((x) => x.name === 'Metadata')!;
  t.same([...s.errors].sort(), [[0, 2], [9, 1]]);
  t.equal(s.byVersion.get(12), 1);
  t.equal(s.totalTime.sum, 1, 'time in whole ms, as Kafka rounds it');
});

t.test('a verify-only AddPartitionsToTxn counts as AddPartitionsToTxnVerification, its errors under AddPartitionsToTxn', async (t) => {
  const m = new RequestMetrics(new BrokerTopicMetrics(() => undefined), (k) => (k === 24 ? 'AddPartitionsToTxn' : `api${k}`));
  m.completed(24, 4, { transactions: [{ verifyOnly: true }] }, { errorCode: 0, resultsByTransaction: [] }, 2);
  m.completed(24, 3, { v3AndBelowTransactionalId: 'x' }, { errorCode: 0 }, 2);
  const by = new Map([...m.requests()].map((s) => [s.name, s]));
  t.equal(by.get('AddPartitionsToTxnVerification')?.byVersion.get(4), 1);
  t.equal(by.get('AddPartitionsToTxn')?.byVersion.get(3), 1);
  t.same([...by.get('AddPartitionsToTxn')!.errors], [[0, 2]]);
});
