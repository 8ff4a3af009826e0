// A partition log as a replica uses it, on both engines: follower appends keep the leader's offsets
// and epochs (Kafka's appendAsFollower), truncation to an offset or a fresh start (truncateTo,
// truncateFullyAndStartAt), and a high watermark the replica layer sets, checkpointed as Kafka's
// `replication-offset-checkpoint`. Leader batches are built by kafkajs's encoder.
import t, { type Test } from 'tap';
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { PartitionLog, StorageEngine } from '../../src/storage/types.js';
import { tempDir } from '../helpers/tmp.js';
import { batch, decodeAll, logConfig } from './helpers.js';
import { NOW, epochsOf, leaderBatch, readToEnd, type LeaderBatchSpec } from './replica-helpers.js';

const BIG = 1 << 30;

type Engine = 'file' | 'memory';

async function openLog(t: Test, kind: Engine, replicated: boolean, overrides: Record<string, string> = {}, dir = tempDir(t)) {
  const engine: StorageEngine =
    kind === 'file' ? new FileStorageEngine(dir, logConfig(overrides), { replicated, tailCacheBytes: 1 << 20 }) : new MemoryStorageEngine(replicated);
  await engine.open();
  let closed = false;
  t.teardown(() => (closed ? undefined : engine.close()));
  const log = engine.get('t', 0) ?? (await engine.create('t', 0, logConfig(overrides)));
  return {
    engine,
    log,
    dir,
    close: async () => {
      closed = true;
      await engine.close();
    },
  };
}

async function follow(log: PartitionLog, specs: LeaderBatchSpec[]) {
  for (const s of specs) await log.appendAsFollower(await leaderBatch(s));
}

/** Three epochs: 1 at 0 (two batches), 2 at 5, 3 at 10. */
const HISTORY: LeaderBatchSpec[] = [
  { baseOffset: 0, epoch: 1, count: 3 },
  { baseOffset: 3, epoch: 1, count: 2 },
  { baseOffset: 5, epoch: 2, count: 5 },
  { baseOffset: 10, epoch: 3, count: 2 },
];

const offsetsOf = (batches: { baseOffset: number; lastOffset: number }[]) => batches.map((b) => [b.baseOffset, b.lastOffset]);

for (const kind of ['file', 'memory'] as const) {
  t.test(`${kind}: a follower append keeps the leader's offsets and epochs; the epoch cache learns them`, async (t) => {
    const { log } = await openLog(t, kind, true);
    t.equal(log.replicated, true);
    await follow(log, HISTORY);
    t.equal(log.logEndOffset, 12);
    t.equal(log.highWatermark, 0, 'the high watermark waits for the replica layer');
    t.equal(log.leaderEpoch, 3);
    const batches = await readToEnd(log);
    t.same(offsetsOf(batches), [[0, 2], [3, 4], [5, 9], [10, 11]]);
    t.same(batches.map((b) => b.epoch), [1, 1, 2, 3], 'partition leader epochs as the leader stamped them');
    t.same(batches.flatMap((b) => b.values), Array.from({ length: 12 }, (_, i) => `o${i}`));
    // OffsetForLeaderEpoch answers as Kafka's LeaderEpochFileCache does.
    t.same(log.endOffsetForEpoch(1), { leaderEpoch: 1, endOffset: 5 });
    t.same(log.endOffsetForEpoch(2), { leaderEpoch: 2, endOffset: 10 });
    t.same(log.endOffsetForEpoch(3), { leaderEpoch: 3, endOffset: 12 });
    t.equal(log.endOffsetForEpoch(4), null, 'an epoch past the latest is unknown');
  });

  t.test(`${kind}: follower appends refuse an overlap and a corrupt batch, and take a compacted leader's gap`, async (t) => {
    const { log } = await openLog(t, kind, true);
    await follow(log, HISTORY.slice(0, 2));
    const overlap = await leaderBatch({ baseOffset: 4, epoch: 1, count: 2 });
    await t.rejects(log.appendAsFollower(overlap), { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE }, 'a batch starting below the log end');
    const corrupt = await leaderBatch({ baseOffset: 5, epoch: 1, count: 2 });
    corrupt[corrupt.length - 1] ^= 0xff;
    await t.rejects(log.appendAsFollower(corrupt), { errorCode: ErrorCode.CORRUPT_MESSAGE }, 'a batch whose CRC fails');
    t.equal(log.logEndOffset, 5, 'nothing was appended');
    // Two batches in one append must increase too.
    const pair = Buffer.concat([await leaderBatch({ baseOffset: 5, epoch: 1, count: 2 }), await leaderBatch({ baseOffset: 6, epoch: 1, count: 1 })]);
    await t.rejects(log.appendAsFollower(pair), { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
    await follow(log, [{ baseOffset: 9, epoch: 2, count: 2 }]);
    t.equal(log.logEndOffset, 11, 'a gap left by compaction on the leader is kept');
    t.same(offsetsOf(await readToEnd(log)), [[0, 2], [3, 4], [9, 10]]);
  });

  t.test(`${kind}: the replica layer's high watermark bounds consumer reads; followers read to the log end`, async (t) => {
    const { log } = await openLog(t, kind, true);
    await follow(log, HISTORY);
    let wakes = 0;
    log.onAppend(() => wakes++);
    t.equal(log.updateHighWatermark(7), 7);
    t.equal(wakes, 1, 'a high watermark move wakes long polls');
    const consumer = await log.read(0, BIG, true);
    t.equal(consumer.highWatermark, 7);
    // Kafka stops a high-watermark read before the batch holding the high watermark.
    t.same((await decodeAll(consumer.records)).map((b) => b.baseOffset), [0, 3]);
    t.same((await log.read(5, BIG, true)).records, [], 'the batch straddling the high watermark is not served');
    const follower = await log.read(5, BIG, true, false, 'logEnd');
    t.same((await decodeAll(follower.records)).map((b) => b.baseOffset), [5, 10]);
    t.equal(log.updateHighWatermark(100), 12, 'never above the log end');
    t.equal(log.updateHighWatermark(12), 12);
    t.equal(wakes, 2, 'no move, no wake');
    t.same((await decodeAll((await log.read(0, BIG, true)).records)).map((b) => b.baseOffset), [0, 3, 5, 10]);
    // A leader append moves the log end only.
    await log.assignLeaderEpoch(4, 12);
    const r = await log.append(batch(2, 'lead'), { now: NOW });
    t.same([r.baseOffset, r.lastOffset, log.logEndOffset, log.highWatermark], [12, 13, 14, 12]);
    t.same(epochsOf(await readToEnd(log)).at(-1), { epoch: 4, startOffset: 12 }, 'the leader stamps its new epoch');
  });

  t.test(`${kind}: a lone node's log keeps its high watermark at the log end`, async (t) => {
    const { log } = await openLog(t, kind, false);
    t.equal(log.replicated, false);
    await follow(log, HISTORY);
    t.equal(log.highWatermark, 12);
    t.throws(() => log.updateHighWatermark(3), 'its high watermark is not the caller\'s to set');
    await log.truncateTo(5);
    t.same([log.logEndOffset, log.highWatermark], [5, 5]);
  });

  t.test(`${kind}: truncateTo removes whole batches from the offset on, their epochs and producer state`, async (t) => {
    const { log } = await openLog(t, kind, true);
    await follow(log, [
      { baseOffset: 0, epoch: 1, count: 3, producerId: 42, producerEpoch: 0, baseSequence: 0 },
      { baseOffset: 3, epoch: 1, count: 2, producerId: 42, producerEpoch: 0, baseSequence: 3 },
      { baseOffset: 5, epoch: 2, count: 5, producerId: 42, producerEpoch: 0, baseSequence: 5 },
      { baseOffset: 10, epoch: 3, count: 2, producerId: 43, producerEpoch: 1, baseSequence: 0 },
    ]);
    t.same(
      log.activeProducers().map((p) => [p.producerId, p.producerEpoch, p.lastSequence]),
      [[42, 0, 9], [43, 1, 1]],
      'the follower remembers the producers it replicated',
    );
    log.updateHighWatermark(12);
    await log.truncateTo(12);
    t.equal(log.logEndOffset, 12, 'at the log end: nothing to do');
    await log.truncateTo(7);
    t.equal(log.logEndOffset, 5, 'mid-batch: the whole batch holding the offset goes');
    t.equal(log.highWatermark, 5, 'the high watermark follows the log end down');
    t.equal(log.leaderEpoch, 1);
    t.equal(log.endOffsetForEpoch(2), null, 'the epochs that started past the end are gone');
    t.same(log.endOffsetForEpoch(1), { leaderEpoch: 1, endOffset: 5 });
    t.same(log.activeProducers().map((p) => [p.producerId, p.lastSequence]), [[42, 4]], 'producer state as of the new end');
    t.same(offsetsOf(await readToEnd(log)), [[0, 2], [3, 4]]);
    // The new leader's history continues from there.
    await follow(log, [{ baseOffset: 5, epoch: 4, count: 3, producerId: 42, producerEpoch: 0, baseSequence: 5 }]);
    t.same(epochsOf(await readToEnd(log)), [{ epoch: 1, startOffset: 0 }, { epoch: 4, startOffset: 5 }]);
    t.same(log.endOffsetForEpoch(2), { leaderEpoch: 1, endOffset: 5 }, 'a follower of epoch 2 learns where to truncate');
    // Becoming leader: the replicated producer state detects a retried batch (Kafka's duplicate answer).
    await log.assignLeaderEpoch(5, log.logEndOffset);
    const retry = batch(3, 'retry', { producerId: 42, producerEpoch: 0, baseSequence: 5 });
    const dup = await log.append(retry, { now: NOW });
    t.same([dup.baseOffset, dup.lastOffset, log.logEndOffset], [5, 7, 8], 'a retry of a replicated batch gets its offsets, not new ones');
    const next = await log.append(batch(1, 'next', { producerId: 42, producerEpoch: 0, baseSequence: 8 }), { now: NOW });
    t.equal(next.baseOffset, 8);
    await t.rejects(log.append(batch(1, 'gap', { producerId: 42, producerEpoch: 0, baseSequence: 20 }), { now: NOW }), { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
  });

  t.test(`${kind}: truncateFullyAndStartAt empties the log and starts it at the offset`, async (t) => {
    const { log } = await openLog(t, kind, true);
    await follow(log, HISTORY);
    log.updateHighWatermark(10);
    await log.truncateFullyAndStartAt(100);
    t.same([log.logStartOffset, log.logEndOffset, log.highWatermark], [100, 100, 100]);
    t.same((await log.read(100, BIG, true)).records, []);
    await t.rejects(log.read(50, BIG, true), { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
    t.equal(log.endOffsetForEpoch(2), null, 'no epoch history is left');
    await follow(log, [{ baseOffset: 100, epoch: 7, count: 4 }]);
    t.same(offsetsOf(await readToEnd(log)), [[100, 103]]);
    t.same(log.endOffsetForEpoch(7), { leaderEpoch: 7, endOffset: 104 });
    // Below the log start, truncateTo starts the log over there (Kafka's truncateTo).
    await log.truncateTo(60);
    t.same([log.logStartOffset, log.logEndOffset], [60, 60]);
  });

  t.test(`${kind}: flushes, appends and truncations in flight together (a raft follower's pattern) leave a healthy log`, async (t) => {
    const { log } = await openLog(t, kind, true, { 'segment.bytes': '500' });
    let end = 0;
    const pending: Promise<unknown>[] = [];
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 3; i++) {
        pending.push(log.appendAsFollower(await leaderBatch({ baseOffset: end, epoch: round + 1, count: 2, valueSize: 30 })), log.flush());
        end += 2;
      }
      // Cut back one batch without waiting for the flushes: the next appends queue behind it.
      end -= 2;
      pending.push(log.truncateTo(end));
    }
    await Promise.all(pending);
    t.equal(log.logEndOffset, end);
    const batches = await readToEnd(log);
    t.same(batches.map((b) => b.baseOffset), Array.from({ length: end / 2 }, (_, i) => 2 * i), 'contiguous, nothing lost or left over');
    t.same(epochsOf(batches).length, 40);
    await log.flush();
  });

  t.test(`${kind}: appends made while a truncation runs land after it`, async (t) => {
    const { log } = await openLog(t, kind, true);
    await follow(log, HISTORY);
    const cut = log.truncateTo(5);
    const appended = log.appendAsFollower(await leaderBatch({ baseOffset: 5, epoch: 4, count: 1 }));
    await cut;
    t.equal((await appended).baseOffset, 5);
    t.same(offsetsOf(await readToEnd(log)), [[0, 2], [3, 4], [5, 5]]);
  });
}

t.test('file: truncation across segments survives a clean restart and a crash image alike', async (t) => {
  const dir = tempDir(t);
  const overrides = { 'segment.bytes': '400' };
  const first = await openLog(t, 'file', true, overrides, dir);
  const specs: LeaderBatchSpec[] = [];
  for (let i = 0, o = 0; i < 24; i++, o += 2) specs.push({ baseOffset: o, epoch: 1 + Math.floor(i / 6), count: 2, valueSize: 40 });
  await follow(first.log, specs);
  first.log.updateHighWatermark(20);
  const segmentsBefore = readdirLogs(dir);
  t.ok(segmentsBefore.length >= 6, `${segmentsBefore.length} segments`);
  await first.log.truncateTo(15);
  t.equal(first.log.logEndOffset, 14);
  t.ok(readdirLogs(dir).length < segmentsBefore.length, 'the segments past the offset are deleted');
  await follow(first.log, [{ baseOffset: 14, epoch: 9, count: 2, valueSize: 40 }]);
  const expected = await readToEnd(first.log);
  t.same(expected.map((b) => b.epoch), [1, 1, 1, 1, 1, 1, 2, 9]);
  t.same(expected.at(-1)?.values.map((v) => v.replace(/\.+$/, '')), ['o14', 'o15']);
  // A crash image: the files as they are now, no clean shutdown.
  const image = tempDir(t);
  cpSync(dir, image, { recursive: true });
  await first.close();
  t.equal(readFileSync(`${dir}/replication-offset-checkpoint`, 'utf8'), '0\n1\nt 0 14\n', "Kafka's checkpoint format, the high watermark cut to the log end");
  for (const [what, d] of [
    ['clean restart', dir],
    ['crash image', image],
  ] as const) {
    const again = await openLog(t, 'file', true, overrides, d);
    t.same(await readToEnd(again.log), expected, `${what}: the same batches, nothing from past the truncation`);
    t.same(again.log.endOffsetForEpoch(2), { leaderEpoch: 2, endOffset: 14 }, `${what}: the epoch cache matches the log`);
    t.same(again.log.endOffsetForEpoch(9), { leaderEpoch: 9, endOffset: 16 });
    t.equal(again.log.highWatermark, what === 'clean restart' ? 14 : 0, `${what}: the checkpointed high watermark (none written before the crash)`);
    await again.close();
  }
});

t.test('file: the high watermark checkpoint is written on a timer, and only for a replicated engine', async (t) => {
  const dir = tempDir(t);
  const engine = new FileStorageEngine(dir, logConfig(), { replicated: true, highWatermarkCheckpointIntervalMs: 20 });
  await engine.open();
  t.teardown(() => engine.close());
  const log = await engine.create('t', 3, logConfig());
  await follow(log, HISTORY);
  log.updateHighWatermark(10);
  const file = `${dir}/replication-offset-checkpoint`;
  while (!existsSync(file) || readFileSync(file, 'utf8') !== '0\n1\nt 3 10\n') await new Promise((r) => setTimeout(r, 10));
  t.pass('written without a close');
  const lone = tempDir(t);
  const single = new FileStorageEngine(lone, logConfig());
  await single.open();
  await single.create('t', 0, logConfig());
  await single.close();
  t.notOk(existsSync(`${lone}/replication-offset-checkpoint`), 'a lone node writes none');
});

function readdirLogs(dir: string): string[] {
  return readdirSync(`${dir}/t-0`).filter((n) => n.endsWith('.log'));
}

t.test('a predicate picks the replicated logs (a cluster node before the replica layer: the metadata log)', async (t) => {
  const dir = tempDir(t);
  const pick = (topic: string) => topic === '__cluster_metadata';
  const engines: [string, StorageEngine][] = [
    ['memory', new MemoryStorageEngine(pick)],
    ['file', new FileStorageEngine(dir, logConfig(), { replicated: pick })],
  ];
  for (const [kind, engine] of engines) {
    await engine.open();
    const meta = await engine.create('__cluster_metadata', 0, logConfig());
    const data = await engine.create('t', 0, logConfig());
    t.same([meta.replicated, data.replicated], [true, false], kind);
    await follow(meta, HISTORY);
    await follow(data, HISTORY);
    meta.updateHighWatermark(5);
    t.same([meta.highWatermark, data.highWatermark], [5, 12], `${kind}: only the replicated log waits for its high watermark`);
    await engine.close();
  }
  t.equal(readFileSync(`${dir}/replication-offset-checkpoint`, 'utf8'), '0\n1\n__cluster_metadata 0 5\n', 'the checkpoint holds the replicated logs only');
});
