// A crash at every step of a compaction pass: a fault-injecting file system fails the n-th
// mutating call (create, write, fsync, truncate, rename, unlink, directory sync) and every call
// after it, as a killed process would stop. The directory is then opened afresh, without a clean
// shutdown, and must recover to a readable log holding the newest value of every key at its
// original offset, with no `.cleaned` or `.swap` file left behind.
import t, { type Test } from 'tap';
import { cpSync, readdirSync } from 'node:fs';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import type { FileSystem } from '../../src/storage/fs.js';
import { CrashingFs } from '../helpers/crashing-fs.js';
import { SkimpyOffsetMap } from '../../src/storage/offset-map.js';
import { buildBatch } from '../../src/protocol/records/records.js';
import type { PartitionLog } from '../../src/storage/types.js';
import { tempDir } from '../helpers/tmp.js';
import { decodeAll, logConfig } from './helpers.js';

const now = 1_700_000_000_000;
const BIG = 1 << 30;
const config = {
  'cleanup.policy': 'compact',
  'segment.bytes': '3000',
  'min.cleanable.dirty.ratio': '0.01',
  'file.delete.delay.ms': '600000',
  'delete.retention.ms': '1000',
};


type Model = Map<string, { offset: number; value: string | null }>;

async function put(log: PartitionLog, model: Model, entries: [string, string | null][]) {
  const r = await log.append(buildBatch({ records: entries.map(([key, value]) => ({ key, value, timestamp: now })), compression: 'gzip' }), { now });
  entries.forEach(([key, value], i) => model.set(key, { offset: r.baseOffset + i, value }));
}

async function readLog(log: PartitionLog) {
  const out = new Map<string, { offset: number; value: string | null }[]>();
  let o = log.logStartOffset;
  while (o < log.highWatermark) {
    const r = await log.read(o, BIG, true);
    if (r.records.length === 0) break;
    for (const b of await decodeAll(r.records)) {
      for (const x of b.records) {
        if (x.offset < o) continue;
        out.set(x.key, [...(out.get(x.key) ?? []), { offset: x.offset, value: x.value }]);
      }
    }
    const last = r.records[r.records.length - 1];
    let end = o + 1;
    for (let pos = 0; pos < last.length; pos += 12 + last.readInt32BE(pos + 8)) end = Number(last.readBigInt64BE(pos)) + last.readInt32BE(pos + 23) + 1;
    o = end;
  }
  return out;
}

/**
 * The log before the pass: 40 rounds over 20 keys, cleaned once (phase 2 only), then 15 more
 * rounds and tombstones for 5 keys, closed by a roll. Left open: its files are a crash image.
 */
async function scenario(dir: string, phase: 1 | 2) {
  const engine = new FileStorageEngine(dir, logConfig(), { tailCacheBytes: 0 });
  await engine.open();
  const log = await engine.create('c', 0, logConfig(config));
  const model: Model = new Map();
  const round = async (r: number) => put(log, model, Array.from({ length: 20 }, (_, i): [string, string] => [`k${i}`, `v${r}-${i}`.padEnd(30, '.')]));
  for (let r = 0; r < 40; r++) await round(r);
  if (phase === 2) {
    await put(log, model, [['roll-1', 'x'.repeat(3000)]]);
    await log.flush();
    await log.compact(now, new SkimpyOffsetMap(1 << 20));
    for (let r = 40; r < 55; r++) await round(r);
    await put(log, model, Array.from({ length: 5 }, (_, i): [string, null] => [`k${i * 4}`, null]));
  }
  await put(log, model, [[`roll-${phase + 1}`, 'x'.repeat(3000)]]);
  await put(log, model, [['tail', 't']]);
  await log.flush();
  return { engine, log, model };
}

/** A copy of the image, opened (with recovery, as after a crash) through `fs`. */
async function reopen(image: string, dir: string, fs: FileSystem) {
  cpSync(image, dir, { recursive: true });
  const engine = new FileStorageEngine(dir, logConfig(), { fs, tailCacheBytes: 0 });
  await engine.open();
  const log = engine.get('c', 0)!;
  log.config = logConfig(config);
  return { engine, log };
}

async function check(t: Test, dir: string, model: Model, what: string, furtherPass: boolean) {
  const engine = new FileStorageEngine(dir, logConfig(), { tailCacheBytes: 0 });
  await engine.open();
  try {
    const log = engine.get('c', 0)!;
    t.ok(log, `${what}: the log opens`);
    const found = await readLog(log);
    const missing: string[] = [];
    for (const [key, latest] of model) {
      const got = found.get(key) ?? [];
      const last = got[got.length - 1];
      if (!last || last.offset !== latest.offset || last.value !== latest.value) missing.push(`${key}@${latest.offset}`);
    }
    t.same(missing, [], `${what}: every key's newest value is the last one read, at its offset`);
    t.equal(log.logEndOffset, Math.max(...[...model.values()].map((v) => v.offset)) + 1, `${what}: log end offset`);
    const pdir = `${dir}/c-0`;
    t.same(readdirSync(pdir).filter((n) => /\.(cleaned|swap|deleted)$/.test(n)), [], `${what}: no rewrite leftovers`);
    if (!furtherPass) return;
    // The recovered log cleans and serves as usual.
    await log.compact(now, new SkimpyOffsetMap(1 << 20));
    const again = await readLog(log);
    t.same(
      [...model].filter(([k, v]) => again.get(k)?.at(-1)?.offset !== v.offset).map(([k]) => k),
      [],
      `${what}: still complete after a further pass`,
    );
  } finally {
    await engine.close();
  }
}

for (const phase of [1, 2] as const) {
  t.test(`a crash at each step of a compaction pass (${phase === 1 ? 'first pass, one segment per group' : 'second pass, merged groups and tombstones'})`, async (t) => {
    const image = tempDir(t);
    const { engine: builder, model } = await scenario(image, phase);
    t.teardown(() => builder.close());
    // A dry run counts the steps of the pass.
    const probe = new CrashingFs();
    const dry = await reopen(image, tempDir(t), probe.fs);
    const before = probe.calls;
    probe.log.length = 0;
    const result = await dry.log.compact(now, new SkimpyOffsetMap(1 << 20));
    const steps = probe.calls - before;
    await dry.engine.close();
    t.ok(result && result.segmentsRewritten > 0, `the pass rewrites ${result?.segmentsRewritten} segments in ${steps} steps`);
    t.ok(probe.log.some((s) => /\.log\.swap -> .*\.log$/.test(s)), 'the pass swaps through .swap files');
    if (phase === 2) t.ok(probe.log.some((s) => /\.log -> .*\.log\.deleted$/.test(s)), 'and retires merged originals as .deleted');

    for (let step = 1; step <= steps; step++) {
      const crashing = new CrashingFs();
      const dir = tempDir(t);
      const { log } = await reopen(image, dir, crashing.fs);
      crashing.crashAt = crashing.calls + step;
      await log.compact(now, new SkimpyOffsetMap(1 << 20)).then(
        () => t.fail(`step ${step}: the pass should have failed`),
        () => undefined,
      );
      t.ok(crashing.crashed, `step ${step}: crashed at ${crashing.log[crashing.log.length - 1]}`);
      // A further pass after recovery on every third step (each check costs a full reload).
      await check(t, dir, model, `crash at step ${step}/${steps}`, step % 3 === 0 || step === steps);
    }
  });
}
