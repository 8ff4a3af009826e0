// Log compaction in both engines, against Kafka's cleaner semantics: after cleaning, the closed
// part of the log holds one record per key (the newest), at its original offset; tombstones
// stay until delete.retention.ms after the pass that first saw them, then go; compressed
// batches come back with their codec and a valid CRC; min.compaction.lag.ms keeps recent data
// dirty, max.compaction.lag.ms forces a pass; reads running meanwhile never fail.
import t, { type Test } from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { crc32c } from '@node-rs/crc32';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { SkimpyOffsetMap } from '../../src/storage/offset-map.js';
import { LogCleaner } from '../../src/storage/cleaner.js';
import { buildBatch, decodeRecords, type RecordInput } from '../../src/protocol/records/records.js';
import type { Codec } from '../../src/protocol/records/batch.js';
import type { PartitionLog, StorageEngine } from '../../src/storage/types.js';
import { tempDir } from '../helpers/tmp.js';
import { sleep } from '../helpers/timeout.js';
import { decodeAll, logConfig } from './helpers.js';

const now = 1_700_000_000_000;
const DAY = 86_400_000;
const BIG = 1 << 30;

type Model = Map<string, { offset: number; value: string | null }>;

/** Appends one batch of keyed records (null value = tombstone) and files each in the model. */
async function put(log: PartitionLog, model: Model, entries: [string, string | null][], opts: { codec?: Codec; timestamp?: number } = {}) {
  const records: RecordInput[] = entries.map(([key, value]) => ({ key, value, timestamp: opts.timestamp ?? now }));
  const r = await log.append(buildBatch({ records, compression: opts.codec }), { now });
  entries.forEach(([key, value], i) => model.set(key, { offset: r.baseOffset + i, value }));
}

/** Every record from the log start to the high watermark, decoded by kafkajs. */
async function readLog(log: PartitionLog): Promise<{ offset: number; key: string; value: string | null }[]> {
  const out: { offset: number; key: string; value: string | null }[] = [];
  let o = log.logStartOffset;
  while (o < log.highWatermark) {
    const r = await log.read(o, BIG, true);
    const recs = (await decodeAll(r.records)).flatMap((b) => b.records).filter((x) => x.offset >= o);
    if (r.records.length === 0) break;
    out.push(...recs.map((x) => ({ offset: x.offset, key: x.key, value: x.value })));
    // A batch emptied by compaction still moves the read on.
    const last = r.records[r.records.length - 1];
    let end = 0;
    for (let pos = 0; pos < last.length; pos += 12 + last.readInt32BE(pos + 8)) end = Number(last.readBigInt64BE(pos)) + last.readInt32BE(pos + 23) + 1;
    o = Math.max(end, o + 1);
  }
  return out;
}

/** Cleans until a pass has nothing left to do, as the cleaner would over time. */
async function cleanFully(log: PartitionLog, at = now, mapBytes = 1 << 20) {
  const map = new SkimpyOffsetMap(mapBytes);
  await log.flush(); // the last roll finished (its segment sealed), as between two cleaner passes
  let passes = 0;
  while (passes < 100) {
    const c = await log.compactionCandidate(at);
    if (!c || (c.cleanableBytes === 0 && !c.tombstonesExpired)) break;
    await log.compact(at, map);
    passes++;
  }
  return passes;
}

/** Checks the log against the model: one record per live key (the newest), at its offset. */
async function checkLatest(t: Test, log: PartitionLog, model: Model, what: string, opts: { tombstones: 'kept' | 'gone' } = { tombstones: 'kept' }) {
  const records = await readLog(log);
  const seen = new Map<string, { offset: number; value: string | null }>();
  for (const r of records) {
    if (seen.has(r.key)) {
      t.fail(`${what}: key ${r.key} appears twice (offsets ${seen.get(r.key)!.offset} and ${r.offset})`);
      return;
    }
    seen.set(r.key, { offset: r.offset, value: r.value });
  }
  const expected = new Map([...model].filter(([, v]) => opts.tombstones === 'kept' || v.value !== null));
  t.same(new Map([...seen].sort()), new Map([...expected].sort()), `${what}: exactly the newest record per key, at its original offset`);
}

function engines(): [string, (t: Test) => Promise<StorageEngine>][] {
  return [
    [
      'file',
      async (t) => {
        const e = new FileStorageEngine(tempDir(t), logConfig(), { tailCacheBytes: 0 });
        await e.open();
        t.teardown(() => e.close());
        return e;
      },
    ],
    [
      'memory',
      async (t) => {
        const e = new MemoryStorageEngine();
        t.teardown(() => e.close());
        return e;
      },
    ],
  ];
}

const compactConfig = {
  'cleanup.policy': 'compact',
  'segment.bytes': '4000',
  'min.cleanable.dirty.ratio': '0.01',
  'file.delete.delay.ms': '0',
};

for (const [name, open] of engines()) {
  t.test(`${name} engine: 20,000 updates over 200 keys compact to the newest per key, offsets unchanged`, async (t) => {
    const engine = await open(t);
    const log = await engine.create('c', 0, logConfig(compactConfig));
    const model: Model = new Map();
    for (let round = 0; round < 200; round++) {
      const entries: [string, string][] = [];
      for (let i = 0; i < 100; i++) {
        const k = (round * 37 + i * 13) % 200;
        entries.push([`key-${k}`, `value-${round}-${i}`]);
      }
      await put(log, model, entries);
    }
    // One record in a fresh segment closes everything before it (the active segment is never cleaned).
    await put(log, model, [['sentinel', 'x'.repeat(4000)]]);
    await put(log, model, [['after', 'a']]);
    const before = log.cleanerStats.bytesReclaimed;
    const passes = await cleanFully(log);
    t.ok(passes >= 1, `${passes} pass(es)`);
    t.ok(log.cleanerStats.bytesReclaimed > before, `${log.cleanerStats.bytesReclaimed} bytes reclaimed`);
    t.equal(log.cleanerStats.recordsRemoved, 20_000 - 200, 'every overwritten record removed');
    await checkLatest(t, log, model, 'after cleaning');
    t.equal(log.logEndOffset, 20_002, 'the log end offset does not move');
    t.equal(log.logStartOffset, 0);
    // Producing continues at the log end; a further pass keeps everything.
    await put(log, model, [['key-1', 'newest']]);
    // A new key: the active segment it opens is not cleaned, so it must not repeat an older key.
    await put(log, model, [['sentinel-2', 'y'.repeat(4000)]]);
    await cleanFully(log);
    await checkLatest(t, log, model, 'after more updates');
  });

  t.test(`${name} engine: tombstones stay for delete.retention.ms after the first pass, then go`, async (t) => {
    const engine = await open(t);
    const log = await engine.create('c', 0, logConfig({ ...compactConfig, 'delete.retention.ms': String(DAY) }));
    const model: Model = new Map();
    for (let round = 0; round < 5; round++) await put(log, model, Array.from({ length: 50 }, (_, i): [string, string] => [`k${i}`, `v${round}`]));
    await put(log, model, Array.from({ length: 10 }, (_, i): [string, null] => [`k${i * 5}`, null]));
    await put(log, model, [['sentinel', 'x'.repeat(4000)]]);
    await put(log, model, [['after', 'a']]);
    await cleanFully(log, now);
    await checkLatest(t, log, model, 'just cleaned: tombstones kept', { tombstones: 'kept' });
    const c = await log.compactionCandidate(now + DAY - 1);
    t.equal(c?.tombstonesExpired, false, 'not before the delete horizon');
    const later = now + DAY + 1;
    t.equal((await log.compactionCandidate(later))?.tombstonesExpired, true, 'a quiet log asks to be cleaned once the horizon passed');
    await cleanFully(log, later);
    await checkLatest(t, log, model, 'past the horizon: tombstones gone', { tombstones: 'gone' });
    t.equal((await log.compactionCandidate(later))?.tombstonesExpired, false);
  });

  t.test(`${name} engine: compressed batches are rewritten with their own codec`, async (t) => {
    const engine = await open(t);
    const log = await engine.create('c', 0, logConfig(compactConfig));
    const model: Model = new Map();
    const codecs: Codec[] = ['gzip', 'snappy', 'lz4', 'zstd', 'none'];
    for (let round = 0; round < 10; round++) {
      const codec = codecs[round % codecs.length];
      await put(log, model, Array.from({ length: 20 }, (_, i): [string, string] => [`${codec}-${i % 10}`, `${codec}-${round}-${i}`]), { codec });
    }
    await put(log, model, [['sentinel', 'x'.repeat(4000)]]);
    await put(log, model, [['after', 'a']]);
    await cleanFully(log);
    const seen = new Map<string, string | null>();
    for (let o = log.logStartOffset; o < log.highWatermark; ) {
      const r = await log.read(o, BIG, true);
      if (r.records.length === 0) break;
      for (const buf of r.records) {
        for (let pos = 0; pos < buf.length; ) {
          const size = 12 + buf.readInt32BE(pos + 8);
          t.equal(buf.readUInt32BE(pos + 17), crc32c(buf.subarray(pos + 21, pos + size)) >>> 0, 'CRC-32C valid');
          const codec = codecs.find((c) => ['none', 'gzip', 'snappy', 'lz4', 'zstd'].indexOf(c) === (buf.readInt16BE(pos + 21) & 7))!;
          for (const rec of decodeRecords(buf, pos)) {
            const key = rec.key!.toString();
            if (key !== 'sentinel' && key !== 'after') t.ok(key.startsWith(`${codec}-`), `${key} is in a ${codec} batch`);
            seen.set(key, rec.value?.toString() ?? null);
          }
          o = Number(buf.readBigInt64BE(pos)) + buf.readInt32BE(pos + 23) + 1;
          pos += size;
        }
      }
    }
    t.same(new Map([...seen].sort()), new Map([...model].map(([k, v]) => [k, v.value] as [string, string | null]).sort()));
  });

  t.test(`${name} engine: min.compaction.lag.ms keeps recent data dirty; max.compaction.lag.ms forces a pass`, async (t) => {
    const engine = await open(t);
    const log = await engine.create('c', 0, logConfig({ ...compactConfig, 'min.compaction.lag.ms': String(DAY), 'min.cleanable.dirty.ratio': '0.99' }));
    const model: Model = new Map();
    for (let round = 0; round < 20; round++) await put(log, model, Array.from({ length: 20 }, (_, i): [string, string] => [`k${i}`, `v${round}`]), { timestamp: now });
    await put(log, model, [['sentinel', 'x'.repeat(4000)]], { timestamp: now });
    await put(log, model, [['after', 'a']], { timestamp: now });
    await log.flush();
    const young = await log.compactionCandidate(now);
    t.equal(young?.cleanableBytes, 0, 'younger than min.compaction.lag.ms: nothing cleanable');
    await log.compact(now, new SkimpyOffsetMap(1 << 20));
    t.equal((await readLog(log)).length, 402, 'nothing removed');
    const old = await log.compactionCandidate(now + 2 * DAY);
    t.ok(old!.cleanableBytes > 0, 'old enough');
    t.equal(old!.mustCleanNow, false, 'max.compaction.lag.ms is unbounded by default');
    log.config = logConfig({ ...compactConfig, 'min.compaction.lag.ms': String(DAY), 'max.compaction.lag.ms': String(DAY), 'min.cleanable.dirty.ratio': '0.99' });
    t.equal((await log.compactionCandidate(now + 2 * DAY))?.mustCleanNow, true, 'past max.compaction.lag.ms: must clean now');
  });
}

t.test('a key map too small for the dirty keys cleans in several passes, each up to where the map filled', async (t) => {
  const engine = new FileStorageEngine(tempDir(t), logConfig(), { tailCacheBytes: 0 });
  await engine.open();
  t.teardown(() => engine.close());
  const log = await engine.create('c', 0, logConfig(compactConfig));
  const model: Model = new Map();
  for (let round = 0; round < 10; round++) await put(log, model, Array.from({ length: 200 }, (_, i): [string, string] => [`key-${i}`, `v${round}`]));
  await put(log, model, [['sentinel', 'x'.repeat(4000)]]);
  await put(log, model, [['after', 'a']]);
  // 128 slots: full at 115 keys, so one pass maps about half a round of the 200 keys.
  const passes = await cleanFully(log, now, 128 * 24);
  t.ok(passes > 3, `${passes} passes`);
  await checkLatest(t, log, model, 'after the passes');
});

t.test('the cleaner picks the dirty log, reports bytes reclaimed, and leaves non-compacted logs alone', async (t) => {
  const engine = new FileStorageEngine(tempDir(t), logConfig(), { tailCacheBytes: 0 });
  await engine.open();
  t.teardown(() => engine.close());
  const dirty = await engine.create('dirty', 0, logConfig(compactConfig));
  const plain = await engine.create('plain', 0, logConfig({ 'segment.bytes': '4000' }));
  const model: Model = new Map();
  const other: Model = new Map();
  for (let round = 0; round < 30; round++) {
    await put(dirty, model, Array.from({ length: 20 }, (_, i): [string, string] => [`k${i}`, `v${round}`]));
    await put(plain, other, Array.from({ length: 20 }, (_, i): [string, string] => [`k${i}`, `v${round}`]));
  }
  await put(dirty, model, [['sentinel', 'x'.repeat(4000)]]);
  await put(dirty, model, [['after', 'a']]);
  await dirty.flush();
  const cleaner = new LogCleaner(engine, { compaction: true, retentionCheckIntervalMs: 60_000, backoffMs: 60_000, dedupeBufferSize: 1 << 20 });
  t.equal(await cleaner.cleaningPass(now), true, 'a pass cleaned the dirty log');
  t.equal(await cleaner.cleaningPass(now), false, 'then nothing is dirty enough');
  t.ok(dirty.cleanerStats.bytesReclaimed > 0);
  t.equal(dirty.cleanerStats.cleanings, 1);
  t.equal(plain.cleanerStats.cleanings, 0, 'cleanup.policy=delete is not compacted');
  t.equal((await readLog(plain)).length, 600);
  await checkLatest(t, dirty, model, 'cleaned by the cleaner');
});

t.test('reads never fail while compaction swaps segments', async (t) => {
  const engine = new FileStorageEngine(tempDir(t), logConfig(), { tailCacheBytes: 0 });
  await engine.open();
  t.teardown(() => engine.close());
  const log = await engine.create('c', 0, logConfig(compactConfig));
  const model: Model = new Map();
  let stop = false;
  const errors: unknown[] = [];
  let reads = 0;
  const reader = (async () => {
    while (!stop) {
      try {
        const all = await readLog(log);
        // Whatever a read sees, each key's newest value as of the read start is there.
        if (all.length === 0 && log.highWatermark > 0) errors.push(new Error('empty log'));
        reads++;
      } catch (e) {
        errors.push(e);
      }
      await sleep(0);
    }
  })();
  const cleaner = (async () => {
    const map = new SkimpyOffsetMap(1 << 20);
    while (!stop) {
      await log.compact(Date.now(), map);
      await sleep(1);
    }
  })();
  for (let round = 0; round < 150; round++) await put(log, model, Array.from({ length: 20 }, (_, i): [string, string] => [`k${(round + i) % 40}`, `v${round}-${i}`]));
  await put(log, model, [['sentinel', 'x'.repeat(4000)]]);
  await put(log, model, [['after', 'a']]);
  stop = true;
  await Promise.all([reader, cleaner]);
  t.same(errors, [], `${reads} full reads, none failed`);
  await cleanFully(log, Date.now());
  await checkLatest(t, log, model, 'at the end');
});

t.test('file engine: cleaned segments survive a restart; the cleaner checkpoint is kept', async (t) => {
  const dir = tempDir(t);
  const model: Model = new Map();
  {
    const engine = new FileStorageEngine(dir, logConfig(), { tailCacheBytes: 0 });
    await engine.open();
    const log = await engine.create('c', 0, logConfig(compactConfig));
    for (let round = 0; round < 50; round++) await put(log, model, Array.from({ length: 20 }, (_, i): [string, string] => [`k${i}`, `v${round}`]));
    await put(log, model, [['sentinel', 'x'.repeat(4000)]]);
    await put(log, model, [['after', 'a']]);
    await cleanFully(log);
    await engine.close();
  }
  const pdir = `${dir}/c-0`;
  t.same(readdirSync(pdir).filter((n) => /\.(cleaned|swap|deleted)$/.test(n)), [], 'no leftovers');
  t.match(readFileSync(`${dir}/cleaner-offset-checkpoint`, 'utf8'), /^0\n1\nc 0 \d+\n$/);
  const engine = new FileStorageEngine(dir, logConfig(), { tailCacheBytes: 0 });
  await engine.open();
  t.teardown(() => engine.close());
  const log = engine.get('c', 0)!;
  log.config = logConfig(compactConfig);
  await checkLatest(t, log, model, 'after restart');
  const c = await log.compactionCandidate(now);
  t.equal(c?.cleanableBytes, 0, 'nothing dirty: the checkpoint says where cleaning got to');
});
