// The message browser's reads: whole batches from a partition log, decoded only where they overlap
// the offsets a page shows (headers checked first, control batches skipped), and the bytes of
// keys, values and headers rendered as text, JSON or hex.
import { readBatchHeader, isControl, BATCH_HEADER_SIZE, LOG_OVERHEAD } from '../../protocol/records/batch.js';
import { decodeRecords } from '../../protocol/records/records.js';
import type { PartitionSource } from './partitions.js';

export type Format = 'auto' | 'text' | 'json' | 'hex';
export const FORMATS: readonly Format[] = ['auto', 'text', 'json', 'hex'];

/** Bytes as shown: how they were rendered and the text (null for a null key or value). */
export interface Shown {
  format: 'text' | 'json' | 'hex';
  text: string;
  bytes: number;
}

export interface ShownRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: Shown | null;
  value: Shown | null;
  headers: { key: string; value: Shown | null }[];
}

/** At most this many bytes read per call to the log while filling a page. */
const READ_BYTES = 1 << 20;
/** Longest value shown on a page; the rest is cut (the console is no export tool). */
const MAX_SHOWN = 64 * 1024;

export function parseFormat(s: string | null): Format {
  return (FORMATS as readonly string[]).includes(s ?? '') ? (s as Format) : 'auto';
}

function printable(s: string): boolean {
  // Control characters other than tab, newline and carriage return mark binary data.
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(s);
}

function hex(b: Buffer): string {
  return b.toString('hex').replace(/(..)(?!$)/g, '$1 ');
}

export function show(b: Buffer | null, format: Format): Shown | null {
  if (b === null) return null;
  const cut = b.length > MAX_SHOWN ? b.subarray(0, MAX_SHOWN) : b;
  if (format === 'hex') return { format: 'hex', text: hex(cut), bytes: b.length };
  const text = cut.toString('utf8');
  if (format === 'auto' && !printable(text)) return { format: 'hex', text: hex(cut), bytes: b.length };
  if (format === 'json' || (format === 'auto' && /^\s*[[{]/.test(text))) {
    try {
      return { format: 'json', text: JSON.stringify(JSON.parse(text), null, 2), bytes: b.length };
    } catch {
      // Not JSON after all: shown as text.
    }
  }
  return { format: 'text', text, bytes: b.length };
}

/**
 * Up to `limit` records of the partition from `from` (clamped to [log start, high watermark)),
 * in offset order. Only batches holding offsets in range are decoded.
 */
export async function readRecords(log: PartitionSource, partition: number, from: number, limit: number, format: Format): Promise<{ records: ShownRecord[]; next: number }> {
  const end = log.highWatermark;
  let offset = Math.max(from, log.logStartOffset);
  const out: ShownRecord[] = [];
  while (out.length < limit && offset < end) {
    const batches = await log.read(offset, READ_BYTES);
    let next = offset;
    for (const buf of batches) {
      let pos = 0;
      while (pos + BATCH_HEADER_SIZE <= buf.length && out.length < limit) {
        const h = readBatchHeader(buf, pos);
        const size = LOG_OVERHEAD + h.batchLength;
        if (pos + size > buf.length) break;
        const last = h.baseOffset + h.lastOffsetDelta;
        if (last >= offset && !isControl(h.attributes)) {
          for (const rec of decodeRecords(buf, pos)) {
            if (rec.offset < offset || rec.offset >= end) continue;
            if (out.length === limit) break;
            out.push({
              partition,
              offset: rec.offset,
              timestamp: rec.timestamp,
              key: show(rec.key, format),
              value: show(rec.value, format),
              headers: rec.headers.map((hd) => ({ key: hd.key, value: show(hd.value, format) })),
            });
            next = rec.offset + 1;
          }
        }
        if (out.length < limit) next = Math.max(next, last + 1);
        pos += size;
      }
    }
    if (next <= offset) break;
    offset = next;
  }
  return { records: out, next: out.length > 0 ? out[out.length - 1].offset + 1 : offset };
}
