// Transactions in the partition log, on both engines (the file engine without its tail cache too).
import t, { type Test } from 'tap';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { tempDir } from '../helpers/tmp.js';
import { logConfig } from './helpers.js';
import { plain, txnBatch, txnSuite } from './txn-suite.js';
import type { StorageEngine } from '../../src/storage/types.js';

const now = 1_700_000_000_000;

t.test('memory engine', async (t) => {
  txnSuite(t, async (t: Test) => {
    const engine = new MemoryStorageEngine();
    await engine.open();
    t.teardown(() => engine.close());
    return engine;
  });
});

for (const tailCacheBytes of [undefined, 0]) {
  t.test(`file engine${tailCacheBytes === 0 ? ', every read from disk' : ''}`, async (t) => {
    txnSuite(t, async (t: Test) => {
      const engine = new FileStorageEngine(tempDir(t), logConfig(), { tailCacheBytes });
      await engine.open();
      t.teardown(() => engine.close());
      return engine;
    });
  });
}

// A replicated log (the replica layer moves the high watermark): the LSO is also bounded by it,
// and a completed transaction holds it until its marker is below the high watermark (Kafka's
// unreplicated transactions), so read_committed never sees a commit the ISR may still lose.
async function replicatedSuite(t: Test, engine: StorageEngine): Promise<void> {
  const log = await engine.create('rep', 0, logConfig());
  await log.append(plain(2), { now }); // 0-1
  await log.append(txnBatch(1, 1, 0, 0), { now }); // 2
  await log.append(plain(1), { now }); // 3
  t.equal(log.highWatermark, 0, 'nothing replicated yet');
  t.equal(log.lastStableOffset, 0, 'the LSO is bounded by the HW');
  log.updateHighWatermark(2);
  t.equal(log.lastStableOffset, 2);
  log.updateHighWatermark(4);
  t.equal(log.lastStableOffset, 2, 'the open transaction holds it');
  await log.appendMarker({ producerId: 1, producerEpoch: 0, commit: true, coordinatorEpoch: 0 }); // 4
  t.equal(log.lastStableOffset, 2, 'committed, but the marker is not replicated yet');
  log.updateHighWatermark(5);
  t.equal(log.lastStableOffset, 5, 'the marker below the HW: the transaction is stable');
  // A follower truncated below the marker has the transaction open again.
  await log.truncateTo(4);
  t.equal(log.lastStableOffset, 2);
}

t.test('replicated logs: memory engine', async (t) => {
  const engine = new MemoryStorageEngine(true);
  await engine.open();
  t.teardown(() => engine.close());
  await replicatedSuite(t, engine);
});

t.test('replicated logs: file engine', async (t) => {
  const engine = new FileStorageEngine(tempDir(t), logConfig(), { replicated: true });
  await engine.open();
  t.teardown(() => engine.close());
  await replicatedSuite(t, engine);
});
