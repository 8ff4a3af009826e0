// The broker-wide tail-cache budget: many partitions together never cache more than it, the
// oldest chunks of the whole broker go first, and every read stays exact when the cache is cut.
import t, { type Test } from 'tap';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { tempDir } from '../helpers/tmp.js';
import { engineSuite } from './engine-suite.js';
import { batch, logConfig, readAll, readValues } from './helpers.js';

const now = 1_700_000_000_000;

async function openEngine(t: Test, tailCacheBytes: number, tailCacheTotalBytes: number) {
  const engine = new FileStorageEngine(tempDir(t), logConfig(), { tailCacheBytes, tailCacheTotalBytes });
  await engine.open();
  t.teardown(() => engine.close());
  return engine;
}

t.test('behaviour suite with a budget smaller than one batch run (reads mix cache and disk)', async (t) => {
  engineSuite(t, (t) => openEngine(t, 4 * 1024 * 1024, 3000));
});

t.test('20 partitions stay within the shared budget; every record still reads back', async (t) => {
  const budget = 64 * 1024;
  const engine = await openEngine(t, 1024 * 1024, budget);
  const logs = [];
  for (let p = 0; p < 20; p++) logs.push(await engine.create('many', p, logConfig()));
  let peak = 0;
  for (let round = 0; round < 10; round++) {
    for (const [p, log] of logs.entries()) {
      await log.append(batch(10, `p${p}-r${round}`, { valueSize: 100 }), { now });
      peak = Math.max(peak, engine.tailCacheHeld);
    }
  }
  t.ok(peak <= budget, `peak ${peak} bytes held <= ${budget}`);
  t.ok(engine.tailCacheHeld > budget / 2, `the budget is used, not emptied (${engine.tailCacheHeld} bytes)`);
  for (const [p, log] of logs.entries()) {
    const got = await readAll(log);
    t.equal(got.length, 100, `partition ${p}: 100 records`);
    t.same(got[99], { offset: 99, value: `p${p}-r9-9-`.padEnd(100, 'x') });
  }
});

t.test('the oldest chunks of the broker are evicted first, whichever partition holds them', async (t) => {
  const one = batch(10, 'x', { valueSize: 100 }).length;
  const engine = await openEngine(t, 1024 * 1024, 3 * one);
  const a = await engine.create('a', 0, logConfig());
  const b = await engine.create('b', 0, logConfig());
  await a.append(batch(10, 'a0', { valueSize: 100 }), { now });
  await b.append(batch(10, 'b0', { valueSize: 100 }), { now });
  await a.append(batch(10, 'a1', { valueSize: 100 }), { now });
  t.equal(engine.tailCacheHeld, 3 * one, 'three batches fit');
  await b.append(batch(10, 'b1', { valueSize: 100 }), { now });
  t.equal(engine.tailCacheHeld, 3 * one, "a's first batch made room for b's second");
  // Reads are exact either way: a0 now comes from the segment file, the rest from memory.
  t.same((await readValues(await a.read(0, 1 << 20, true))).map((r) => r.value.split('-x')[0]), [
    ...Array.from({ length: 10 }, (_, i) => `a0-${i}`),
    ...Array.from({ length: 10 }, (_, i) => `a1-${i}`),
  ]);
  await engine.delete('a', 0);
  t.equal(engine.tailCacheHeld, 2 * one, "a deleted partition's cached bytes leave the budget");
});
