// Loading the transaction indexes of a log (Kafka rebuilds them with the producer state): each
// segment's `.txnindex` is trusted below the point the producer state was replayed from; from
// there on its entries come from the markers the replay met, so a crash never leaves an entry
// for a marker that did not survive, nor misses one that did.
import type { FileSystem } from './fs.js';
import type { RecoveredProducerState } from './producer-snapshots.js';
import type { LogSegment } from './segment.js';
import { AbortedTxnList, TXN_INDEX_SUFFIX, type TxnIndexEntry } from './txn-index.js';

export async function recoverTxnIndexes(fs: FileSystem, dir: string, names: string[], segments: LogSegment[], recovered: RecoveredProducerState): Promise<AbortedTxnList> {
  const bases = new Set(segments.map((s) => s.baseOffset));
  // Left by a segment that went (retention, a finished compaction swap) before its index did.
  for (const n of names) {
    if (n.endsWith(TXN_INDEX_SUFFIX) && !bases.has(Number(n.slice(0, 20)))) await fs.unlink(`${dir}/${n}`).catch(() => undefined);
  }
  const { from, completed } = recovered;
  const all: TxnIndexEntry[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const end = i + 1 < segments.length ? segments[i + 1].baseOffset : Infinity;
    await seg.loadTxnIndex();
    const loaded = seg.abortedTxns;
    const kept = loaded.filter((t) => t.lastOffset < from);
    const replayed = completed.filter((t) => t.aborted && t.lastOffset >= seg.baseOffset && t.lastOffset < end);
    if (kept.length !== loaded.length || replayed.length > 0) {
      seg.setAbortedTxns([...kept, ...replayed.map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset, lastOffset: t.lastOffset, lastStableOffset: t.lastStableOffset }))]);
      await seg.persistTxnIndex();
    }
    all.push(...seg.abortedTxns);
  }
  // A compaction writes a group's entries into its first segment before the swap: drop repeats.
  all.sort((a, b) => a.lastOffset - b.lastOffset || a.producerId - b.producerId);
  const list = new AbortedTxnList();
  let prev: TxnIndexEntry | null = null;
  for (const e of all) {
    if (prev && prev.lastOffset === e.lastOffset && prev.producerId === e.producerId) continue;
    list.push(e);
    prev = e;
  }
  return list;
}
