// Compaction of one record batch (Kafka's MemoryRecords.filterTo with the cleaner's retention
// rules): keep a record when its offset is the newest the offset map knows for its key (or the
// map does not reach it), drop tombstones whose batch delete horizon has passed and the records
// of aborted transactions (markers after their own horizon), and write what is kept back as one
// batch with the same base and last offset, producer fields and codec.
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_TIMESTAMP,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  CRC,
  DELETE_HORIZON_FLAG_MASK,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAX_TIMESTAMP,
  PRODUCER_ID,
  RECORDS_COUNT,
  TIMESTAMP_TYPE_MASK,
  compressionOf,
  computeCrc,
  readInt64,
  writeInt64,
} from '../protocol/records/batch.js';
import { compress } from '../protocol/records/compression.js';
import { decodeRecords, encodeRecord, type Record } from '../protocol/records/records.js';
import type { OffsetMap } from './types.js';
import type { CleanerTxns } from './cleaner-txns.js';

export interface FilterContext {
  map: OffsetMap;
  now: number;
  deleteRetentionMs: number;
  /** Producer id -> last offset of its newest batch: that batch stays, even emptied, so the producer's sequence survives a reload. */
  lastBatchOfProducer: ReadonlyMap<number, number>;
  /** The transactions of the cleaned range, walked batch by batch in offset order. */
  txns?: CleanerTxns;
}

export interface FilteredBatch {
  /** The batch to write: the original bytes when nothing changed, or null when nothing is kept. */
  batch: Buffer | null;
  changed: boolean;
  recordsRead: number;
  recordsKept: number;
  /** The delete horizon of a kept batch that still holds tombstones, else -1. */
  deleteHorizon: number;
}

/** The delete horizon (KIP-534) a batch carries in its base timestamp, or -1. */
export function deleteHorizonOf(buf: Buffer, pos: number): number {
  return (buf.readInt16BE(pos + ATTRIBUTES) & DELETE_HORIZON_FLAG_MASK) !== 0 ? readInt64(buf, pos + BASE_TIMESTAMP) : -1;
}

/** Kafka's shouldRetainRecord for magic v2. */
function retain(r: Record, map: OffsetMap, now: number, deleteHorizon: number): boolean {
  if (r.offset > map.latestOffset) return true;
  // A keyless record has no place in a compacted log (the produce path refuses them).
  if (r.key === null) return false;
  if (r.offset < map.get(r.key)) return false;
  return r.value !== null || deleteHorizon < 0 || now < deleteHorizon;
}

/** Filters the batch at `buf[pos, pos + size)`. */
export function filterBatch(buf: Buffer, pos: number, size: number, ctx: FilterContext): FilteredBatch {
  const original = buf.subarray(pos, pos + size);
  const attributes = buf.readInt16BE(pos + ATTRIBUTES);
  const lastOffset = readInt64(buf, pos + BASE_OFFSET) + buf.readInt32BE(pos + LAST_OFFSET_DELTA);
  const count = buf.readInt32BE(pos + RECORDS_COUNT);
  // Walked for every batch, in order, so the transaction state stays right.
  const txnVerdict = ctx.txns ? ctx.txns.onBatch(buf, pos) : false;
  const horizon = deleteHorizonOf(buf, pos);
  if ((attributes & CONTROL_FLAG_MASK) !== 0) return filterMarker(original, count, txnVerdict, horizon, ctx);
  if (count === 0) {
    // Kafka's DELETE_EMPTY: an emptied batch stays only while it is its producer's last.
    const producerId = readInt64(buf, pos + PRODUCER_ID);
    const keep = producerId >= 0 && ctx.lastBatchOfProducer.get(producerId) === lastOffset;
    return { batch: keep ? original : null, changed: !keep, recordsRead: 0, recordsKept: 0, deleteHorizon: -1 };
  }
  const records = decodeRecords(buf, pos);
  const kept: Record[] = [];
  let tombstones = false;
  // A batch of an aborted transaction keeps none of its records.
  if (!txnVerdict) {
    for (const r of records) {
      if (!retain(r, ctx.map, ctx.now, horizon)) continue;
      kept.push(r);
      if (r.value === null) tombstones = true;
    }
  }
  const setHorizon = tombstones && horizon < 0;
  const newHorizon = setHorizon ? ctx.now + ctx.deleteRetentionMs : tombstones ? horizon : -1;
  const result = { changed: true, recordsRead: records.length, recordsKept: kept.length, deleteHorizon: newHorizon };
  if (kept.length === records.length && !setHorizon) return { ...result, batch: original, changed: false };
  if (kept.length === 0) {
    const producerId = readInt64(buf, pos + PRODUCER_ID);
    const keepEmpty = producerId >= 0 && ctx.lastBatchOfProducer.get(producerId) === lastOffset;
    return { ...result, batch: keepEmpty ? emptyBatch(original) : null };
  }
  return { ...result, batch: rebuild(original, kept, setHorizon ? newHorizon : horizon) };
}

/**
 * A transaction marker (Kafka's cleaner): kept while its transaction still has batches here;
 * once it has none, it gets a delete horizon, and goes on a pass after that horizon.
 */
function filterMarker(original: Buffer, count: number, discardable: boolean, horizon: number, ctx: FilterContext): FilteredBatch {
  const same = { batch: original, changed: false, recordsRead: count, recordsKept: count, deleteHorizon: -1 };
  if (!discardable || count === 0) return same;
  if (horizon < 0) {
    const newHorizon = ctx.now + ctx.deleteRetentionMs;
    return { ...same, changed: true, deleteHorizon: newHorizon, batch: rebuild(original, decodeRecords(original, 0), newHorizon) };
  }
  if (ctx.now < horizon) return { ...same, deleteHorizon: horizon };
  return { batch: null, changed: true, recordsRead: count, recordsKept: 0, deleteHorizon: -1 };
}

/** Kafka's writeEmptyHeader: the header alone, with the batch's offsets, producer and max timestamp. */
function emptyBatch(original: Buffer): Buffer {
  const out = Buffer.from(original.subarray(0, BATCH_HEADER_SIZE));
  const attributes = out.readInt16BE(ATTRIBUTES) & ~COMPRESSION_CODEC_MASK & ~DELETE_HORIZON_FLAG_MASK;
  out.writeInt16BE(attributes, ATTRIBUTES);
  out.writeInt32BE(BATCH_HEADER_SIZE - LOG_OVERHEAD, BATCH_LENGTH);
  writeInt64(out, BASE_TIMESTAMP, readInt64(out, MAX_TIMESTAMP));
  out.writeInt32BE(0, RECORDS_COUNT);
  out.writeUInt32BE(computeCrc(out, 0), CRC);
  return out;
}

/**
 * The kept records as one batch: same base offset and last offset delta (so producer sequences
 * stay valid), same codec; the base timestamp is the delete horizon when there is one.
 */
function rebuild(original: Buffer, kept: Record[], deleteHorizon: number): Buffer {
  const attributes = original.readInt16BE(ATTRIBUTES);
  const baseOffset = readInt64(original, BASE_OFFSET);
  const logAppendTime = (attributes & TIMESTAMP_TYPE_MASK) !== 0;
  let maxTimestamp = logAppendTime ? readInt64(original, MAX_TIMESTAMP) : -1;
  if (!logAppendTime) for (const r of kept) if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
  const baseTimestamp = deleteHorizon >= 0 ? deleteHorizon : kept[0].timestamp;
  const encoded = kept.map((r) => encodeRecord(r, r.offset - baseOffset, r.timestamp - baseTimestamp));
  const body = compress(compressionOf(attributes), Buffer.concat(encoded));
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + body.length);
  original.copy(out, 0, 0, BATCH_HEADER_SIZE);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH);
  const flags = deleteHorizon >= 0 ? attributes | DELETE_HORIZON_FLAG_MASK : attributes & ~DELETE_HORIZON_FLAG_MASK;
  out.writeInt16BE(flags, ATTRIBUTES);
  writeInt64(out, BASE_TIMESTAMP, baseTimestamp);
  writeInt64(out, MAX_TIMESTAMP, maxTimestamp);
  out.writeInt32BE(kept.length, RECORDS_COUNT);
  body.copy(out, BATCH_HEADER_SIZE);
  out.writeUInt32BE(computeCrc(out, 0), CRC);
  return out;
}
