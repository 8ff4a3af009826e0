// The transactions that hold a partition's last stable offset (Kafka's ongoingTxns and
// unreplicatedTxns of its ProducerStateManager): each producer's open transaction by first
// offset, and completed ones until their marker is below the high watermark.

/** A transaction a marker ended (Kafka's CompletedTxn), with the LSO its index entry records. */
export interface CompletedTxn {
  producerId: number;
  firstOffset: number;
  /** The marker's offset. */
  lastOffset: number;
  aborted: boolean;
  /** First offset of the next ongoing transaction of another producer, else lastOffset + 1. */
  lastStableOffset: number;
}

export class UnstableTxns {
  /** Producer id -> first offset of its ongoing transaction. */
  private readonly ongoing = new Map<number, number>();
  /** Completed transactions whose marker is not yet below the high watermark, by first offset. */
  private unreplicated: { firstOffset: number; lastOffset: number }[] = [];

  started(producerId: number, firstOffset: number): void {
    this.ongoing.set(producerId, firstOffset);
  }

  /** The producer's transaction ended at the marker at `lastOffset`. */
  completed(producerId: number, firstOffset: number, lastOffset: number, aborted: boolean): CompletedTxn {
    this.ongoing.delete(producerId);
    let next = Infinity;
    for (const first of this.ongoing.values()) if (first < next) next = first;
    const u = this.unreplicated;
    let i = u.length;
    while (i > 0 && u[i - 1].firstOffset > firstOffset) i--;
    u.splice(i, 0, { firstOffset, lastOffset });
    return { producerId, firstOffset, lastOffset, aborted, lastStableOffset: next === Infinity ? lastOffset + 1 : next };
  }

  /**
   * Kafka's firstUnstableOffset: the earliest ongoing transaction, or completed one whose marker
   * is not yet below the high watermark; Infinity when none.
   */
  firstUnstableOffset(highWatermark: number): number {
    this.onHighWatermarkUpdated(highWatermark);
    let first = this.unreplicated.length > 0 ? this.unreplicated[0].firstOffset : Infinity;
    for (const o of this.ongoing.values()) if (o < first) first = o;
    return first;
  }

  /** Forgets completed transactions whose marker is now below the high watermark. */
  onHighWatermarkUpdated(hw: number): void {
    if (this.unreplicated.some((t) => t.lastOffset < hw)) this.unreplicated = this.unreplicated.filter((t) => t.lastOffset >= hw);
  }
}
