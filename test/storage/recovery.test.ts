// Recovery at open, as Kafka's LogLoader does it: torn or corrupt tails are cut at the last
// whole valid batch, bad index files are rebuilt from the log, and a crash image (the files as
// the page cache held them at kill -9) reopens with its data and producer state.
import t, { type Test } from 'tap';
import { appendFileSync, cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { CLEAN_SHUTDOWN_FILE, FileStorageEngine } from '../../src/storage/file-engine.js';
import { tempDir } from '../helpers/tmp.js';
import { batch, decodeAll, logConfig, readAll, readValues } from './helpers.js';

const now = 1_700_000_000_000;
const BIG = 1 << 30;

interface OnDiskBatch {
  pos: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
}

/** Batch boundaries of a .log file, read straight from the bytes. */
function batchesIn(buf: Buffer): OnDiskBatch[] {
  const out: OnDiskBatch[] = [];
  for (let pos = 0; pos + 61 <= buf.length; ) {
    const size = 12 + buf.readInt32BE(pos + 8);
    const baseOffset = Number(buf.readBigInt64BE(pos));
    out.push({ pos, size, baseOffset, lastOffset: baseOffset + buf.readInt32BE(pos + 23) });
    pos += size;
  }
  return out;
}

function segmentFiles(pdir: string, suffix: string): string[] {
  return readdirSync(pdir)
    .filter((n) => n.endsWith(suffix))
    .sort()
    .map((n) => `${pdir}/${n}`);
}

async function open(t: Test, dir: string, overrides: Record<string, string> = {}, tailCacheBytes = 0) {
  const engine = new FileStorageEngine(dir, logConfig(overrides), { tailCacheBytes });
  await engine.open();
  t.teardown(() => engine.close());
  return engine;
}

/** A log of ten batches (1-3 records each, values `b<i>-<j>`), closed cleanly. */
async function tenBatches(dir: string, overrides: Record<string, string> = {}) {
  const engine = new FileStorageEngine(dir, logConfig(overrides));
  await engine.open();
  const log = await engine.create('t', 0, logConfig(overrides));
  const expected: string[] = [];
  for (let i = 0; i < 10; i++) {
    const n = 1 + (i % 3);
    await log.append(batch(n, `b${i}`, { timestamp: now + i * 10 }), { now });
    for (let j = 0; j < n; j++) expected.push(`b${i}-${j}`);
  }
  await engine.close();
  return expected;
}

async function checkLog(t: Test, dir: string, expected: string[], what: string) {
  const engine = await open(t, dir);
  const log = engine.get('t', 0)!;
  t.equal(log.logEndOffset, expected.length, `${what}: log end offset`);
  const values = await readAll(log);
  t.same(
    values.map((v) => v.value),
    expected,
    `${what}: every complete valid batch is there`,
  );
  t.same(
    values.map((v) => v.offset),
    expected.map((_, i) => i),
  );
  const next = await log.append(batch(2, 'after', { timestamp: now + 1000 }), { now });
  t.equal(next.baseOffset, expected.length, `${what}: appends continue at the right offset`);
  const tail = await readValues(await log.read(expected.length, BIG, true));
  t.same(
    tail.map((v) => v.value),
    ['after-0', 'after-1'],
  );
  return { engine, log };
}

for (const damage of ['garbage', 'partial batch', 'flipped byte in the last batch'] as const) {
  for (const marker of [false, true]) {
    // A clean shutdown skips CRC checks (as Kafka's does), so a flipped byte is a crash case only.
    if (damage === 'flipped byte in the last batch' && marker) continue;
    t.test(`torn tail (${damage}), ${marker ? 'clean marker present' : 'unclean shutdown'}`, async (t) => {
      const dir = tempDir(t);
      let expected = await tenBatches(dir);
      const [logPath] = segmentFiles(`${dir}/t-0`, '.log');
      const original = readFileSync(logPath);
      const batches = batchesIn(original);
      let validSize = original.length;
      if (damage === 'garbage') appendFileSync(logPath, Buffer.alloc(100, 0xab));
      else if (damage === 'partial batch') appendFileSync(logPath, batch(3, 'torn').subarray(0, 40));
      else {
        const last = batches[batches.length - 1];
        const bytes = Buffer.from(original);
        bytes[last.pos + 70] ^= 0x01;
        writeFileSync(logPath, bytes);
        validSize = last.pos;
        expected = expected.slice(0, last.baseOffset);
      }
      if (!marker) unlinkSync(`${dir}/${CLEAN_SHUTDOWN_FILE}`);
      const { engine } = await checkLog(t, dir, expected, damage);
      await engine.close();
      const recovered = batchesIn(readFileSync(logPath));
      t.equal(recovered[recovered.length - 2].pos + recovered[recovered.length - 2].size, validSize, 'file cut right after the last valid batch');
      await checkLog(t, dir, [...expected, 'after-0', 'after-1'], 'reopened after recovery');
    });
  }
}

t.test('crash image (files as at kill -9): data and producer state rebuilt from batch headers', async (t) => {
  const dir = tempDir(t);
  const engine = await open(t, dir);
  const log = await engine.create('t', 0, logConfig());
  const expected: string[] = [];
  for (let seq = 0; seq < 6; seq++) {
    await log.append(batch(1, `i${seq}`, { producerId: 31, producerEpoch: 2, baseSequence: seq }), { now });
    expected.push(`i${seq}-0`);
  }
  const image = tempDir(t);
  cpSync(dir, image, { recursive: true });
  t.notOk(existsSync(`${image}/${CLEAN_SHUTDOWN_FILE}`));
  t.same(segmentFiles(`${image}/t-0`, '.snapshot'), [], 'no snapshot: state must come from the log');
  // A torn append at the moment of the crash.
  appendFileSync(segmentFiles(`${image}/t-0`, '.log')[0], batch(2, 'torn').subarray(0, 70));

  const reopened = await open(t, image);
  const again = reopened.get('t', 0)!;
  t.equal(again.logEndOffset, 6);
  t.same(
    (await readValues(await again.read(0, BIG, true))).map((v) => v.value),
    expected,
  );
  const dup = await again.append(batch(1, 'i5', { producerId: 31, producerEpoch: 2, baseSequence: 5 }), { now });
  t.equal(dup.baseOffset, 5, 'retry recognised after the crash');
  await t.rejects(again.append(batch(1, 'x', { producerId: 31, producerEpoch: 1, baseSequence: 6 }), { now }), { message: /epoch/, errorCode: 47 });
  await t.rejects(again.append(batch(1, 'x', { producerId: 31, producerEpoch: 2, baseSequence: 9 }), { now }), { message: /sequence number/, errorCode: 45 });
  t.equal((await again.append(batch(1, 'i6', { producerId: 31, producerEpoch: 2, baseSequence: 6 }), { now })).baseOffset, 6);
});

/** A clean multi-segment log with dense indexes; returns its records' values. */
async function segmentedLog(dir: string) {
  const cfg = { 'segment.bytes': '1500', 'index.interval.bytes': '150' };
  const engine = new FileStorageEngine(dir, logConfig(cfg));
  await engine.open();
  const log = await engine.create('t', 0, logConfig(cfg));
  const expected: string[] = [];
  for (let i = 0; i < 40; i++) {
    await log.append(batch(2, `s${i}`, { timestamp: now + i * 10, valueSize: 20 }), { now });
    expected.push(`s${i}-0-`.padEnd(20, 'x'), `s${i}-1-`.padEnd(20, 'x'));
  }
  await engine.close();
  return expected;
}

async function checkEveryOffset(t: Test, dir: string, expected: string[]) {
  const engine = await open(t, dir, { 'index.interval.bytes': '150' });
  const log = engine.get('t', 0)!;
  t.equal(log.logEndOffset, expected.length);
  let wrong = 0;
  for (let o = 0; o < expected.length; o++) {
    const [b] = await decodeAll((await log.read(o, 1, true)).records);
    const r = b.records.find((x) => x.offset === o);
    if (r?.value !== expected[o]) wrong++;
  }
  t.equal(wrong, 0, 'every offset reads back right');
  t.same(await log.offsetForTimestamp(now + 215), { offset: 44, timestamp: now + 220, leaderEpoch: 0 });
  t.same(await log.maxTimestamp(), { offset: 78, timestamp: now + 390, leaderEpoch: 0 });
  return engine;
}

t.test('missing index files are rebuilt from the log', async (t) => {
  const dir = tempDir(t);
  const expected = await segmentedLog(dir);
  const indexes = segmentFiles(`${dir}/t-0`, '.index');
  t.ok(indexes.length >= 3);
  const middle = indexes[1];
  const before = readFileSync(middle);
  t.ok(before.length > 0, 'the middle segment has index entries');
  rmSync(middle);
  rmSync(middle.replace('.index', '.timeindex'));
  rmSync(indexes[indexes.length - 1]); // the active segment's too
  const engine = await checkEveryOffset(t, dir, expected);
  await engine.close();
  t.same(readFileSync(middle), before, 'rebuilt index equals the original');
});

t.test('corrupt index files are rebuilt from the log', async (t) => {
  const dir = tempDir(t);
  const expected = await segmentedLog(dir);
  const indexes = segmentFiles(`${dir}/t-0`, '.index');
  const good = readFileSync(indexes[1]);
  writeFileSync(indexes[0], Buffer.alloc(13, 0x7f)); // not even whole entries
  // Well-formed entries that name the wrong batches (each claims an offset 2 lower than its
  // batch's last): trusted, they would start reads past the batch asked for.
  const shifted = Buffer.from(good);
  t.ok(good.readInt32BE(0) >= 2);
  for (let i = 0; i < shifted.length; i += 8) shifted.writeInt32BE(shifted.readInt32BE(i) - 2, i);
  writeFileSync(indexes[1], shifted);
  writeFileSync(segmentFiles(`${dir}/t-0`, '.timeindex')[2], Buffer.alloc(24, 0xff));
  await checkEveryOffset(t, dir, expected);
});

t.test('unclean shutdown: a corrupt batch in an unflushed older segment drops everything after it', async (t) => {
  const dir = tempDir(t);
  const expected = await segmentedLog(dir);
  const pdir = `${dir}/t-0`;
  // No snapshot means no recovery point: every segment is checked, as after a crash before any flush.
  for (const s of segmentFiles(pdir, '.snapshot')) rmSync(s);
  rmSync(`${dir}/${CLEAN_SHUTDOWN_FILE}`);
  const logs = segmentFiles(pdir, '.log');
  const bytes = readFileSync(logs[1]);
  const victim = batchesIn(bytes)[2];
  bytes[victim.pos + victim.size - 1] ^= 0xff;
  writeFileSync(logs[1], bytes);
  const engine = await open(t, dir);
  const log = engine.get('t', 0)!;
  t.equal(log.logEndOffset, victim.baseOffset);
  t.same(segmentFiles(pdir, '.log'), logs.slice(0, 2), 'later segments deleted');
  t.equal(statSync(logs[1]).size, victim.pos);
  t.same(
    (await readAll(log)).map((v) => v.value),
    expected.slice(0, victim.baseOffset),
  );
  t.equal((await log.append(batch(1), { now })).baseOffset, victim.baseOffset);
});

t.test('crash image after segment rolls: producer state from the roll snapshot plus the active segment', async (t) => {
  const dir = tempDir(t);
  const cfg = { 'segment.bytes': '600' };
  const engine = await open(t, dir, cfg);
  const log = await engine.create('t', 0, logConfig(cfg));
  for (let seq = 0; seq < 12; seq++) {
    await log.append(batch(1, `q${seq}`, { producerId: 8, producerEpoch: 0, baseSequence: seq, timestamp: now, valueSize: 60 }), { now });
  }
  await log.flush(); // waits for the rolled segments' fsync and snapshots
  const pdir = `${dir}/t-0`;
  const snapshots = segmentFiles(pdir, '.snapshot');
  t.ok(snapshots.length >= 1, 'rolls wrote snapshots');
  const logs = segmentFiles(pdir, '.log');
  t.ok(logs.length >= 3);
  t.equal(snapshots[snapshots.length - 1].slice(-29, -9), logs[logs.length - 1].slice(-24, -4), 'newest snapshot at the active segment base');
  const image = tempDir(t);
  cpSync(dir, image, { recursive: true });
  appendFileSync(segmentFiles(`${image}/t-0`, '.log').at(-1)!, Buffer.alloc(30, 0));

  const reopened = await open(t, image, cfg);
  const again = reopened.get('t', 0)!;
  t.equal(again.logEndOffset, 12);
  t.same(
    (await readAll(again)).map((v) => v.value.slice(0, 3)),
    Array.from({ length: 12 }, (_, i) => `q${i}`.padEnd(3, '-')),
  );
  for (const seq of [7, 11]) {
    const dup = await again.append(batch(1, `q${seq}`, { producerId: 8, producerEpoch: 0, baseSequence: seq, valueSize: 60 }), { now });
    t.equal(dup.baseOffset, seq, `retry of sequence ${seq} recognised`);
  }
  t.equal(again.logEndOffset, 12);
  t.equal((await again.append(batch(1, 'q12', { producerId: 8, producerEpoch: 0, baseSequence: 12, timestamp: now }), { now })).baseOffset, 12);
});
