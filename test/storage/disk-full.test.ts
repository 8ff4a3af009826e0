// A full disk (a real tmpfs when this machine can mount one, else a fault-injecting file layer
// that fails writes as a full tmpfs does): the first failed write takes the whole log dir offline
// (every partition refuses appends and reads with KAFKA_STORAGE_ERROR); once space is freed the
// dir comes back by itself, each log cut back to its last acknowledged write: every acknowledged
// batch is there once at its offset, nothing that failed is, offsets stay contiguous, an
// idempotent producer's retry of a failed batch is appended (not answered as a duplicate), and a
// restart after the episode finds the same log.
import t, { type Test } from 'tap';
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { CLEAN_SHUTDOWN_FILE, FileStorageEngine } from '../../src/storage/file-engine.js';
import { PROBE_FILE } from '../../src/storage/log-dir.js';
import { KafkaError, type PartitionLog } from '../../src/storage/types.js';
import { enospc, fullDisk, FaultInjectingFs } from '../helpers/full-disk.js';
import { tempDir } from '../helpers/tmp.js';
import { sleep } from '../helpers/timeout.js';
import { batch, logConfig, readAll } from './helpers.js';

const now = 1_700_000_000_000;
const KAFKA_STORAGE_ERROR = 56;
const RETRY_MS = 50;
/** Small segments, so the episode crosses rolls. */
const CONFIG = { 'segment.bytes': String(64 * 1024) };

type Acked = Map<number, string>;

function isStorageError(e: unknown): boolean {
  return (e instanceof KafkaError && e.errorCode === KAFKA_STORAGE_ERROR) || (e as NodeJS.ErrnoException)?.code === 'ENOSPC';
}

/** Appends one batch of 4 records named `name`; records its offsets when acknowledged. */
async function produce(log: PartitionLog, acked: Acked, name: string, opts: { producerId?: number; baseSequence?: number } = {}): Promise<boolean> {
  try {
    const r = await log.append(batch(4, name, { valueSize: 300, producerEpoch: 0, ...opts }), { now });
    for (let i = 0; i < 4; i++) acked.set(r.baseOffset + i, `${name}-${i}-`.padEnd(300, 'x'));
    return true;
  } catch (e) {
    if (!isStorageError(e)) throw e;
    return false;
  }
}

/** The log holds exactly the acknowledged records, each at its offset, from 0 on without a gap. */
async function checkLog(t: Test, log: PartitionLog, acked: Acked, label: string) {
  const records = await readAll(log);
  const problems: string[] = [];
  records.forEach((r, i) => {
    if (r.offset !== i) problems.push(`position ${i} holds offset ${r.offset}`);
    else if (acked.get(r.offset) !== r.value) problems.push(`offset ${r.offset} holds ${r.value.slice(0, 20)}, acknowledged: ${acked.get(r.offset)?.slice(0, 20)}`);
  });
  t.same(problems.slice(0, 5), [], `${label}: every record is the one acknowledged at its offset`);
  t.equal(records.length, acked.size, `${label}: all ${acked.size} acknowledged records are there, nothing else`);
  t.equal(new Set(records.map((r) => r.value)).size, records.length, `${label}: no record twice`);
  t.equal(log.logEndOffset, acked.size, `${label}: the log end is the last acknowledged offset + 1`);
}

async function untilOnline(engine: FileStorageEngine, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (engine.logDir.offline) {
    if (Date.now() > deadline) throw new Error(`log dir still offline after ${timeoutMs} ms: ${engine.logDir.offline.message}`);
    await sleep(20);
  }
}

/** The active segment's file ends at its last acknowledged batch. */
function activeFileSize(dir: string): number {
  const logs = readdirSync(dir).filter((n) => n.endsWith('.log')).sort();
  return statSync(`${dir}/${logs[logs.length - 1]}`).size;
}

t.test('a full disk: offline with KAFKA_STORAGE_ERROR, back by itself once space is freed, nothing acknowledged lost or doubled', async (t) => {
  const disk = fullDisk(t, 8);
  t.comment(`disk: ${disk.kind}`);
  const engine = new FileStorageEngine(disk.dataDir, logConfig(), { fs: disk.fs, recoveryRetryMs: RETRY_MS });
  await engine.open();
  const names = ['a', 'b', 'c'];
  const logs = await Promise.all(names.map((n) => engine.create(n, 0, logConfig(CONFIG))));
  const acked = names.map((): Acked => new Map());
  let seq = 0;
  const round = (tag: string) => Promise.all(logs.map((l, i) => Promise.all([0, 1, 2].map(() => produce(l, acked[i], `${tag}${seq++}`)))));

  for (let r = 0; r < 40; r++) await round('before');
  await disk.fill();
  // Appends in flight together when the disk fills: some fit the last page, the rest fail.
  let failed = 0;
  for (let r = 0; r < 200 && failed < 6; r++) failed += (await round('during')).flat().filter((ok) => !ok).length;
  t.ok(failed > 0, `appends failed on the full disk (${failed})`);
  t.ok(engine.logDir.offline, 'the log dir is offline');
  for (const [i, l] of logs.entries()) {
    await t.rejects(l.append(batch(1, 'refused'), { now }), { message: /is offline/, errorCode: KAFKA_STORAGE_ERROR }, `${names[i]}: appends refused with KAFKA_STORAGE_ERROR`);
    await t.rejects(l.read(0, 1 << 20, true), { message: /is offline/, errorCode: KAFKA_STORAGE_ERROR }, `${names[i]}: reads refused too (an offline partition)`);
  }
  await sleep(RETRY_MS * 4);
  t.ok(engine.logDir.offline, 'still offline while the disk is full (the probe write fails)');

  await disk.free();
  await untilOnline(engine);
  t.notOk(existsSync(`${disk.dataDir}/${PROBE_FILE}`), 'the probe file is gone');
  for (const [i, l] of logs.entries()) {
    await checkLog(t, l, acked[i], `${names[i]} after recovery`);
    const dir = `${disk.dataDir}/${names[i]}-0`;
    const active = (l as unknown as { segments: { committedSize: number }[] }).segments.at(-1)!;
    t.equal(activeFileSize(dir), active.committedSize, `${names[i]}: the active segment's file ends at its last acknowledged batch`);
  }
  for (let r = 0; r < 10; r++) t.ok((await round('after')).flat().every(Boolean), 'appends succeed again');
  for (const [i, l] of logs.entries()) await checkLog(t, l, acked[i], `${names[i]} after more appends`);

  await engine.close();
  t.ok(existsSync(`${disk.dataDir}/${CLEAN_SHUTDOWN_FILE}`), 'a clean shutdown after the episode');
  const again = new FileStorageEngine(disk.dataDir, logConfig(), { fs: disk.fs, tailCacheBytes: 0 });
  await again.open();
  t.teardown(() => again.close());
  for (const [i, n] of names.entries()) {
    const l = again.get(n, 0)!;
    l.config = logConfig(CONFIG);
    await checkLog(t, l, acked[i], `${n} after a restart (read from disk)`);
    t.ok(await produce(l, acked[i], `restarted-${n}`), `${n}: appends after the restart`);
    await checkLog(t, l, acked[i], `${n} after the restart's append`);
  }
});

t.test("an idempotent producer's failed batch is appended when retried, not taken for a duplicate", async (t) => {
  const disk = fullDisk(t, 8);
  const engine = new FileStorageEngine(disk.dataDir, logConfig(), { fs: disk.fs, recoveryRetryMs: RETRY_MS });
  await engine.open();
  t.teardown(() => engine.close());
  const log = await engine.create('idem', 0, logConfig(CONFIG));
  const acked: Acked = new Map();
  const send = (s: number) => produce(log, acked, `p${s}`, { producerId: 7, baseSequence: s * 4 });
  let s = 0;
  for (; s < 20; s++) t.ok(await send(s));
  await disk.fill();
  // Big enough that the last page cannot take it.
  const big = batch(4, 'big', { producerId: 7, producerEpoch: 0, baseSequence: s * 4, valueSize: 4000 });
  await t.rejects(log.append(big, { now }), { code: 'ENOSPC' }, 'the write fails on the full disk');
  await disk.free();
  await untilOnline(engine);
  const r = await log.append(big, { now });
  t.equal(r.baseOffset, acked.size, 'the retried batch is appended at the log end');
  for (let i = 0; i < 4; i++) acked.set(r.baseOffset + i, `big-${i}-`.padEnd(4000, 'x'));
  const dup = await log.append(big, { now });
  t.same([dup.baseOffset, dup.lastOffset], [r.baseOffset, r.lastOffset], 'a second retry is the duplicate, answered with the offsets');
  await checkLog(t, log, acked, 'idempotent log');
});

/** The fault layer alone, for faults a tmpfs never gives (fsync errors, a failing segment create). */
async function faultEngine(t: Test) {
  const faults = new FaultInjectingFs();
  const dir = tempDir(t);
  const engine = new FileStorageEngine(dir, logConfig(), { fs: faults.fs, recoveryRetryMs: RETRY_MS });
  await engine.open();
  t.teardown(() => engine.close());
  return { faults, dir, engine };
}

t.test('a write whose fsync failed is cut off again: its producer was told it failed', async (t) => {
  const { faults, engine } = await faultEngine(t);
  const log = await engine.create('sync', 0, logConfig({ 'flush.messages': '1' }));
  const acked: Acked = new Map();
  for (let s = 0; s < 5; s++) t.ok(await produce(log, acked, `s${s}`, { producerId: 3, baseSequence: s * 4 }));
  let fail = true;
  faults.inject = (path, op) => (fail && op === 'sync' && path.endsWith('.log') ? Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }) : null);
  const doomed = batch(4, 'doomed', { producerId: 3, producerEpoch: 0, baseSequence: 20, valueSize: 300 });
  await t.rejects(log.append(doomed, { now }), { code: 'EIO' });
  t.ok(engine.logDir.offline, 'offline');
  fail = false;
  await untilOnline(engine);
  await checkLog(t, log, acked, 'without the unsynced batch');
  const r = await log.append(doomed, { now });
  for (let i = 0; i < 4; i++) acked.set(r.baseOffset + i, `doomed-${i}-`.padEnd(300, 'x'));
  await checkLog(t, log, acked, 'with the retried batch once');
});

t.test('a roll whose new segment cannot be created: recovery creates it and finishes the old one', async (t) => {
  const { faults, dir, engine } = await faultEngine(t);
  const log = await engine.create('roll', 0, logConfig({ 'segment.bytes': '4096' }));
  const acked: Acked = new Map();
  // Two batches of ~1.3 KB: the next fits the 4 KB segment, the one after it rolls.
  for (let s = 0; s < 2; s++) t.ok(await produce(log, acked, `r${s}`));
  let fail = true;
  faults.inject = (path, op) => (fail && op === 'open' && path.endsWith('.log') ? enospc('open') : null);
  const results = await Promise.all([produce(log, acked, 'x0'), produce(log, acked, 'x1')]);
  t.same(results, [true, false], 'the append before the roll went through, the one after it failed');
  t.ok(engine.logDir.offline, 'offline');
  fail = false;
  await untilOnline(engine);
  await checkLog(t, log, acked, 'after the failed roll');
  for (let s = 0; s < 6; s++) t.ok(await produce(log, acked, `y${s}`));
  await checkLog(t, log, acked, 'appends roll on');
  await engine.close();
  t.ok(existsSync(`${dir}/${CLEAN_SHUTDOWN_FILE}`), 'clean shutdown');
  const again = new FileStorageEngine(dir, logConfig(), { tailCacheBytes: 0 });
  await again.open();
  t.teardown(() => again.close());
  await checkLog(t, again.get('roll', 0)!, acked, 'after a restart');
});

t.test('a shutdown while offline: the next start recovers the same acknowledged log', async (t) => {
  const disk = fullDisk(t, 8);
  const engine = new FileStorageEngine(disk.dataDir, logConfig(), { fs: disk.fs, recoveryRetryMs: 60_000 });
  await engine.open();
  const log = await engine.create('down', 0, logConfig(CONFIG));
  const acked: Acked = new Map();
  for (let s = 0; s < 30; s++) await produce(log, acked, `d${s}`);
  await disk.fill();
  let failed = 0;
  for (let s = 0; s < 200 && failed === 0; s++) failed += (await Promise.all([0, 1, 2].map((i) => produce(log, acked, `f${s}.${i}`)))).filter((ok) => !ok).length;
  t.ok(engine.logDir.offline, 'offline');
  await engine.close();
  t.notOk(existsSync(`${disk.dataDir}/${CLEAN_SHUTDOWN_FILE}`), 'no clean-shutdown marker: the next start recovers');
  await disk.free();
  const again = new FileStorageEngine(disk.dataDir, logConfig(), { fs: disk.fs, tailCacheBytes: 0 });
  await again.open();
  t.teardown(() => again.close());
  await checkLog(t, again.get('down', 0)!, acked, 'after the restart');
});

t.test('a crash right after a failed write brings back no batch its producer was told failed', async (t) => {
  const { faults, dir, engine } = await faultEngine(t);
  await engine.close();
  // Recovery far away: the crash comes first.
  const live = new FileStorageEngine(dir, logConfig(), { fs: faults.fs, recoveryRetryMs: 60_000 });
  await live.open();
  t.teardown(() => live.close());
  const log = await live.create('torn', 0, logConfig());
  const acked: Acked = new Map();
  t.ok(await produce(log, acked, 'first'));
  faults.full = true;
  // ~1.3 KB each, 4 KB page: the first fits; the next two go out as one write, whose first
  // batch still fits whole before the disk is full.
  const results = await Promise.all(['a', 'b', 'c'].map((n) => produce(log, acked, n)));
  t.same(results, [true, false, false], 'the write of the last two failed');
  t.ok(live.logDir.offline, 'offline');
  const image = tempDir(t);
  cpSync(dir, image, { recursive: true });
  const crashed = new FileStorageEngine(image, logConfig(), { tailCacheBytes: 0 });
  await crashed.open();
  t.teardown(() => crashed.close());
  await checkLog(t, crashed.get('torn', 0)!, acked, 'the crash image, recovered');
});
