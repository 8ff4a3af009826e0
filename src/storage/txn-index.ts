// The aborted transactions of a log (Kafka's TransactionIndex): one entry per aborted transaction
// with data, added when its ABORT marker is appended, so Fetch can tell read_committed consumers
// which producers' batches to drop. On disk each segment has a `.txnindex` of 34-byte entries:
// version int16 (0) | producerId int64 | firstOffset int64 | lastOffset int64 | lastStableOffset int64.
import { readInt64, writeInt64 } from '../protocol/records/batch.js';
import type { AbortedTxn } from './types.js';

export const TXN_INDEX_SUFFIX = '.txnindex';
export const TXN_ENTRY_SIZE = 34;

export interface TxnIndexEntry {
  producerId: number;
  firstOffset: number;
  /** Offset of the ABORT marker. */
  lastOffset: number;
  /** The LSO once this transaction completed: the scan of later entries stops past a fetch's bound. */
  lastStableOffset: number;
}

export function encodeTxnEntries(entries: readonly TxnIndexEntry[]): Buffer {
  const buf = Buffer.alloc(entries.length * TXN_ENTRY_SIZE);
  entries.forEach((e, i) => {
    const at = i * TXN_ENTRY_SIZE;
    buf.writeInt16BE(0, at);
    writeInt64(buf, at + 2, e.producerId);
    writeInt64(buf, at + 10, e.firstOffset);
    writeInt64(buf, at + 18, e.lastOffset);
    writeInt64(buf, at + 26, e.lastStableOffset);
  });
  return buf;
}

/** Entries of a `.txnindex` file; a torn last entry (a crash mid-write) is left out. */
export function decodeTxnEntries(buf: Buffer): TxnIndexEntry[] {
  const out: TxnIndexEntry[] = [];
  for (let at = 0; at + TXN_ENTRY_SIZE <= buf.length; at += TXN_ENTRY_SIZE) {
    if (buf.readInt16BE(at) !== 0) break;
    out.push({
      producerId: readInt64(buf, at + 2),
      firstOffset: readInt64(buf, at + 10),
      lastOffset: readInt64(buf, at + 18),
      lastStableOffset: readInt64(buf, at + 26),
    });
  }
  return out;
}

/** Aborted transactions in marker order, kept in memory (they are few) for both engines. */
export class AbortedTxnList {
  private entries: TxnIndexEntry[] = [];

  get length(): number {
    return this.entries.length;
  }

  all(): readonly TxnIndexEntry[] {
    return this.entries;
  }

  push(e: TxnIndexEntry): void {
    this.entries.push(e);
  }

  /** Kafka's collectAbortedTxns over the whole log: marker >= fetchOffset, first offset < bound. */
  collect(fetchOffset: number, upperBoundOffset: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    const list = this.entries;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid].lastOffset < fetchOffset) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length; i++) {
      const e = list[i];
      if (e.firstOffset < upperBoundOffset) out.push({ producerId: e.producerId, firstOffset: e.firstOffset });
      if (e.lastStableOffset >= upperBoundOffset) break;
    }
    return out;
  }

  /** Drops the entries whose marker is at or after `offset` (a truncation). */
  truncateFrom(offset: number): void {
    while (this.entries.length > 0 && this.entries[this.entries.length - 1].lastOffset >= offset) this.entries.pop();
  }

  /** Drops the entries whose marker is below `offset` (their segments are gone). */
  dropBefore(offset: number): void {
    let n = 0;
    while (n < this.entries.length && this.entries[n].lastOffset < offset) n++;
    if (n > 0) this.entries = this.entries.slice(n);
  }

  clear(): void {
    this.entries = [];
  }
}
