// Kafka's PersisterStateBatchCombiner: the state batches so far and a write's new ones become one
// sorted list without overlaps. Batches wholly below the start offset are dropped and one crossing
// it is cut there (a start offset of -1 keeps all); where batches overlap, each offset takes the
// state of the batch with the higher delivery count, then the higher delivery state; neighbours
// with the same state and count are joined.
import type { PersisterStateBatch } from '../../share/persister.js';

/** >0 when a outranks b. */
function priority(a: PersisterStateBatch, b: PersisterStateBatch): number {
  return a.deliveryCount !== b.deliveryCount ? a.deliveryCount - b.deliveryCount : a.deliveryState - b.deliveryState;
}

export function combineStateBatches(soFar: readonly PersisterStateBatch[], added: readonly PersisterStateBatch[], startOffset: number): PersisterStateBatch[] {
  const kept: PersisterStateBatch[] = [];
  for (const b of [...soFar, ...added]) {
    if (startOffset !== -1 && b.lastOffset < startOffset) continue;
    if (b.lastOffset < b.firstOffset) continue;
    kept.push(startOffset !== -1 && b.firstOffset < startOffset ? { ...b, firstOffset: startOffset } : b);
  }
  if (kept.length < 2) return kept.map((b) => ({ ...b }));
  // A sweep over the batch boundaries: each elementary range takes its best covering batch's state.
  const bounds = new Set<number>();
  for (const b of kept) {
    bounds.add(b.firstOffset);
    bounds.add(b.lastOffset + 1);
  }
  const points = [...bounds].sort((a, b) => a - b);
  const byStart = [...kept].sort((a, b) => a.firstOffset - b.firstOffset);
  const active: PersisterStateBatch[] = [];
  const out: PersisterStateBatch[] = [];
  let next = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i];
    const to = points[i + 1] - 1;
    while (next < byStart.length && byStart[next].firstOffset <= from) active.push(byStart[next++]);
    for (let j = active.length - 1; j >= 0; j--) if (active[j].lastOffset < from) active.splice(j, 1);
    if (active.length === 0) continue;
    let best = active[0];
    for (const b of active) if (priority(b, best) > 0) best = b;
    const last = out[out.length - 1];
    if (last && last.lastOffset + 1 === from && last.deliveryState === best.deliveryState && last.deliveryCount === best.deliveryCount) last.lastOffset = to;
    else out.push({ firstOffset: from, lastOffset: to, deliveryState: best.deliveryState, deliveryCount: best.deliveryCount });
  }
  return out;
}
