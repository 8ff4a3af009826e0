// The log batches of a read as acquisition needs them (first and last offsets, from each batch's
// header, never its records), and the read cut to the batches that overlap what was acquired
// (Kafka's filterRecordBatchesFromAcquiredRecords): views of the read buffers, no copies.
import { BATCH_LENGTH, LAST_OFFSET_DELTA, LOG_OVERHEAD } from '../../protocol/records/batch.js';
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
