import t from 'tap';
import { crc32c } from '@node-rs/crc32';
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_SEQUENCE,
  BASE_TIMESTAMP,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  CRC,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP,
  PARTITION_LEADER_EPOCH,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  RECORDS_COUNT,
  batchSize,
  compressionOf,
  computeCrc,
  isControl,
  isCrcValid,
  isTransactional,
  readBatchHeader,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  timestampTypeOf,
} from '../../../src/protocol/records/batch.js';
import { buildBatch, decodeRecords } from '../../../src/protocol/records/records.js';
import { kafkajsCrc32C, kafkajsDecodeBatch, kafkajsProduceRecords } from './fixtures/kafkajs.js';

t.test('CRC32C known vectors (RFC 3720 B.4 and the standard check value)', async (t) => {
  t.equal(crc32c(Buffer.from('123456789')) >>> 0, 0xe3069283);
  t.equal(crc32c(Buffer.alloc(32, 0)) >>> 0, 0x8a9136aa);
  t.equal(crc32c(Buffer.alloc(32, 0xff)) >>> 0, 0x62a8ab43);
  t.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))) >>> 0, 0x46dd794e);
  t.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))) >>> 0, 0x113fdb5c);
});

t.test('field offsets follow the v2 layout', async (t) => {
  t.same(
    [BASE_OFFSET, BATCH_LENGTH, PARTITION_LEADER_EPOCH, MAGIC, CRC, ATTRIBUTES, LAST_OFFSET_DELTA, BASE_TIMESTAMP,
      MAX_TIMESTAMP, PRODUCER_ID, PRODUCER_EPOCH, BASE_SEQUENCE, RECORDS_COUNT, BATCH_HEADER_SIZE, LOG_OVERHEAD],
    [0, 8, 12, 16, 17, 21, 23, 27, 35, 43, 51, 53, 57, 61, 12],
  );
});

t.test('header of a batch written by kafkajs', async (t) => {
  const records = await kafkajsProduceRecords({
    messages: [
      { key: 'k1', value: 'v1', timestamp: 1_700_000_000_000 },
      { key: null, value: 'v2', timestamp: 1_700_000_000_500 },
      { key: 'k3', value: null, timestamp: 1_700_000_000_250 },
    ],
    transactionalId: 'txn-1',
    producerId: 4242,
    producerEpoch: 7,
    firstSequence: 19,
  });
  const h = readBatchHeader(records, 0);
  t.equal(h.baseOffset, 0);
  t.equal(h.batchLength, records.length - LOG_OVERHEAD);
  t.equal(batchSize(records, 0), records.length);
  t.equal(h.partitionLeaderEpoch, 0); // kafkajs writes 0 where Java writes -1
  t.equal(h.magic, 2);
  t.equal(h.crc, kafkajsCrc32C(records.subarray(ATTRIBUTES)) >>> 0, 'CRC as kafkajs computed it');
  t.equal(computeCrc(records, 0), h.crc);
  t.ok(isCrcValid(records, 0));
  t.equal(h.attributes, 0x10);
  t.ok(isTransactional(h.attributes));
  t.notOk(isControl(h.attributes));
  t.equal(compressionOf(h.attributes), 'none');
  t.equal(timestampTypeOf(h.attributes), 'CreateTime');
  t.equal(h.lastOffsetDelta, 2);
  t.equal(h.baseTimestamp, 1_700_000_000_000);
  t.equal(h.maxTimestamp, 1_700_000_000_500);
  t.equal(h.producerId, 4242);
  t.equal(h.producerEpoch, 7);
  t.equal(h.baseSequence, 19);
  t.equal(h.recordCount, 3);
});

t.test('negative and large int64 fields', async (t) => {
  const b = buildBatch({ records: [{ value: 'x', timestamp: 2 ** 45 + 3 }], baseOffset: 2 ** 40 + 5 });
  const h = readBatchHeader(b, 0);
  t.equal(h.producerId, -1);
  t.equal(h.producerEpoch, -1);
  t.equal(h.baseSequence, -1);
  t.equal(h.partitionLeaderEpoch, -1);
  t.equal(h.baseOffset, 2 ** 40 + 5);
  t.equal(h.baseTimestamp, 2 ** 45 + 3);
  t.equal(b.readBigInt64BE(BASE_OFFSET), BigInt(2 ** 40 + 5));
  t.equal(b.readBigInt64BE(PRODUCER_ID), -1n);
});

t.test('compressionOf and attribute bits', async (t) => {
  t.same([0, 1, 2, 3, 4].map(compressionOf), ['none', 'gzip', 'snappy', 'lz4', 'zstd']);
  t.throws(() => compressionOf(5));
  t.equal(compressionOf(0x18 | 4), 'zstd');
  t.ok(isControl(0x20));
  t.equal(timestampTypeOf(0x08), 'LogAppendTime');
});

t.test('setBaseOffset and setPartitionLeaderEpoch leave the CRC valid', async (t) => {
  const b = buildBatch({ records: [{ value: 'a' }, { value: 'b' }] });
  const crc = b.readUInt32BE(CRC);
  setBaseOffset(b, 0, 123_456_789_012);
  setPartitionLeaderEpoch(b, 0, 17);
  t.equal(b.readUInt32BE(CRC), crc);
  t.ok(isCrcValid(b, 0));
  const h = readBatchHeader(b, 0);
  t.equal(h.baseOffset, 123_456_789_012);
  t.equal(h.partitionLeaderEpoch, 17);
  t.same(decodeRecords(b, 0).map((r) => r.offset), [123_456_789_012, 123_456_789_013]);
});

t.test('setLogAppendTime sets the type bit and maxTimestamp with a valid CRC', async (t) => {
  const b = buildBatch({
    records: [{ value: 'a', timestamp: 1000 }, { value: 'b', timestamp: 2000 }],
    compression: 'gzip',
    transactional: true,
    producerId: 5,
    producerEpoch: 1,
    baseSequence: 0,
  });
  const before = b.readUInt32BE(CRC);
  setLogAppendTime(b, 0, 1_700_000_123_456);
  const h = readBatchHeader(b, 0);
  t.not(h.crc, before, 'CRC recomputed');
  t.ok(isCrcValid(b, 0));
  t.equal(h.crc, kafkajsCrc32C(b.subarray(ATTRIBUTES)) >>> 0, 'CRC agrees with kafkajs');
  t.equal(timestampTypeOf(h.attributes), 'LogAppendTime');
  t.equal(compressionOf(h.attributes), 'gzip');
  t.ok(isTransactional(h.attributes));
  t.equal(h.maxTimestamp, 1_700_000_123_456);
  t.equal(h.baseTimestamp, 1000, 'baseTimestamp untouched, as Kafka');
  // consumers read LogAppendTime from maxTimestamp for every record
  t.same(decodeRecords(b, 0).map((r) => r.timestamp), [1_700_000_123_456, 1_700_000_123_456]);
  const kj = await kafkajsDecodeBatch(b);
  t.same(kj.records.map((r: { timestamp: string }) => r.timestamp), ['1700000123456', '1700000123456']);
});

t.test('header reads at a non-zero position', async (t) => {
  const a = buildBatch({ records: [{ value: 'a' }] });
  const b = buildBatch({ records: [{ value: 'b' }, { value: 'c' }], baseOffset: 1 });
  const both = Buffer.concat([a, b]);
  t.equal(batchSize(both, 0), a.length);
  const h = readBatchHeader(both, a.length);
  t.equal(h.baseOffset, 1);
  t.equal(h.recordCount, 2);
  t.ok(isCrcValid(both, a.length));
  both[both.length - 1]! ^= 1;
  t.notOk(isCrcValid(both, a.length));
  t.ok(isCrcValid(both, 0));
});
