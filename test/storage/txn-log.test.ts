// Transactions in the partition log, on both engines (the file engine without its tail cache too).
import t, { type Test } from 'tap';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { tempDir } from '../helpers/tmp.js';
import { logConfig } from './helpers.js';
import { txnSuite } from './txn-suite.js';

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
