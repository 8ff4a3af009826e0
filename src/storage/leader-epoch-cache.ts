// Leader epoch -> start offset history of one partition (Kafka's LeaderEpochFileCache), which
// answers OffsetForLeaderEpoch. Persisted as Kafka's `leader-epoch-checkpoint` text file.

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class LeaderEpochCache {
  private entries: EpochEntry[] = [];

  get latestEpoch(): number {
    return this.entries.length === 0 ? -1 : this.entries[this.entries.length - 1].epoch;
  }

  all(): readonly EpochEntry[] {
    return this.entries;
  }

  /** Records that `epoch` starts at `startOffset`; returns whether the history changed. */
  assign(epoch: number, startOffset: number): boolean {
    if (epoch < 0) return false;
    const latest = this.entries[this.entries.length - 1];
    if (latest && latest.epoch === epoch && latest.startOffset <= startOffset) return false;
    // An entry that a new one contradicts (same or later epoch, or later start) is dropped.
    this.entries = this.entries.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.entries.push({ epoch, startOffset });
    return true;
  }

  /** Drops epochs starting at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: number): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.startOffset < endOffset);
    return this.entries.length !== before;
  }

  /**
   * The log start offset moved to `startOffset`: epochs that began before it are dropped, except
   * the one in force there, which now starts at it (Kafka's truncateFromStart).
   */
  truncateFromStart(startOffset: number): boolean {
    let floor = -1;
    for (let i = 0; i < this.entries.length && this.entries[i].startOffset <= startOffset; i++) floor = i;
    if (floor < 0 || (floor === 0 && this.entries[0].startOffset === startOffset)) return false;
    this.entries = [{ epoch: this.entries[floor].epoch, startOffset }, ...this.entries.slice(floor + 1)];
    return true;
  }

  /**
   * Kafka's endOffsetFor: the latest epoch ends at the log end offset; an older one ends where
   * the next one starts, reported with the largest known epoch <= requested. Null where Kafka
   * answers UNDEFINED_EPOCH_OFFSET (unknown or too-new epoch).
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): { leaderEpoch: number; endOffset: number } | null {
    if (requestedEpoch < 0 || this.entries.length === 0) return null;
    if (requestedEpoch === this.latestEpoch) return { leaderEpoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.entries.findIndex((e) => e.epoch > requestedEpoch);
    if (higher < 0) return null;
    const floor = higher - 1;
    // Older than every known epoch: the data is gone; point at the first epoch we know.
    if (floor < 0) return { leaderEpoch: requestedEpoch, endOffset: this.entries[higher].startOffset };
    return { leaderEpoch: this.entries[floor].epoch, endOffset: this.entries[higher].startOffset };
  }

  /** Kafka's checkpoint text: version line, count line, then "epoch startOffset" lines. */
  encode(): Buffer {
    const lines = ['0', String(this.entries.length), ...this.entries.map((e) => `${e.epoch} ${e.startOffset}`)];
    return Buffer.from(lines.join('\n') + '\n');
  }

  /** Parses a checkpoint; null when it is malformed. */
  static decode(text: string): LeaderEpochCache | null {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines[0]?.trim() !== '0') return null;
    const count = Number(lines[1]);
    if (!Number.isInteger(count) || lines.length !== count + 2) return null;
    const cache = new LeaderEpochCache();
    for (const line of lines.slice(2)) {
      const [epoch, offset] = line.trim().split(/\s+/).map(Number);
      if (!Number.isInteger(epoch) || !Number.isInteger(offset)) return null;
      cache.assign(epoch, offset);
    }
    return cache;
  }
}
