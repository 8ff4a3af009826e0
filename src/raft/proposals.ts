// The leader's proposals waiting to commit: each resolves with its last offset once the high
// watermark passes it, and fails when the entry is truncated away (another leader's log replaced
// it) or the driver stops. An entry left in the log when leadership moves may still commit.
export interface PendingProposal {
  lastOffset: number;
  resolve: (offset: number) => void;
  reject: (e: Error) => void;
}

export class PendingProposals {
  private pending: PendingProposal[] = [];

  /** Waits for the entry ending at `lastOffset` to commit. */
  add(lastOffset: number): Promise<number> {
    return new Promise<number>((resolve, reject) => this.pending.push({ lastOffset, resolve, reject }));
  }

  /** The high watermark moved to `hw`: everything below it committed. */
  committed(hw: number): void {
    if (this.pending.length === 0) return;
    this.pending = this.pending.filter((p) => {
      if (p.lastOffset >= hw) return true;
      p.resolve(p.lastOffset);
      return false;
    });
  }

  /** The log was cut to end at `endOffset`: entries past it are gone. */
  truncated(endOffset: number, error: (lastOffset: number) => Error): void {
    this.pending = this.pending.filter((p) => {
      if (p.lastOffset < endOffset) return true;
      p.reject(error(p.lastOffset));
      return false;
    });
  }

  rejectAll(error: Error): void {
    for (const p of this.pending) p.reject(error);
    this.pending = [];
  }
}
