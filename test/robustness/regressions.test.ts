// Reproductions of what the fuzzer found, kept small and deterministic.
import t from 'tap';
import { crc32c } from '@node-rs/crc32';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { buildBatch, produceRaw } from '../helpers/batch-builder.js';
import { Bytes, Cursor, WireConnection } from '../helpers/wire.js';

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
