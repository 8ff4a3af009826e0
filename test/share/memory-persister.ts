// An in-memory Persister for the share-partition tests (the share coordinator's stand-in): keeps
// each key's start offset and state batches as the share coordinator combines them (newer batches
// overwrite the offsets they name; batches below the start offset are dropped), records every
// write, and can be told to fail the next writes.
import type { Persister, PersisterStateBatch, ReadStateResult, ShareStateKey, WriteState } from '../../src/share/persister.js';

interface Stored {
  stateEpoch: number;
  startOffset: number;
  deliveryCompleteCount: number;
  /** offset -> [state, deliveryCount] */
  offsets: Map<number, [number, number]>;
}

export class MemoryPersister implements Persister {
  readonly writes: { key: ShareStateKey; state: WriteState }[] = [];
  readonly reads: ShareStateKey[] = [];
  /** Error code the next writes answer with (0: succeed). */
  failWrites = 0;
  private readonly store = new Map<string, Stored>();

  private static id(k: ShareStateKey): string {
    return `${k.groupId}:${k.topicId}:${k.partition}`;
  }

  /** Seeds a key's state as if an earlier leader had written it. */
  seed(key: ShareStateKey, startOffset: number, batches: PersisterStateBatch[], stateEpoch = 0): void {
    const s: Stored = { stateEpoch, startOffset, deliveryCompleteCount: 0, offsets: new Map() };
    for (const b of batches) for (let o = b.firstOffset; o <= b.lastOffset; o++) s.offsets.set(o, [b.deliveryState, b.deliveryCount]);
    this.store.set(MemoryPersister.id(key), s);
  }

  async initializeState(key: ShareStateKey, stateEpoch: number, startOffset: number) {
    this.store.set(MemoryPersister.id(key), { stateEpoch, startOffset, deliveryCompleteCount: 0, offsets: new Map() });
    return { errorCode: 0, errorMessage: null };
  }

  async readState(key: ShareStateKey): Promise<ReadStateResult> {
    this.reads.push(key);
    const s = this.store.get(MemoryPersister.id(key));
    if (!s) return { errorCode: 0, errorMessage: null, stateEpoch: 0, startOffset: -1, deliveryCompleteCount: 0, stateBatches: [] };
    return { errorCode: 0, errorMessage: null, stateEpoch: s.stateEpoch, startOffset: s.startOffset, deliveryCompleteCount: s.deliveryCompleteCount, stateBatches: this.batches(key) };
  }

  async writeState(key: ShareStateKey, state: WriteState) {
    await Promise.resolve();
    if (this.failWrites !== 0) return { errorCode: this.failWrites, errorMessage: 'injected failure' };
    this.writes.push({ key, state: structuredClone(state) });
    let s = this.store.get(MemoryPersister.id(key));
    if (!s) this.store.set(MemoryPersister.id(key), (s = { stateEpoch: state.stateEpoch, startOffset: state.startOffset, deliveryCompleteCount: 0, offsets: new Map() }));
    s.startOffset = state.startOffset;
    s.deliveryCompleteCount = state.deliveryCompleteCount;
    for (const b of state.stateBatches) for (let o = b.firstOffset; o <= b.lastOffset; o++) s.offsets.set(o, [b.deliveryState, b.deliveryCount]);
    for (const o of [...s.offsets.keys()]) if (o < s.startOffset) s.offsets.delete(o);
    return { errorCode: 0, errorMessage: null };
  }

  async deleteState(key: ShareStateKey) {
    this.store.delete(MemoryPersister.id(key));
    return { errorCode: 0, errorMessage: null };
  }

  async readSummary(key: ShareStateKey) {
    const s = this.store.get(MemoryPersister.id(key));
    return { errorCode: 0, errorMessage: null, stateEpoch: s?.stateEpoch ?? 0, startOffset: s?.startOffset ?? -1, leaderEpoch: 0, deliveryCompleteCount: s?.deliveryCompleteCount ?? 0 };
  }

  /** A key's stored state batches, adjacent offsets with equal state and count merged. */
  batches(key: ShareStateKey): PersisterStateBatch[] {
    const s = this.store.get(MemoryPersister.id(key));
    if (!s) return [];
    const out: PersisterStateBatch[] = [];
    for (const o of [...s.offsets.keys()].sort((a, b) => a - b)) {
      const [deliveryState, deliveryCount] = s.offsets.get(o)!;
      const prev = out[out.length - 1];
      if (prev && prev.lastOffset === o - 1 && prev.deliveryState === deliveryState && prev.deliveryCount === deliveryCount) prev.lastOffset = o;
      else out.push({ firstOffset: o, lastOffset: o, deliveryState, deliveryCount });
    }
    return out;
  }

  startOffset(key: ShareStateKey): number | undefined {
    return this.store.get(MemoryPersister.id(key))?.startOffset;
  }
}
