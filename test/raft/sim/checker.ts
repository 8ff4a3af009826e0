// The Raft safety properties, checked as the simulation runs (each event, incrementally):
// one leader per epoch; one vote per node per epoch; committed entries never change or vanish
// (below a node's HW its log or snapshot holds exactly the committed entries); logs match
// (a batch at the same offset and epoch is the same batch anywhere); a node's HW never moves back
// within one life; a new leader holds every committed entry.
import type { NodeId, RaftBatch } from '../../../src/raft/messages.js';

export class SafetyViolation extends Error {
  override name = 'SafetyViolation';
}

export interface Entry {
  lastOffset: number;
  epoch: number;
  data: unknown;
}

export class Checker {
  private readonly leaders = new Map<number, NodeId>();
  private readonly votes = new Map<string, NodeId>();
  private readonly seen = new Map<string, Entry>();
  /** Committed batches by base offset. */
  readonly committed = new Map<number, Entry>();
  committedEnd = 0;

  leaderEpochs(): number {
    return this.leaders.size;
  }

  fail(msg: string): never {
    throw new SafetyViolation(msg);
  }

  leader(epoch: number, id: NodeId, hasEntry: (baseOffset: number, e: Entry) => boolean): void {
    const prev = this.leaders.get(epoch);
    if (prev !== undefined && prev !== id) this.fail(`two leaders in epoch ${epoch}: ${prev} and ${id}`);
    if (prev === undefined) {
      this.leaders.set(epoch, id);
      for (const [base, e] of this.committed) if (!hasEntry(base, e)) this.fail(`leader ${id} of epoch ${epoch} lacks committed batch at ${base}`);
    }
  }

  vote(node: NodeId, epoch: number, votedId: NodeId): void {
    if (votedId < 0) return;
    const key = `${node}:${epoch}`;
    const prev = this.votes.get(key);
    if (prev !== undefined && prev !== votedId) this.fail(`node ${node} voted twice in epoch ${epoch}: ${prev} then ${votedId}`);
    this.votes.set(key, votedId);
  }

  /** Any batch written anywhere: (offset, epoch) names one batch only. */
  written(node: NodeId, b: RaftBatch): void {
    const key = `${b.baseOffset}:${b.epoch}`;
    const prev = this.seen.get(key);
    if (prev === undefined) this.seen.set(key, { lastOffset: b.lastOffset, epoch: b.epoch, data: b.data });
    else if (prev.lastOffset !== b.lastOffset || prev.data !== b.data) this.fail(`node ${node}: batch at ${b.baseOffset} epoch ${b.epoch} differs from one seen before`);
  }

  /** `node` declares everything below `hw` committed: its batches there must agree with every other node's. */
  commit(node: NodeId, batches: Iterable<RaftBatch>, hw: number): void {
    for (const b of batches) {
      if (b.lastOffset >= hw) continue;
      const prev = this.committed.get(b.baseOffset);
      if (prev === undefined) {
        this.committed.set(b.baseOffset, { lastOffset: b.lastOffset, epoch: b.epoch, data: b.data });
        this.committedEnd = Math.max(this.committedEnd, b.lastOffset + 1);
      } else if (prev.epoch !== b.epoch || prev.data !== b.data || prev.lastOffset !== b.lastOffset) {
        this.fail(`node ${node}: committed batch at ${b.baseOffset} is epoch ${b.epoch} here, ${prev.epoch} elsewhere`);
      }
    }
  }
}
