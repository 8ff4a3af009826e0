// The log batches of a read as acquisition needs them (first and last offsets, from each batch's
// header, never its records), and the read cut to the batches that overlap what was acquired
// (Kafka's filterRecordBatchesFromAcquiredRecords): views of the read buffers, no copies; and, for
// read_committed, the batches of aborted transactions with their markers (never delivered).
import { ATTRIBUTES, BATCH_LENGTH, CONTROL_FLAG_MASK, LAST_OFFSET_DELTA, LOG_OVERHEAD, PRODUCER_ID, TRANSACTIONAL_FLAG_MASK } from '../../protocol/records/batch.js';
import { readEndTxnMarker } from '../../protocol/records/control-batch.js';
import type { AbortedTxn } from '../../storage/types.js';
import type { AcquiredRecords, FetchedBatch } from '../../share/share-partition.js';

interface Located extends FetchedBatch {
  buf: Buffer;
  start: number;
  end: number;
}

function locate(records: readonly Buffer[]): Located[] {
  const out: Located[] = [];
  for (const buf of records) {
    let pos = 0;
    while (pos + LOG_OVERHEAD <= buf.length) {
      const size = LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH);
      if (pos + size > buf.length) break;
      const baseOffset = Number(buf.readBigInt64BE(pos));
      out.push({ baseOffset, lastOffset: baseOffset + buf.readInt32BE(pos + LAST_OFFSET_DELTA), buf, start: pos, end: pos + size });
      pos += size;
    }
  }
  return out;
}

/** The first and last offsets of every whole batch in a read. */
export function fetchedBatches(records: readonly Buffer[]): FetchedBatch[] {
  return locate(records).map((b) => ({ baseOffset: b.baseOffset, lastOffset: b.lastOffset }));
}

/** The read's batches that hold an acquired offset, as views (adjacent ones of one buffer joined). */
export function acquiredBatches(records: readonly Buffer[], acquired: readonly AcquiredRecords[]): Buffer[] {
  if (acquired.length === 0) return [];
  const ranges = [...acquired].sort((a, b) => a.firstOffset - b.firstOffset);
  const out: Buffer[] = [];
  let run: { buf: Buffer; start: number; end: number } | undefined;
  let r = 0;
  for (const b of locate(records)) {
    while (r < ranges.length && ranges[r].lastOffset < b.baseOffset) r++;
    const keep = r < ranges.length && ranges[r].firstOffset <= b.lastOffset;
    if (!keep) continue;
    if (run && run.buf === b.buf && run.end === b.start) run.end = b.end;
    else {
      if (run) out.push(run.buf.subarray(run.start, run.end));
      run = { buf: b.buf, start: b.start, end: b.end };
    }
  }
  if (run) out.push(run.buf.subarray(run.start, run.end));
  return out;
}

/**
 * The offsets of a read_committed read that belong to aborted transactions (Kafka's
 * fetchAbortedTransactionRecordBatches): a transactional batch whose producer has an aborted
 * transaction starting at or before it, up to that producer's abort marker, which is included.
 */
export function abortedRanges(records: readonly Buffer[], aborted: readonly AbortedTxn[] | null): [number, number][] {
  if (!aborted || aborted.length === 0) return [];
  const queue = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  const producers = new Set<number>();
  const out: [number, number][] = [];
  let q = 0;
  for (const b of locate(records)) {
    const attributes = b.buf.readInt16BE(b.start + ATTRIBUTES);
    if ((attributes & TRANSACTIONAL_FLAG_MASK) === 0) continue;
    while (q < queue.length && queue[q].firstOffset <= b.lastOffset) producers.add(queue[q++].producerId);
    const producerId = Number(b.buf.readBigInt64BE(b.start + PRODUCER_ID));
    if (!producers.has(producerId)) continue;
    if ((attributes & CONTROL_FLAG_MASK) !== 0) {
      const marker = readEndTxnMarker(b.buf, b.start);
      if (marker && !marker.commit) {
        producers.delete(producerId);
        out.push([b.baseOffset, b.lastOffset]);
      }
      continue;
    }
    out.push([b.baseOffset, b.lastOffset]);
  }
  return out;
}
