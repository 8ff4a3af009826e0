// The log as the core sees it: only its shape (start, end, durable end, the leader-epoch cache,
// the latest snapshot). Contents stay with the driver.
import type { EpochEntry, LogShape, OffsetAndEpoch, RaftBatch } from '../messages.js';

/** Kafka's ValidOffsetAndEpoch: what a leader answers to a fetcher's (fetchOffset, lastFetchedEpoch). */
export type FetchPosition =
  | { kind: 'valid' }
  | { kind: 'diverging'; epoch: number; endOffset: number }
  | { kind: 'snapshot'; snapshotId: OffsetAndEpoch };

export class LogState {
  logStartOffset: number;
  endOffset: number;
  /** Everything below is fsynced (appended() said so, or recovery found it). */
  durableEndOffset: number;
  latestSnapshotId: OffsetAndEpoch | undefined;
  private epochs: EpochEntry[];

  constructor(shape: LogShape) {
    this.logStartOffset = shape.logStartOffset;
    this.endOffset = shape.endOffset;
    this.durableEndOffset = shape.endOffset;
    this.latestSnapshotId = shape.latestSnapshotId;
    this.epochs = shape.epochs.filter((e) => e.startOffset < shape.endOffset).map((e) => ({ ...e }));
  }

  /** Epoch of the last entry; the snapshot's epoch when the log is empty past it; 0 for an empty log. */
  lastEpoch(): number {
    if (this.epochs.length > 0) return this.epochs[this.epochs.length - 1].epoch;
    return this.latestSnapshotId?.epoch ?? 0;
  }

  /** Kafka's endOffsetForEpoch: the largest epoch <= `epoch` we have, and where it ends in our log. */
  endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    for (let i = this.epochs.length - 1; i >= 0; i--) {
      if (this.epochs[i].epoch <= epoch) {
        const end = i + 1 < this.epochs.length ? this.epochs[i + 1].startOffset : this.endOffset;
        return { epoch: this.epochs[i].epoch, offset: end };
      }
    }
    const snap = this.latestSnapshotId;
    if (snap && snap.epoch <= epoch) return { epoch: snap.epoch, offset: snap.offset };
    return { epoch: 0, offset: this.logStartOffset };
  }

  /** The leader's check of a fetcher's position (Kafka's validateOffsetAndEpoch plus the empty-log shortcut). */
  validateFetch(fetchOffset: number, lastFetchedEpoch: number): FetchPosition {
    const snap = this.latestSnapshotId;
    if (fetchOffset === 0 && snap !== undefined && snap.offset > 0) return { kind: 'snapshot', snapshotId: snap };
    if (this.logStartOffset === 0 && fetchOffset === 0) return { kind: 'valid' };
    if (snap !== undefined && (fetchOffset < this.logStartOffset || (fetchOffset === this.logStartOffset && lastFetchedEpoch !== snap.epoch) || lastFetchedEpoch < snap.epoch)) {
      return { kind: 'snapshot', snapshotId: snap };
    }
    const end = this.endOffsetForEpoch(lastFetchedEpoch);
    if (end.epoch !== lastFetchedEpoch || end.offset < fetchOffset) return { kind: 'diverging', epoch: end.epoch, endOffset: end.offset };
    return { kind: 'valid' };
  }

  /** The follower's truncation point for a diverging epoch from the leader. */
  truncationOffset(diverging: { epoch: number; endOffset: number }): number {
    const ours = this.endOffsetForEpoch(diverging.epoch);
    return Math.min(ours.offset, diverging.endOffset, this.endOffset);
  }

  append(batch: RaftBatch): void {
    if (batch.baseOffset !== this.endOffset) throw new Error(`raft log: append at ${batch.baseOffset}, log ends at ${this.endOffset}`);
    if (batch.epoch < this.lastEpoch()) throw new Error(`raft log: epoch ${batch.epoch} after ${this.lastEpoch()}`);
    if (this.epochs.length === 0 || batch.epoch > this.lastEpoch()) this.epochs.push({ epoch: batch.epoch, startOffset: batch.baseOffset });
    this.endOffset = batch.lastOffset + 1;
  }

  truncateTo(offset: number): void {
    if (offset >= this.endOffset) return;
    this.endOffset = offset;
    this.durableEndOffset = Math.min(this.durableEndOffset, offset);
    while (this.epochs.length > 0 && this.epochs[this.epochs.length - 1].startOffset >= offset) this.epochs.pop();
  }

  markDurable(endOffset: number): void {
    this.durableEndOffset = Math.max(this.durableEndOffset, Math.min(endOffset, this.endOffset));
  }

  /** The log now is just this snapshot (a follower installed one fetched from the leader). */
  resetToSnapshot(id: OffsetAndEpoch): void {
    this.latestSnapshotId = id;
    this.logStartOffset = id.offset;
    this.endOffset = id.offset;
    this.durableEndOffset = id.offset;
    this.epochs = [];
  }

  moveLogStart(offset: number): void {
    if (offset <= this.logStartOffset) return;
    this.logStartOffset = Math.min(offset, this.endOffset);
    // Keep the entry covering the new start: it still describes the records from there.
    while (this.epochs.length > 1 && this.epochs[1].startOffset <= this.logStartOffset) this.epochs.shift();
  }

  shape(): LogShape {
    return { logStartOffset: this.logStartOffset, endOffset: this.endOffset, epochs: this.epochs.map((e) => ({ ...e })), latestSnapshotId: this.latestSnapshotId };
  }
}
