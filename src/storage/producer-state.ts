// Idempotent-producer state of one partition (Kafka's ProducerStateManager): per producer id the
// epoch and the last five batches' sequence and offset ranges, to refuse gaps and stale epochs
// and to answer a retried batch with its original offsets instead of appending it twice; and the
// transactions: each producer's ongoing transaction's first offset (a transactional batch starts
// one, a marker ends it), which bounds the last stable offset.
import { crc32c } from '@node-rs/crc32';
import { NO_PRODUCER_EPOCH, NO_SEQUENCE, readInt64, writeInt64 } from '../protocol/records/batch.js';
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from './types.js';
import { UnstableTxns, type CompletedTxn } from './unstable-txns.js';

export type { CompletedTxn };

/** Kafka keeps this many batches per producer for duplicate detection (the max in-flight requests). */
export const BATCHES_TO_RETAIN = 5;
const INT32_MAX = 2147483647;
const INT16_MAX = 32767;

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
  /** Epoch of the coordinator that wrote the last marker, -1 before any. */
  coordinatorEpoch: number;
  /** First offset of the ongoing transaction, -1 when none (Kafka's currentTxnFirstOffset). */
  txnFirstOffset: number;
  /** Timestamp of the producer's last batch or marker, -1 before any (DescribeProducers). */
  lastTimestamp: number;
}

/** The marker fields of a control batch (null when compaction emptied it). */
export interface MarkerFields {
  commit: boolean;
  coordinatorEpoch: number;
  /** Only on a leader's marker append (TxnMarker.transactionVersion). */
  transactionVersion?: number;
}

/** The producer fields of one batch header, as checked before the batch gets its offsets. */
export interface ProducerBatch {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
  control: boolean;
  transactional: boolean;
  /** A control batch's marker, read only for batches of producers (null: none or emptied). */
  marker?: MarkerFields | null;
}

interface PendingProducer {
  epoch: number;
  coordinatorEpoch: number;
  /** The ongoing transaction's first offset (-1 none); `txnStart` when it starts in this append. */
  txnFirstOffset: number;
  txnStart: BatchMetadata | null;
  /** Markers of this append, with their batch metadata (offset filled in once assigned). */
  /** Null until one comes (markers are rare; idempotent appends allocate nothing for them). */
  markers: { meta: BatchMetadata; firstOffset: number; startMeta: BatchMetadata | null; aborted: boolean }[] | null;
  /** The last marker of this append (its offset and timestamp filled in once assigned). */
  lastMarker: BatchMetadata | null;
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

const NONE_COMPLETED: readonly CompletedTxn[] = Object.freeze([]);

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
  /** The transactions that hold the last stable offset. */
  private readonly txns = new UnstableTxns();

  get size(): number {
    return this.producers.size;
  }

  /**
   * Checks one append's batches as a whole against the current state. Returns the original
   * batch when one of them is a retry of a batch still remembered, else the pending updates.
   * Throws KafkaError(INVALID_PRODUCER_EPOCH / OUT_OF_ORDER_SEQUENCE_NUMBER; INVALID_TXN_STATE
   * for a non-transactional batch while the producer's transaction is open;
   * TRANSACTION_COORDINATOR_FENCED for a marker from an older coordinator epoch).
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
        p = {
          epoch,
          reset: false,
          lastSeq: last ? last.lastSeq : NO_SEQUENCE,
          batches: [],
          coordinatorEpoch: current?.coordinatorEpoch ?? -1,
          txnFirstOffset: current?.txnFirstOffset ?? -1,
          txnStart: null,
          markers: null,
          lastMarker: null,
        };
        append.producers.set(b.producerId, p);
      }
      if (b.control && (b.marker?.transactionVersion ?? 0) >= 2 && b.producerEpoch <= p.epoch) {
        // KIP-890: a TV2 marker carries a bumped epoch; an equal one is a retry once the transaction ended.
        const retry = b.producerEpoch === p.epoch && ((p.txnFirstOffset < 0 && p.txnStart === null) || b.producerEpoch === INT16_MAX);
        if (!retry) {
          throw new KafkaError(
            ErrorCode.INVALID_PRODUCER_EPOCH,
            `Epoch of producer ${b.producerId} is ${b.producerEpoch}, which is smaller than or equal to the last seen epoch ${p.epoch} (transaction version ${b.marker!.transactionVersion})`,
          );
        }
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
        const meta: BatchMetadata = { firstSeq: NO_SEQUENCE, lastSeq: NO_SEQUENCE, firstOffset: -1, lastOffset: -1, timestamp: -1 };
        append.perBatch.push(meta);
        if (!b.marker) continue;
        p.lastMarker = meta;
        if (b.marker.coordinatorEpoch < p.coordinatorEpoch) {
          throw new KafkaError(
            ErrorCode.TRANSACTION_COORDINATOR_FENCED,
            `Invalid coordinator epoch for producerId ${b.producerId}: ${b.marker.coordinatorEpoch} (zombie), ${p.coordinatorEpoch} (current)`,
          );
        }
        // A marker of a transaction with no data in this partition completes nothing.
        if (p.txnFirstOffset >= 0 || p.txnStart) {
          (p.markers ??= []).push({ meta, firstOffset: p.txnFirstOffset, startMeta: p.txnStart, aborted: !b.marker.commit });
        }
        p.coordinatorEpoch = b.marker.coordinatorEpoch;
        p.txnFirstOffset = -1;
        p.txnStart = null;
        continue;
      }
      const ongoing = p.txnFirstOffset >= 0 || p.txnStart !== null;
      if (ongoing && !b.transactional) {
        throw new KafkaError(ErrorCode.INVALID_TXN_STATE, `Expected transactional write from producer ${b.producerId}`);
      }
      const m: BatchMetadata = { firstSeq: b.baseSequence, lastSeq, firstOffset: -1, lastOffset: -1, timestamp: -1 };
      if (!ongoing && b.transactional) p.txnStart = m;
      p.batches.push(m);
      p.lastSeq = lastSeq;
      append.perBatch.push(m);
    }
    return append;
  }

  /**
   * Applies a checked append whose batch metadata now carries offsets and timestamps. Returns
   * the transactions its markers completed (in offset order), for the transaction index.
   */
  commit(append: ProducerAppend): readonly CompletedTxn[] {
    let completed: CompletedTxn[] | null = null;
    for (const [producerId, p] of append.producers) {
      let entry = this.producers.get(producerId);
      if (!entry) {
        entry = { epoch: p.epoch, batches: [], coordinatorEpoch: -1, txnFirstOffset: -1, lastTimestamp: -1 };
        this.producers.set(producerId, entry);
      }
      if (p.reset || entry.epoch !== p.epoch) {
        entry.epoch = p.epoch;
        entry.batches = [];
      }
      for (const m of p.batches) this.remember(entry, m);
      const lastData = p.batches.length > 0 ? p.batches[p.batches.length - 1] : null;
      const last = lastData && (!p.lastMarker || lastData.firstOffset > p.lastMarker.firstOffset) ? lastData : p.lastMarker;
      if (last) entry.lastTimestamp = last.timestamp;
      entry.coordinatorEpoch = p.coordinatorEpoch;
      if (p.markers) {
        for (const mk of p.markers) {
          const firstOffset = mk.startMeta ? mk.startMeta.firstOffset : mk.firstOffset;
          (completed ??= []).push(this.txns.completed(producerId, firstOffset, mk.meta.firstOffset, mk.aborted));
        }
      }
      entry.txnFirstOffset = p.txnStart ? p.txnStart.firstOffset : p.txnFirstOffset;
      if (entry.txnFirstOffset >= 0) this.txns.started(producerId, entry.txnFirstOffset);
    }
    if (!completed) return NONE_COMPLETED;
    if (completed.length > 1) completed.sort((a, b) => a.lastOffset - b.lastOffset);
    return completed;
  }

  /**
   * Replays a batch already in the log (a load, a follower's append): no checks. `marker` is the
   * control batch's marker (null for data batches and emptied control batches). Returns the
   * transaction a marker completed, or null.
   */
  replay(producerId: number, producerEpoch: number, control: boolean, m: BatchMetadata, transactional = false, marker: MarkerFields | null = null): CompletedTxn | null {
    if (producerId < 0) return null;
    let entry = this.producers.get(producerId);
    if (!entry) {
      entry = { epoch: producerEpoch, batches: [], coordinatorEpoch: -1, txnFirstOffset: -1, lastTimestamp: -1 };
      this.producers.set(producerId, entry);
    }
    if (entry.epoch !== producerEpoch) {
      entry.epoch = producerEpoch;
      entry.batches = [];
    }
    if (!control || marker) entry.lastTimestamp = m.timestamp;
    if (!control) {
      this.remember(entry, m);
      if (transactional && entry.txnFirstOffset < 0) {
        entry.txnFirstOffset = m.firstOffset;
        this.txns.started(producerId, m.firstOffset);
      }
      return null;
    }
    if (!marker) return null;
    entry.coordinatorEpoch = marker.coordinatorEpoch;
    const first = entry.txnFirstOffset;
    if (first < 0) return null;
    entry.txnFirstOffset = -1;
    return this.txns.completed(producerId, first, m.firstOffset, !marker.commit);
  }

  /** Kafka's firstUnstableOffset (UnstableTxns); Infinity when no transaction holds the LSO. */
  firstUnstableOffset(highWatermark: number): number {
    return this.txns.firstUnstableOffset(highWatermark);
  }

  /** Forgets completed transactions whose marker is now below the high watermark. */
  onHighWatermarkUpdated(hw: number): void {
    this.txns.onHighWatermarkUpdated(hw);
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

  /** Every producer remembered, for DescribeProducers (Kafka's activeProducers). */
  active(): { producerId: number; producerEpoch: number; lastSequence: number; lastTimestamp: number; coordinatorEpoch: number; currentTxnStartOffset: number }[] {
    const out = [];
    for (const [producerId, e] of this.producers) {
      const last = e.batches[e.batches.length - 1];
      out.push({
        producerId,
        producerEpoch: e.epoch,
        // A marker with a new epoch (KIP-890) leaves no batch of it yet.
        lastSequence: last ? last.lastSeq : NO_SEQUENCE,
        lastTimestamp: e.lastTimestamp,
        coordinatorEpoch: e.coordinatorEpoch,
        currentTxnStartOffset: e.txnFirstOffset,
      });
    }
    return out;
  }

  /** The state of one producer (tests and DescribeProducers). */
  entry(producerId: number): { epoch: number; batches: readonly BatchMetadata[]; coordinatorEpoch: number; txnFirstOffset: number } | undefined {
    return this.producers.get(producerId);
  }

  // Snapshot layout: version int16 (2) | crc32c uint32 (of what follows) | count int32 |
  // count x (producerId int64 | epoch int16 | coordinatorEpoch int32 | currentTxnFirstOffset int64 |
  // lastTimestamp int64 | n int8 | n x (firstSeq int32 | lastSeq int32 | firstOffset int64 |
  // lastOffset int64 | timestamp int64)). Version 1 (none of the transaction fields) is still read.
  encode(): Buffer {
    let size = 10;
    for (const e of this.producers.values()) size += ENTRY_V2 + e.batches.length * 32;
    const buf = Buffer.allocUnsafe(size);
    buf.writeInt16BE(2, 0);
    buf.writeInt32BE(this.producers.size, 6);
    let at = 10;
    for (const [id, e] of this.producers) {
      writeInt64(buf, at, id);
      buf.writeInt16BE(e.epoch, at + 8);
      buf.writeInt32BE(e.coordinatorEpoch, at + 10);
      writeInt64(buf, at + 14, e.txnFirstOffset);
      writeInt64(buf, at + 22, e.lastTimestamp);
      buf.writeInt8(e.batches.length, at + 30);
      at += ENTRY_V2;
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
      const version = buf.readInt16BE(0);
      if ((version !== 1 && version !== 2) || buf.readUInt32BE(2) !== crc32c(buf.subarray(6)) >>> 0) return null;
      const state = new ProducerStateManager();
      const count = buf.readInt32BE(6);
      let at = 10;
      for (let i = 0; i < count; i++) {
        const id = readInt64(buf, at);
        const entry: ProducerEntry = { epoch: buf.readInt16BE(at + 8), batches: [], coordinatorEpoch: -1, txnFirstOffset: -1, lastTimestamp: -1 };
        let n: number;
        if (version === 2) {
          entry.coordinatorEpoch = buf.readInt32BE(at + 10);
          entry.txnFirstOffset = readInt64(buf, at + 14);
          entry.lastTimestamp = readInt64(buf, at + 22);
          n = buf.readInt8(at + 30);
          at += ENTRY_V2;
        } else {
          n = buf.readInt8(at + 10);
          at += 11;
        }
        state.producers.set(id, entry);
        if (entry.txnFirstOffset >= 0) state.txns.started(id, entry.txnFirstOffset);
        for (let j = 0; j < n; j++, at += 32) {
          entry.batches.push({
            firstSeq: buf.readInt32BE(at),
            lastSeq: buf.readInt32BE(at + 4),
            firstOffset: readInt64(buf, at + 8),
            lastOffset: readInt64(buf, at + 16),
            timestamp: readInt64(buf, at + 24),
          });
        }
        if (version === 1 && entry.batches.length > 0) entry.lastTimestamp = entry.batches[entry.batches.length - 1].timestamp;
      }
      return at === buf.length ? state : null;
    } catch {
      return null;
    }
  }
}

/** Bytes of a version-2 snapshot entry before its batches. */
const ENTRY_V2 = 31;
