// Encoding and decoding of the records inside a v2 batch. Off the produce path: for tests,
// benchmarks, compaction and tooling. Record layout (KIP-98):
//   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
//   keyLength varint | key | valueLength varint | value | headerCount varint |
//   [headerKeyLength varint | headerKey utf8 | headerValueLength varint | headerValue]
import {
  ATTRIBUTES,
  BASE_TIMESTAMP,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  CONTROL_FLAG_MASK,
  CRC,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  PARTITION_LEADER_EPOCH,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  BASE_SEQUENCE,
  RECORDS_COUNT,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  compressionId,
  compressionOf,
  computeCrc,
  readBatchHeader,
  writeInt64,
  type Codec,
  type TimestampType,
} from './batch.js';
import { compress, decompress } from './compression.js';
import { CORRUPT_MESSAGE, INVALID_RECORD, RecordValidationError } from './errors.js';
import {
  readVarint,
  readVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
  type Cursor,
} from './varint.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A decoded record. key, value and header values are views into the batch (or its decompressed records). */
export interface Record {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface RecordInput {
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: { key: string; value: Buffer | string | null }[];
  timestamp?: number;
}

export interface BuildBatchOptions {
  baseOffset?: number;
  records: RecordInput[];
  compression?: Codec;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  partitionLeaderEpoch?: number;
  timestampType?: TimestampType;
  /** maxTimestamp of a LogAppendTime batch; defaults to now. */
  logAppendTime?: number;
}

interface EncodableRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: Buffer; value: Buffer | null }[];
}

function toBuffer(v: Buffer | string | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? Buffer.from(v) : v;
}

function normalise(r: RecordInput): EncodableRecord {
  return {
    key: toBuffer(r.key),
    value: toBuffer(r.value),
    headers: (r.headers ?? []).map((h) => ({ key: Buffer.from(h.key), value: toBuffer(h.value) })),
  };
}

function sizeOfBytes(b: Buffer | null): number {
  return b === null ? sizeOfVarint(-1) : sizeOfVarint(b.length) + b.length;
}

/** Size of a record body, i.e. everything after its length varint. */
function bodySize(r: EncodableRecord, offsetDelta: number, timestampDelta: number): number {
  let size = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfBytes(r.key) + sizeOfBytes(r.value);
  size += sizeOfVarint(r.headers.length);
  for (const h of r.headers) size += sizeOfBytes(h.key) + sizeOfBytes(h.value);
  return size;
}

function writeBytes(buf: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, b.length);
  return pos + b.copy(buf, pos);
}

function writeRecord(buf: Buffer, pos: number, r: EncodableRecord, body: number, offsetDelta: number, timestampDelta: number): number {
  pos = writeVarint(buf, pos, body);
  buf[pos++] = 0; // record attributes: unused
  pos = writeVarlong(buf, pos, timestampDelta);
  pos = writeVarint(buf, pos, offsetDelta);
  pos = writeBytes(buf, pos, r.key);
  pos = writeBytes(buf, pos, r.value);
  pos = writeVarint(buf, pos, r.headers.length);
  for (const h of r.headers) {
    pos = writeBytes(buf, pos, h.key);
    pos = writeBytes(buf, pos, h.value);
  }
  return pos;
}

/** One record in its wire form, length prefix included. */
export function encodeRecord(record: RecordInput, offsetDelta: number, timestampDelta: number): Buffer {
  const r = normalise(record);
  const body = bodySize(r, offsetDelta, timestampDelta);
  const buf = Buffer.allocUnsafe(sizeOfVarint(body) + body);
  writeRecord(buf, 0, r, body, offsetDelta, timestampDelta);
  return buf;
}

/** A v2 batch as a Kafka producer writes it: offsets from 0 (or baseOffset), CreateTime, CRC32C set. */
export function buildBatch(opts: BuildBatchOptions): Buffer {
  const count = opts.records.length;
  if (count === 0) throw new RangeError('A record batch needs at least one record');
  const now = Date.now();
  const records = opts.records.map(normalise);
  const timestamps = opts.records.map((r) => r.timestamp ?? now);
  const baseTimestamp = timestamps[0]!;
  let maxTimestamp = baseTimestamp;
  for (const t of timestamps) if (t > maxTimestamp) maxTimestamp = t;

  const bodies = new Array<number>(count);
  let recordsSize = 0;
  for (let i = 0; i < count; i++) {
    const body = bodySize(records[i]!, i, timestamps[i]! - baseTimestamp);
    bodies[i] = body;
    recordsSize += sizeOfVarint(body) + body;
  }
  let recordsBuf: Buffer = Buffer.allocUnsafe(recordsSize);
  let pos = 0;
  for (let i = 0; i < count; i++) pos = writeRecord(recordsBuf, pos, records[i]!, bodies[i]!, i, timestamps[i]! - baseTimestamp);
  const codec = opts.compression ?? 'none';
  recordsBuf = compress(codec, recordsBuf);

  const logAppendTime = opts.timestampType === 'LogAppendTime';
  let attributes = compressionId(codec);
  if (logAppendTime) attributes |= TIMESTAMP_TYPE_MASK;
  if (opts.transactional) attributes |= TRANSACTIONAL_FLAG_MASK;
  if (opts.control) attributes |= CONTROL_FLAG_MASK;

  const batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + recordsBuf.length);
  writeInt64(batch, 0, opts.baseOffset ?? 0);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH);
  batch.writeInt32BE(opts.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH, PARTITION_LEADER_EPOCH);
  batch.writeInt8(CURRENT_MAGIC, MAGIC);
  batch.writeInt16BE(attributes, ATTRIBUTES);
  batch.writeInt32BE(count - 1, LAST_OFFSET_DELTA);
  writeInt64(batch, BASE_TIMESTAMP, baseTimestamp);
  writeInt64(batch, MAX_TIMESTAMP, logAppendTime ? (opts.logAppendTime ?? now) : maxTimestamp);
  writeInt64(batch, PRODUCER_ID, opts.producerId ?? NO_PRODUCER_ID);
  batch.writeInt16BE(opts.producerEpoch ?? NO_PRODUCER_EPOCH, PRODUCER_EPOCH);
  batch.writeInt32BE(opts.baseSequence ?? NO_SEQUENCE, BASE_SEQUENCE);
  batch.writeInt32BE(count, RECORDS_COUNT);
  recordsBuf.copy(batch, BATCH_HEADER_SIZE);
  batch.writeUInt32BE(computeCrc(batch, 0), CRC);
  return batch;
}

function invalid(message: string): RecordValidationError {
  return new RecordValidationError(INVALID_RECORD, message);
}

function readBytes(buf: Buffer, cursor: Cursor, end: number): Buffer | null {
  const length = readVarint(buf, cursor);
  if (length < 0) return null;
  const start = cursor.pos;
  if (start + length > end) throw invalid('Found invalid record structure: field runs past the record');
  cursor.pos = start + length;
  return buf.subarray(start, start + length);
}

/** Decodes every record of the batch at `pos`, decompressing the records section if needed. */
export function decodeRecords(batchBuf: Buffer, pos: number): Record[] {
  if (pos + BATCH_HEADER_SIZE > batchBuf.length) throw invalid('Record batch header is truncated');
  const header = readBatchHeader(batchBuf, pos);
  const end = pos + LOG_OVERHEAD + header.batchLength;
  if (end > batchBuf.length || end < pos + BATCH_HEADER_SIZE) throw invalid('Record batch is truncated');
  let buf = batchBuf.subarray(pos + BATCH_HEADER_SIZE, end);
  const codec = compressionOf(header.attributes);
  try {
    buf = decompress(codec, buf);
  } catch (e) {
    throw new RecordValidationError(CORRUPT_MESSAGE, `Failed to decompress ${codec} records: ${(e as Error).message}`);
  }
  const logAppendTime = (header.attributes & TIMESTAMP_TYPE_MASK) !== 0;

  const records: Record[] = new Array(header.recordCount);
  const cursor: Cursor = { pos: 0 };
  try {
    for (let i = 0; i < header.recordCount; i++) {
      if (cursor.pos >= buf.length) throw invalid(`Incorrect declared batch size, found only ${i} records`);
      const length = readVarint(buf, cursor);
      const recordEnd = cursor.pos + length;
      if (length < 0 || recordEnd > buf.length) throw invalid('Found invalid record structure: record runs past the batch');
      cursor.pos++; // attributes
      const timestampDelta = readVarlong(buf, cursor);
      const offsetDelta = readVarint(buf, cursor);
      const key = readBytes(buf, cursor, recordEnd);
      const value = readBytes(buf, cursor, recordEnd);
      const headerCount = readVarint(buf, cursor);
      if (headerCount < 0) throw invalid(`Found invalid number of record headers ${headerCount}`);
      const headers: RecordHeader[] = new Array(headerCount);
      for (let h = 0; h < headerCount; h++) {
        const hk = readBytes(buf, cursor, recordEnd);
        if (hk === null) throw invalid('Invalid negative header key size');
        headers[h] = { key: hk.toString('utf8'), value: readBytes(buf, cursor, recordEnd) };
      }
      if (cursor.pos !== recordEnd) throw invalid(`Invalid record size: expected ${length} bytes in record payload`);
      records[i] = {
        offset: header.baseOffset + offsetDelta,
        timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
        key,
        value,
        headers,
      };
    }
  } catch (e) {
    if (e instanceof RangeError) throw invalid(`Found invalid record structure: ${e.message}`);
    throw e;
  }
  if (cursor.pos !== buf.length) throw invalid('Incorrect declared batch size, records still remaining in file');
  return records;
}
