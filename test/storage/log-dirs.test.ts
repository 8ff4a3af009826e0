// The file engine over several log dirs (Kafka's log.dirs): new partitions in the dir with the
// fewest logs, the metadata log in the first, every dir loaded at start with its own checkpoints,
// and a log moved to another dir (AlterReplicaLogDirs) while appends keep coming: every record,
// offset, leader epoch and idempotent producer is there after the swap and after a restart.
import t, { type Test } from 'tap';
import { existsSync, readdirSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { nodeFileSystem, type FileSystem } from '../../src/storage/fs.js';
import type { PartitionLog } from '../../src/storage/types.js';
import { tempDir } from '../helpers/tmp.js';
import { batch, logConfig, readAll } from './helpers.js';

const now = 1_700_000_000_000;

async function openEngine(t: Test, dirs: string[]) {
  const engine = new FileStorageEngine(dirs, logConfig(), { replicated: true });
  await engine.open();
  t.teardown(() => engine.close());
  return engine;
}

function dirsOf(root: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => path.join(root, `d${i}`));
}

async function until(what: string, cond: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('placement: fewest logs first, ties in config order, the metadata log in the first dir', async (t) => {
  const dirs = dirsOf(tempDir(t), 3);
  const engine = await openEngine(t, dirs);
  await engine.create('__cluster_metadata', 0, logConfig());
  for (let p = 0; p < 5; p++) await engine.create('a', p, logConfig());
  const where = engine.describe().map((d) => d.logs.map((l) => `${l.topic}-${l.partition}`).sort());
  t.same(where, [['__cluster_metadata-0', 'a-0', 'a-3'], ['a-1', 'a-4'], ['a-2']], 'the metadata log is not counted');
  t.same(engine.describe().map((d) => d.path), dirs.map((d) => path.resolve(d)), 'absolute paths in config order');
  t.ok(existsSync(path.join(dirs[0], '__cluster_metadata-0')));
  t.ok(existsSync(path.join(dirs[2], 'a-2')));
});

t.test('a preferred dir (AlterReplicaLogDirs before the log exists) wins over the count', async (t) => {
  const dirs = dirsOf(tempDir(t), 2);
  const engine = await openEngine(t, dirs);
  await engine.create('a', 0, logConfig());
  engine.preferDir('a', 1, path.resolve(dirs[0]));
  await engine.create('a', 1, logConfig());
  t.ok(existsSync(path.join(dirs[0], 'a-1')), 'in the dir asked for');
});

t.test('restart: every dir loaded, offsets kept per dir', async (t) => {
  const dirs = dirsOf(tempDir(t), 2);
  let engine = new FileStorageEngine(dirs, logConfig(), { replicated: true });
  await engine.open();
  for (let p = 0; p < 4; p++) {
    const log = await engine.create('r', p, logConfig());
    await log.append(batch(5, `p${p}`), { now });
    log.updateHighWatermark(5);
    await log.deleteRecordsBefore(2);
  }
  await engine.close();
  for (const d of dirs) {
    const names = readdirSync(d);
    t.ok(['.kafka_cleanshutdown', 'log-start-offset-checkpoint', 'replication-offset-checkpoint'].every((n) => names.includes(n)), `${d}: its own marker and checkpoints`);
    t.equal(names.filter((n) => /^r-\d$/.test(n)).length, 2, `${d}: two of the four logs`);
  }
  engine = await openEngine(t, dirs);
  for (let p = 0; p < 4; p++) {
    const log = engine.get('r', p)!;
    t.equal(log.logEndOffset, 5, `r-${p} log end`);
    t.equal(log.logStartOffset, 2, `r-${p} log start from its dir's checkpoint`);
    t.equal(log.highWatermark, 5, `r-${p} high watermark from its dir's checkpoint`);
  }
});

t.test('the same partition in two dirs refuses to start, as Kafka does', async (t) => {
  const dirs = dirsOf(tempDir(t), 2);
  mkdirSync(path.join(dirs[0], 'x-0'), { recursive: true });
  mkdirSync(path.join(dirs[1], 'x-0'), { recursive: true });
  const engine = new FileStorageEngine(dirs, logConfig());
  await t.rejects(engine.open(), /Duplicate log directories for x-0/);
});

async function appendLoop(log: () => PartitionLog, stop: () => boolean, pid: number): Promise<{ acked: number; errors: number }> {
  let seq = 0;
  let errors = 0;
  while (!stop()) {
    try {
      await log().append(batch(10, `s${seq}`, { producerId: pid, producerEpoch: 0, baseSequence: seq }), { now });
      seq += 10;
    } catch {
      // Held off while the swap runs: retried, as a client retries KAFKA_STORAGE_ERROR.
      errors++;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  return { acked: seq, errors };
}

t.test('a log moved to another dir under appends: nothing lost, offsets, epochs and producers kept', async (t) => {
  const dirs = dirsOf(tempDir(t), 2);
  let engine = new FileStorageEngine(dirs, logConfig({ 'segment.bytes': '65536' }), { replicated: true });
  await engine.open();
  let log = await engine.create('m', 0, logConfig({ 'segment.bytes': '65536' }));
  const from = path.dirname(log.dir);
  await log.assignLeaderEpoch(3, 0);
  for (let i = 0; i < 200; i++) await log.append(batch(10, `pre${i}`, { valueSize: 200 }), { now });
  await log.assignLeaderEpoch(5, log.logEndOffset);
  log.updateHighWatermark(1500);
  const replaced: PartitionLog[] = [];
  engine.onLogReplaced((_t, _p, l) => replaced.push(l));
  let stop = false;
  const load = appendLoop(() => engine.get('m', 0)!, () => stop, 42);
  await until('some appends', () => engine.get('m', 0)!.logEndOffset > 2100);
  const to = path.resolve(dirs.find((d) => path.resolve(d) !== path.resolve(from))!);
  t.ok(engine.moveLog('m', 0, to), 'the move starts');
  await until('the future log shows', () => engine.describe().some((d) => d.logs.some((l) => l.isFuture)));
  const future = engine.describe().find((d) => d.path === to)!.logs.find((l) => l.isFuture)!;
  t.match(path.basename(future.path), /^m-0\.[0-9a-f]{32}-future$/, "Kafka's future dir name");
  await until('the swap', () => replaced.length === 1);
  await new Promise((r) => setTimeout(r, 200));
  stop = true;
  const { acked } = await load;
  log = engine.get('m', 0)!;
  t.equal(replaced[0], log, 'the listener got the moved log');
  t.equal(path.resolve(path.dirname(log.dir)), to, 'the log lives in the new dir');
  t.notOk(existsSync(path.join(from, 'm-0')), 'the old dir is gone');
  t.same(readdirSync(to).filter((n) => n.startsWith('m-0')), ['m-0'], 'no future dir left');
  t.equal(log.logEndOffset, 2000 + acked);
  t.equal(log.leaderEpoch, 5, 'the leader epoch carried over');
  t.same(log.endOffsetForEpoch(3), { leaderEpoch: 3, endOffset: 2000 }, "epoch 3's end");
  const producer = log.activeProducers().find((p) => p.producerId === 42);
  t.equal(producer?.lastSequence, acked - 1, 'the idempotent producer state carried over');
  // A retried batch is a duplicate in the moved log.
  const dup = await log.append(batch(10, `s${acked - 10}`, { producerId: 42, producerEpoch: 0, baseSequence: acked - 10 }), { now });
  t.equal(dup.lastOffset, log.logEndOffset - 1, 'a retry of the last batch is answered with its offsets');
  t.equal(log.highWatermark, 1500, 'the high watermark carried over');
  log.updateHighWatermark(log.logEndOffset);
  const records = await readAll(log);
  t.equal(records.length, 2000 + acked, 'every record reads back');
  t.same(records.slice(0, 2000).map((r) => r.offset), Array.from({ length: 2000 }, (_, i) => i));
  t.same(records.slice(2000).map((r) => r.value), Array.from({ length: acked }, (_, j) => `s${j - (j % 10)}-${j % 10}`), "the producer's records, each once, in order");
  await engine.close();
  engine = await openEngine(t, dirs);
  log = engine.get('m', 0)!;
  t.equal(path.resolve(path.dirname(log.dir)), to, 'still in the new dir after a restart');
  t.equal(log.highWatermark, 2000 + acked, "the high watermark from the new dir's checkpoint");
  t.equal((await readAll(log)).length, 2000 + acked);
});

t.test('a future dir left by a crash: the move starts over when the current log is there, the swap finishes when it is not', async (t) => {
  const dirs = dirsOf(tempDir(t), 2);
  let engine = new FileStorageEngine(dirs, logConfig());
  await engine.open();
  const a = await engine.create('c', 0, logConfig());
  await a.append(batch(3, 'a'), { now });
  const b = await engine.create('c', 1, logConfig());
  await b.append(batch(4, 'b'), { now });
  const aDir = a.dir;
  const bDir = b.dir;
  await engine.close();
  const { cpSync, renameSync } = await import('node:fs');
  const other = (d: string) => dirs.find((x) => path.resolve(x) !== path.resolve(path.dirname(d)))!;
  // c-0: a copy cut short beside its current log; c-1: the current log renamed away mid-swap.
  cpSync(aDir, path.join(other(aDir), `c-0.${'a'.repeat(32)}-future`), { recursive: true });
  const bFuture = path.join(other(bDir), `c-1.${'b'.repeat(32)}-future`);
  cpSync(bDir, bFuture, { recursive: true });
  renameSync(bDir, `${bDir}.${'c'.repeat(32)}-delete`);
  engine = await openEngine(t, dirs);
  t.notOk(existsSync(path.join(other(aDir), `c-0.${'a'.repeat(32)}-future`)), "c-0: the cut-short copy's dir is dropped");
  await until('c-0 moved again', () => path.resolve(path.dirname(engine.get('c', 0)!.dir)) === path.resolve(other(aDir)));
  t.equal(engine.get('c', 0)!.logEndOffset, 3, 'c-0: the move started over and completed');
  t.equal(path.resolve(path.dirname(engine.get('c', 1)!.dir)), path.resolve(other(bDir)), 'c-1 is in its new dir');
  t.equal(engine.get('c', 1)!.logEndOffset, 4);
  t.notOk(existsSync(`${bDir}.${'c'.repeat(32)}-delete`), 'the renamed-away current log is removed');
});

/** The real file system, with writes under `failing` (while set) failing as a broken disk's do. */
function dirFaults(): { fs: FileSystem; failing: string | null } {
  const state = { failing: null as string | null, fs: null as unknown as FileSystem };
  const eio = () => Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
  const bad = (p: string) => state.failing !== null && path.resolve(p).startsWith(path.resolve(state.failing) + path.sep);
  state.fs = {
    ...nodeFileSystem,
    async open(p, mode) {
      if (mode === 'rw' && bad(p)) throw eio();
      const h = await nodeFileSystem.open(p, mode);
      return {
        ...h,
        read: h.read.bind(h),
        sync: h.sync.bind(h),
        truncate: h.truncate.bind(h),
        size: h.size.bind(h),
        close: h.close.bind(h),
        write: (bufs, position) => (bad(p) ? Promise.reject(eio()) : h.write(bufs, position)),
      };
    },
  };
  return state;
}

t.test('one dir failing: its logs go offline, the other dir serves and takes the new partitions; it comes back', async (t) => {
  const dirs = dirsOf(tempDir(t), 2);
  const faults = dirFaults();
  const engine = new FileStorageEngine(dirs, logConfig(), { fs: faults.fs, recoveryRetryMs: 50 });
  await engine.open();
  t.teardown(() => engine.close());
  const a = await engine.create('f', 0, logConfig());
  const b = await engine.create('f', 1, logConfig());
  t.equal(path.dirname(b.dir), dirs[1]);
  await a.append(batch(2, 'a'), { now });
  await b.append(batch(2, 'b'), { now });
  faults.failing = dirs[1];
  await t.rejects(b.append(batch(1, 'lost'), { now }), { code: 'EIO' }, 'the write fails');
  t.same(engine.describe().map((d) => d.offline), [false, true], 'only the failed dir is offline');
  t.ok(engine.anyOffline);
  await t.rejects(b.append(batch(1, 'refused'), { now }), { errorCode: 56 }, "its logs: KAFKA_STORAGE_ERROR");
  t.equal((await a.append(batch(1, 'fine'), { now })).baseOffset, 2, 'the other dir serves');
  const c = await engine.create('f', 2, logConfig());
  t.equal(path.dirname(c.dir), dirs[0], 'a new partition goes to the online dir');
  faults.failing = null;
  await until('the dir back', () => !engine.anyOffline);
  t.equal((await b.append(batch(1, 'again'), { now })).baseOffset, 2, 'back: the failed write left nothing behind');
});

t.test('the log being moved is truncated (a follower meeting a new leader): the future log follows', async (t) => {
  const dirs = dirsOf(tempDir(t), 2);
  // The future log's writes wait at a gate after its first chunk.
  let futureWrites = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let blocked = 0;
  const fs: FileSystem = {
    ...nodeFileSystem,
    async open(p, mode) {
      const h = await nodeFileSystem.open(p, mode);
      if (!p.includes('-future') || !p.endsWith('.log')) return h;
      return {
        read: h.read.bind(h),
        sync: h.sync.bind(h),
        truncate: h.truncate.bind(h),
        size: h.size.bind(h),
        close: h.close.bind(h),
        write: async (bufs, position) => {
          if (futureWrites++ >= 1) {
            blocked++;
            await gate;
          }
          return h.write(bufs, position);
        },
      };
    },
  };
  const engine = new FileStorageEngine(dirs, logConfig(), { fs, replicated: true });
  await engine.open();
  t.teardown(() => engine.close());
  const log = await engine.create('tr', 0, logConfig());
  const from = path.dirname(log.dir);
  for (let i = 0; i < 300; i++) await log.append(batch(10, `old${i}`, { valueSize: 1000 }), { now });
  t.ok(engine.moveLog('tr', 0, path.resolve(dirs.find((d) => path.resolve(d) !== path.resolve(from))!)));
  await until('the future log past offset 500 and blocked', () => blocked > 0 && engine.describe().some((d) => d.logs.some((l) => l.isFuture && 3000 - l.offsetLag > 500)));
  await log.truncateTo(500);
  await log.assignLeaderEpoch(7, 500);
  for (let i = 0; i < 20; i++) await log.append(batch(10, `new${i}`), { now });
  const replaced = new Promise<PartitionLog>((r) => engine.onLogReplaced((_t, _p, l) => r(l)));
  release();
  const moved = await replaced;
  t.equal(moved.logEndOffset, 700);
  t.same(moved.endOffsetForEpoch(0), { leaderEpoch: 0, endOffset: 500 }, "epoch 0 ends where the truncation cut it");
  moved.updateHighWatermark(700);
  const records = await readAll(moved);
  t.same(records.map((r) => r.value.replace(/x+$/, '')), [
    ...Array.from({ length: 500 }, (_, i) => `old${Math.floor(i / 10)}-${i % 10}-`),
    ...Array.from({ length: 200 }, (_, i) => `new${Math.floor(i / 10)}-${i % 10}`),
  ], 'the moved log is the truncated log plus what came after, nothing of the cut part');
});

t.test('replica.alter.log.dirs.io.max.bytes.per.second holds the copy to its rate', async (t) => {
  const dirs = dirsOf(tempDir(t), 2);
  const rate = 2 * 1024 * 1024;
  const engine = new FileStorageEngine(dirs, logConfig(), { logDirMoveBytesPerSecond: () => rate });
  await engine.open();
  t.teardown(() => engine.close());
  const log = await engine.create('th', 0, logConfig());
  for (let i = 0; i < 300; i++) await log.append(batch(10, `t${i}`, { valueSize: 1000 }), { now });
  const bytes = 300 * 10 * 1000;
  const replaced = new Promise<void>((r) => engine.onLogReplaced(() => r()));
  const started = Date.now();
  t.ok(engine.moveLog('th', 0, path.resolve(dirs.find((d) => path.resolve(d) !== path.resolve(path.dirname(log.dir)))!)));
  await replaced;
  const took = Date.now() - started;
  // The last chunk is not waited for: at least the time the bytes before it take at the rate.
  t.ok(took >= ((bytes - 1024 * 1024) / rate) * 1000, `${bytes} bytes at ${rate} B/s took ${took} ms`);
  t.equal(engine.get('th', 0)!.logEndOffset, 3000);
});
