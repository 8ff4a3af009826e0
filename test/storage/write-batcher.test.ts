// The write batcher: one turn's writes to many files land byte for byte at their positions whether
// made on the event loop or on the writer thread, and a failed write fails only its own caller; the
// writer thread is used while the event loop is busy, and not while it is idle.
import t from 'tap';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { WriteBatcher, eventLoopBusy, writeBatcherStats } from '../../src/storage/write-batcher.js';
import { tempDir } from '../helpers/tmp.js';

t.test('many files written in one turn (the writer thread) and one by one (the event loop)', async (t) => {
  const dir = tempDir(t);
  const batcher = new WriteBatcher(() => true);
  const files = Array.from({ length: 40 }, (_, i) => {
    const path = `${dir}/f${i}`;
    return { path, fd: openSync(path, 'w+'), expected: Buffer.alloc(0) };
  });
  t.teardown(() => files.forEach((f) => closeSync(f.fd)));
  for (let round = 0; round < 30; round++) {
    // Most rounds write every file in the same turn; some write one or two (below the batch size).
    const chosen = round % 5 === 4 ? files.slice(0, 2) : files;
    await Promise.all(
      chosen.map(async (f) => {
        const parts = [randomBytes(1 + ((round * 131) % 9000)), randomBytes(17)];
        const total = parts[0].length + parts[1].length;
        const written = await batcher.write(f.fd, parts, f.expected.length, total);
        t.equal(written, total);
        f.expected = Buffer.concat([f.expected, ...parts]);
      }),
    );
  }
  // More than the shared slabs hold in one turn: the rest is written on the event loop.
  const big = files.map((f) => ({ f, b: randomBytes(900 * 1024) }));
  await Promise.all(big.map(({ f, b }) => batcher.write(f.fd, [b], f.expected.length, b.length)));
  for (const { f, b } of big) f.expected = Buffer.concat([f.expected, b]);
  for (const f of files) t.ok(readFileSync(f.path).equals(f.expected), `${f.path} holds exactly what was written`);
  t.ok(writeBatcherStats.onThread >= 24 * 40, `${writeBatcherStats.onThread} writes made on the writer thread`);
  t.ok(writeBatcherStats.onLoop >= 6 * 2 + 8, `${writeBatcherStats.onLoop} made on the event loop`);
});

for (const [where, busy] of [['the writer thread', true], ['the event loop', false]] as const) {
  t.test(`a failing write on ${where} rejects with its errno code; the others in its turn succeed`, async (t) => {
    const dir = tempDir(t);
    const batcher = new WriteBatcher(() => busy);
    writeFileSync(`${dir}/ro`, '');
    const ro = openSync(`${dir}/ro`, 'r');
    const rw = [0, 1, 2, 3].map((i) => openSync(`${dir}/w${i}`, 'w+'));
    t.teardown(() => [ro, ...rw].forEach((fd) => closeSync(fd)));
    const data = Buffer.from('kafka');
    const before = { ...writeBatcherStats };
    const results = await Promise.allSettled([ro, ...rw].map((fd) => batcher.write(fd, [data], 0, data.length)));
    t.equal(results[0].status, 'rejected');
    t.equal((results[0] as PromiseRejectedResult).reason.code, 'EBADF');
    for (const r of results.slice(1)) t.same(r, { status: 'fulfilled', value: data.length });
    for (let i = 0; i < 4; i++) t.equal(readFileSync(`${dir}/w${i}`, 'utf8'), 'kafka');
    t.equal(busy ? writeBatcherStats.onThread - before.onThread : writeBatcherStats.onLoop - before.onLoop, 5, `all five made on ${where}`);
  });
}

for (const [where, busy] of [['the writer thread', true], ['the event loop', false]] as const) {
  t.test(`a full disk (/dev/full) fails the write on ${where} with ENOSPC, as the log dir's failure needs it`, async (t) => {
    const batcher = new WriteBatcher(() => busy);
    const full = openSync('/dev/full', 'w');
    const ok = [0, 1, 2].map(() => openSync('/dev/null', 'w'));
    t.teardown(() => [full, ...ok].forEach((fd) => closeSync(fd)));
    const data = Buffer.from('no room');
    const results = await Promise.allSettled([full, ...ok].map((fd) => batcher.write(fd, [data, data], 0, data.length * 2)));
    t.match(results[0], { status: 'rejected', reason: { code: 'ENOSPC' } });
    for (const r of results.slice(1)) t.same(r, { status: 'fulfilled', value: data.length * 2 });
  });
}

t.test('the writer thread takes the writes only while the event loop is busy', async (t) => {
  const dir = tempDir(t);
  const batcher = new WriteBatcher(eventLoopBusy());
  const fds = Array.from({ length: 10 }, (_, i) => openSync(`${dir}/f${i}`, 'w+'));
  t.teardown(() => fds.forEach((fd) => closeSync(fd)));
  const sizes = fds.map(() => 0);
  const turn = () =>
    Promise.all(
      fds.map((fd, i) => {
        const b = randomBytes(100);
        sizes[i] += b.length;
        return batcher.write(fd, [b], sizes[i] - b.length, b.length);
      }),
    );
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const spin = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };

  await sleep(250);
  let before = { ...writeBatcherStats };
  for (let i = 0; i < 5; i++) {
    await turn();
    await sleep(30);
  }
  t.equal(writeBatcherStats.onThread - before.onThread, 0, 'an idle loop makes every write itself');
  t.equal(writeBatcherStats.onLoop - before.onLoop, 50);

  // A loop running code nearly all the time, as under hundreds of producers.
  before = { ...writeBatcherStats };
  const end = performance.now() + 600;
  while (performance.now() < end) {
    spin(20);
    await turn();
  }
  t.ok(writeBatcherStats.onThread - before.onThread > 0, `a busy loop hands writes off (${writeBatcherStats.onThread - before.onThread} of ${writeBatcherStats.onThread - before.onThread + writeBatcherStats.onLoop - before.onLoop})`);

  await sleep(300);
  before = { ...writeBatcherStats };
  await turn();
  t.equal(writeBatcherStats.onThread - before.onThread, 0, 'idle again: made on the loop');
  for (let i = 0; i < fds.length; i++) t.equal(readFileSync(`${dir}/f${i}`).length, sizes[i], `f${i} holds every byte written`);
});
