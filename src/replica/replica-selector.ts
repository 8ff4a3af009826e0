// Kafka's replica.selector.class (KIP-392): which replica a consumer should read from. None set means
// the leader only; Kafka's two shipped selectors are recognised by their class names.
// The rack-aware one picks the leader when it shares the client's rack (or no replica does, or the
// client names no rack), else the most caught-up replica on the client's rack.

/** A replica the leader could name (Kafka's ReplicaView); `id` -1 when it has no endpoint on the listener. */
export interface ReplicaView {
  id: number;
  rack: string | null;
  logEndOffset: number;
  timeSinceLastCaughtUpMs: number;
}

/** Picks the replica to read from, or undefined for none (Kafka's ReplicaSelector.select). */
export type ReplicaSelector = (clientRack: string, replicas: readonly ReplicaView[], leader: ReplicaView) => ReplicaView | undefined;

export const RACK_AWARE_REPLICA_SELECTOR = 'org.apache.kafka.common.replica.RackAwareReplicaSelector';
export const LEADER_SELECTOR = 'org.apache.kafka.common.replica.LeaderSelector';

export const rackAwareSelector: ReplicaSelector = (clientRack, replicas, leader) => {
  if (!clientRack) return leader;
  const sameRack = replicas.filter((r) => r.rack === clientRack);
  if (sameRack.length === 0 || sameRack.includes(leader)) return leader;
  let best = sameRack[0];
  for (const r of sameRack.slice(1)) if (caughtUpOrder(r, best) > 0) best = r;
  return best;
};

export const leaderSelector: ReplicaSelector = (_rack, _replicas, leader) => leader;

/** Kafka's ReplicaView.comparator: larger log end offset, then the more recently caught up. */
function caughtUpOrder(a: ReplicaView, b: ReplicaView): number {
  if (a.logEndOffset !== b.logEndOffset) return a.logEndOffset - b.logEndOffset;
  return b.timeSinceLastCaughtUpMs - a.timeSinceLastCaughtUpMs;
}

/** The selector `replica.selector.class` names; null when unset. Kafka fails startup on a class it cannot load. */
export function replicaSelector(className: string | null): ReplicaSelector | null {
  if (className === null || className === '') return null;
  if (className === RACK_AWARE_REPLICA_SELECTOR) return rackAwareSelector;
  if (className === LEADER_SELECTOR) return leaderSelector;
  throw new Error(`Invalid value ${className} for configuration replica.selector.class: Class ${className} cannot be found`);
}
