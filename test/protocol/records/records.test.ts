import t from 'tap';
import { createRequire } from 'node:module';
import { readBatchHeader, isCrcValid, compressionOf, type Codec } from '../../../src/protocol/records/batch.js';
import { buildBatch, decodeRecords, encodeRecord } from '../../../src/protocol/records/records.js';
import { codeOf } from './fixtures/code-of.js';
import { KafkajsCompression, kafkajsDecodeBatch, kafkajsProduceRecords, type KafkajsMessage } from './fixtures/kafkajs.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const KafkajsRecord: any = require('kafkajs/src/protocol/recordBatch/record/v0');

const T0 = 1_700_000_000_000;
const messages: KafkajsMessage[] = [
  { key: 'user-1', value: 'first', timestamp: T0, headers: { trace: 'abc', 'content-type': 'json' } },
  { key: null, value: Buffer.from([0, 1, 2, 255]), timestamp: T0 + 5 },
  { key: 'k'.repeat(200), value: null, timestamp: T0 + 70_000 },
  { key: 'user-4', value: 'ü ∑ unicode', timestamp: T0 + 70_000, headers: { h: Buffer.from([9, 9]) } },
];

for (const [name, compression] of [['uncompressed', KafkajsCompression.None], ['gzip', KafkajsCompression.GZIP]] as const) {
  t.test(`a ${name} batch produced by kafkajs decodes field for field`, async (t) => {
    const batch = await kafkajsProduceRecords({ messages, compression, producerId: 77, producerEpoch: 3, firstSequence: 100 });
    t.ok(isCrcValid(batch, 0));
    t.equal(compressionOf(readBatchHeader(batch, 0).attributes), name === 'gzip' ? 'gzip' : 'none');
    const records = decodeRecords(batch, 0);
    t.equal(records.length, 4);
    t.same(records.map((r) => r.offset), [0, 1, 2, 3]);
    t.same(records.map((r) => r.timestamp), [T0, T0 + 5, T0 + 70_000, T0 + 70_000]);
    t.same(records[0]!.key, Buffer.from('user-1'));
    t.same(records[0]!.value, Buffer.from('first'));
    t.same(records[0]!.headers, [
      { key: 'trace', value: Buffer.from('abc') },
      { key: 'content-type', value: Buffer.from('json') },
    ]);
    t.equal(records[1]!.key, null);
    t.same(records[1]!.value, Buffer.from([0, 1, 2, 255]));
    t.same(records[1]!.headers, []);
    t.same(records[2]!.key, Buffer.from('k'.repeat(200)));
    t.equal(records[2]!.value, null);
    t.equal(records[3]!.value!.toString(), 'ü ∑ unicode');
    t.same(records[3]!.headers, [{ key: 'h', value: Buffer.from([9, 9]) }]);
  });
}

t.test('buildBatch is byte-identical to kafkajs given the same header fields', async (t) => {
  const kafkajs = await kafkajsProduceRecords({
    messages,
    transactionalId: 'tx',
    producerId: 4242,
    producerEpoch: 7,
    firstSequence: 19,
  });
  const samsa = buildBatch({
    records: messages.map((m) => ({
      key: m.key,
      value: m.value,
      timestamp: m.timestamp,
      headers: Object.entries(m.headers ?? {}).map(([key, value]) => ({ key, value })),
    })),
    transactional: true,
    producerId: 4242,
    producerEpoch: 7,
    baseSequence: 19,
    partitionLeaderEpoch: 0, // kafkajs's choice; Java and samsa's default is -1
  });
  t.equal(samsa.toString('hex'), kafkajs.toString('hex'));
});

for (const compression of ['none', 'gzip'] as Codec[]) {
  t.test(`kafkajs decodes samsa's ${compression} batch to the same records`, async (t) => {
    const batch = buildBatch({
      baseOffset: 500,
      compression,
      producerId: 9,
      producerEpoch: 2,
      baseSequence: 40,
      records: [
        { key: 'a', value: 'one', timestamp: T0 + 10, headers: [{ key: 'x', value: 'y' }] },
        { value: 'two', timestamp: T0 },
        { key: Buffer.alloc(300, 7), value: Buffer.alloc(1000, 3), timestamp: T0 + 999_999 },
      ],
    });
    const kj = await kafkajsDecodeBatch(batch);
    t.equal(kj.firstOffset, '500');
    t.equal(kj.producerId, '9');
    t.equal(kj.producerEpoch, 2);
    t.equal(kj.firstSequence, 40);
    t.equal(kj.lastOffsetDelta, 2);
    t.equal(kj.firstTimestamp, String(T0 + 10), 'baseTimestamp is the first record, as Java writes it');
    t.equal(kj.maxTimestamp, String(T0 + 999_999));
    t.equal(kj.partitionLeaderEpoch, -1);
    const ours = decodeRecords(batch, 0);
    t.equal(kj.records.length, 3);
    for (let i = 0; i < 3; i++) {
      const theirs = kj.records[i];
      t.equal(theirs.offset, String(ours[i]!.offset));
      t.equal(theirs.timestamp, String(ours[i]!.timestamp));
      t.same(theirs.key, ours[i]!.key);
      t.same(theirs.value, ours[i]!.value);
    }
    t.same(kj.records.map((r: { timestamp: string }) => r.timestamp), [String(T0 + 10), String(T0), String(T0 + 999_999)]);
    t.same(kj.records[0].headers, { x: Buffer.from('y') });
    t.equal(kj.records[1].key, null);
  });
}

t.test('encodeRecord matches kafkajs record bytes, including multi-byte and negative varints', async (t) => {
  const cases = [
    { offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k'), value: Buffer.from('v') },
    { offsetDelta: 63, timestampDelta: -1, key: null, value: Buffer.alloc(200, 1) },
    { offsetDelta: 64, timestampDelta: -70_000, key: Buffer.alloc(10_000, 2), value: null },
    { offsetDelta: 100_000, timestampDelta: 2 ** 40, key: null, value: Buffer.from('x'), headers: { a: Buffer.from('b') } },
  ];
  for (const c of cases) {
    const theirs: Buffer = KafkajsRecord(c).buffer;
    const ours = encodeRecord(
      {
        key: c.key,
        value: c.value,
        headers: Object.entries(c.headers ?? {}).map(([key, value]) => ({ key, value })),
      },
      c.offsetDelta,
      c.timestampDelta,
    );
    t.equal(ours.toString('hex'), theirs.toString('hex'), `offsetDelta ${c.offsetDelta} timestampDelta ${c.timestampDelta}`);
  }
});

for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as Codec[]) {
  t.test(`buildBatch/decodeRecords round trip with ${compression}`, async (t) => {
    const input = Array.from({ length: 300 }, (_, i) => ({
      key: i % 3 === 0 ? null : `key-${i}`,
      value: `value-${i}-`.repeat(i % 17),
      timestamp: T0 + i * 13 - 2000 * (i % 2),
      headers: i % 5 === 0 ? [{ key: 'n', value: i % 10 === 0 ? null : String(i) }] : [],
    }));
    const batch = buildBatch({ records: input, compression, baseOffset: 10 });
    const h = readBatchHeader(batch, 0);
    t.equal(compressionOf(h.attributes), compression);
    t.equal(h.recordCount, 300);
    t.equal(h.lastOffsetDelta, 299);
    t.equal(h.baseTimestamp, T0);
    t.equal(h.maxTimestamp, Math.max(...input.map((r) => r.timestamp)));
    t.ok(isCrcValid(batch, 0));
    const out = decodeRecords(batch, 0);
    t.equal(out.length, 300);
    let ok = true;
    for (let i = 0; i < 300; i++) {
      const r = out[i]!;
      const e = input[i]!;
      ok &&= r.offset === 10 + i && r.timestamp === e.timestamp;
      ok &&= e.key === null ? r.key === null : r.key!.toString() === e.key;
      ok &&= r.value!.toString() === e.value;
      ok &&= r.headers.length === e.headers.length;
      if (e.headers.length) {
        ok &&= r.headers[0]!.key === 'n';
        ok &&= e.headers[0]!.value === null ? r.headers[0]!.value === null : r.headers[0]!.value!.toString() === e.headers[0]!.value;
      }
    }
    t.ok(ok, 'every record round trips');
  });
}

t.test('decodeRecords refuses malformed record sections with INVALID_RECORD', async (t) => {
  const good = buildBatch({ records: [{ value: 'a' }, { value: 'b' }] });
  const more = Buffer.from(good);
  more.writeInt32BE(3, 57); // declares three records, holds two
  t.equal(codeOf(() => decodeRecords(more, 0)), 87);
  const fewer = Buffer.from(good);
  fewer.writeInt32BE(1, 57); // bytes remain after the declared record
  t.equal(codeOf(() => decodeRecords(fewer, 0)), 87);
  const badLength = Buffer.from(good);
  badLength[61] = 0x7e; // first record's length varint now runs past the batch
  t.equal(codeOf(() => decodeRecords(badLength, 0)), 87);
  t.equal(codeOf(() => decodeRecords(good.subarray(0, 40), 0)), 87, 'header cut short');
  t.equal(codeOf(() => decodeRecords(good.subarray(0, good.length - 1), 0)), 87, 'records cut short');
  const gz = buildBatch({ records: [{ value: 'a'.repeat(100) }], compression: 'gzip' });
  gz[gz.length - 12]! ^= 0xff; // inside the deflate stream or its trailer
  t.equal(codeOf(() => decodeRecords(gz, 0)), 2, 'undecompressable records: CORRUPT_MESSAGE');
});

t.test('buildBatch options: LogAppendTime, control, empty', async (t) => {
  const b = buildBatch({ records: [{ value: 'a', timestamp: 5 }], timestampType: 'LogAppendTime', logAppendTime: 99 });
  const h = readBatchHeader(b, 0);
  t.equal(h.attributes & 0x08, 0x08);
  t.equal(h.maxTimestamp, 99);
  t.equal(decodeRecords(b, 0)[0]!.timestamp, 99);
  const c = buildBatch({ records: [{ key: Buffer.from([0, 0, 0, 0]), value: null }], control: true });
  t.equal(readBatchHeader(c, 0).attributes & 0x20, 0x20);
  t.throws(() => buildBatch({ records: [] }));
});
