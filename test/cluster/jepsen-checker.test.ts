// The Jepsen-style checker finds each anomaly it is meant to find, on small hand-made histories
// shaped as Kafka 4.4.0's VerifiableProducer/VerifiableConsumer print them.
import t from 'tap';
import { check, jsonLines, type ConsumerEvent } from '../helpers/jepsen-checker.js';

const acked = [
  { partition: 0, offset: 0, value: '0' },
  { partition: 0, offset: 1, value: '1' },
  { partition: 1, offset: 0, value: '2' },
];
const log = acked.map((a) => ({ ...a }));
const polls = (xs: [number, number, string][]): ConsumerEvent[] => xs.map(([partition, offset, value]) => ({ name: 'record_data', partition, offset, value }));

t.test('a clean history has no anomalies', async (t) => {
  const a = check(acked, log, polls([[0, 0, '0'], [0, 1, '1'], [1, 0, '2']]), { consumerReadAll: true });
  t.same(Object.values(a).flat(), []);
});

t.test('lost, duplicated and moved writes in the log', async (t) => {
  const a = check(acked, [log[0], { partition: 0, offset: 1, value: '0' }, { partition: 1, offset: 5, value: '2' }], []);
  t.same(a.lost.map((w) => w.value), ['1']);
  t.same(a.duplicates, [{ value: '0', offsets: ['0@0', '0@1'] }]);
  t.same(a.moved, [{ value: '2', acked: '1@0', found: '1@5', by: 'log' }]);
});

t.test('polls backwards within an assignment, but not across a new assignment', async (t) => {
  const events: ConsumerEvent[] = [
    ...polls([[0, 0, '0'], [0, 1, '1'], [0, 1, '1']]),
    { name: 'partitions_revoked', partitions: [{ topic: 'x', partition: 0 }] },
    { name: 'partitions_assigned', partitions: [{ topic: 'x', partition: 0 }] },
    ...polls([[0, 0, '0']]),
  ];
  t.same(check(acked, log, events).pollBackwards, [{ partition: 0, previous: 1, offset: 1 }]);
});

t.test('a polled record at another offset than acknowledged; acknowledged writes never polled', async (t) => {
  const a = check(acked, log, polls([[0, 0, '1']]), { consumerReadAll: true });
  t.same(a.moved, [{ value: '1', acked: '0@1', found: '0@0', by: 'consumer' }]);
  t.same(a.unseen.map((w) => w.value), ['0', '2']);
});

t.test('successful commits going backwards; failed commits ignored', async (t) => {
  const lines = [
    '[2026-01-01 00:00:00,000] WARN not json',
    JSON.stringify({ name: 'offsets_committed', success: true, offsets: [{ topic: 'x', partition: 0, offset: 5 }] }),
    JSON.stringify({ name: 'offsets_committed', success: false, offsets: [{ topic: 'x', partition: 0, offset: 2 }] }),
    JSON.stringify({ name: 'offsets_committed', success: true, offsets: [{ topic: 'x', partition: 0, offset: 3 }] }),
  ].join('\n');
  t.same(check([], [], jsonLines<ConsumerEvent>(lines)).commitBackwards, [{ partition: 0, previous: 5, offset: 3 }]);
});
