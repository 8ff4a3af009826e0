// Reproductions of what the fuzzer found, kept small and deterministic.
import t from 'tap';
import { crc32c } from '@node-rs/crc32';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { buildBatch, produceRaw } from '../helpers/batch-builder.js';
import { Bytes, Cursor, WireConnection } from '../helpers/wire.js';
import { tempDir } from '../helpers/tmp.js';

const CORRUPT_MESSAGE = 2;

t.test('ListOffsets by timestamp over a batch that does not decompress answers CORRUPT_MESSAGE', async (t) => {
  const running = await startBroker({ port: 0, memory: true });
  t.teardown(() => running.close());
  const conn = await WireConnection.connect(running.host, running.port);
  t.teardown(() => conn.destroy());
  const admin = new Kafka({ brokers: [running.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'gz', numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();

  // A gzip batch with a byte of its deflate stream changed and its CRC-32C made right again:
  // the batch header is sound, the records are not (fuzz: kafkajs produce v7, record bytes changed).
  const batch = buildBatch([{ key: null, value: Buffer.from('x'.repeat(200)), headers: [], timestamp: 1700000000000 }], 'gzip');
  batch[61 + 20] ^= 0x55;
  batch.writeUInt32BE(crc32c(batch.subarray(21)) >>> 0, 17);
  const [produceError] = await produceRaw(conn, 'gz', 0, batch);
  t.comment(`produce of the corrupt batch answered error ${produceError} (Kafka: ${CORRUPT_MESSAGE}, its validator decompresses)`);

  // ListOffsets v1: replica id, [topic, [partition, timestamp]].
  const body = new Bytes().int32(-1).int32(1).string('gz').int32(1).int32(0).int64(1600000000000).build();
  const c = new Cursor(await conn.request(2, 1, body));
  c.int32(); // correlation id
  t.equal(c.int32(), 1);
  t.equal(c.string(), 'gz');
  t.equal(c.int32(), 1);
  t.equal(c.int32(), 0, 'partition 0');
  const errorCode = c.int16();
  t.equal(errorCode, produceError === 0 ? CORRUPT_MESSAGE : 0, 'the partition\'s error, not a dropped connection');
  t.ok(conn.isOpen, 'the connection stays open');
});

t.test('producer id 2^63-1: segment rolls, a clean close and a restart keep working', async (t) => {
  const dataDir = tempDir(t);
  const first = await startBroker({ port: 0, dataDir });
  let conn = await WireConnection.connect(first.host, first.port);
  const admin = new Kafka({ brokers: [first.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'pid', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1024' }] }], waitForLeaders: true });
  await admin.disconnect();
  // fuzz: a Java produce frame with the batch's producerId set to int64 2^63-1, CRC fixed.
  const idempotent = (seq: number) => {
    const batch = buildBatch([{ key: null, value: Buffer.from(`v${seq}`), headers: [], timestamp: 1700000000000 }], 'none');
    batch.writeBigInt64BE(2n ** 63n - 1n, 43);
    batch.writeInt16BE(0, 51);
    batch.writeInt32BE(seq, 53);
    batch.writeUInt32BE(crc32c(batch.subarray(21)) >>> 0, 17);
    return batch;
  };
  t.same(await produceRaw(conn, 'pid', 0, idempotent(0)), [0, 0], 'accepted, as Kafka accepts a new producer at sequence 0');
  // Rolling a segment snapshots the producer state: small segments roll on every batch here.
  const plain = buildBatch([{ key: null, value: Buffer.alloc(600, 1), headers: [], timestamp: 1700000000000 }], 'none');
  for (let i = 1; i <= 3; i++) t.same(await produceRaw(conn, 'pid', 0, plain), [0, i], `batch ${i} after it, across a segment roll`);
  conn.destroy();
  // Closing writes the producer-state snapshot.
  await first.close();
  const second = await startBroker({ port: 0, dataDir });
  t.teardown(() => second.close());
  conn = await WireConnection.connect(second.host, second.port);
  t.teardown(() => conn.destroy());
  t.same(await produceRaw(conn, 'pid', 0, idempotent(1)), [0, 4], 'the producer\'s next sequence continues after the restart');
  t.same(await produceRaw(conn, 'pid', 0, idempotent(1)), [0, 4], 'and its duplicate is recognised');

  // DescribeProducers v0 (flexible): [topic, [partition]]; the answer names the producer id as sent.
  const describe = new Bytes().uvarint(2).compactString('pid').uvarint(2).int32(0).tags().tags().build();
  const frame = await conn.request(61, 0, describe, { headerVersion: 2 });
  t.ok(frame.includes(Buffer.from('7fffffffffffffff', 'hex')), 'DescribeProducers answers with producer id 2^63-1 (fuzz: its response encoder threw)');
});
