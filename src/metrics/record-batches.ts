// Record counts from v2 batch headers (magic 2: recordsCount at byte 57), one read per batch:
// the metrics never decode records.

const LENGTH_OFFSET = 8;
const MAGIC_OFFSET = 16;
const RECORDS_COUNT_OFFSET = 57;
const HEADER_BYTES = 61;
/** baseOffset and batchLength precede what batchLength counts. */
const LOG_OVERHEAD = 12;

/** Records in the batches of `buf` (a trailing partial batch or an older magic counts nothing). */
export function recordCount(buf: Buffer): number {
  let n = 0;
  let at = 0;
  while (at + HEADER_BYTES <= buf.length) {
    const size = LOG_OVERHEAD + buf.readInt32BE(at + LENGTH_OFFSET);
    if (size < HEADER_BYTES || at + size > buf.length) break;
    if (buf[at + MAGIC_OFFSET] === 2) n += Math.max(0, buf.readInt32BE(at + RECORDS_COUNT_OFFSET));
    at += size;
  }
  return n;
}
