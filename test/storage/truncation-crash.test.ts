// A kill at every step of a truncation (truncateTo, truncateFullyAndStartAt): a fault-injecting file
// system fails the n-th mutating call and every call after it, as a killed process stops. The files
// are then opened afresh without a clean shutdown and must hold a prefix of the old log no shorter
// than the truncated one (or the new empty log), with an epoch cache and producer state that match
// the batches. Truncating again and appending a new epoch's batches, then crashing, must never bring
// back a batch from past the truncation point.
import t, { type Test } from 'tap';
import { cpSync } from 'node:fs';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { nodeFileSystem, type FileSystem } from '../../src/storage/fs.js';
import type { PartitionLog } from '../../src/storage/types.js';
import { tempDir } from '../helpers/tmp.js';
import { logConfig } from './helpers.js';
import { CrashingFs, PRODUCER, checkConsistent, leaderBatch, readToEnd, type LeaderBatchSpec } from './replica-helpers.js';

const overrides = { 'segment.bytes': '400' };

/** 24 batches of 2 records, epochs 1-4, one idempotent producer; rolled into ~10 segments. Left open: a crash image. */
async function scenario(dir: string) {
  const engine = new FileStorageEngine(dir, logConfig(overrides), { replicated: true, tailCacheBytes: 0 });
  await engine.open();
  const log = await engine.create('t', 0, logConfig(overrides));
  for (let i = 0; i < 24; i++) {
    const spec: LeaderBatchSpec = { baseOffset: 2 * i, epoch: 1 + Math.floor(i / 6), count: 2, valueSize: 40, producerId: PRODUCER, producerEpoch: 0, baseSequence: 2 * i };
    await log.appendAsFollower(await leaderBatch(spec));
  }
  await log.flush();
  const original = await readToEnd(log);
  return { engine, original };
}

async function open(dir: string, fs: FileSystem = nodeFileSystem) {
  const engine = new FileStorageEngine(dir, logConfig(overrides), { fs, replicated: true, tailCacheBytes: 0 });
  await engine.open();
  return { engine, log: engine.get('t', 0)! };
}

interface Case {
  name: string;
  run: (log: PartitionLog) => Promise<void>;
  /** Where the log ends once the truncation is complete. */
  end: number;
  /** A fresh start: the log may also load as the new empty log at `end`. */
  startsOver: boolean;
}

const cases: Case[] = [
  { name: 'truncateTo mid-log, mid-batch', run: (log) => log.truncateTo(15), end: 14, startsOver: false },
  { name: 'truncateTo near the start', run: (log) => log.truncateTo(2), end: 2, startsOver: false },
  { name: 'truncateFullyAndStartAt past the log end', run: (log) => log.truncateFullyAndStartAt(200), end: 200, startsOver: true },
  { name: 'truncateFullyAndStartAt inside the log', run: (log) => log.truncateFullyAndStartAt(20), end: 20, startsOver: true },
];

for (const c of cases) {
  t.test(`a kill at each step of ${c.name}`, async (t) => {
    const image = tempDir(t);
    const { engine: builder, original } = await scenario(image);
    t.teardown(() => builder.close());
    const oldEnd = original[original.length - 1].lastOffset + 1;

    // A dry run counts the steps.
    const probe = new CrashingFs();
    const dryDir = tempDir(t);
    cpSync(image, dryDir, { recursive: true });
    const dry = await open(dryDir, probe.fs);
    const before = probe.calls;
    probe.log.length = 0;
    await c.run(dry.log);
    const steps = probe.calls - before;
    t.equal(dry.log.logEndOffset, c.end);
    t.ok(steps > 5, `${steps} steps: ${probe.log.join(', ')}`);
    await dry.engine.close();

    for (let step = 1; step <= steps; step++) {
      const what = `kill at step ${step}/${steps}`;
      const crashing = new CrashingFs();
      const dir = tempDir(t);
      cpSync(image, dir, { recursive: true });
      const { log } = await open(dir, crashing.fs);
      crashing.crashAt = crashing.calls + step;
      await c.run(log).then(
        () => t.fail(`${what}: the truncation should have failed`),
        () => undefined,
      );
      t.ok(crashing.crashed, `${what} (${crashing.log[crashing.log.length - 1]})`);

      // The files as the killed process left them.
      const after = tempDir(t);
      cpSync(dir, after, { recursive: true });
      const reopened = await open(after);
      const batches = await readToEnd(reopened.log);
      t.same(batches, original.slice(0, batches.length), `${what}: a prefix of the old log`);
      const end = reopened.log.logEndOffset;
      const dataEnd = batches.length > 0 ? batches[batches.length - 1].lastOffset + 1 : reopened.log.logStartOffset;
      const prefix = end === dataEnd && end >= (c.startsOver ? 0 : c.end) && end <= oldEnd;
      const freshStart = c.startsOver && end === c.end;
      t.ok(prefix || freshStart, `${what}: ends at ${end} (data to ${dataEnd}), a prefix no shorter than ${c.startsOver ? 0 : c.end} or the fresh log at ${c.end}`);
      checkConsistent(t, reopened.log, batches, what);

      // Finish the truncation, go on with a new epoch, crash again: nothing old may come back.
      await c.run(reopened.log);
      t.equal(reopened.log.logEndOffset, c.end, `${what}: truncated again`);
      await reopened.log.appendAsFollower(await leaderBatch({ baseOffset: c.end, epoch: 9, count: 2, valueSize: 40 }));
      const image2 = tempDir(t);
      cpSync(after, image2, { recursive: true });
      await reopened.engine.close();
      const final = await open(image2);
      const finalBatches = await readToEnd(final.log);
      const kept = c.startsOver ? [] : original.filter((b) => b.lastOffset < c.end);
      t.same(finalBatches.slice(0, kept.length), kept, `${what}: the kept batches`);
      t.same(
        finalBatches.slice(kept.length).map((b) => [b.baseOffset, b.epoch]),
        [[c.end, 9]],
        `${what}: then only the new epoch's batch, nothing from past the truncation`,
      );
      checkConsistent(t, final.log, finalBatches, `${what}, then a crash after new appends`);
      await final.engine.close();
    }
  });
}
