// SIGKILL in the middle of acks=all producing, then restart on the same data dir: every
// acknowledged message must be there exactly once at its acknowledged offset; a request that
// got no answer may be there only as a whole batch at the end; nothing corrupt is served; and
// producing continues at the log end. Between crashes the test also tears the tail of the
// active segments (a partial batch, a batch with a bad CRC), as a crash during a write can,
// and recovery must cut them off.
import t, { type Test } from 'tap';
import { promises as fsp, readdirSync } from 'node:fs';
import path from 'node:path';
import { Kafka, CompressionTypes, Partitioners, logLevel } from 'kafkajs';
import { tempDir } from '../helpers/tmp.js';
import { spawnBroker, type CliBroker } from '../helpers/cli-broker.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { makeMessage, toKafkajs, diffMessage, type SentMessage } from '../helpers/messages.js';
import { WireConnection, fetchAllBatches, parseBatches } from '../helpers/wire.js';
import { withTimeout, sleep } from '../helpers/timeout.js';

const TOPIC = 'crash';
const PARTITIONS = 2;
const PER_REQUEST = 40;

interface PartitionState {
  /** What each offset holds, known for sure (acknowledged, or found whole after a crash). */
  log: SentMessage[];
  /** The request in flight when the broker died, if any: it may or may not have been written. */
  uncertain: SentMessage[] | null;
}

const state: PartitionState[] = Array.from({ length: PARTITIONS }, () => ({ log: [], uncertain: null }));
let nextMessage = 0;

function client(bootstrap: string) {
  return new Kafka({
    clientId: 'samsa-crash-test',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 0 },
  });
}

function start(t: Test, dataDir: string): Promise<CliBroker> {
  // 1 MiB segments (Kafka's smallest segment.bytes) so the crash tests recovery across several.
  return spawnBroker(t, ['--port', '0', '--data-dir', dataDir, '--config', 'log.segment.bytes=1048576']);
}

/** Reads the whole topic back and checks it against `state`, adopting a whole uncertain batch. */
async function verify(t: Test, b: CliBroker, label: string) {
  const reader = await KafkajsReader.connect(b.bootstrap);
  const wire = await WireConnection.connect(b.host, b.port);
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      const s = state[p];
      const { messages, highWatermark } = await withTimeout(reader.readPartition(TOPIC, p), 20_000, `read ${TOPIC}-${p}`);
      const acked = s.log.length;
      const u = s.uncertain ?? [];
      t.ok(
        highWatermark === acked || highWatermark === acked + u.length,
        `${label} ${TOPIC}-${p}: log end ${highWatermark} is the ${acked} known messages, plus the ${u.length} unanswered ones only if all of them`,
      );
      const problems: string[] = [];
      for (let o = 0; o < messages.length && problems.length < 5; o++) {
        const m = messages[o];
        const want = o < acked ? s.log[o] : u[o - acked];
        if (m.offset !== o) problems.push(`position ${o} holds offset ${m.offset}`);
        else if (!want) problems.push(`offset ${o} holds a message nobody sent there`);
        else {
          const d = diffMessage(want, m);
          if (d.length) problems.push(`offset ${o}: ${d.join('; ')}`);
        }
      }
      t.same(problems, [], `${label} ${TOPIC}-${p}: each message exactly once, in order, as sent`);
      t.equal(messages.length, highWatermark, `${label} ${TOPIC}-${p}: every offset below the high watermark is readable`);
      if (highWatermark === acked + u.length && u.length > 0) s.log.push(...u);
      s.uncertain = null;

      // The served bytes themselves: valid CRCs and contiguous offsets.
      const { batches } = await withTimeout(fetchAllBatches(wire, TOPIC, p), 20_000, `raw fetch ${TOPIC}-${p}`);
      const bad: string[] = [];
      let next = 0;
      for (const batch of batches) {
        if (!batch.crcValid) bad.push(`batch ${batch.baseOffset}: CRC mismatch`);
        if (batch.magic !== 2) bad.push(`batch ${batch.baseOffset}: magic ${batch.magic}`);
        if (batch.baseOffset !== next) bad.push(`batch at ${batch.baseOffset}, expected ${next}`);
        if (batch.recordCount !== batch.lastOffsetDelta + 1) bad.push(`batch ${batch.baseOffset}: ${batch.recordCount} records, last delta ${batch.lastOffsetDelta}`);
        next = batch.baseOffset + batch.lastOffsetDelta + 1;
      }
      t.same(bad.slice(0, 5), [], `${label} ${TOPIC}-${p}: served batches are intact and contiguous`);
      t.equal(next, highWatermark, `${label} ${TOPIC}-${p}: batches end at the high watermark`);
    }
  } finally {
    wire.destroy();
    await reader.close().catch(() => {});
  }
}

/**
 * Produces to every partition (one request in flight per partition, acks=all) for `runMs`, then
 * either SIGKILLs the broker under the requests in flight or lets them finish.
 */
async function produce(t: Test, b: CliBroker, label: string, opts: { runMs: number; kill: boolean }) {
  const kafka = client(b.bootstrap);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 0 } });
  await withTimeout(producer.connect(), 10_000, 'producer connect');
  const base = Date.now() - 1000;
  let stop = false;
  let killed = false;
  const loops = state.map(async (s, p) => {
    let n = 0;
    let firstAck = true;
    while (!stop) {
      const msgs: SentMessage[] = [];
      for (let i = 0; i < PER_REQUEST; i++) msgs.push({ ...makeMessage(TOPIC, nextMessage++, PARTITIONS, base), partition: p });
      s.uncertain = msgs;
      let meta;
      try {
        meta = await producer.send({
          topic: TOPIC,
          acks: -1,
          compression: n++ % 3 === 0 ? CompressionTypes.GZIP : CompressionTypes.None,
          messages: msgs.map(toKafkajs),
        });
      } catch (e) {
        if (killed) return; // the broker died under this request: it stays uncertain
        throw e;
      }
      const at = Number(meta[0].baseOffset);
      if (firstAck) {
        firstAck = false;
        t.equal(at, s.log.length, `${label} ${TOPIC}-${p}: the first produce lands at the log end offset`);
      }
      if (meta[0].errorCode !== 0 || at !== s.log.length) {
        throw new Error(`${TOPIC}-${p}: acknowledged at ${at} (error ${meta[0].errorCode}), log end is ${s.log.length}`);
      }
      s.log.push(...msgs);
      s.uncertain = null;
    }
  });
  const all = Promise.all(loops);
  await Promise.race([sleep(opts.runMs), all]);
  if (opts.kill) {
    killed = true;
    b.proc.kill('SIGKILL');
    const exit = await withTimeout(b.exited, 10_000, 'broker exit after SIGKILL');
    t.equal(exit.signal, 'SIGKILL', `${label}: broker killed`);
  }
  stop = true;
  await withTimeout(all, 20_000, 'producer loops to finish');
  await withTimeout(producer.disconnect(), 10_000, 'producer disconnect').catch(() => {});
  const acked = state.map((s) => s.log.length);
  t.ok(acked.every((n) => n > 0), `${label}: messages acknowledged on every partition (${acked})`);
}

/** A partition's segment files, oldest first, in Kafka's layout `<dir>/<topic>-<p>/<20-digit base offset>.log`. */
function segments(dataDir: string, p: number): string[] {
  const dir = path.join(dataDir, `${TOPIC}-${p}`);
  let logs: string[];
  try {
    logs = readdirSync(dir).filter((f) => /^\d{20}\.log$/.test(f)).sort();
  } catch {
    throw new Error(`expected Kafka's log layout: no directory ${dir}`);
  }
  if (logs.length === 0) throw new Error(`expected Kafka's log layout: no <offset>.log segment in ${dir}`);
  return logs.map((f) => path.join(dir, f));
}

/** Appends what a crash during a write leaves: a partial batch (p0) and a whole batch with a bad CRC (p1). */
async function tearTails(t: Test, dataDir: string) {
  for (let p = 0; p < PARTITIONS; p++) {
    const files = segments(dataDir, p);
    const active = files[files.length - 1];
    // The newest batch on disk (the active segment may have just rolled and be empty).
    let template: Buffer | null = null;
    let nextOffset = 0;
    for (const f of [...files].reverse()) {
      const bytes = await fsp.readFile(f);
      const { batches } = parseBatches(bytes);
      if (batches.length === 0) continue;
      let end = 0;
      for (const b of batches) end += 12 + b.batchLength;
      const last = batches[batches.length - 1];
      template = Buffer.from(bytes.subarray(end - 12 - last.batchLength, end));
      nextOffset = last.baseOffset + last.lastOffsetDelta + 1;
      break;
    }
    if (!template) {
      t.fail(`no batch on disk for ${TOPIC}-${p} to model a torn write on`);
      continue;
    }
    template.writeBigInt64BE(BigInt(nextOffset), 0);
    const torn = p === 0 ? template.subarray(0, Math.min(template.length - 1, 70)) : flipLastByte(template);
    const bytes = await fsp.readFile(active);
    let end = 0;
    for (const b of parseBatches(bytes).batches) end += 12 + b.batchLength;
    await fsp.writeFile(active, Buffer.concat([bytes.subarray(0, end), torn]));
    const after = parseBatches(await fsp.readFile(active));
    t.ok(
      p === 0 ? after.partialTail === torn.length : after.batches[after.batches.length - 1]?.crcValid === false,
      `${TOPIC}-${p}: ${p === 0 ? 'a partial batch' : 'a batch with a bad CRC'} appended to ${path.basename(active)}`,
    );
  }
}

function flipLastByte(b: Buffer): Buffer {
  b[b.length - 1] ^= 0xff;
  return b;
}

t.test('acknowledged messages survive SIGKILL; torn tails are cut off', async (t) => {
  const dataDir = tempDir(t);

  let b = await start(t, dataDir);
  const admin = client(b.bootstrap).admin();
  await admin.connect();
  t.ok(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: true }), 'topic created');
  await admin.disconnect();

  await produce(t, b, 'run 1', { runMs: 2500, kill: true });

  b = await start(t, dataDir);
  await verify(t, b, 'after crash 1');
  await produce(t, b, 'run 2', { runMs: 2000, kill: true });

  await tearTails(t, dataDir);
  b = await start(t, dataDir);
  await verify(t, b, 'after crash 2 with torn tails');
  await produce(t, b, 'run 3', { runMs: 800, kill: false });
  await verify(t, b, 'run 3, no crash');

  const exit = await b.stop('SIGTERM');
  t.same(exit, { code: 0, signal: null }, 'SIGTERM stops the broker cleanly');
  b = await start(t, dataDir);
  await verify(t, b, 'after a clean restart');
  t.same(await b.stop('SIGTERM'), { code: 0, signal: null }, 'second clean stop');

  // On disk, after a clean stop: whole batches only, valid CRCs, every offset once, no torn bytes left.
  for (let p = 0; p < PARTITIONS; p++) {
    const problems: string[] = [];
    let next = 0;
    for (const file of segments(dataDir, p)) {
      const { batches, partialTail } = parseBatches(await fsp.readFile(file));
      if (partialTail !== 0) problems.push(`${path.basename(file)}: ${partialTail} bytes after the last whole batch`);
      for (const batch of batches) {
        if (!batch.crcValid) problems.push(`${path.basename(file)}: batch ${batch.baseOffset} has a bad CRC`);
        if (batch.baseOffset !== next) problems.push(`${path.basename(file)}: batch at ${batch.baseOffset}, expected ${next}`);
        next = batch.baseOffset + batch.lastOffsetDelta + 1;
      }
    }
    t.same(problems.slice(0, 5), [], `${TOPIC}-${p}: segment files hold exactly the log, torn tails cut off`);
    t.equal(next, state[p].log.length, `${TOPIC}-${p}: segment files end at the log end offset`);
  }
});
