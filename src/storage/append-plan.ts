// The engine-independent half of an append: walk the batch headers, check producer sequences,
// then assign offsets, leader epoch and LogAppendTime in place. Only headers are touched.
import {
  ATTRIBUTES,
  BATCH_HEADER_SIZE,
  LAST_OFFSET_DELTA,
  MAX_TIMESTAMP,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  BASE_SEQUENCE,
  batchSize,
  isControl,
  isTransactional,
  readInt64,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
} from '../protocol/records/batch.js';
import type { LogConfig } from '../config.js';
import { ErrorCode } from '../protocol/errors.js';
import { readEndTxnMarker } from '../protocol/records/control-batch.js';
import type { BatchMetadata, MarkerFields, ProducerAppend, ProducerBatch, ProducerStateManager } from './producer-state.js';
import { KafkaError } from './types.js';

/** One batch of an append once offsets are assigned. */
export interface PlannedBatch {
  /** Position of the batch in the append's buffer. */
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

export interface AppendPlan {
  records: Buffer;
  batches: PlannedBatch[];
  baseOffset: number;
  lastOffset: number;
  /** Records appended (for flush.messages). */
  messages: number;
  logAppendTime: number;
  producers: ProducerAppend;
}

/**
 * Checks an append and stamps offsets from `nextOffset` on. Returns the original batch when the
 * append is a producer's retry, null when `records` holds no batch. Throws KafkaError.
 */
export function planAppend(
  records: Buffer,
  nextOffset: number,
  leaderEpoch: number,
  config: LogConfig,
  now: number,
  producers: ProducerStateManager,
  /** A marker append's transaction version (TxnMarker.transactionVersion). */
  transactionVersion = 0,
): AppendPlan | BatchMetadata | null {
  const positions: number[] = [];
  const checks: ProducerBatch[] = [];
  for (let pos = 0; pos < records.length; ) {
    if (pos + BATCH_HEADER_SIZE > records.length) throw corrupt('truncated record batch header');
    const size = batchSize(records, pos);
    if (size < BATCH_HEADER_SIZE || pos + size > records.length) throw corrupt(`record batch of ${size} bytes does not fit`);
    const lastOffsetDelta = records.readInt32BE(pos + LAST_OFFSET_DELTA);
    if (lastOffsetDelta < 0) throw corrupt(`record batch with negative last offset delta ${lastOffsetDelta}`);
    positions.push(pos);
    const attributes = records.readInt16BE(pos + ATTRIBUTES);
    const producerId = readInt64(records, pos + PRODUCER_ID);
    const control = isControl(attributes);
    checks.push({
      producerId,
      producerEpoch: records.readInt16BE(pos + PRODUCER_EPOCH),
      baseSequence: records.readInt32BE(pos + BASE_SEQUENCE),
      lastOffsetDelta,
      control,
      transactional: isTransactional(attributes),
      // Only markers (appended by the log itself) are control batches here: clients may not send them.
      marker: control && producerId >= 0 ? withVersion(readEndTxnMarker(records, pos), transactionVersion) : null,
    });
    pos += size;
  }
  if (positions.length === 0) return null;
  const checked = producers.check(checks);
  if (!('producers' in checked)) return checked;

  const logAppendTime = config.timestampType === 'LogAppendTime' ? now : -1;
  const batches: PlannedBatch[] = new Array(positions.length);
  let offset = nextOffset;
  let messages = 0;
  for (let i = 0; i < positions.length; i++) {
    const pos = positions[i];
    setBaseOffset(records, pos, offset);
    setPartitionLeaderEpoch(records, pos, leaderEpoch);
    if (logAppendTime >= 0) setLogAppendTime(records, pos, logAppendTime);
    const lastOffset = offset + checks[i].lastOffsetDelta;
    const maxTimestamp = readInt64(records, pos + MAX_TIMESTAMP);
    batches[i] = { position: pos, size: batchSize(records, pos), baseOffset: offset, lastOffset, maxTimestamp };
    const meta = checked.perBatch[i];
    if (meta) {
      meta.firstOffset = offset;
      meta.lastOffset = lastOffset;
      meta.timestamp = maxTimestamp;
    }
    messages += checks[i].lastOffsetDelta + 1;
    offset = lastOffset + 1;
  }
  return { records, batches, baseOffset: nextOffset, lastOffset: offset - 1, messages, logAppendTime, producers: checked };
}

function withVersion(marker: MarkerFields | null, transactionVersion: number): MarkerFields | null {
  return marker && { ...marker, transactionVersion };
}

function corrupt(message: string): KafkaError {
  return new KafkaError(ErrorCode.CORRUPT_MESSAGE, message);
}
