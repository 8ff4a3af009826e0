// Topic configs take effect, not just get stored: each one below is changed with
// IncrementalAlterConfigs on a live broker and the broker's behaviour changes with it (batches
// built and read by the tests' own wire code and kafkajs). Broker-level defaults (dynamic
// cluster-wide and static) reach topics without an override.
import t from 'tap';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { WireConnection, fetchAllBatches } from '../helpers/wire.js';
import { buildBatch, produceRaw, type BuiltRecord, type Codec } from '../helpers/batch-builder.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { incrementalAlter } from '../metadata/helpers.js';
import kafkajs from 'kafkajs';
import { uncompressSync as snappyBlock } from 'snappy';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { compress as zstdCompress, decompress as zstdDecompress } from 'zstd-napi';
import { compress as encodeCodec } from '../helpers/batch-builder.js';

// kafkajs ships gzip only; these let it read what the broker stores (xerial-framed snappy as the Java client writes).
function xerialDecompress(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let pos = 16; pos < buf.length; ) {
    const len = buf.readInt32BE(pos);
    parts.push(snappyBlock(buf.subarray(pos + 4, pos + 4 + len)) as Buffer);
    pos += 4 + len;
  }
  return Buffer.concat(parts);
}
const codec = (compress: (b: Buffer) => Buffer, decompress: (b: Buffer) => Buffer) => () => ({
  compress: async (e: { buffer: Buffer }) => compress(e.buffer),
  decompress: async (b: Buffer) => decompress(b),
});
kafkajs.CompressionCodecs[kafkajs.CompressionTypes.Snappy] = codec((b) => encodeCodec('snappy', b), xerialDecompress);
kafkajs.CompressionCodecs[kafkajs.CompressionTypes.LZ4] = codec((b) => compressFrameSync(b), (b) => decompressFrameSync(b));
kafkajs.CompressionCodecs[kafkajs.CompressionTypes.ZSTD] = codec((b) => zstdCompress(b), (b) => zstdDecompress(b));

const TOPIC = 2;
const BROKER = 4;
const SET = 0;
const DELETE = 1;
const ERR = { MESSAGE_TOO_LARGE: 10 };
const LOG_APPEND_TIME = 0x08;

let b: RunningBroker;
let dir: string;
let conn: WireConnection;

t.before(async () => {
  dir = tempDir(t);
  b = await startBroker({ port: 0, dataDir: dir, config: { 'offsets.topic.num.partitions': '1', 'log.retention.check.interval.ms': '3600000' } });
  conn = await WireConnection.connect(b.host, b.port);
});
t.teardown(async () => {
  conn?.destroy();
  await b?.close();
});

async function topic(name: string, configs: Record<string, string> = {}) {
  await b.broker.createTopic(name, 1, configs);
}
async function set(name: string, key: string, value: string | null, type = TOPIC) {
  const r = await incrementalAlter(b.host, b.port, type, name, [[key, value === null ? DELETE : SET, value]]);
  if (r[0] !== 0) throw new Error(`alter ${name} ${key}=${value}: ${r}`);
}
function records(n: number, size: number, opts: { keyed?: (i: number) => string; timestamp?: number } = {}): BuiltRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: opts.keyed ? Buffer.from(opts.keyed(i)) : null,
    value: Buffer.alloc(size, 97 + (i % 26)),
    headers: [],
    timestamp: opts.timestamp ?? Date.now(),
  }));
}
async function produce(name: string, recs: BuiltRecord[], codec: Codec = 'none') {
  return produceRaw(conn, name, 0, buildBatch(recs, codec));
}
function segmentFiles(name: string): string[] {
  return readdirSync(path.join(dir, `${name}-0`)).filter((f) => f.endsWith('.log'));
}

t.test('max.message.bytes, and message.max.bytes as the broker default', async (t) => {
  await topic('mmb', { 'max.message.bytes': '2000' });
  t.equal((await produce('mmb', records(1, 5000)))[0], ERR.MESSAGE_TOO_LARGE, '5 KB batch over 2000');
  await set('mmb', 'max.message.bytes', '100000');
  t.equal((await produce('mmb', records(1, 5000)))[0], 0, 'accepted once raised');
  await set('mmb', 'max.message.bytes', null);
  await set('', 'message.max.bytes', '3000', BROKER);
  t.equal((await produce('mmb', records(1, 5000)))[0], ERR.MESSAGE_TOO_LARGE, 'the cluster-wide default applies without an override');
  await set('', 'message.max.bytes', null, BROKER);
  t.equal((await produce('mmb', records(1, 5000)))[0], 0, 'back to 1048588');
});

t.test('message.timestamp.type, and log.message.timestamp.type as the broker default', async (t) => {
  await topic('ts');
  const old = Date.now() - 3600_000;
  await produce('ts', records(1, 10, { timestamp: old }));
  await set('ts', 'message.timestamp.type', 'LogAppendTime');
  const before = Date.now();
  await produce('ts', records(1, 10, { timestamp: old }));
  await set('ts', 'message.timestamp.type', null);
  await set('', 'log.message.timestamp.type', 'LogAppendTime', BROKER);
  await produce('ts', records(1, 10, { timestamp: old }));
  await set('', 'log.message.timestamp.type', null, BROKER);
  await produce('ts', records(1, 10, { timestamp: old }));
  const { batches } = await fetchAllBatches(conn, 'ts', 0);
  t.same(batches.map((x) => (x.attributes & LOG_APPEND_TIME) !== 0), [false, true, true, false], 'timestamp type bit per batch');
  t.equal(batches[0].maxTimestamp, old, 'CreateTime keeps the producer\'s timestamp');
  t.ok(batches[1].maxTimestamp >= before, 'LogAppendTime stamps the broker\'s clock');
  t.ok(batches[2].maxTimestamp >= before, 'so does the broker-level default');
  t.equal(batches[3].maxTimestamp, old);
});

t.test('segment.bytes and segment.ms roll segments', async (t) => {
  await topic('seg');
  for (let i = 0; i < 4; i++) await produce('seg', records(1, 3000));
  t.equal(segmentFiles('seg').length, 1, 'one segment under the 1 GiB default');
  await set('seg', 'segment.bytes', '5000');
  for (let i = 0; i < 4; i++) await produce('seg', records(1, 3000));
  t.ok(segmentFiles('seg').length >= 3, `segment.bytes=5000 rolls (${segmentFiles('seg').length} segments)`);
  await set('seg', 'segment.bytes', null);
  await set('seg', 'segment.ms', '50');
  const n = segmentFiles('seg').length;
  await produce('seg', records(1, 10));
  await new Promise((r) => setTimeout(r, 120));
  await produce('seg', records(1, 10));
  t.ok(segmentFiles('seg').length > n, 'an old enough segment rolls on the next append');
});

t.test('retention.ms and retention.bytes delete old segments; cleanup.policy=compact stops that and compacts', async (t) => {
  await topic('ret', { 'segment.bytes': '2000' });
  const old = Date.now() - 2 * 3600_000;
  for (let i = 0; i < 6; i++) await produce('ret', records(1, 1500, { timestamp: old, keyed: () => 'same-key' }));
  const log = b.broker.partitionLog('ret', 0)!;
  await b.broker.cleaner.retentionPass();
  t.equal(log.logStartOffset, 0, 'nothing deleted under the 7-day default');
  await set('ret', 'cleanup.policy', 'compact');
  await set('ret', 'retention.ms', '3600000');
  await b.broker.cleaner.retentionPass();
  t.equal(log.logStartOffset, 0, 'cleanup.policy=compact: retention.ms deletes nothing');
  await set('ret', 'cleanup.policy', 'delete');
  await b.broker.cleaner.retentionPass();
  t.ok(log.logStartOffset > 0, `retention.ms=1h deletes 2h-old segments (log start ${log.logStartOffset})`);

  await topic('retb', { 'segment.bytes': '2000' });
  for (let i = 0; i < 6; i++) await produce('retb', records(1, 1500));
  const logb = b.broker.partitionLog('retb', 0)!;
  await b.broker.cleaner.retentionPass();
  t.equal(logb.logStartOffset, 0);
  await set('retb', 'retention.bytes', '4000');
  await b.broker.cleaner.retentionPass();
  t.ok(logb.logStartOffset >= 3, `retention.bytes=4000 keeps only the newest segments (log start ${logb.logStartOffset})`);

  await topic('cmp', { 'segment.bytes': '2000' });
  for (let i = 0; i < 8; i++) await produce('cmp', records(1, 500, { keyed: (j) => `k${(i + j) % 2}` }));
  t.equal(await b.broker.cleaner.cleaningPass(), false, 'cleanup.policy=delete: nothing to compact');
  await set('cmp', 'min.cleanable.dirty.ratio', '0.01');
  await set('cmp', 'cleanup.policy', 'compact');
  // Rolled segments are fsynced in the background; the cleaner takes only durable ones.
  await b.broker.partitionLog('cmp', 0)!.flush();
  t.equal(await b.broker.cleaner.cleaningPass(), true, 'cleanup.policy=compact: the log is compacted');
  const reader = await KafkajsReader.connect(b.bootstrap);
  const { messages } = await reader.readPartition('cmp', 0);
  await reader.close();
  t.ok(messages.length < 8, `older records of a key are gone (${messages.length} of 8 left)`);
});

t.test('compression.type recompresses on produce; "producer" keeps the producer\'s codec', async (t) => {
  await topic('cz', { 'compression.type': 'gzip' });
  await produce('cz', records(3, 200));
  await produce('cz', records(3, 200), 'snappy');
  await produce('cz', records(3, 200), 'gzip');
  await set('cz', 'compression.type', 'producer');
  await produce('cz', records(3, 200), 'snappy');
  await set('cz', 'compression.type', 'uncompressed');
  await produce('cz', records(3, 200), 'lz4');
  await set('cz', 'compression.type', null);
  await set('', 'compression.type', 'zstd', BROKER);
  await produce('cz', records(3, 200), 'none');
  await set('', 'compression.type', null, BROKER);
  const { batches } = await fetchAllBatches(conn, 'cz', 0);
  t.same(
    batches.map((x) => x.codec),
    [1, 1, 1, 2, 0, 4],
    'gzip, gzip (from snappy), gzip, snappy kept, none (from lz4), zstd (broker default)',
  );
  t.ok(batches.every((x) => x.crcValid), 'every rewritten batch has a valid CRC');
  const reader = await KafkajsReader.connect(b.bootstrap);
  const { messages } = await reader.readPartition('cz', 0);
  await reader.close();
  t.equal(messages.length, 18, 'every record readable by kafkajs');
  t.ok(messages.every((m, i) => m.offset === i && m.value!.length === 200), 'offsets and values intact');
});

t.test('min.insync.replicas above the replica count does not fail acks=all (Kafka caps it, as 4.4 answers)', async (t) => {
  await topic('isr');
  t.equal((await produce('isr', records(1, 10)))[0], 0);
  await set('isr', 'min.insync.replicas', '2');
  t.equal((await produce('isr', records(1, 10)))[0], 0, 'one replica, in sync: the effective minimum is 1');
  await set('isr', 'min.insync.replicas', null);
  t.equal((await produce('isr', records(1, 10)))[0], 0);
});

t.test('static broker defaults apply to topics without overrides', async (t) => {
  const other = await startBroker({
    port: 0,
    memory: true,
    config: { 'log.message.timestamp.type': 'LogAppendTime', 'compression.type': 'lz4', 'message.max.bytes': '4000', 'log.segment.bytes': '50000' },
  });
  t.teardown(() => other.close());
  await other.broker.createTopic('st', 1, {});
  const cfg = other.broker.partitionLog('st', 0)!.config;
  t.match(cfg, { timestampType: 'LogAppendTime', compressionType: 'lz4', maxMessageBytes: 4000, segmentBytes: 50000 });
  const c = await WireConnection.connect(other.host, other.port);
  t.teardown(() => c.destroy());
  t.equal((await produceRaw(c, 'st', 0, buildBatch(records(1, 5000), 'none')))[0], ERR.MESSAGE_TOO_LARGE);
});
