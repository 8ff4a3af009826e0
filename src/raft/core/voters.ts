// The voter set over the log (KIP-853, kraft.version 1): the bootstrap set, then one entry per
// VotersRecord at its offset. The latest entry applies even uncommitted; a truncation restores the one before.
import type { NodeId } from '../messages.js';

export class VoterHistory {
  private readonly entries: { offset: number; voters: NodeId[] }[] = [];

  constructor(private readonly initial: readonly NodeId[]) {}

  latest(): readonly NodeId[] {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1].voters : this.initial;
  }

  /** The offset of the latest VotersRecord (-1: the bootstrap set applies). */
  latestOffset(): number {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1].offset : -1;
  }

  /** A VotersRecord at `offset`; one at or below the latest's offset is already known (a re-read). */
  add(offset: number, voters: readonly NodeId[]): boolean {
    if (offset <= this.latestOffset()) return false;
    this.entries.push({ offset, voters: [...new Set(voters)].sort((a, b) => a - b) });
    return true;
  }

  /** The log was truncated to `offset` (entries at or above it are gone); true when the applying set changed. */
  truncateTo(offset: number): boolean {
    let changed = false;
    while (this.entries.length > 0 && this.entries[this.entries.length - 1].offset >= offset) {
      this.entries.pop();
      changed = true;
    }
    return changed;
  }
}

/** One voter added or removed, nothing else: how Kafka changes the set (one at a time keeps majorities overlapping). */
export function singleChange(from: readonly NodeId[], to: readonly NodeId[]): { added?: NodeId; removed?: NodeId } | null {
  const added = to.filter((v) => !from.includes(v));
  const removed = from.filter((v) => !to.includes(v));
  if (added.length + removed.length !== 1 || new Set(to).size !== to.length) return null;
  return added.length === 1 ? { added: added[0] } : { removed: removed[0] };
}
