// Fetch over real sockets with reads from disk (the broker is restarted so its tail cache is
// empty): many partitions read concurrently give exactly what Kafka's serial rule gives (KIP-74
// included), pooled read buffers go back once the response is written, when a long poll reads
// again, and when the client goes away mid-response; and under concurrent fetches and produces
// every batch served has a valid CRC and the bytes produced at its offset. Released slabs are
// poisoned, so a buffer given back while a response still referred to it would show here.
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { LogSegment } from '../../src/storage/segment.js';
import { readPool } from '../../src/storage/read-pool.js';
import { Bytes, WireConnection, metadataV1Body, parseBatches, parseFetchV4Response, parseMetadataV1Response, requestFrame } from '../helpers/wire.js';
import { buildBatch, produceRaw } from '../helpers/batch-builder.js';
import { prng } from '../helpers/messages.js';
import { tempDir } from '../helpers/tmp.js';

readPool.poison = true;

interface Produced {
  baseOffset: number;
  lastOffset: number;
  /** As sent: the broker stamps base offset and leader epoch; the rest (CRC included) is kept. */
  batch: Buffer;
}

interface FetchPart {
  partition: number;
  offset: number;
  maxBytes: number;
}

class Cluster {
  broker!: RunningBroker;
  readonly dir: string;

  constructor(
    t: Test,
    readonly partitions: number,
  ) {
    this.dir = tempDir(t);
    t.teardown(() => this.broker?.close());
  }

  async start(): Promise<void> {
    this.broker = await startBroker({ port: 0, dataDir: this.dir, config: { 'num.partitions': String(this.partitions) } });
  }

  /** Closes and reopens the broker: its tail cache starts empty, so every read goes to the segment files. */
  async restart(): Promise<void> {
    await this.broker.close();
    await this.start();
  }

  connect(): Promise<WireConnection> {
    return WireConnection.connect(this.broker.host, this.broker.port);
  }
}

async function createTopic(c: WireConnection, topic: string, partitions: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const md = parseMetadataV1Response(await c.request(3, 1, metadataV1Body([topic])));
    const tp = md.topics.find((x) => x.name === topic);
    if (tp && tp.errorCode === 0 && tp.partitions.length === partitions) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`topic ${topic} was not created`);
}

function makeBatch(size: number, records = 1): Buffer {
  const rs = [];
  for (let i = 0; i < records; i++) {
    rs.push({ key: null, value: randomBytes(Math.max(1, Math.floor(size / records))), headers: [] as [string, Buffer | null][], timestamp: Date.now() });
  }
  return buildBatch(rs, 'none');
}

/** Appends `batch` to `log` (and `index`) before sending it: a concurrent fetch may see it before we hear back. */
async function produce(t: Test, c: WireConnection, topic: string, partition: number, log: Produced[], batch: Buffer, index?: Map<number, Produced>): Promise<void> {
  const expected = log.length > 0 ? log[log.length - 1].lastOffset + 1 : 0;
  const entry = { baseOffset: expected, lastOffset: expected + batch.readInt32BE(23), batch };
  log.push(entry);
  index?.set(expected, entry);
  const [errorCode, baseOffset] = await produceRaw(c, topic, partition, batch);
  if (errorCode !== 0 || baseOffset !== expected) t.fail(`produce to ${topic}-${partition}: error ${errorCode}, base offset ${baseOffset}, expected ${expected}`);
}

function fetchV4(topic: string, parts: FetchPart[], o: { maxBytes: number; minBytes?: number; maxWaitMs?: number }): Buffer {
  const b = new Bytes()
    .int32(-1)
    .int32(o.maxWaitMs ?? 0)
    .int32(o.minBytes ?? 1)
    .int32(o.maxBytes)
    .int8(0)
    .int32(1)
    .string(topic)
    .int32(parts.length);
  for (const p of parts) b.int32(p.partition).int64(p.offset).int32(p.maxBytes);
  return b.build();
}

/** Kafka's LogSegment.read: from the batch holding `offset`, whole batches within maxBytes, or the first alone when minOneMessage. */
function expectedRead(log: Produced[], offset: number, maxBytes: number, minOne: boolean): Produced[] {
  const from = log.findIndex((b) => b.lastOffset >= offset);
  if (from < 0) return [];
  const out: Produced[] = [];
  let bytes = 0;
  for (let i = from; i < log.length && bytes + log[i].batch.length <= maxBytes; i++) {
    out.push(log[i]);
    bytes += log[i].batch.length;
  }
  if (out.length === 0 && minOne) out.push(log[from]);
  return out;
}

/**
 * Whether `records` are `want`, byte for byte (offsets stamped by the broker aside). With
 * `prefixOk`, a shorter run (never none) passes: samsa's segment read reaches maxBytes plus a
 * slack past the index entry before the batch and stops there, where Kafka reads all that fits.
 */
function sameBatches(records: Buffer, want: Produced[], prefixOk: boolean): string | null {
  let pos = 0;
  for (const w of want) {
    if (prefixOk && pos > 0 && records.length === pos) return null;
    const size = w.batch.length;
    if (records.length < pos + size) return `${records.length} bytes, short of the batch at offset ${w.baseOffset}`;
    const b = records.subarray(pos, pos + size);
    if (Number(b.readBigInt64BE(0)) !== w.baseOffset) return `batch at ${pos} has base offset ${Number(b.readBigInt64BE(0))}, expected ${w.baseOffset}`;
    if (!b.subarray(8, 12).equals(w.batch.subarray(8, 12)) || !b.subarray(16).equals(w.batch.subarray(16))) return `batch at offset ${w.baseOffset} differs from what was produced`;
    pos += size;
  }
  return records.length === pos ? null : `${records.length - pos} bytes more than the ${want.length} batches expected`;
}

/**
 * Checks a Fetch v4 response against Kafka's ReplicaManager.readFromLog: partitions in request
 * order, each within what the response has left after the ones before it, minOneMessage until
 * one returned bytes. Returns the bytes each partition had room for (its limit).
 */
function checkFetch(t: Test, frame: Buffer, model: Produced[][], parts: FetchPart[], maxBytes: number, what: string, prefixOk = false): number[] {
  const res = parseFetchV4Response(frame);
  t.equal(res.partitions.length, parts.length, `${what}: every partition answered`);
  const problems: string[] = [];
  const limits: number[] = [];
  let bytes = 0;
  res.partitions.forEach((p, i) => {
    const limit = Math.min(parts[i].maxBytes, maxBytes - bytes);
    limits.push(limit);
    if (p.partition !== parts[i].partition || p.errorCode !== 0) problems.push(`#${i}: partition ${p.partition} error ${p.errorCode}`);
    const diff = sameBatches(p.records, expectedRead(model[parts[i].partition], parts[i].offset, limit, bytes === 0), prefixOk);
    if (diff) problems.push(`partition ${p.partition} from ${parts[i].offset} (max ${parts[i].maxBytes}, room ${limit}): ${diff}`);
    bytes += p.records.length;
  });
  t.same(problems, [], `${what}: the batches Kafka's rule gives`);
  return limits;
}

/** What Kafka's rule gives, when every read returns all that fits. */
function expectedFetch(model: Produced[][], parts: FetchPart[], maxBytes: number): Produced[][] {
  let bytes = 0;
  return parts.map((p) => {
    const got = expectedRead(model[p.partition], p.offset, Math.min(p.maxBytes, maxBytes - bytes), bytes === 0);
    for (const b of got) bytes += b.batch.length;
    return got;
  });
}

/** Counts segment reads, and how many were in flight at once. */
function spySegmentReads(t: Test) {
  const original = LogSegment.prototype.read;
  const spy = { calls: 0, inFlight: 0, maxInFlight: 0 };
  LogSegment.prototype.read = async function (this: LogSegment, ...args: Parameters<LogSegment['read']>) {
    spy.calls++;
    spy.maxInFlight = Math.max(spy.maxInFlight, ++spy.inFlight);
    try {
      return await original.apply(this, args);
    } finally {
      spy.inFlight--;
    }
  };
  t.teardown(() => {
    LogSegment.prototype.read = original;
  });
  return spy;
}

async function until(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('many partitions read concurrently give the serial rule its bytes, and the slabs come back', async (t) => {
  const cluster = new Cluster(t, 12);
  await cluster.start();
  let c = await cluster.connect();
  await createTopic(c, 'many', 12);
  const rand = prng(42);
  const model: Produced[][] = [];
  for (let p = 0; p < 12; p++) {
    model.push([]);
    for (let i = 0; i < 25; i++) await produce(t, c, 'many', p, model[p], makeBatch(1000 + Math.floor(rand() * 120_000), 1 + Math.floor(rand() * 4)));
  }
  c.destroy();
  await cluster.restart();
  c = await cluster.connect();
  t.teardown(() => c.destroy());
  const spy = spySegmentReads(t);
  let concurrentMax = 0;
  let serialMax = 0;
  let sameRoom = 0;
  for (let round = 0; round < 12; round++) {
    const order = [...Array(12).keys()].sort(() => rand() - 0.5);
    const parts = order.map((partition) => {
      const log = model[partition];
      const end = log[log.length - 1].lastOffset + 1;
      const pick = rand();
      // From a batch's start, from inside a batch, or at the end (nothing there).
      const offset = pick < 0.15 ? end : pick < 0.6 ? log[Math.floor(rand() * log.length)].baseOffset : Math.floor(rand() * end);
      return { partition, offset, maxBytes: [16_000, 64_000, 256_000, 1 << 20][Math.floor(rand() * 4)] };
    });
    const sum = parts.reduce((n, p) => n + p.maxBytes, 0);
    spy.maxInFlight = 0;
    const concurrent = await c.request(1, 4, fetchV4('many', parts, { maxBytes: sum }));
    concurrentMax = Math.max(concurrentMax, spy.maxInFlight);
    const limits = checkFetch(t, concurrent, model, parts, sum, `round ${round}, partitions together`, true);
    // One byte less and the partitions no longer fit together: the room each has depends on what
    // the ones before it took, and the reads made ahead of that must still give the serial rule's answer.
    spy.maxInFlight = 0;
    const serial = await c.request(1, 4, fetchV4('many', parts, { maxBytes: sum - 1 }));
    serialMax = Math.max(serialMax, spy.maxInFlight);
    const serialLimits = checkFetch(t, serial, model, parts, sum - 1, `round ${round}, each with the room left`, true);
    // Where the byte less left every partition the same room, the serial loop made the same reads.
    if (limits.every((l, i) => l === serialLimits[i])) {
      sameRoom++;
      t.ok(concurrent.subarray(4).equals(serial.subarray(4)), `round ${round}: the same response bytes either way`);
    }
  }
  t.ok(sameRoom >= 6, `${sameRoom} rounds compared byte for byte with the serial loop`);
  t.ok(concurrentMax > 1, `partitions were read concurrently (up to ${concurrentMax} at once)`);
  t.ok(serialMax > 1, `with less room than their max bytes too (up to ${serialMax} at once)`);
  await until('every slab released', () => readPool.stats.leased === 0);
  t.equal(readPool.stats.lost, 0);
});

t.test('KIP-74 under concurrency: the first partition with data gets its oversized batch, the rest what is left', async (t) => {
  const cluster = new Cluster(t, 8);
  await cluster.start();
  let c = await cluster.connect();
  await createTopic(c, 'kip74', 8);
  const model: Produced[][] = [...Array(8)].map(() => []);
  for (let i = 0; i < 5; i++) await produce(t, c, 'kip74', 0, model[0], makeBatch(20_000));
  for (const p of [1, 2]) {
    await produce(t, c, 'kip74', p, model[p], makeBatch(300_000, 3));
    for (let i = 0; i < 5; i++) await produce(t, c, 'kip74', p, model[p], makeBatch(10_000));
  }
  for (let p = 3; p < 8; p++) for (let i = 0; i < 12; i++) await produce(t, c, 'kip74', p, model[p], makeBatch(10_000, 2));
  c.destroy();
  await cluster.restart();
  c = await cluster.connect();
  t.teardown(() => c.destroy());
  const spy = spySegmentReads(t);
  const end0 = model[0][model[0].length - 1].lastOffset + 1;
  // [what, partitions in request order, index of the partition whose oversized batch is served (or -1)]
  const cases: [string, FetchPart[], number][] = [
    ['nothing in the first partition, an oversized batch in the second', [{ partition: 0, offset: end0, maxBytes: 64_000 }, ...[1, 2, 3, 4, 5, 6, 7].map((partition) => ({ partition, offset: 0, maxBytes: 64_000 }))], 1],
    ['data in the first partition: the oversized batches after it are left out', [0, 1, 2, 3, 4, 5, 6, 7].map((partition) => ({ partition, offset: 0, maxBytes: 64_000 })), -1],
    ['an oversized batch first', [2, 1, 3, 4, 5, 6, 7, 0].map((partition) => ({ partition, offset: 0, maxBytes: 64_000 })), 0],
  ];
  for (const [what, parts, oversized] of cases) {
    const maxBytes = parts.length * 64_000;
    spy.maxInFlight = 0;
    const frame = await c.request(1, 4, fetchV4('kip74', parts, { maxBytes }));
    t.ok(spy.maxInFlight > 1, `${what}: read concurrently`);
    const served = expectedFetch(model, parts, maxBytes).findIndex((w) => w.length === 1 && w[0].batch.length > 64_000);
    t.equal(served, oversized, `${what}: the rule serves an oversized batch ${oversized < 0 ? 'nowhere' : `at #${oversized}`}`);
    checkFetch(t, frame, model, parts, maxBytes, what);
  }
  // The first case's later partitions have less room than their max once the 300 kB batch is in.
  const first = expectedFetch(model, cases[0][1], 8 * 64_000);
  t.ok(
    first.some((w, i) => w.length > 0 && w.length < expectedRead(model[i], 0, 64_000, false).length),
    'a partition got less than its own max: the room left decided',
  );
  await until('every slab released', () => readPool.stats.leased === 0);
});

t.test('a long poll that reads again gives the slabs of each discarded read back at once', async (t) => {
  const cluster = new Cluster(t, 4);
  await cluster.start();
  let c = await cluster.connect();
  await createTopic(c, 'poll', 4);
  const model: Produced[][] = [...Array(4)].map(() => []);
  for (let p = 0; p < 4; p++) for (let i = 0; i < 4; i++) await produce(t, c, 'poll', p, model[p], makeBatch(50_000));
  c.destroy();
  await cluster.restart();
  c = await cluster.connect();
  const producer = await cluster.connect();
  t.teardown(() => {
    c.destroy();
    producer.destroy();
  });
  const spy = spySegmentReads(t);
  const parts = [0, 1, 2, 3].map((partition) => ({ partition, offset: 0, maxBytes: 1 << 20 }));
  const id = 77;
  c.write(requestFrame(1, 4, id, fetchV4('poll', parts, { maxBytes: 50 << 20, minBytes: 50 << 20, maxWaitMs: 1500 })));
  await until('the first reads', () => spy.calls >= 4);
  await sleep(100);
  t.equal(readPool.stats.leased, 0, 'waiting for more data, the fetch holds no slab');
  await produce(t, producer, 'poll', 3, model[3], makeBatch(5000));
  await until('the reads after the append', () => spy.calls >= 8);
  await sleep(100);
  t.equal(readPool.stats.leased, 0, 'read again and still short of min bytes: the slabs went back again');
  const frame = await c.response(id, 5000);
  checkFetch(t, frame, model, parts, 50 << 20, 'after max wait');
  await until('the answered fetch gives its slabs back', () => readPool.stats.leased === 0);
  t.ok(readPool.stats.slabs > 0, 'the reads used pooled slabs');
  t.equal(readPool.stats.lost, 0);
});

t.test('a client that goes away mid-response: the slabs come back when the connection closes', async (t) => {
  const cluster = new Cluster(t, 12);
  await cluster.start();
  let c = await cluster.connect();
  await createTopic(c, 'big', 12);
  const model: Produced[][] = [...Array(12)].map(() => []);
  for (let p = 0; p < 12; p++) for (let i = 0; i < 19; i++) await produce(t, c, 'big', p, model[p], makeBatch(99_000));
  c.destroy();
  await cluster.restart();

  await t.test('the response is stuck in a socket nobody reads', async (t) => {
    const spy = spySegmentReads(t);
    const stuck = await cluster.connect();
    const parts = [...Array(12).keys()].map((partition) => ({ partition, offset: 0, maxBytes: 1_900_000 }));
    stuck.socket.pause();
    stuck.write(requestFrame(1, 4, 5, fetchV4('big', parts, { maxBytes: 12 * 1_900_000 })));
    await until('the reads', () => spy.calls >= 12 && spy.inFlight === 0);
    await sleep(500);
    // ~23 MB cannot all be in the kernel's buffers of a socket nobody reads.
    t.ok(readPool.stats.leased > 0, `slabs stay out while the response is unwritten (${readPool.stats.leased})`);
    stuck.destroy();
    await until('the slabs back after the close', () => readPool.stats.leased === 0);
    t.pass('all slabs back');
    // The broker is fine and the slabs are good for the next client.
    const next = await cluster.connect();
    t.teardown(() => next.destroy());
    const frame = await next.request(1, 4, fetchV4('big', parts.slice(0, 4), { maxBytes: 4 * 1_900_000 }), { timeoutMs: 20_000 });
    checkFetch(t, frame, model, parts.slice(0, 4), 4 * 1_900_000, 'next client');
    await until('released after the write', () => readPool.stats.leased === 0);
  });

  await t.test('the client closes while the fetch waits for data', async (t) => {
    const spy = spySegmentReads(t);
    const gone = await cluster.connect();
    const parts = [0, 1].map((partition) => ({ partition, offset: 0, maxBytes: 1_000_000 }));
    gone.write(requestFrame(1, 4, 6, fetchV4('big', parts, { maxBytes: 50 << 20, minBytes: 50 << 20, maxWaitMs: 600 })));
    await until('the first reads', () => spy.calls >= 2);
    gone.destroy();
    await sleep(800);
    await until('the reads after max wait released', () => readPool.stats.leased === 0);
    t.ok(spy.calls >= 4, 'the handler read again after the wait, for a connection already closed');
  });
});

t.test('stress: concurrent fetches from several connections while producing serve only valid batches', async (t) => {
  const P = 8;
  const cluster = new Cluster(t, P);
  await cluster.start();
  let setup = await cluster.connect();
  await createTopic(setup, 'stress', P);
  const model: Produced[][] = [...Array(P)].map(() => []);
  for (let p = 0; p < P; p++) for (let i = 0; i < 30; i++) await produce(t, setup, 'stress', p, model[p], makeBatch(100_000, 1 + (i % 3)));
  setup.destroy();
  await cluster.restart();
  const byOffset = model.map((log) => new Map(log.map((b) => [b.baseOffset, b])));
  // Batches acknowledged: what a fetch may ask for without going past the log end.
  const acked = model.map((log) => log.length);
  const producers = [await cluster.connect(), await cluster.connect()];
  const fetchers = await Promise.all([0, 1, 2, 3].map(() => cluster.connect()));
  t.teardown(() => {
    for (const x of [...producers, ...fetchers]) x.destroy();
  });
  const rand = prng(9);
  const problems: string[] = [];
  let batchesChecked = 0;
  let fetches = 0;
  // Bounded by work done, not by the clock: a loaded machine runs it longer, never checks less.
  const giveUpAt = Date.now() + 90_000;
  const running = () => (fetches < 60 || batchesChecked < 600) && Date.now() < giveUpAt;

  const produceLoop = async (conn: WireConnection, owned: number[]) => {
    while (running()) {
      for (const p of owned) {
        const batch = makeBatch(1000 + Math.floor(rand() * 64_000), 1 + Math.floor(rand() * 3));
        await produce(t, conn, 'stress', p, model[p], batch, byOffset[p]);
        acked[p] = model[p].length;
      }
    }
  };

  const fetchLoop = async (conn: WireConnection) => {
    while (running()) {
      const order = [...Array(P).keys()].sort(() => rand() - 0.5).slice(0, 1 + Math.floor(rand() * P));
      const parts = order.map((partition) => {
        const b = model[partition][Math.floor(rand() * acked[partition])];
        const offset = rand() < 0.5 ? b.baseOffset : b.lastOffset;
        return { partition, offset, maxBytes: [8_000, 64_000, 512_000, 1_500_000][Math.floor(rand() * 4)] };
      });
      const sum = parts.reduce((n, p) => n + p.maxBytes, 0);
      const maxBytes = rand() < 0.7 ? sum : Math.max(1, Math.floor(sum / 2));
      const res = parseFetchV4Response(await conn.request(1, 4, fetchV4('stress', parts, { maxBytes }), { timeoutMs: 20_000 }));
      fetches++;
      res.partitions.forEach((rp, i) => {
        const want = parts[i];
        if (rp.errorCode !== 0) return problems.push(`partition ${rp.partition}: error ${rp.errorCode}`);
        const { batches, partialTail } = parseBatches(rp.records);
        if (partialTail !== 0) problems.push(`partition ${rp.partition}: ${partialTail} bytes of a partial batch`);
        let next = -1;
        let pos = 0;
        for (const h of batches) {
          const size = 12 + h.batchLength;
          const last = h.baseOffset + h.lastOffsetDelta;
          const stored = byOffset[rp.partition].get(h.baseOffset);
          if (!h.crcValid) problems.push(`partition ${rp.partition} offset ${h.baseOffset}: bad CRC`);
          else if (next === -1 ? !(h.baseOffset <= want.offset && want.offset <= last) : h.baseOffset !== next) {
            problems.push(`partition ${rp.partition}: batch ${h.baseOffset}-${last} out of place (fetch offset ${want.offset}, expected ${next})`);
          } else if (!stored || !rp.records.subarray(pos + 16, pos + size).equals(stored.batch.subarray(16))) {
            problems.push(`partition ${rp.partition} offset ${h.baseOffset}: not the bytes produced there`);
          }
          next = last + 1;
          pos += size;
          batchesChecked++;
        }
      });
    }
  };

  await Promise.all([
    produceLoop(producers[0], [0, 1, 2, 3]),
    produceLoop(producers[1], [4, 5, 6, 7]),
    // Two requests in flight per connection.
    ...fetchers.flatMap((f) => [fetchLoop(f), fetchLoop(f)]),
  ]);
  t.same(problems.slice(0, 20), [], 'every batch served is whole, valid, in place and the one produced');
  t.ok(fetches >= 60 && batchesChecked >= 600, `${fetches} fetches, ${batchesChecked} batches checked`);
  await until('every slab released', () => readPool.stats.leased === 0);
  t.equal(readPool.stats.lost, 0, 'no lease was dropped without a release');
  t.ok(readPool.stats.slabs > 1, `slabs were reused across fetches (${readPool.stats.slabs} allocated)`);
});
