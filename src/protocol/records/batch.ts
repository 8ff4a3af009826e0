// Kafka record batch (message format v2) header: layout, reads and in-place edits.
// Layout (KIP-98): baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 |
// crc uint32 | attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
// producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records...
import { crc32c } from '@node-rs/crc32';

export const BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
export const PARTITION_LEADER_EPOCH = 12;
export const MAGIC = 16;
export const CRC = 17;
export const ATTRIBUTES = 21;
export const LAST_OFFSET_DELTA = 23;
export const BASE_TIMESTAMP = 27;
export const MAX_TIMESTAMP = 35;
export const PRODUCER_ID = 43;
export const PRODUCER_EPOCH = 51;
export const BASE_SEQUENCE = 53;
export const RECORDS_COUNT = 57;

/** Bytes before the first record. */
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12;
export const CURRENT_MAGIC = 2;

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;
export const NO_TIMESTAMP = -1;

// attribute bits
export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;
export const DELETE_HORIZON_FLAG_MASK = 0x40;

export type Codec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
export type TimestampType = 'CreateTime' | 'LogAppendTime';

/** Codec names indexed by Kafka's compression type id. */
export const CODECS: readonly Codec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

const TWO_32 = 4294967296;
const TWO_63 = 2 ** 63;

// Byte-indexed readers: Buffer#readInt32BE validates its arguments on every call, which costs
// more than the read on this path. Callers check bounds once per batch.
export function int32At(buf: Buffer, at: number): number {
  return (buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!;
}

export function uint32At(buf: Buffer, at: number): number {
  return int32At(buf, at) >>> 0;
}

export function int16At(buf: Buffer, at: number): number {
  return (((buf[at]! << 8) | buf[at + 1]!) << 16) >> 16;
}

/** Reads an int64 as a number without allocating a BigInt (exact below 2^53). */
export function readInt64(buf: Buffer, at: number): number {
  return int32At(buf, at) * TWO_32 + uint32At(buf, at + 4);
}

export function writeInt64(buf: Buffer, at: number, value: number): void {
  // readInt64 rounds int64s near the top of the range up to 2^63 (a double has no 2^63 - 1):
  // written back they are the largest int64, not a RangeError.
  if (value >= TWO_63) {
    buf.writeUInt32BE(0x7fffffff, at);
    buf.writeUInt32BE(0xffffffff, at + 4);
    return;
  }
  const hi = Math.floor(value / TWO_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(value - hi * TWO_32, at + 4);
}

export function readBatchHeader(buf: Buffer, pos: number): BatchHeader {
  if (pos < 0 || pos + BATCH_HEADER_SIZE > buf.length) {
    throw new RangeError(`A batch header needs ${BATCH_HEADER_SIZE} bytes at ${pos}; the buffer has ${buf.length}`);
  }
  return {
    baseOffset: readInt64(buf, pos + BASE_OFFSET),
    batchLength: int32At(buf, pos + BATCH_LENGTH),
    partitionLeaderEpoch: int32At(buf, pos + PARTITION_LEADER_EPOCH),
    magic: (buf[pos + MAGIC]! << 24) >> 24,
    crc: uint32At(buf, pos + CRC),
    attributes: int16At(buf, pos + ATTRIBUTES),
    lastOffsetDelta: int32At(buf, pos + LAST_OFFSET_DELTA),
    baseTimestamp: readInt64(buf, pos + BASE_TIMESTAMP),
    maxTimestamp: readInt64(buf, pos + MAX_TIMESTAMP),
    producerId: readInt64(buf, pos + PRODUCER_ID),
    producerEpoch: int16At(buf, pos + PRODUCER_EPOCH),
    baseSequence: int32At(buf, pos + BASE_SEQUENCE),
    recordCount: int32At(buf, pos + RECORDS_COUNT),
  };
}

/** Whole batch size in bytes, including the log overhead. */
export function batchSize(buf: Buffer, pos: number): number {
  return LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH);
}

export function compressionOf(attributes: number): Codec {
  const codec = CODECS[attributes & COMPRESSION_CODEC_MASK];
  if (codec === undefined) throw new RangeError(`Unknown compression type id ${attributes & COMPRESSION_CODEC_MASK}`);
  return codec;
}

export function compressionId(codec: Codec): number {
  const id = CODECS.indexOf(codec);
  if (id < 0) throw new RangeError(`Unknown compression codec ${String(codec)}`);
  return id;
}

export function isTransactional(attributes: number): boolean {
  return (attributes & TRANSACTIONAL_FLAG_MASK) !== 0;
}

export function isControl(attributes: number): boolean {
  return (attributes & CONTROL_FLAG_MASK) !== 0;
}

export function hasDeleteHorizon(attributes: number): boolean {
  return (attributes & DELETE_HORIZON_FLAG_MASK) !== 0;
}

export function timestampTypeOf(attributes: number): TimestampType {
  return (attributes & TIMESTAMP_TYPE_MASK) !== 0 ? 'LogAppendTime' : 'CreateTime';
}

/** The offset of the batch's last record. */
export function lastOffsetOf(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + BASE_OFFSET) + int32At(buf, pos + LAST_OFFSET_DELTA);
}

/** Offsets are assigned by the leader after the producer computed the CRC, so they sit outside it. */
export function setBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  writeInt64(buf, pos + BASE_OFFSET, baseOffset);
}

/** Also outside the CRC: the leader stamps its epoch on append. */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + PARTITION_LEADER_EPOCH);
}

/**
 * Marks the batch LogAppendTime with the broker's time as maxTimestamp, as Kafka does for
 * message.timestamp.type=LogAppendTime topics; both fields are under the CRC, so it is recomputed.
 */
export function setLogAppendTime(buf: Buffer, pos: number, timestamp: number): void {
  const attributes = int16At(buf, pos + ATTRIBUTES);
  if ((attributes & TIMESTAMP_TYPE_MASK) !== 0 && readInt64(buf, pos + MAX_TIMESTAMP) === timestamp) return;
  // Kafka recomputes attributes from the known flags, so undefined bits are dropped.
  const known = COMPRESSION_CODEC_MASK | TRANSACTIONAL_FLAG_MASK | CONTROL_FLAG_MASK | DELETE_HORIZON_FLAG_MASK;
  buf.writeInt16BE((attributes & known) | TIMESTAMP_TYPE_MASK, pos + ATTRIBUTES);
  writeInt64(buf, pos + MAX_TIMESTAMP, timestamp);
  buf.writeUInt32BE(computeCrc(buf, pos), pos + CRC);
}

/** CRC32C over attributes through the end of the batch (everything a leader does not rewrite). */
export function computeCrc(buf: Buffer, pos: number): number {
  const end = pos + LOG_OVERHEAD + int32At(buf, pos + BATCH_LENGTH);
  if (end > buf.length || end < pos + ATTRIBUTES) throw new RangeError(`Batch at ${pos} runs past the buffer`);
  return crc32c(buf.subarray(pos + ATTRIBUTES, end)) >>> 0;
}

/** Whether the stored CRC matches the batch contents. */
export function isCrcValid(buf: Buffer, pos: number): boolean {
  return uint32At(buf, pos + CRC) === computeCrc(buf, pos);
}
