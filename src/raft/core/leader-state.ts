// What a leader tracks for its epoch: each replica's durable fetch offset and fetch times (for the
// high watermark and DescribeQuorum), voters silent for half a fetch timeout (BeginQuorumEpoch is
// resent to them), fetches parked until new data, and when a majority last fetched (check quorum).
import type { NodeId, QuorumDescription, ReplicaDescription } from '../messages.js';

/** Kafka forgets observers that have not fetched for five minutes. */
const OBSERVER_SESSION_TIMEOUT_MS = 300_000;
/** Kafka's leader resigns when no majority fetched within 1.5 fetch timeouts. */
export const CHECK_QUORUM_TIMEOUT_FACTOR = 1.5;

export interface ReplicaState {
  replicaId: NodeId;
  /** Durable end offset the replica last fetched from, -1 unknown. */
  endOffset: number;
  lastFetchTimestamp: number;
  lastFetchLeaderLogEndOffset: number;
  lastCaughtUpTimestamp: number;
  acknowledged: boolean;
}

export interface ParkedFetch {
  from: NodeId;
  correlationId: number;
  fetchOffset: number;
  deadline: number;
}

function newReplica(replicaId: NodeId): ReplicaState {
  return { replicaId, endOffset: -1, lastFetchTimestamp: -1, lastFetchLeaderLogEndOffset: -1, lastCaughtUpTimestamp: -1, acknowledged: false };
}

export class LeaderState {
  readonly voters = new Map<NodeId, ReplicaState>();
  readonly observers = new Map<NodeId, ReplicaState>();
  /** Fetches waiting for data, by fetcher (a newer fetch from the same node replaces its older one). */
  readonly parked = new Map<NodeId, ParkedFetch>();
  /** Voters heard from since the check-quorum deadline last moved. */
  private readonly fetchedVoters = new Set<NodeId>();
  /** -1 until the epoch-start entry reaches a majority. */
  highWatermark = -1;
  /** Time by which a majority must have fetched again, or the leader resigns. */
  checkQuorumDeadline: number;
  /** Next round of BeginQuorumEpoch to voters that have not fetched lately (the first at once). */
  beginQuorumEpochAt: number;
  /** Kafka resends BeginQuorumEpoch every half fetch timeout to voters silent that long. */
  readonly beginQuorumEpochTimeoutMs: number;

  constructor(
    readonly localId: NodeId,
    voterIds: readonly NodeId[],
    readonly epochStartOffset: number,
    readonly grantingVoters: NodeId[],
    private readonly checkQuorumTimeoutMs: number,
    nowMs: number,
    private readonly ignoreEpochStart = false,
  ) {
    for (const id of voterIds) this.voters.set(id, newReplica(id));
    const self = this.voters.get(localId);
    if (self) self.acknowledged = true;
    this.checkQuorumDeadline = nowMs + checkQuorumTimeoutMs;
    this.beginQuorumEpochAt = nowMs;
    this.beginQuorumEpochTimeoutMs = Math.floor(checkQuorumTimeoutMs / CHECK_QUORUM_TIMEOUT_FACTOR / 2);
  }

  /** The leader's own durable end moved; true when the high watermark did. */
  updateLocal(durableEnd: number): boolean {
    const self = this.voters.get(this.localId);
    if (self) self.endOffset = durableEnd;
    return this.maybeUpdateHighWatermark();
  }

  /** A valid fetch from `replicaId` at `fetchOffset` (its durable end); true when the high watermark moved. */
  updateReplica(replicaId: NodeId, fetchOffset: number, leaderEnd: number, nowMs: number): boolean {
    if (replicaId < 0 || replicaId === this.localId) return false;
    const voter = this.voters.get(replicaId);
    let r = voter ?? this.observers.get(replicaId);
    if (!r) {
      r = newReplica(replicaId);
      this.observers.set(replicaId, r);
    }
    // Caught-up time before fetch time: a fetch that reaches the leader's end as of the previous fetch was caught up then.
    if (fetchOffset >= leaderEnd) r.lastCaughtUpTimestamp = Math.max(r.lastCaughtUpTimestamp, nowMs);
    else if (r.lastFetchLeaderLogEndOffset > 0 && fetchOffset >= r.lastFetchLeaderLogEndOffset) r.lastCaughtUpTimestamp = Math.max(r.lastCaughtUpTimestamp, r.lastFetchTimestamp);
    r.lastFetchLeaderLogEndOffset = leaderEnd;
    r.lastFetchTimestamp = Math.max(r.lastFetchTimestamp, nowMs);
    r.endOffset = fetchOffset;
    r.acknowledged = true;
    if (!voter) return false;
    this.updateCheckQuorum(nowMs, replicaId);
    return this.maybeUpdateHighWatermark();
  }

  acknowledge(voterId: NodeId): void {
    const r = this.voters.get(voterId);
    if (r) r.acknowledged = true;
  }

  /** The voter set changed (a VotersRecord appended or truncated away): replicas keep their progress across the move. */
  setVoters(voterIds: readonly NodeId[]): boolean {
    for (const [id, r] of this.voters) {
      if (voterIds.includes(id)) continue;
      this.voters.delete(id);
      if (id !== this.localId) this.observers.set(id, r);
    }
    for (const id of voterIds) {
      if (this.voters.has(id)) continue;
      const r = this.observers.get(id) ?? newReplica(id);
      this.observers.delete(id);
      if (id === this.localId) r.endOffset = Math.max(r.endOffset, this.localEnd());
      this.voters.set(id, r);
    }
    this.fetchedVoters.clear();
    return this.maybeUpdateHighWatermark();
  }

  /** Caught up with this leader within `withinMs`: what Kafka asks of a voter before adding it. */
  isCaughtUp(replicaId: NodeId, nowMs: number, withinMs: number): boolean {
    const r = this.voters.get(replicaId) ?? this.observers.get(replicaId);
    return r !== undefined && r.lastCaughtUpTimestamp >= 0 && nowMs - r.lastCaughtUpTimestamp <= withinMs;
  }

  private localEnd(): number {
    return this.voters.get(this.localId)?.endOffset ?? -1;
  }

  /** Voters that have not fetched for half a fetch timeout (or ever): they may not know this leader. */
  votersToRemind(nowMs: number): NodeId[] {
    return [...this.voters.values()].filter((r) => r.replicaId !== this.localId && nowMs - r.lastFetchTimestamp >= this.beginQuorumEpochTimeoutMs).map((r) => r.replicaId);
  }

  /** A FetchSnapshot from a voter counts as hearing from it, as a Fetch does. */
  noteFetchSnapshot(replicaId: NodeId, nowMs: number): void {
    if (this.voters.has(replicaId) && replicaId !== this.localId) this.updateCheckQuorum(nowMs, replicaId);
  }

  /** Voters other than the leader, most caught up first (EndQuorumEpoch's preferred successors). */
  followersByDescendingOffset(): NodeId[] {
    return [...this.voters.values()].filter((r) => r.replicaId !== this.localId).sort((a, b) => b.endOffset - a.endOffset).map((r) => r.replicaId);
  }

  private majorityOffset(): number {
    const offsets = [...this.voters.values()].map((r) => r.endOffset).sort((a, b) => b - a);
    return offsets[Math.floor(offsets.length / 2)];
  }

  private maybeUpdateHighWatermark(): boolean {
    const candidate = this.majorityOffset();
    // A leader exposes nothing until an entry of its own epoch is on a majority: that is what makes
    // every earlier entry it holds safe from a future leader (KIP-595, as in Raft's 5.4.2).
    if (candidate < 0 || (!this.ignoreEpochStart && candidate <= this.epochStartOffset)) return false;
    if (candidate <= this.highWatermark) return false;
    this.highWatermark = candidate;
    return true;
  }

  /** Check quorum: the deadline moves once a majority (the leader included) has fetched since the last move. */
  private updateCheckQuorum(nowMs: number, voterId: NodeId): void {
    this.fetchedVoters.add(voterId);
    const needed = Math.floor(this.voters.size / 2) + 1 - (this.voters.has(this.localId) ? 1 : 0);
    if (this.fetchedVoters.size >= needed) {
      this.fetchedVoters.clear();
      this.checkQuorumDeadline = nowMs + this.checkQuorumTimeoutMs;
    }
  }

  /** A lone voter has no one to hear from. */
  checkQuorumExpired(nowMs: number): boolean {
    return this.voters.size > 1 && nowMs >= this.checkQuorumDeadline;
  }

  describe(epoch: number, leaderEndOffset: number, nowMs: number): QuorumDescription {
    for (const [id, r] of this.observers) if (nowMs - r.lastFetchTimestamp >= OBSERVER_SESSION_TIMEOUT_MS) this.observers.delete(id);
    const row = (r: ReplicaState): ReplicaDescription =>
      r.replicaId === this.localId
        ? { replicaId: r.replicaId, logEndOffset: leaderEndOffset, lastFetchTimestamp: nowMs, lastCaughtUpTimestamp: nowMs }
        : { replicaId: r.replicaId, logEndOffset: r.endOffset, lastFetchTimestamp: r.lastFetchTimestamp, lastCaughtUpTimestamp: r.lastCaughtUpTimestamp };
    return {
      leaderId: this.localId,
      leaderEpoch: epoch,
      highWatermark: this.highWatermark,
      currentVoters: [...this.voters.values()].map(row),
      observers: [...this.observers.values()].map(row),
    };
  }
}
