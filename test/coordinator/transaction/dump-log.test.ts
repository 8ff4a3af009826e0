// __transaction_state as Kafka reads it: the segment of a transactional id's partition, after a
// TV2 abort, printed by Kafka 4.4.0's own DumpLogSegments --transaction-log-decoder: key and value
// versions, every field, the tagged ClientTransactionVersion, and a tombstone for an expired id.
import t from 'tap';
import path from 'node:path';
import { startBroker } from '../../../src/index.js';
import { kafkaToolIO } from '../../helpers/kafka-tool.js';
import { tempDir } from '../../helpers/tmp.js';

t.test('DumpLogSegments decodes every record the coordinator wrote', async (t) => {
  const dir = tempDir(t);
  const b = await startBroker({ port: 0, dataDir: dir, config: { 'transactional.id.expiration.ms': '1' } });
  let closed = false;
  t.teardown(() => (closed ? undefined : b.close()));
  await b.broker.createTopic('dt', 2, {});
  const c = b.broker.transactions;
  const r = await c.initProducerId('dump-id', 45_000, null);
  t.equal(r.errorCode, 0);
  t.equal(await c.addPartitions('dump-id', r.producerId, r.producerEpoch, [{ topic: 'dt', partition: 1 }, { topic: 'dt', partition: 0 }], 0), 0);
  t.equal((await c.endTxn('dump-id', r.producerId, r.producerEpoch, false, 2)).errorCode, 0);
  const end = Date.now() + 30_000;
  while (c.describe('dump-id').transactionState !== 'CompleteAbort') {
    if (Date.now() > end) throw new Error('no CompleteAbort');
    await new Promise((res) => setTimeout(res, 20));
  }
  // transactional.id.expiration.ms=1: the next pass writes the id's tombstone.
  await new Promise((res) => setTimeout(res, 5));
  await c.removeExpiredTransactionalIds();
  const partition = c.partitionFor('dump-id');
  await b.close();
  closed = true;

  const file = path.join(dir, `__transaction_state-${partition}`, '00000000000000000000.log');
  const out = await kafkaToolIO('org.apache.kafka.tools.DumpLogSegments', ['--transaction-log-decoder', '--print-data-log', '--files', file]);
  t.equal(out.code, 0, out.err);
  const records = out.out
    .split('\n')
    .filter((l) => l.startsWith('| offset:'))
    .map((l) => {
      const key = JSON.parse(l.slice(l.indexOf('key: ') + 5, l.indexOf(' payload: ')));
      const payload = l.slice(l.indexOf(' payload: ') + 10);
      return { key, value: payload === 'null' || payload === '<DELETE>' || payload === '' ? null : JSON.parse(payload) };
    });
  t.equal(records.length, 5, out.out);
  for (const rec of records) t.same(rec.key, { type: '0', data: { transactionalId: 'dump-id' } });
  const v = records.map((x) => x.value);
  const pid = r.producerId;
  t.match(v[0], { version: '1', data: { producerId: pid, producerEpoch: 0, transactionTimeoutMs: 45_000, transactionStatus: 'Empty', transactionPartitions: null, transactionStartTimestampMs: -1 } });
  t.match(v[1], { version: '1', data: { producerId: pid, producerEpoch: 0, transactionStatus: 'Ongoing', transactionPartitions: [{ topic: 'dt', partitionIds: [1, 0] }] } });
  t.ok(v[1].data.transactionStartTimestampMs > 0);
  t.match(v[2], { data: { producerEpoch: 1, transactionStatus: 'PrepareAbort', transactionPartitions: [{ topic: 'dt', partitionIds: [1, 0] }], clientTransactionVersion: 2 } });
  t.match(v[3], { data: { producerEpoch: 1, transactionStatus: 'CompleteAbort', transactionPartitions: [], clientTransactionVersion: 2 } });
  t.equal(v[3].data.transactionStartTimestampMs, v[1].data.transactionStartTimestampMs, 'the start time is kept');
  t.equal(v[4], null, 'the expired id\'s tombstone');
});
