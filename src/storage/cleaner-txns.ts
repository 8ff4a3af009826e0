// The cleaner's view of transactions (Kafka's CleanedTransactionMetadata), walked in offset order
// over the batches being cleaned: records of aborted transactions go (and never enter the key
// map), and a marker may go once no batch of its transaction is left (the cleaner then gives it a
// delete horizon, and removes it on a pass after delete.retention.ms).
import { ATTRIBUTES, PRODUCER_ID, isControl, isTransactional, lastOffsetOf, readInt64 } from '../protocol/records/batch.js';
import { readEndTxnMarker } from '../protocol/records/control-batch.js';
import type { AbortedTxn } from './types.js';

export class CleanerTxns {
  /** Aborted transactions not reached yet, by first offset. */
  private readonly pending: AbortedTxn[];
  private next = 0;
  /** Producer -> the aborted transaction being walked through, and whether a batch of it was seen. */
  private readonly ongoingAborted = new Map<number, { seenData: boolean }>();
  /** Producers whose committed transaction had a batch in this pass. */
  private readonly ongoingCommitted = new Set<number>();

  constructor(aborted: readonly AbortedTxn[]) {
    this.pending = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  private reach(offset: number): void {
    while (this.next < this.pending.length && this.pending[this.next].firstOffset <= offset) {
      const txn = this.pending[this.next++];
      if (!this.ongoingAborted.has(txn.producerId)) this.ongoingAborted.set(txn.producerId, { seenData: false });
    }
  }

  /**
   * The batch at `pos`, in offset order. For a data batch: whether it belongs to an aborted
   * transaction (its records go). For a control batch: whether the marker may be discarded
   * (no batch of its transaction was met in this pass).
   */
  onBatch(buf: Buffer, pos: number): boolean {
    const attributes = buf.readInt16BE(pos + ATTRIBUTES);
    const producerId = readInt64(buf, pos + PRODUCER_ID);
    this.reach(lastOffsetOf(buf, pos));
    if (isControl(attributes)) {
      if (producerId < 0) return false;
      const marker = readEndTxnMarker(buf, pos);
      // An emptied control batch was cleaned before.
      if (!marker) return true;
      if (marker.commit) return !this.ongoingCommitted.delete(producerId);
      const txn = this.ongoingAborted.get(producerId);
      this.ongoingAborted.delete(producerId);
      return !txn?.seenData;
    }
    if (!isTransactional(attributes) || producerId < 0) return false;
    const txn = this.ongoingAborted.get(producerId);
    if (txn) {
      txn.seenData = true;
      return true;
    }
    this.ongoingCommitted.add(producerId);
    return false;
  }
}
