// A kill at every step of follower appends that bring new leader epochs, followed by appends that
// roll segments past them (so recovery at load no longer rescans where the epochs began): the
// leader-epoch checkpoint is written before the batches, so whatever prefix of the appends
// survives, the reopened log's epoch cache and producer state match its batches.
import t from 'tap';
import { cpSync, readdirSync } from 'node:fs';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { nodeFileSystem, type FileSystem } from '../../src/storage/fs.js';
import { snapshotOffsets } from '../../src/storage/producer-snapshots.js';
import type { PartitionLog } from '../../src/storage/types.js';
import { tempDir } from '../helpers/tmp.js';
import { logConfig } from './helpers.js';
import { CrashingFs, PRODUCER, checkConsistent, leaderBatch, readToEnd, type LeaderBatchSpec } from './replica-helpers.js';

const overrides = { 'segment.bytes': '400', 'flush.messages': '1' };

async function open(dir: string, fs: FileSystem = nodeFileSystem) {
  const engine = new FileStorageEngine(dir, logConfig(overrides), { fs, replicated: true, tailCacheBytes: 0 });
  await engine.open();
  return { engine, log: engine.get('t', 0) ?? (await engine.create('t', 0, logConfig(overrides))) };
}

const spec = (i: number, epoch: number): LeaderBatchSpec => ({ baseOffset: 2 * i, epoch, count: 2, valueSize: 40, producerId: PRODUCER, producerEpoch: 0, baseSequence: 2 * i });

t.test('a kill at each step of a follower append with new epochs', async (t) => {
  const image = tempDir(t);
  const builder = await open(image);
  t.teardown(() => builder.engine.close());
  for (let i = 0; i < 5; i++) await builder.log.appendAsFollower(await leaderBatch(spec(i, 1)));
  await builder.log.flush();
  // Under test: epochs 2 and 3 in one append (it rolls a segment), then more of epoch 3 one by one,
  // each a roll with its producer snapshot: the newest snapshot ends up past where 2 and 3 began.
  const incoming = [Buffer.concat([await leaderBatch(spec(5, 2)), await leaderBatch(spec(6, 2)), await leaderBatch(spec(7, 3)), await leaderBatch(spec(8, 3))])];
  for (let i = 9; i < 14; i++) incoming.push(await leaderBatch(spec(i, 3)));
  const run = async (log: PartitionLog) => {
    for (const records of incoming) await log.appendAsFollower(records);
    await log.flush();
  };
  const full = await (async () => {
    const dir = tempDir(t);
    cpSync(image, dir, { recursive: true });
    const probe = new CrashingFs();
    const { engine, log } = await open(dir, probe.fs);
    const before = probe.calls;
    await run(log);
    const steps = probe.calls - before;
    const batches = await readToEnd(log);
    await engine.close();
    const checkpointed = probe.log.indexOf('rename leader-epoch-checkpoint.tmp -> leader-epoch-checkpoint');
    t.ok(checkpointed >= 0 && checkpointed < probe.log.findIndex((s) => /^write 0+\d+\.log$/.test(s)), 'the epoch checkpoint is written before the batches');
    t.ok(snapshotOffsets(readdirSync(`${dir}/t-0`)).some((o) => o > 14), 'a producer snapshot (the recovery point) lies past the new epochs');
    return { steps, batches };
  })();
  t.same(full.batches.map((b) => b.epoch), [1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3]);
  for (let step = 1; step <= full.steps; step++) {
    const what = `kill at step ${step}/${full.steps}`;
    const dir = tempDir(t);
    cpSync(image, dir, { recursive: true });
    const crashing = new CrashingFs();
    const { log } = await open(dir, crashing.fs);
    crashing.crashAt = crashing.calls + step;
    await run(log).then(
        () => undefined,
        () => undefined,
      );
    // Rolled segments finish concurrently, and how many old producer snapshots each prunes depends
    // on their order: a run may take a few steps less than the dry run did.
    t.ok(crashing.crashed || step > full.steps - 5, `${what}: ${crashing.crashed ? 'killed' : 'the run ended first'}`);
    const after = tempDir(t);
    cpSync(dir, after, { recursive: true });
    const reopened = await open(after);
    const batches = await readToEnd(reopened.log);
    t.ok(batches.length >= 5, `${what}: the batches before the append are kept`);
    t.same(batches, full.batches.slice(0, batches.length), `${what}: a prefix of the log with the append`);
    checkConsistent(t, reopened.log, batches, what);
    await reopened.engine.close();
  }
});
