// Kafka 4.4.0's own Java producer with transactions (ProducerPerformance --transactional-id, a
// commit every 200 ms) against a lone samsa: the client uses transaction version 2 (EndTxn v5,
// Produce v12 adding partitions implicitly), so each EndTxn bumps the epoch: every partition ends
// with COMMIT markers only, their epochs rising, the last one the coordinator's current epoch, and
// the last stable offset at the log end.
import t from 'tap';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startBroker } from '../../src/index.js';
import { batchSize, readBatchHeader } from '../../src/protocol/records/batch.js';
import { readEndTxnMarker } from '../../src/protocol/records/control-batch.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';

t.setTimeout(180_000);

function java(cls: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'java', cls, ...args]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 150_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

t.test('ProducerPerformance with a transactional id commits every transaction (TV2)', async (t) => {
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  await b.broker.createTopic('jp', 3, {});
  const r = await java('org.apache.kafka.tools.ProducerPerformance', [
    // 5000 records/s: 3000 take at least 0.6 s, so several 200-ms transactions (at full speed a fast
    // run fits in one, which the sticky partitioner may keep off a partition).
    '--topic', 'jp', '--num-records', '3000', '--record-size', '100', '--throughput', '5000',
    '--transactional-id', 'java-txn', '--transaction-duration-ms', '200',
    '--command-property', `bootstrap.servers=${b.bootstrap}`,
  ]);
  t.equal(r.code, 0, r.out);
  t.match(r.out, /3000 records sent/);
  const d = b.broker.transactions.describe('java-txn');
  t.match(d, { errorCode: 0, transactionState: 'CompleteCommit', topics: [] });
  let records = 0;
  const allEpochs: number[] = [];
  for (const p of [0, 1, 2]) {
    const log = b.broker.partitionLog('jp', p)!;
    const read = await log.read(0, 64 << 20, true, false, 'logEnd');
    const epochs: number[] = [];
    for (const chunk of read.records) {
      for (let pos = 0; pos < chunk.length; pos += batchSize(chunk, pos)) {
        const h = readBatchHeader(chunk, pos);
        const m = readEndTxnMarker(chunk, pos);
        if (m) {
          t.ok(m.commit, `jp-${p}: a COMMIT marker`);
          t.equal(h.producerId, d.producerId);
          epochs.push(h.producerEpoch);
        } else {
          records += h.recordCount;
        }
      }
    }
    // A partition no transaction wrote to has no markers either (only added partitions get them).
    if (Number(log.logEndOffset) > 0) t.ok(epochs.length > 0, `jp-${p} has records and markers`);
    t.ok(epochs.every((e, i) => i === 0 || e > epochs[i - 1]), `jp-${p}: the epoch rises with every transaction (${epochs.join(',')})`);
    if (epochs.length > 0) t.ok(epochs[epochs.length - 1] <= d.producerEpoch);
    t.equal(log.lastStableOffset, log.logEndOffset, `jp-${p}: nothing left open`);
    allEpochs.push(...epochs);
  }
  t.ok(new Set(allEpochs).size >= 2, `several transactions committed (epochs ${[...new Set(allEpochs)].join(',')})`);
  t.equal(records, 3000);
  t.ok(d.producerEpoch >= 1, 'EndTxn v5 bumped the epoch');
});
