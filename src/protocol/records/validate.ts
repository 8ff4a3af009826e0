// Header-only validation of one partition's produce records, in the order and with the error
// codes of Kafka 4: ProduceRequest.validateRecords, then UnifiedLog.analyzeAndValidateRecords,
// then LogValidator.validateBatch. Records are never decoded here (hot path).
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  CODECS,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  MAGIC,
  NO_TIMESTAMP,
  TIMESTAMP_TYPE_MASK,
  computeCrc,
  int16At,
  int32At,
  readBatchHeader,
  readInt64,
  type BatchHeader,
  type Codec,
  type TimestampType,
} from './batch.js';
import {
  CORRUPT_MESSAGE,
  INVALID_RECORD,
  INVALID_TIMESTAMP,
  MESSAGE_TOO_LARGE,
  RecordValidationError,
  UNKNOWN_SERVER_ERROR,
  UNSUPPORTED_COMPRESSION_TYPE,
} from './errors.js';

export { RecordValidationError } from './errors.js';

// Kafka's batch iterator reads the magic only once this many bytes are present.
const HEADER_SIZE_UP_TO_MAGIC = MAGIC + 1;
// The iterator's floor for batchLength (the v0 message overhead); anything shorter is corrupt.
const MIN_BATCH_LENGTH = 14;
// Produce v7 is the first version allowed to carry zstd (KIP-110).
const FIRST_ZSTD_PRODUCE_VERSION = 7;

export interface ValidatedBatch {
  pos: number;
  size: number;
  header: BatchHeader;
}

export interface ValidatedBatches {
  batches: ValidatedBatch[];
  recordCount: number;
  /** Bytes covered by whole batches. Kafka drops a trailing partial batch silently; append only these. */
  validBytes: number;
  compression: Codec;
  maxTimestamp: number;
}

export interface ValidateOptions {
  /** The topic's message.timestamp.type. */
  timestampType?: TimestampType;
  /** Produce request version; below 7, zstd is refused. */
  produceVersion?: number;
}

/**
 * Size of the whole batch starting at `pos`, or -1 when the bytes left do not hold one
 * (Kafka's ByteBufferLogInputStream.nextBatch returning null). Throws where it throws.
 */
function nextBatchSize(records: Buffer, pos: number): number {
  const remaining = records.length - pos;
  if (remaining < LOG_OVERHEAD) return -1;
  const batchLength = int32At(records, pos + BATCH_LENGTH);
  if (batchLength < MIN_BATCH_LENGTH) {
    throw new RecordValidationError(
      CORRUPT_MESSAGE,
      `Record size ${batchLength} is less than the minimum record overhead (${MIN_BATCH_LENGTH})`,
    );
  }
  if (remaining < HEADER_SIZE_UP_TO_MAGIC) return -1;
  const magic = (records[pos + MAGIC]! << 24) >> 24;
  if (magic < 0 || magic > CURRENT_MAGIC) {
    throw new RecordValidationError(CORRUPT_MESSAGE, `Invalid magic found in record: ${magic}`);
  }
  const size = LOG_OVERHEAD + batchLength;
  return remaining < size ? -1 : size;
}

/**
 * Validates the records of one partition in a produce request (v3+) without decoding records.
 * Timestamps are checked from the header: the first record's (baseTimestamp) and the largest
 * (maxTimestamp) against [now - timestampBeforeMaxMs, now + timestampAfterMaxMs].
 * @throws RecordValidationError carrying the Kafka error code.
 */
export function validateBatches(
  records: Buffer,
  maxMessageBytes: number,
  now: number = Date.now(),
  timestampBeforeMaxMs: number = Infinity,
  timestampAfterMaxMs: number = Infinity,
  options: ValidateOptions = {},
): ValidatedBatches {
  // ProduceRequest.validateRecords: exactly one whole magic-v2 batch.
  const size = nextBatchSize(records, 0);
  if (size < 0) {
    throw new RecordValidationError(INVALID_RECORD, 'Produce requests must have at least one record batch per partition');
  }
  const magic = (records[MAGIC]! << 24) >> 24;
  if (magic !== CURRENT_MAGIC) {
    throw new RecordValidationError(
      INVALID_RECORD,
      'Produce requests are only allowed to contain record batches with magic version 2',
    );
  }
  const codecId = int16At(records, ATTRIBUTES) & COMPRESSION_CODEC_MASK;
  const codec = CODECS[codecId];
  const oldProduce = options.produceVersion !== undefined && options.produceVersion < FIRST_ZSTD_PRODUCE_VERSION;
  // Before v7 Kafka reads the codec here; an unknown id fails CompressionType.forId.
  if (oldProduce && codec === undefined) throw unknownCodec(codecId);
  if (oldProduce && codec === 'zstd') {
    throw new RecordValidationError(
      UNSUPPORTED_COMPRESSION_TYPE,
      `Produce requests with version ${options.produceVersion} are not allowed to use ZStandard compression`,
    );
  }
  if (nextBatchSize(records, size) >= 0) {
    throw new RecordValidationError(
      INVALID_RECORD,
      'Produce requests are only allowed to contain exactly one record batch per partition',
    );
  }

  // UnifiedLog.analyzeAndValidateRecords
  if (readInt64(records, BASE_OFFSET) !== 0) {
    throw new RecordValidationError(
      INVALID_RECORD,
      `The baseOffset of the record batch should be 0, but it is ${readInt64(records, BASE_OFFSET)}`,
    );
  }
  if (size > maxMessageBytes) {
    throw new RecordValidationError(
      MESSAGE_TOO_LARGE,
      `The record batch size is ${size} bytes which exceeds the maximum configured value of ${maxMessageBytes}.`,
    );
  }
  if (size < BATCH_HEADER_SIZE) {
    throw new RecordValidationError(
      CORRUPT_MESSAGE,
      `Record batch is corrupt (the size ${size} is smaller than the minimum allowed overhead ${BATCH_HEADER_SIZE})`,
    );
  }
  const header = readBatchHeader(records, 0);
  if (header.crc !== computeCrc(records, 0)) {
    throw new RecordValidationError(CORRUPT_MESSAGE, `Record is corrupt (stored crc = ${header.crc})`);
  }
  if (codec === undefined) throw unknownCodec(codecId);

  // LogValidator.validateBatch (origin CLIENT)
  const { lastOffsetDelta, recordCount, attributes, producerId, baseSequence, baseTimestamp, maxTimestamp } = header;
  if (lastOffsetDelta + 1 <= 0) {
    throw new RecordValidationError(INVALID_RECORD, `Batch has an invalid offset range: [0, ${lastOffsetDelta}]`);
  }
  if (recordCount <= 0) {
    throw new RecordValidationError(INVALID_RECORD, `Invalid reported count for record batch: ${recordCount}`);
  }
  if (lastOffsetDelta + 1 !== recordCount) {
    throw new RecordValidationError(
      INVALID_RECORD,
      `Inconsistent batch offset range [0, ${lastOffsetDelta}] and count of records ${recordCount}`,
    );
  }
  if ((attributes & CONTROL_FLAG_MASK) !== 0) {
    throw new RecordValidationError(INVALID_RECORD, 'Clients are not allowed to write control records');
  }
  if (producerId >= 0 && baseSequence < 0) {
    throw new RecordValidationError(
      INVALID_RECORD,
      `Invalid sequence number ${baseSequence} in record batch with producerId ${producerId}`,
    );
  }

  // LogValidator.validateTimestamp, from the header: a LogAppendTime batch gives every record
  // maxTimestamp; a CreateTime batch's first record is baseTimestamp and its latest maxTimestamp.
  // Without decoding, the record holding maxTimestamp is only known in a one-record batch.
  const maxIndex = recordCount === 1 ? 0 : null;
  const batchLogAppendTime = (attributes & TIMESTAMP_TYPE_MASK) !== 0;
  if (options.timestampType === 'LogAppendTime') {
    if (batchLogAppendTime) throw logAppendTimeFromProducer();
  } else if (batchLogAppendTime) {
    if (maxTimestamp === NO_TIMESTAMP) throw logAppendTimeFromProducer();
    checkTimestamp(maxTimestamp, maxIndex, now, timestampBeforeMaxMs, timestampAfterMaxMs);
  } else {
    if (baseTimestamp !== NO_TIMESTAMP) checkTimestamp(baseTimestamp, 0, now, timestampBeforeMaxMs, timestampAfterMaxMs);
    if (maxTimestamp !== NO_TIMESTAMP) checkTimestamp(maxTimestamp, maxIndex, now, timestampBeforeMaxMs, timestampAfterMaxMs);
  }

  return {
    batches: [{ pos: 0, size, header }],
    recordCount,
    validBytes: size,
    compression: codec,
    maxTimestamp,
  };
}

function checkTimestamp(
  timestamp: number,
  batchIndex: number | null,
  now: number,
  beforeMaxMs: number,
  afterMaxMs: number,
): void {
  const diff = now - timestamp;
  if (diff > beforeMaxMs || -diff > afterMaxMs) {
    const message =
      `Timestamp ${timestamp} of message is out of range. ` +
      `The timestamp should be within [${now - beforeMaxMs}, ${now + afterMaxMs}]`;
    throw new RecordValidationError(
      INVALID_TIMESTAMP,
      'One or more records have been rejected due to invalid timestamp',
      batchIndex === null ? [] : [{ batchIndex, message }],
      true,
    );
  }
}

/** CompressionType.forId throws IllegalArgumentException, which Kafka answers as an unknown error. */
function unknownCodec(codecId: number): RecordValidationError {
  return new RecordValidationError(UNKNOWN_SERVER_ERROR, `Unknown compression type id: ${codecId}`);
}

function logAppendTimeFromProducer(): RecordValidationError {
  return new RecordValidationError(
    INVALID_TIMESTAMP,
    'One or more records have been rejected due to invalid timestamp',
    [{ batchIndex: 0, message: 'Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime.' }],
    true,
  );
}
