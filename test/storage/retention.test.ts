// Retention and DeleteRecords in the storage engines, as Kafka's UnifiedLog.deleteOldSegments and
// maybeIncrementLogStartOffset behave: whole closed segments go by time (their largest batch max
// timestamp) and by size, never at or past the high watermark; the log start offset advances
// and persists (log-start-offset-checkpoint); reads below it get OFFSET_OUT_OF_RANGE; replaced
// files are renamed .deleted and unlinked after file.delete.delay.ms.
import t, { type Test } from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { KafkaError, type PartitionLog, type StorageEngine } from '../../src/storage/types.js';
import { tempDir } from '../helpers/tmp.js';
import { sleep } from '../helpers/timeout.js';
import { batch, logConfig, readAll, readValues } from './helpers.js';

const now = 1_700_000_000_000;
const BIG = 1 << 30;
const HOUR = 3_600_000;

function logFiles(dir: string, suffix = '.log'): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(suffix))
    .sort();
}

async function fileEngine(t: Test, dir = tempDir(t), tailCacheBytes = 0) {
  const engine = new FileStorageEngine(dir, logConfig(), { tailCacheBytes });
  await engine.open();
  t.teardown(() => engine.close());
  return { engine, dir };
}

async function outOfRange(t: Test, log: PartitionLog, offset: number) {
  await t.rejects(log.read(offset, BIG, true), { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE }, `a fetch at ${offset} is out of range`);
}

/** Appends `n` batches of 5 records, 200-byte values, with the given timestamps. */
async function fill(log: PartitionLog, n: number, timestamp: (i: number) => number, prefix = 'b') {
  for (let i = 0; i < n; i++) await log.append(batch(5, `${prefix}${i}`, { valueSize: 200, timestamp: timestamp(i) }), { now });
}

t.test('time retention deletes whole closed segments whose largest timestamp is older than retention.ms', async (t) => {
  const { engine, dir } = await fileEngine(t);
  const cfg = { 'segment.bytes': '3000', 'retention.ms': String(HOUR), 'file.delete.delay.ms': '0' };
  const log = await engine.create('t', 0, logConfig(cfg));
  // 12 old batches (2 hours ago), then 12 recent ones; about 2.8 batches per segment.
  await fill(log, 12, () => now - 2 * HOUR, 'old');
  await fill(log, 12, () => now - 1000, 'new');
  const pdir = `${dir}/t-0`;
  const before = logFiles(pdir);
  t.ok(before.length >= 8, `${before.length} segments`);

  const d = await log.deleteOldSegments(now);
  t.ok(d, 'something was deleted');
  // Every segment holding only old batches goes; the one where old meets new stays (its max is recent).
  const firstNew = 12 * 5;
  t.ok(log.logStartOffset <= firstNew, 'no record newer than retention is gone');
  t.ok(log.logStartOffset > firstNew - 3 * 5, `log start offset ${log.logStartOffset} moved up to the segment holding offset ${firstNew}`);
  t.equal(d!.logStartOffset, log.logStartOffset);
  t.match(d!.reasons, [/retention time 3600000ms breach/]);
  t.equal(d!.segments, before.length - logFiles(pdir).length, 'the deleted segments are no longer .log files');
  t.equal(log.cleanerStats.segmentsDeleted, d!.segments);
  t.equal(log.cleanerStats.bytesReclaimed, d!.bytes);
  t.equal(logFiles(pdir)[0], `${String(log.logStartOffset).padStart(20, '0')}.log`, 'the first file left starts at the log start offset');
  await outOfRange(t, log, log.logStartOffset - 1);
  const rest = await readAll(log, log.logStartOffset);
  t.equal(rest[rest.length - 1].offset, 24 * 5 - 1, 'everything from the log start offset on is readable');
  t.ok(rest.some((r) => r.value.startsWith('new0-')), 'the first new batch is still there');
  // file.delete.delay.ms=0: the files are gone once the reaper ran.
  await sleep(50);
  t.same(readdirSync(pdir).filter((n) => n.endsWith('.deleted')), [], 'no .deleted files remain');
  t.equal(await log.deleteOldSegments(now), null, 'a second pass finds nothing more');
});

t.test('a segment is kept while any batch in it is recent (largest timestamp), as Kafka', async (t) => {
  const { engine } = await fileEngine(t);
  const log = await engine.create('t', 0, logConfig({ 'segment.bytes': '100000', 'retention.ms': String(HOUR) }));
  await fill(log, 3, (i) => (i === 1 ? now : now - 5 * HOUR));
  // Force a roll through segment.bytes so the segment is closed.
  await log.append(batch(1, 'big', { valueSize: 100_000, timestamp: now }), { now });
  t.equal(await log.deleteOldSegments(now), null, 'the old segment has a recent batch: kept');
  t.equal(log.logStartOffset, 0);
});

t.test('size retention deletes the oldest segments while the rest stays at or above retention.bytes', async (t) => {
  const { engine, dir } = await fileEngine(t);
  const log = await engine.create('t', 0, logConfig({ 'segment.bytes': '3000', 'retention.bytes': '8000', 'file.delete.delay.ms': '0' }));
  await fill(log, 30, () => now);
  const pdir = `${dir}/t-0`;
  const sizes = () => logFiles(pdir).map((n) => readFileSync(`${pdir}/${n}`).length);
  const total = sizes().reduce((a, b) => a + b, 0);
  const d = await log.deleteOldSegments(now);
  t.ok(d);
  t.match(d!.reasons, [/retention size in bytes 8000 breach/]);
  await sleep(50);
  const after = sizes();
  const left = after.reduce((a, b) => a + b, 0);
  t.equal(total - left, d!.bytes, 'bytes reclaimed = bytes no longer on disk');
  t.ok(left >= 8000, `${left} bytes left, not below retention.bytes`);
  t.ok(left - after[0] < 8000, 'deleting one more would go below retention.bytes');
  t.equal(log.logStartOffset, Number(logFiles(pdir)[0].slice(0, 20)));
});

t.test('an active segment past retention is rolled, then deleted; appends continue at the log end', async (t) => {
  const { engine, dir } = await fileEngine(t);
  const log = await engine.create('t', 0, logConfig({ 'retention.ms': String(HOUR), 'file.delete.delay.ms': '0' }));
  await fill(log, 3, () => now - 2 * HOUR);
  const d = await log.deleteOldSegments(now);
  t.equal(d?.segments, 1, 'the breaching active segment is rolled, then deleted');
  t.equal(log.logStartOffset, 15);
  t.equal(log.logEndOffset, 15);
  t.same((await log.read(15, BIG, true)).records, [], 'an empty log from 15');
  await outOfRange(t, log, 14);
  t.equal((await log.append(batch(2, 'after', { timestamp: now }), { now })).baseOffset, 15);
  t.same(
    (await readAll(log, 15)).map((r) => r.offset),
    [15, 16],
  );
  await sleep(20);
  t.same(logFiles(`${dir}/t-0`), ['00000000000000000015.log']);
});

t.test('nothing at or past the high watermark goes, and compact-only logs ignore time and size', async (t) => {
  const { engine } = await fileEngine(t);
  const log = await engine.create('t', 0, logConfig({ 'segment.bytes': '3000', 'retention.ms': '0', 'cleanup.policy': 'compact' }));
  await fill(log, 10, () => now - HOUR);
  t.equal(await log.deleteOldSegments(now), null, 'cleanup.policy=compact: no time or size retention');
  const both = await engine.create('u', 0, logConfig({ 'segment.bytes': '3000', 'retention.ms': '0', 'cleanup.policy': 'compact,delete' }));
  await fill(both, 10, () => now - HOUR);
  t.ok(await both.deleteOldSegments(now), 'compact,delete: time retention applies');
});

t.test('replaced segment files stay readable until file.delete.delay.ms has passed', async (t) => {
  const { engine, dir } = await fileEngine(t);
  const log = await engine.create('t', 0, logConfig({ 'segment.bytes': '3000', 'retention.ms': String(HOUR), 'file.delete.delay.ms': '300' }));
  await fill(log, 9, () => now - 2 * HOUR);
  await fill(log, 3, () => now);
  const pdir = `${dir}/t-0`;
  await log.deleteOldSegments(now);
  const deleted = readdirSync(pdir).filter((n) => n.endsWith('.deleted'));
  t.ok(deleted.some((n) => n.endsWith('.log.deleted')), `renamed, not yet unlinked: ${deleted.join(' ')}`);
  await sleep(500);
  t.same(
    readdirSync(pdir).filter((n) => n.endsWith('.deleted')),
    [],
    'unlinked after the delay',
  );
});

t.test('reads and appends keep working while retention runs', async (t) => {
  const { engine } = await fileEngine(t, tempDir(t), 0);
  const log = await engine.create('t', 0, logConfig({ 'segment.bytes': '2000', 'retention.bytes': '6000', 'file.delete.delay.ms': '0' }));
  let stop = false;
  let deleted = 0;
  const errors: unknown[] = [];
  const retention = (async () => {
    while (!stop) {
      deleted += (await log.deleteOldSegments(Date.now()))?.segments ?? 0;
      await sleep(1);
    }
  })();
  const reader = (async () => {
    let reads = 0;
    while (!stop) {
      const from = Math.max(log.logStartOffset, log.highWatermark - 40);
      try {
        const r = await log.read(from, BIG, true);
        // Judged by the high watermark the read itself reported: an append may land right after it.
        if (r.highWatermark > from && (await readValues(r)).length === 0) errors.push(new Error(`empty read at ${from}`));
        reads++;
      } catch (e) {
        // Retention may move the log start past `from` between the check and the read.
        if (!(e instanceof KafkaError && e.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE)) errors.push(e);
      }
      await sleep(0);
    }
    return reads;
  })();
  for (let i = 0; i < 200; i++) await log.append(batch(3, `p${i}`, { valueSize: 100, timestamp: Date.now() }), { now: Date.now() });
  stop = true;
  await retention;
  const reads = await reader;
  t.same(errors, [], `no read failed (${reads} reads)`);
  t.ok(deleted > 10, `${deleted} segments deleted while producing`);
  // The loop may have stopped before a pass saw the last appends: one more pass, as the next tick would.
  await log.deleteOldSegments(Date.now());
  t.ok(log.logStartOffset > 400, `log start offset advanced to ${log.logStartOffset}`);
  const rest = await readAll(log, log.logStartOffset);
  t.equal(rest[rest.length - 1].offset, 599);
});

function engines(): [string, (t: Test, dir: string) => Promise<StorageEngine>][] {
  return [
    [
      'file',
      async (t, dir) => {
        const e = new FileStorageEngine(dir, logConfig(), { tailCacheBytes: 0 });
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

for (const [name, open] of engines()) {
  t.test(`${name} engine: deleteRecordsBefore moves the log start offset (DeleteRecords)`, async (t) => {
    const engine = await open(t, tempDir(t));
    const log = await engine.create('t', 0, logConfig({ 'segment.bytes': '3000', 'file.delete.delay.ms': '0' }));
    await fill(log, 10, () => now);
    t.equal(await log.deleteRecordsBefore(12), 12, 'low watermark 12');
    t.equal(log.logStartOffset, 12);
    await outOfRange(t, log, 11);
    const from12 = await readValues(await log.read(12, BIG, true));
    t.equal(from12[0].offset, 10, 'the batch holding offset 12 comes whole, as Kafka returns it');
    t.ok(from12.some((r) => r.offset === 12));
    t.equal(await log.deleteRecordsBefore(5), 12, 'never moves down');
    await t.rejects(log.deleteRecordsBefore(51), { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE }, 'not past the high watermark');
    t.equal(await log.deleteRecordsBefore(50), 50, 'up to the high watermark');
    t.same((await log.read(50, BIG, true)).records, []);
    t.equal((await log.append(batch(1, 'x', { timestamp: now }), { now })).logStartOffset, 50, 'appends report it');
    const d = await log.deleteOldSegments(now);
    t.ok(d, 'retention deletes what lies wholly below the log start offset');
    t.match(d!.reasons, [/log start offset 50 breach/]);
    t.equal(log.logStartOffset, 50, 'the log start offset stays where DeleteRecords put it');
    t.same(
      (await readAll(log, 50)).map((r) => r.offset),
      [50],
    );
  });
}

t.test('memory engine: time and size retention by batch', async (t) => {
  const engine = new MemoryStorageEngine();
  const log = await engine.create('t', 0, logConfig({ 'retention.ms': String(HOUR) }));
  await fill(log, 4, () => now - 2 * HOUR);
  await fill(log, 2, () => now);
  const d = await log.deleteOldSegments(now);
  t.equal(d?.segments, 4);
  t.equal(log.logStartOffset, 20);
  await outOfRange(t, log, 19);
  t.equal((await readAll(log, 20)).length, 10);
  log.config = logConfig({ 'retention.bytes': '1' });
  const all = await log.deleteOldSegments(now);
  t.equal(all?.segments, 1, 'keeps at least retention.bytes: only the first of the two goes');
  t.equal(log.logStartOffset, 25);
});

t.test('the log start offset survives a restart and a crash (log-start-offset-checkpoint)', async (t) => {
  const dir = tempDir(t);
  {
    const engine = new FileStorageEngine(dir, logConfig(), { tailCacheBytes: 0 });
    await engine.open();
    const log = await engine.create('t', 0, logConfig({ 'segment.bytes': '3000' }));
    await fill(log, 10, () => now);
    await log.deleteRecordsBefore(17);
    await engine.close();
  }
  t.match(readFileSync(`${dir}/log-start-offset-checkpoint`, 'utf8'), /^0\n1\nt 0 17\n$/, "Kafka's checkpoint format");
  const engine = new FileStorageEngine(dir, logConfig(), { tailCacheBytes: 0 });
  await engine.open();
  const log = engine.get('t', 0)!;
  t.equal(log.logStartOffset, 17, 'after a clean restart');
  await outOfRange(t, log, 16);
  await log.deleteRecordsBefore(33);
  // No close: a second engine opens the files as a kill -9 would leave them.
  const crashed = new FileStorageEngine(dir, logConfig(), { tailCacheBytes: 0 });
  await crashed.open();
  t.teardown(() => crashed.close());
  t.equal(crashed.get('t', 0)!.logStartOffset, 33, 'DeleteRecords is durable before it answers');
  t.equal(crashed.get('t', 0)!.endOffsetForEpoch(0)?.endOffset, 50);
  await engine.close();
  t.ok(existsSync(`${dir}/t-0`));
});
