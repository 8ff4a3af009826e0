// The engine-independent half of a follower's append (Kafka's appendAsFollower): the batches come
// from the leader with their offsets and partition leader epochs, which are checked, never set.
// Only headers are read (plus each batch's CRC, as Kafka's follower validates them).
import {
  ATTRIBUTES,
  BASE_SEQUENCE,
  BATCH_HEADER_SIZE,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA,
  MAGIC,
  MAX_TIMESTAMP,
  PARTITION_LEADER_EPOCH,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  batchSize,
  isControl,
  isCrcValid,
  isTransactional,
  readInt64,
} from '../protocol/records/batch.js';
import { ErrorCode } from '../protocol/errors.js';
import type { AppendPlan, PlannedBatch } from './append-plan.js';
import type { EpochEntry } from './leader-epoch-cache.js';
import { ProducerAppend, lastSequence, type CompletedTxn, type ProducerStateManager } from './producer-state.js';
import { readEndTxnMarker } from '../protocol/records/control-batch.js';
import { KafkaError } from './types.js';

/** Nothing to check on a follower: the producer state is replayed, not validated. */
const NO_CHECKS = new ProducerAppend();

export interface FollowerPlan {
  plan: AppendPlan;
  /** Epochs that start in this append, in order (rarely more than one). */
  epochs: EpochEntry[];
}

/**
 * Checks a follower append against the log end and the latest known epoch. Returns null when
 * `records` holds no batch. Throws KafkaError on an overlap, a corrupt or non-v2 batch.
 */
export function planFollowerAppend(records: Buffer, logEndOffset: number, latestEpoch: number, where: string): FollowerPlan | null {
  const batches: PlannedBatch[] = [];
  const epochs: EpochEntry[] = [];
  let next = logEndOffset;
  let epoch = latestEpoch;
  let messages = 0;
  for (let pos = 0; pos < records.length; ) {
    if (pos + BATCH_HEADER_SIZE > records.length) throw corrupt('truncated record batch header');
    const size = batchSize(records, pos);
    if (size < BATCH_HEADER_SIZE || pos + size > records.length) throw corrupt(`record batch of ${size} bytes does not fit`);
    if (records.readInt8(pos + MAGIC) !== CURRENT_MAGIC) throw corrupt(`record batch with magic ${records.readInt8(pos + MAGIC)}`);
    if (!isCrcValid(records, pos)) throw corrupt(`record batch at position ${pos} fails its CRC check`);
    const baseOffset = readInt64(records, pos);
    const lastOffsetDelta = records.readInt32BE(pos + LAST_OFFSET_DELTA);
    if (lastOffsetDelta < 0) throw corrupt(`record batch with negative last offset delta ${lastOffsetDelta}`);
    if (baseOffset < next) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `Unexpected offset in append to ${where}. First offset ${baseOffset} of a batch is less than the next offset ${next}`,
      );
    }
    const batchEpoch = records.readInt32BE(pos + PARTITION_LEADER_EPOCH);
    if (batchEpoch >= 0 && batchEpoch !== epoch) {
      epochs.push({ epoch: batchEpoch, startOffset: baseOffset });
      epoch = batchEpoch;
    }
    const lastOffset = baseOffset + lastOffsetDelta;
    batches.push({ position: pos, size, baseOffset, lastOffset, maxTimestamp: readInt64(records, pos + MAX_TIMESTAMP) });
    messages += lastOffsetDelta + 1;
    next = lastOffset + 1;
    pos += size;
  }
  if (batches.length === 0) return null;
  const plan: AppendPlan = {
    records,
    batches,
    baseOffset: batches[0].baseOffset,
    lastOffset: next - 1,
    messages,
    logAppendTime: -1,
    producers: NO_CHECKS,
  };
  return { plan, epochs };
}

/**
 * Kafka's follower-side producer state update: every idempotent batch replayed, no sequence
 * checks, transactions started and ended by their batches and markers. Returns the completed ones.
 */
export function replayProducers(producers: ProducerStateManager, records: Buffer, batches: readonly PlannedBatch[]): CompletedTxn[] {
  const completed: CompletedTxn[] = [];
  for (const b of batches) {
    const producerId = readInt64(records, b.position + PRODUCER_ID);
    if (producerId < 0) continue;
    const baseSequence = records.readInt32BE(b.position + BASE_SEQUENCE);
    const attributes = records.readInt16BE(b.position + ATTRIBUTES);
    const control = isControl(attributes);
    const done = producers.replay(
      producerId,
      records.readInt16BE(b.position + PRODUCER_EPOCH),
      control,
      {
        firstSeq: baseSequence,
        lastSeq: lastSequence(baseSequence, b.lastOffset - b.baseOffset),
        firstOffset: b.baseOffset,
        lastOffset: b.lastOffset,
        timestamp: b.maxTimestamp,
      },
      isTransactional(attributes),
      control ? readEndTxnMarker(records, b.position) : null,
    );
    if (done) completed.push(done);
  }
  return completed;
}

function corrupt(message: string): KafkaError {
  return new KafkaError(ErrorCode.CORRUPT_MESSAGE, message);
}
