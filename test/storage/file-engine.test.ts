// The file engine: the shared behaviour suite (with and without the tail cache, so reads come
// from disk), Kafka's on-disk layout, segment rolls, index files, reopen and write batching.
import t, { type Test } from 'tap';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { CLEAN_SHUTDOWN_FILE, FileStorageEngine } from '../../src/storage/file-engine.js';
import { nodeFileSystem, type FileSystem } from '../../src/storage/fs.js';
import { tempDir } from '../helpers/tmp.js';
import { engineSuite } from './engine-suite.js';
import { batch, decodeAll, logConfig, readValues } from './helpers.js';

const now = 1_700_000_000_000;
const BIG = 1 << 30;

async function openEngine(t: Test, dir: string, opts: { tailCacheBytes?: number; fs?: FileSystem } = {}) {
  const engine = new FileStorageEngine(dir, logConfig(), opts);
  await engine.open();
  t.teardown(() => engine.close());
  return engine;
}

t.test('behaviour suite, tail cache on', async (t) => {
  engineSuite(t, (t) => openEngine(t, tempDir(t)));
});

t.test('behaviour suite, every read from disk', async (t) => {
  engineSuite(t, (t) => openEngine(t, tempDir(t), { tailCacheBytes: 0 }));
});

/** Kafka's .index entries: [relative last offset, position]. */
function indexEntries(path: string): [number, number][] {
  const buf = readFileSync(path);
  const out: [number, number][] = [];
  for (let i = 0; i < buf.length; i += 8) out.push([buf.readInt32BE(i), buf.readInt32BE(i + 4)]);
  return out;
}

t.test("Kafka's layout: <topic>-<partition>/<20-digit base>.log, .index, .timeindex; segments roll on segment.bytes", async (t) => {
  const dir = tempDir(t);
  const engine = new FileStorageEngine(dir, logConfig(), { tailCacheBytes: 0 });
  await engine.open();
  const log = await engine.create('my-topic.v1', 2, logConfig({ 'segment.bytes': '2000', 'index.interval.bytes': '300' }));
  const sizes: number[] = [];
  for (let i = 0; i < 30; i++) {
    const b = batch(2, `r${i}`, { valueSize: 40 });
    sizes.push(b.length);
    await log.append(b, { now });
  }
  const pdir = `${dir}/my-topic.v1-2`;
  const logs = readdirSync(pdir).filter((n) => n.endsWith('.log')).sort();
  t.ok(logs.length >= 3, `rolled into ${logs.length} segments`);
  t.equal(logs[0], '00000000000000000000.log');
  // Each segment's base offset is the first offset it holds, and none exceeds segment.bytes.
  for (const name of logs) {
    const bytes = readFileSync(`${pdir}/${name}`);
    t.ok(bytes.length <= 2000, `${name} within segment.bytes`);
    const [first] = await decodeAll(bytes.subarray(0, 12 + bytes.readInt32BE(8)));
    t.equal(first.baseOffset, Number(name.slice(0, 20)), `${name} starts at its base offset`);
  }
  // Reads across segment boundaries, from disk.
  for (let o = 0; o < 60; o += 7) {
    const [b] = await decodeAll((await log.read(o, 1, true)).records);
    t.ok(b.records.some((r) => r.offset === o), `offset ${o}`);
  }
  t.equal((await readValues(await log.read(0, BIG, true))).length > 0, true);
  await engine.close();
  t.ok(existsSync(`${dir}/${CLEAN_SHUTDOWN_FILE}`), 'clean shutdown marker written');
  // Index entries point at the batch whose last offset they name.
  let checked = 0;
  for (const name of logs) {
    const base = Number(name.slice(0, 20));
    const bytes = readFileSync(`${pdir}/${name}`);
    t.ok(existsSync(`${pdir}/${name.replace('.log', '.timeindex')}`), 'time index written');
    for (const [rel, pos] of indexEntries(`${pdir}/${name.replace('.log', '.index')}`)) {
      const lastOffset = Number(bytes.readBigInt64BE(pos)) + bytes.readInt32BE(pos + 23);
      t.equal(lastOffset, base + rel, `entry ${rel}@${pos} of ${name}`);
      checked++;
    }
  }
  t.ok(checked > 0, 'some index entries checked');

  const reopened = await openEngine(t, dir);
  t.notOk(existsSync(`${dir}/${CLEAN_SHUTDOWN_FILE}`), 'marker removed at open');
  const again = reopened.get('my-topic.v1', 2)!;
  t.ok(again, 'topic with - and . found again');
  t.equal(again.logEndOffset, 60);
  const values = await readValues(await again.read(0, BIG, true));
  t.same(values.slice(0, 3).map((v) => v.value), ['r0-0-'.padEnd(40, 'x'), 'r0-1-'.padEnd(40, 'x'), 'r1-0-'.padEnd(40, 'x')]);
  t.equal((await again.append(batch(1), { now })).baseOffset, 60, 'appends continue at the log end');
});

t.test('segments roll on segment.ms, counted from the first batch timestamp', async (t) => {
  const dir = tempDir(t);
  const engine = await openEngine(t, dir);
  const log = await engine.create('timed', 0, logConfig({ 'segment.ms': '1000' }));
  await log.append(batch(1, 'a', { timestamp: now }), { now });
  await log.append(batch(1, 'b', { timestamp: now + 500 }), { now });
  await log.append(batch(1, 'c', { timestamp: now + 1500 }), { now });
  t.same(
    readdirSync(`${dir}/timed-0`).filter((n) => n.endsWith('.log')).sort(),
    ['00000000000000000000.log', '00000000000000000002.log'],
  );
});

t.test('reopen keeps data, producer state and leader epochs', async (t) => {
  const dir = tempDir(t);
  const first = new FileStorageEngine(dir, logConfig());
  await first.open();
  const log = await first.create('p', 0, logConfig());
  const idem = (seq: number) => batch(2, `s${seq}`, { producerId: 5, producerEpoch: 1, baseSequence: seq });
  await log.append(idem(0), { now });
  await log.append(idem(2), { now });
  await first.close();
  t.ok(existsSync(`${dir}/p-0/leader-epoch-checkpoint`));
  t.equal(readFileSync(`${dir}/p-0/leader-epoch-checkpoint`, 'utf8'), '0\n1\n0 0\n', "Kafka's checkpoint format");

  const second = await openEngine(t, dir);
  const again = second.get('p', 0)!;
  t.equal(again.logEndOffset, 4);
  const dup = await again.append(idem(2), { now });
  t.same([dup.baseOffset, dup.lastOffset], [2, 3], 'retry after restart answered with original offsets');
  t.equal(again.logEndOffset, 4);
  t.equal((await again.append(idem(4), { now })).baseOffset, 4);
  t.same(again.endOffsetForEpoch(0), { leaderEpoch: 0, endOffset: 6 });
});

/** Wraps the real file system, counting calls and optionally failing writes. */
function countingFs(opts: { failWrites?: () => boolean } = {}) {
  const counts = { writes: 0, syncs: 0 };
  const fs: FileSystem = {
    ...nodeFileSystem,
    async open(path, mode) {
      const fh = await nodeFileSystem.open(path, mode);
      const isLog = path.endsWith('.log');
      return {
        ...fh,
        read: fh.read.bind(fh),
        size: fh.size.bind(fh),
        close: fh.close.bind(fh),
        truncate: fh.truncate.bind(fh),
        async write(bufs, position) {
          if (isLog) counts.writes++;
          if (isLog && opts.failWrites?.()) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          return fh.write(bufs, position);
        },
        async sync() {
          if (isLog) counts.syncs++;
          return fh.sync();
        },
      };
    },
  };
  return { fs, counts };
}

t.test('appends waiting on a write go out together in one write', async (t) => {
  const { fs, counts } = countingFs();
  const engine = await openEngine(t, tempDir(t), { fs });
  const log = await engine.create('w', 0, logConfig());
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(batch(1, `x${i}`), { now })));
  t.same(
    results.map((r) => r.baseOffset),
    Array.from({ length: 20 }, (_, i) => i),
  );
  t.equal(counts.writes, 2, 'the first append alone, then the 19 queued behind it');
  t.equal(counts.syncs, 0, 'no fsync by default (flush.messages = Long.MAX)');
  const values = await readValues(await log.read(0, BIG, true));
  t.same(
    values.map((v) => v.value),
    Array.from({ length: 20 }, (_, i) => `x${i}-0`),
  );
});

t.test('flush.messages=1 fsyncs before acknowledging', async (t) => {
  const { fs, counts } = countingFs();
  const engine = await openEngine(t, tempDir(t), { fs });
  const log = await engine.create('f', 0, logConfig({ 'flush.messages': '1' }));
  await log.append(batch(1), { now });
  t.equal(counts.syncs, 1);
  await log.append(batch(1), { now });
  t.equal(counts.syncs, 2);
});

t.test('a failed write takes the log offline (KAFKA_STORAGE_ERROR) and skips the clean marker', async (t) => {
  let fail = false;
  const { fs } = countingFs({ failWrites: () => fail });
  const dir = tempDir(t);
  const engine = new FileStorageEngine(dir, logConfig(), { fs });
  await engine.open();
  const log = await engine.create('bad', 0, logConfig());
  await log.append(batch(1), { now });
  fail = true;
  await t.rejects(log.append(batch(1), { now }), { code: 'ENOSPC' });
  fail = false;
  await t.rejects(log.append(batch(1), { now }), { message: /offline/, errorCode: 56 });
  t.equal(log.logEndOffset, 1);
  t.equal(log.highWatermark, 1);
  await engine.close();
  t.notOk(existsSync(`${dir}/${CLEAN_SHUTDOWN_FILE}`), 'next start recovers');
});

t.test('flush.ms fsyncs unflushed appends in the background', async (t) => {
  const { fs, counts } = countingFs();
  const engine = await openEngine(t, tempDir(t), { fs });
  const log = await engine.create('f', 0, logConfig({ 'flush.ms': '30' }));
  await log.append(batch(1), { now });
  t.equal(counts.syncs, 0, 'not before acknowledging');
  await new Promise((r) => setTimeout(r, 150));
  t.equal(counts.syncs, 1, 'once, by the flusher');
});

t.test('open ignores what is not a partition dir and finishes interrupted deletes', async (t) => {
  const dir = tempDir(t);
  mkdirSync(`${dir}/not_a_partition`);
  mkdirSync(`${dir}/old-0.0123abcd-delete`);
  writeFileSync(`${dir}/old-0.0123abcd-delete/00000000000000000000.log`, 'x');
  writeFileSync(`${dir}/meta.properties`, 'version=1\n');
  mkdirSync(`${dir}/a-b.c-7`);
  const engine = await openEngine(t, dir);
  t.same([...engine.all()].map((l) => [l.topic, l.partition]), [['a-b.c', 7]]);
  t.notOk(existsSync(`${dir}/old-0.0123abcd-delete`));
  t.ok(existsSync(`${dir}/a-b.c-7/00000000000000000000.log`), 'an empty partition dir gets its first segment');
});
