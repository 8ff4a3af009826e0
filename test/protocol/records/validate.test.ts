import t from 'tap';
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_SEQUENCE,
  BASE_TIMESTAMP,
  BATCH_LENGTH,
  CRC,
  LAST_OFFSET_DELTA,
  MAGIC,
  MAX_TIMESTAMP,
  RECORDS_COUNT,
  computeCrc,
  writeInt64,
} from '../../../src/protocol/records/batch.js';
import { buildBatch } from '../../../src/protocol/records/records.js';
import { RecordValidationError, validateBatches } from '../../../src/protocol/records/validate.js';
import { KafkajsCompression, kafkajsProduceRecords } from './fixtures/kafkajs.js';
import { codeOf } from './fixtures/code-of.js';

// Kafka error codes
const CORRUPT_MESSAGE = 2;
const MESSAGE_TOO_LARGE = 10;
const INVALID_TIMESTAMP = 32;
const UNSUPPORTED_COMPRESSION_TYPE = 76;
const INVALID_RECORD = 87;
const UNKNOWN_SERVER_ERROR = -1;

const MAX = 1_048_588; // Kafka's default max.message.bytes
const NOW = 1_700_000_000_000;

function batch(opts: Partial<Parameters<typeof buildBatch>[0]> = {}): Buffer {
  return buildBatch({ records: [{ key: 'k', value: 'v', timestamp: NOW }, { value: 'w', timestamp: NOW + 1 }], ...opts });
}

/** Edits a batch, then rewrites its CRC so only the edited field is wrong. */
function edited(b: Buffer, edit: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(b);
  edit(copy);
  copy.writeUInt32BE(computeCrc(copy, 0), CRC);
  return copy;
}

const validate = (records: Buffer, ...rest: unknown[]) => () =>
  validateBatches(records, ...(rest as [number, number?, number?, number?]));

t.test('a kafkajs gzip batch validates, and the result describes it', async (t) => {
  const records = await kafkajsProduceRecords({
    messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }],
    compression: KafkajsCompression.GZIP,
  });
  const r = validateBatches(records, MAX);
  t.equal(r.batches.length, 1);
  t.equal(r.batches[0]!.pos, 0);
  t.equal(r.batches[0]!.size, records.length);
  t.equal(r.batches[0]!.header.recordCount, 3);
  t.equal(r.recordCount, 3);
  t.equal(r.validBytes, records.length);
  t.equal(r.compression, 'gzip');
});

t.test('no whole batch: INVALID_RECORD ("must have at least one record batch")', async (t) => {
  const b = batch();
  t.equal(codeOf(validate(Buffer.alloc(0), MAX)), INVALID_RECORD);
  t.equal(codeOf(validate(b.subarray(0, 11), MAX)), INVALID_RECORD);
  t.equal(codeOf(validate(b.subarray(0, 16), MAX)), INVALID_RECORD, 'too short to read magic');
  t.equal(codeOf(validate(b.subarray(0, b.length - 1), MAX)), INVALID_RECORD, 'first batch truncated');
});

t.test('batch headers the iterator rejects: CORRUPT_MESSAGE', async (t) => {
  const b = batch();
  const tiny = Buffer.from(b);
  tiny.writeInt32BE(13, BATCH_LENGTH);
  t.equal(codeOf(validate(tiny, MAX)), CORRUPT_MESSAGE, 'batchLength below the 14-byte floor');
  t.equal(codeOf(validate(tiny.subarray(0, 12), MAX)), CORRUPT_MESSAGE, 'the length is checked before completeness');
  for (const magic of [3, -1]) {
    const m = Buffer.from(b);
    m.writeInt8(magic, MAGIC);
    t.equal(codeOf(validate(m, MAX)), CORRUPT_MESSAGE, `magic ${magic}`);
  }
});

t.test('magic 0/1 in produce v3+: INVALID_RECORD', async (t) => {
  for (const magic of [0, 1]) {
    const m = Buffer.from(batch());
    m.writeInt8(magic, MAGIC);
    t.equal(codeOf(validate(m, MAX)), INVALID_RECORD, `magic ${magic}`);
  }
});

t.test('more than one batch: INVALID_RECORD; a trailing partial batch is dropped as Kafka does', async (t) => {
  const a = batch();
  const b = batch();
  t.equal(codeOf(validate(Buffer.concat([a, b]), MAX)), INVALID_RECORD);
  const partial = Buffer.concat([a, b.subarray(0, 30)]);
  const r = validateBatches(partial, MAX);
  t.equal(r.validBytes, a.length);
  t.equal(r.batches.length, 1);
  const badSecond = Buffer.concat([a, Buffer.alloc(12)]); // second header: batchLength 0
  t.equal(codeOf(validate(badSecond, MAX)), CORRUPT_MESSAGE);
});

t.test('baseOffset other than 0 from a client: INVALID_RECORD', async (t) => {
  t.equal(codeOf(validate(batch({ baseOffset: 5 }), MAX)), INVALID_RECORD);
});

t.test('batch larger than max.message.bytes: MESSAGE_TOO_LARGE, compared on the whole batch size', async (t) => {
  const b = batch();
  t.equal(codeOf(validate(b, b.length)), 'no error');
  t.equal(codeOf(validate(b, b.length - 1)), MESSAGE_TOO_LARGE);
  const corruptAndLarge = Buffer.from(b);
  corruptAndLarge[corruptAndLarge.length - 1]! ^= 0xff;
  t.equal(codeOf(validate(corruptAndLarge, b.length - 1)), MESSAGE_TOO_LARGE, 'size is checked before the CRC');
});

t.test('CRC mismatch or a batch shorter than its header: CORRUPT_MESSAGE', async (t) => {
  const b = batch({ compression: 'lz4' });
  const body = Buffer.from(b);
  body[body.length - 2]! ^= 0x01;
  t.equal(codeOf(validate(body, MAX)), CORRUPT_MESSAGE);
  const crc = Buffer.from(b);
  crc.writeUInt32BE((crc.readUInt32BE(CRC) + 1) >>> 0, CRC);
  t.equal(codeOf(validate(crc, MAX)), CORRUPT_MESSAGE);
  const attrs = Buffer.from(b);
  attrs.writeInt16BE(attrs.readInt16BE(ATTRIBUTES) | 0x10, ATTRIBUTES); // attributes are under the CRC
  t.equal(codeOf(validate(attrs, MAX)), CORRUPT_MESSAGE);
  const short = Buffer.alloc(40);
  short.writeInt32BE(28, BATCH_LENGTH);
  short.writeInt8(2, MAGIC);
  t.equal(codeOf(validate(short, MAX)), CORRUPT_MESSAGE);
});

t.test('offset range and record count: INVALID_RECORD', async (t) => {
  const b = batch();
  const cases: [string, (x: Buffer) => void][] = [
    ['empty range', (x) => { x.writeInt32BE(-1, LAST_OFFSET_DELTA); x.writeInt32BE(0, RECORDS_COUNT); }],
    ['zero count', (x) => { x.writeInt32BE(0, RECORDS_COUNT); }],
    ['negative count', (x) => { x.writeInt32BE(-3, RECORDS_COUNT); }],
    ['inconsistent range and count', (x) => { x.writeInt32BE(2, LAST_OFFSET_DELTA); }],
    ['control batch from a client', (x) => { x.writeInt16BE(0x20, ATTRIBUTES); }],
  ];
  for (const [name, edit] of cases) t.equal(codeOf(validate(edited(b, edit), MAX)), INVALID_RECORD, name);
  t.equal(codeOf(validate(edited(b, () => {}), MAX)), 'no error', 'the editing helper keeps a batch valid');
});

t.test('idempotent batch without a sequence: INVALID_RECORD', async (t) => {
  t.equal(codeOf(validate(batch({ producerId: 10, producerEpoch: 0, baseSequence: -1 }), MAX)), INVALID_RECORD);
  t.equal(codeOf(validate(batch({ producerId: 10, producerEpoch: 0, baseSequence: 0 }), MAX)), 'no error');
  t.equal(codeOf(validate(batch({ producerId: -1, baseSequence: -1 }), MAX)), 'no error');
  const seq = edited(batch({ producerId: 10, producerEpoch: 0, baseSequence: 0 }), (x) => x.writeInt32BE(-5, BASE_SEQUENCE));
  t.equal(codeOf(validate(seq, MAX)), INVALID_RECORD);
});

t.test('compression ids: zstd before produce v7 and unknown ids', async (t) => {
  const z = batch({ compression: 'zstd' });
  t.equal(codeOf(() => validateBatches(z, MAX, NOW, Infinity, Infinity, { produceVersion: 6 })), UNSUPPORTED_COMPRESSION_TYPE);
  t.equal(codeOf(() => validateBatches(z, MAX, NOW, Infinity, Infinity, { produceVersion: 7 })), 'no error');
  t.equal(codeOf(() => validateBatches(z, MAX)), 'no error');
  const unknown = edited(batch(), (x) => x.writeInt16BE(5, ATTRIBUTES));
  t.equal(codeOf(validate(unknown, MAX)), UNKNOWN_SERVER_ERROR);
});

t.test('timestamps against message.timestamp.before/after.max.ms: INVALID_TIMESTAMP', async (t) => {
  const HOUR = 3_600_000;
  const at = (...ts: number[]) => buildBatch({ records: ts.map((timestamp) => ({ value: 'x', timestamp })) });
  t.equal(codeOf(validate(at(NOW - HOUR, NOW + HOUR), MAX, NOW, HOUR, HOUR)), 'no error', 'bounds are inclusive');
  t.equal(codeOf(validate(at(NOW - HOUR - 1, NOW), MAX, NOW, HOUR, HOUR)), INVALID_TIMESTAMP, 'first record too old');
  t.equal(codeOf(validate(at(NOW, NOW + HOUR + 1), MAX, NOW, HOUR, HOUR)), INVALID_TIMESTAMP, 'latest record too new');
  t.equal(codeOf(validate(at(0, NOW), MAX, NOW)), 'no error', 'no limits by default');
  t.equal(codeOf(validate(at(NOW - 10 * HOUR), MAX, NOW, Infinity, 0)), 'no error', 'only after.max.ms set');

  try {
    validateBatches(at(NOW - 2 * HOUR), MAX, NOW, HOUR, HOUR);
    t.fail('expected INVALID_TIMESTAMP');
  } catch (e) {
    t.ok(e instanceof RecordValidationError);
    const err = e as RecordValidationError;
    t.equal(err.responseMessage, 'One or more records have been rejected due to invalid timestamp');
    t.same(err.recordErrors.map((r) => r.batchIndex), [0]);
  }
  t.equal(codeOf(validate(edited(batch(), () => {}), MAX, NOW, HOUR, HOUR)), 'no error');

  const noTimestamp = edited(at(NOW, NOW), (x) => writeInt64(x, BASE_TIMESTAMP, -1));
  t.equal(codeOf(validate(noTimestamp, MAX, NOW, HOUR, HOUR)), 'no error', 'NO_TIMESTAMP (-1) is not range checked');
});

t.test('LogAppendTime batches from producers', async (t) => {
  const HOUR = 3_600_000;
  const lat = (ts: number) => buildBatch({ records: [{ value: 'x', timestamp: 1 }], timestampType: 'LogAppendTime', logAppendTime: ts });
  // CreateTime topic: each record's timestamp is the batch maxTimestamp, range checked
  t.equal(codeOf(validate(lat(NOW), MAX, NOW, HOUR, HOUR)), 'no error');
  t.equal(codeOf(validate(lat(NOW + 2 * HOUR), MAX, NOW, HOUR, HOUR)), INVALID_TIMESTAMP);
  t.equal(codeOf(validate(lat(-1), MAX, NOW)), INVALID_TIMESTAMP, 'no timestamp and LogAppendTime type');
  // LogAppendTime topic: a producer may not claim LogAppendTime; CreateTime timestamps are not checked
  const opts = { timestampType: 'LogAppendTime' as const };
  t.equal(codeOf(() => validateBatches(lat(NOW), MAX, NOW, HOUR, HOUR, opts)), INVALID_TIMESTAMP);
  const old = buildBatch({ records: [{ value: 'x', timestamp: 0 }] });
  t.equal(codeOf(() => validateBatches(old, MAX, NOW, HOUR, HOUR, opts)), 'no error');
});

t.test('validation does not modify the records', async (t) => {
  const b = batch({ compression: 'snappy' });
  const copy = Buffer.from(b);
  validateBatches(b, MAX, NOW);
  t.ok(b.equals(copy));
  t.equal(b.readBigInt64BE(BASE_OFFSET), 0n);
  t.equal(b.readBigInt64BE(MAX_TIMESTAMP), BigInt(NOW + 1));
});
