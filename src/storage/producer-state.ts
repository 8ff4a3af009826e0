// Idempotent-producer state of one partition (Kafka's ProducerStateManager): per producer id the
// epoch and the last five batches' sequence and offset ranges, to refuse gaps and stale epochs
// and to answer a retried batch with its original offsets instead of appending it twice.
import { crc32c } from '@node-rs/crc32';
import { NO_PRODUCER_EPOCH, NO_SEQUENCE, readInt64, writeInt64 } from '../protocol/records/batch.js';
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from './types.js';

/** Kafka keeps this many batches per producer for duplicate detection (the max in-flight requests). */
export const BATCHES_TO_RETAIN = 5;
const INT32_MAX = 2147483647;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  /** The batch's max timestamp (its LogAppendTime when the topic uses it). */
  timestamp: number;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchMetadata[];
}

/** The producer fields of one batch header, as checked before the batch gets its offsets. */
export interface ProducerBatch {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
  control: boolean;
}

interface PendingProducer {
  epoch: number;
  /** The epoch changed in this append: the kept batches are dropped on commit. */
  reset: boolean;
  lastSeq: number;
  batches: BatchMetadata[];
}

/** Validated, not yet applied updates of one append; offsets are filled in once assigned. */
export class ProducerAppend {
  readonly producers = new Map<number, PendingProducer>();
  /** Per input batch: its metadata to fill in, or null for batches without a producer. */
  readonly perBatch: (BatchMetadata | null)[] = [];
}

/** The append of batches without a producer id: nothing to check, nothing to remember (never changed). */
const NO_PRODUCERS = new ProducerAppend();
const hasProducer = (b: ProducerBatch) => b.producerId >= 0;

/** Sequence of the batch's last record; sequences wrap from 2^31-1 to 0. */
export function lastSequence(baseSequence: number, lastOffsetDelta: number): number {
  if (baseSequence > INT32_MAX - lastOffsetDelta) return lastOffsetDelta - (INT32_MAX - baseSequence) - 1;
  return baseSequence + lastOffsetDelta;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();

  get size(): number {
    return this.producers.size;
  }

  /**
   * Checks one append's batches as a whole against the current state. Returns the original
   * batch when one of them is a retry of a batch still remembered, else the pending updates.
   * Throws KafkaError(INVALID_PRODUCER_EPOCH / OUT_OF_ORDER_SEQUENCE_NUMBER).
   */
  check(batches: ProducerBatch[]): BatchMetadata | ProducerAppend {
    if (!batches.some(hasProducer)) return NO_PRODUCERS;
    const append = new ProducerAppend();
    for (const b of batches) {
      if (b.producerId < 0) {
        append.perBatch.push(null);
        continue;
      }
      const current = this.producers.get(b.producerId);
      const lastSeq = b.control ? NO_SEQUENCE : lastSequence(b.baseSequence, b.lastOffsetDelta);
      if (!b.control && current && current.epoch === b.producerEpoch) {
        for (const m of current.batches) if (m.firstSeq === b.baseSequence && m.lastSeq === lastSeq) return m;
      }
      let p = append.producers.get(b.producerId);
      if (!p) {
        const epoch = current?.epoch ?? NO_PRODUCER_EPOCH;
        const last = current?.batches[current.batches.length - 1];
        p = { epoch, reset: false, lastSeq: last ? last.lastSeq : NO_SEQUENCE, batches: [] };
        append.producers.set(b.producerId, p);
      }
      if (b.producerEpoch < p.epoch) {
        throw new KafkaError(
          ErrorCode.INVALID_PRODUCER_EPOCH,
          `Epoch of producer ${b.producerId} is ${b.producerEpoch}, which is smaller than the last seen epoch ${p.epoch}`,
        );
      }
      if (b.producerEpoch !== p.epoch) {
        // A new epoch starts its sequences at 0; an unknown producer may start anywhere (KIP-360).
        if (!b.control && b.baseSequence !== 0 && p.epoch !== NO_PRODUCER_EPOCH) {
          throw new KafkaError(
            ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
            `Invalid sequence number for new epoch of producer ${b.producerId}: ${b.producerEpoch} (request epoch), ${b.baseSequence} (seq. number), ${p.epoch} (current producer epoch)`,
          );
        }
        p.epoch = b.producerEpoch;
        p.reset = true;
        p.lastSeq = NO_SEQUENCE;
        p.batches = [];
      } else if (!b.control && current !== undefined && !inSequence(p.lastSeq, b.baseSequence)) {
        throw new KafkaError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `Out of order sequence number for producer ${b.producerId}: ${b.baseSequence} (incoming seq. number), ${p.lastSeq} (current end sequence number)`,
        );
      }
      if (b.control) {
        append.perBatch.push(null);
        continue;
      }
      const m: BatchMetadata = { firstSeq: b.baseSequence, lastSeq, firstOffset: -1, lastOffset: -1, timestamp: -1 };
      p.batches.push(m);
      p.lastSeq = lastSeq;
      append.perBatch.push(m);
    }
    return append;
  }

  /** Applies a checked append whose batch metadata now carries offsets and timestamps. */
  commit(append: ProducerAppend): void {
    for (const [producerId, p] of append.producers) {
      let entry = this.producers.get(producerId);
      if (!entry) {
        entry = { epoch: p.epoch, batches: [] };
        this.producers.set(producerId, entry);
      }
      if (p.reset || entry.epoch !== p.epoch) {
        entry.epoch = p.epoch;
        entry.batches = [];
      }
      for (const m of p.batches) this.remember(entry, m);
    }
  }

  /** Replays a batch already in the log (state rebuild at load): no checks. */
  replay(producerId: number, producerEpoch: number, control: boolean, m: BatchMetadata): void {
    if (producerId < 0) return;
    let entry = this.producers.get(producerId);
    if (!entry) {
      entry = { epoch: producerEpoch, batches: [] };
      this.producers.set(producerId, entry);
    }
    if (entry.epoch !== producerEpoch) {
      entry.epoch = producerEpoch;
      entry.batches = [];
    }
    if (!control) this.remember(entry, m);
  }

  private remember(entry: ProducerEntry, m: BatchMetadata): void {
    if (entry.batches.length >= BATCHES_TO_RETAIN) entry.batches.shift();
    entry.batches.push(m);
  }

  /** Producer id -> last offset of its newest batch (the batch compaction must keep, even emptied). */
  lastBatchOffsets(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [id, e] of this.producers) {
      const last = e.batches[e.batches.length - 1];
      if (last && last.lastOffset >= 0) out.set(id, last.lastOffset);
    }
    return out;
  }

  /** The state of one producer (tests and DescribeProducers). */
  /** Each producer with its last batch, for DescribeProducers. */
  active(): { producerId: number; producerEpoch: number; lastSequence: number; lastTimestamp: number }[] {
    const out = [];
    for (const producerId of this.lastBatchOffsets().keys()) {
      const e = this.entry(producerId);
      const last = e?.batches[e.batches.length - 1];
      if (e && last) out.push({ producerId, producerEpoch: e.epoch, lastSequence: last.lastSeq, lastTimestamp: last.timestamp });
    }
    return out;
  }

  entry(producerId: number): { epoch: number; batches: readonly BatchMetadata[] } | undefined {
    return this.producers.get(producerId);
  }

  // Snapshot layout: version int16 | crc32c uint32 (of what follows) | count int32 |
  // count x (producerId int64 | epoch int16 | n int8 | n x (firstSeq int32 | lastSeq int32 |
  // firstOffset int64 | lastOffset int64 | timestamp int64)).
  encode(): Buffer {
    let size = 10;
    for (const e of this.producers.values()) size += 11 + e.batches.length * 32;
    const buf = Buffer.allocUnsafe(size);
    buf.writeInt16BE(1, 0);
    buf.writeInt32BE(this.producers.size, 6);
    let at = 10;
    for (const [id, e] of this.producers) {
      writeInt64(buf, at, id);
      buf.writeInt16BE(e.epoch, at + 8);
      buf.writeInt8(e.batches.length, at + 10);
      at += 11;
      for (const m of e.batches) {
        buf.writeInt32BE(m.firstSeq, at);
        buf.writeInt32BE(m.lastSeq, at + 4);
        writeInt64(buf, at + 8, m.firstOffset);
        writeInt64(buf, at + 16, m.lastOffset);
        writeInt64(buf, at + 24, m.timestamp);
        at += 32;
      }
    }
    buf.writeUInt32BE(crc32c(buf.subarray(6)) >>> 0, 2);
    return buf;
  }

  /** Loads a snapshot, or returns null when it is damaged (the caller rebuilds from the log). */
  static decode(buf: Buffer): ProducerStateManager | null {
    try {
      if (buf.readInt16BE(0) !== 1 || buf.readUInt32BE(2) !== crc32c(buf.subarray(6)) >>> 0) return null;
      const state = new ProducerStateManager();
      const count = buf.readInt32BE(6);
      let at = 10;
      for (let i = 0; i < count; i++) {
        const entry: ProducerEntry = { epoch: buf.readInt16BE(at + 8), batches: [] };
        const n = buf.readInt8(at + 10);
        state.producers.set(readInt64(buf, at), entry);
        at += 11;
        for (let j = 0; j < n; j++, at += 32) {
          entry.batches.push({
            firstSeq: buf.readInt32BE(at),
            lastSeq: buf.readInt32BE(at + 4),
            firstOffset: readInt64(buf, at + 8),
            lastOffset: readInt64(buf, at + 16),
            timestamp: readInt64(buf, at + 24),
          });
        }
      }
      return at === buf.length ? state : null;
    } catch {
      return null;
    }
  }
}
