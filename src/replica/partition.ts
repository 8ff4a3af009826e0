// One partition hosted by this broker, as Kafka's Partition: whether it leads or follows, in which
// leader epoch, the ISR the controller last committed (and an AlterPartition in flight), and as
// leader each follower's fetch state. The leader's high watermark is the smallest log end offset
// over itself, the ISR (widened by a pending change: Kafka's maximal ISR) and the eligible followers
// caught up enough to join it; it only moves forward, and not at all while the ISR is below
// min.insync.replicas (Kafka 4's rule with eligible leader replicas). Followers join the ISR once caught up to the high watermark and past the start
// of the leader's epoch; they leave it after replica.lag.time.max.ms without catching up.
import type { PartitionRegistration } from '../metadata/image.js';
import type { PartitionLog } from '../storage/types.js';

/** What the leader knows of one follower (Kafka's ReplicaState). */
export interface FollowerState {
  /** Its log end offset: the offset it last fetched from (-1 until it fetches in this leadership). */
  logEndOffset: number;
  /** The last time it was known to be caught up with the leader's log end. */
  lastCaughtUpTimeMs: number;
  lastFetchTimeMs: number;
  /** The leader's log end offset at its previous fetch (Kafka's rule for catching up). */
  lastFetchLeaderLogEndOffset: number;
  brokerEpoch: number;
  /** Its log start offset, as its last fetch said (-1 until known). */
  logStartOffset: number;
}

/** An ISR change sent to the controller and not yet answered (Kafka's PendingExpandIsr/PendingShrinkIsr). */
export interface PendingIsr {
  isr: number[];
  kind: 'expand' | 'shrink';
}

export class Partition {
  readonly key: string;
  leaderId = -1;
  leaderEpoch = -1;
  partitionEpoch = -1;
  replicas: readonly number[] = [];
  isr: readonly number[] = [];
  pendingIsr: PendingIsr | null = null;
  /** The log end offset when this broker's current leadership began (Kafka's leaderEpochStartOffset). */
  leaderEpochStartOffset = -1;
  readonly followers = new Map<number, FollowerState>();
  /** Whether a broker may be in the ISR now (registered, unfenced, not shutting down); the replica manager sets it. */
  isrEligible: (brokerId: number) => boolean = () => true;

  constructor(
    readonly localId: number,
    readonly topicId: string,
    /** Replaced when a move between log dirs swaps the partition's log (ReplicaManager.logReplaced). */
    public log: PartitionLog,
    /** replica.lag.time.max.ms */
    readonly replicaLagTimeMaxMs = 30_000,
  ) {
    this.key = `${log.topic}-${log.partition}`;
  }

  get isLeader(): boolean {
    return this.leaderId === this.localId;
  }

  /** The ISR the high watermark must wait for: the committed one, widened by a pending expansion. */
  get maximalIsr(): readonly number[] {
    if (this.pendingIsr?.kind === 'expand') return this.pendingIsr.isr;
    return this.isr;
  }

  /**
   * Becomes (or stays) leader of `reg`. A new leader epoch starts at the log end: the log
   * records it before later appends carry it; followers' states start over, unknown.
   */
  async makeLeader(reg: PartitionRegistration, nowMs: number): Promise<boolean> {
    // An image no newer than what this leader knows (its own AlterPartition answer came first):
    // applying it would drop a change in flight, as Kafka skips such a become-leader too.
    if (this.isLeader && reg.leaderEpoch === this.leaderEpoch && reg.partitionEpoch <= this.partitionEpoch) return false;
    const newEpoch = !this.isLeader || reg.leaderEpoch > this.leaderEpoch;
    if (newEpoch) {
      if (reg.leaderEpoch > this.log.leaderEpoch) await this.log.assignLeaderEpoch(reg.leaderEpoch, this.log.logEndOffset);
      this.leaderEpochStartOffset = this.log.logEndOffset;
      this.followers.clear();
    }
    this.apply(reg);
    for (const id of reg.replicas) {
      if (id === this.localId || this.followers.has(id)) continue;
      this.followers.set(id, { logEndOffset: -1, lastCaughtUpTimeMs: reg.isr.includes(id) ? nowMs : 0, lastFetchTimeMs: 0, lastFetchLeaderLogEndOffset: -1, brokerEpoch: -1, logStartOffset: -1 });
    }
    for (const id of [...this.followers.keys()]) if (!reg.replicas.includes(id)) this.followers.delete(id);
    this.maybeIncrementHighWatermark(nowMs);
    return newEpoch;
  }

  /** Follows `reg`'s leader; true when the leader or its epoch changed (the fetcher starts over). */
  makeFollower(reg: PartitionRegistration): boolean {
    const changed = this.isLeader || reg.leader !== this.leaderId || reg.leaderEpoch !== this.leaderEpoch;
    this.apply(reg);
    this.followers.clear();
    this.leaderEpochStartOffset = -1;
    return changed;
  }

  private apply(reg: PartitionRegistration): void {
    this.leaderId = reg.leader;
    this.leaderEpoch = reg.leaderEpoch;
    this.partitionEpoch = reg.partitionEpoch;
    this.replicas = reg.replicas;
    this.isr = reg.isr;
    this.pendingIsr = null;
  }

  /**
   * A follower fetched from `fetchOffset`: its log holds everything below it. Kafka's
   * updateFollowerFetchState: caught up when it reached the leader's log end now, or the log end
   * the leader had at its previous fetch. Returns whether the high watermark moved.
   */
  updateFollowerFetchState(replicaId: number, fetchOffset: number, brokerEpoch: number, nowMs: number, logStartOffset = -1): boolean {
    const f = this.followers.get(replicaId);
    if (!f) return false;
    const leo = this.log.logEndOffset;
    if (fetchOffset >= leo) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, nowMs);
    else if (fetchOffset >= f.lastFetchLeaderLogEndOffset) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs);
    f.logEndOffset = fetchOffset;
    f.lastFetchLeaderLogEndOffset = leo;
    f.lastFetchTimeMs = nowMs;
    f.brokerEpoch = brokerEpoch;
    f.logStartOffset = logStartOffset;
    return this.maybeIncrementHighWatermark(nowMs);
  }

  /**
   * KIP-392: the followers a consumer at `fetchOffset` could read from, as Kafka's
   * findPreferredReadReplica takes them: in the ISR (a lagging one could keep it behind for good)
   * and holding the offset; with how long since each was caught up.
   */
  readReplicaCandidates(fetchOffset: number, nowMs: number): { id: number; logEndOffset: number; timeSinceLastCaughtUpMs: number }[] {
    const out: { id: number; logEndOffset: number; timeSinceLastCaughtUpMs: number }[] = [];
    for (const [id, f] of this.followers) {
      if (this.isr.includes(id) && f.logEndOffset >= fetchOffset && f.logStartOffset <= fetchOffset) out.push({ id, logEndOffset: f.logEndOffset, timeSinceLastCaughtUpMs: nowMs - f.lastCaughtUpTimeMs });
    }
    return out;
  }

  /**
   * The leader's high watermark (Kafka's maybeIncrementLeaderHW): the smallest log end over itself,
   * the maximal ISR, and followers caught up (at the log end, or within the lag time) and eligible,
   * so that one about to join is waited for; never backwards, never under min.insync.replicas.
   */
  maybeIncrementHighWatermark(nowMs = Date.now()): boolean {
    if (!this.isLeader || this.isr.length < this.effectiveMinIsr()) return false;
    const leo = this.log.logEndOffset;
    let hw = leo;
    const isr = this.maximalIsr;
    for (const id of isr) {
      // A member that has not fetched in this leadership holds the high watermark where it is.
      if (id !== this.localId && (this.followers.get(id)?.logEndOffset ?? -1) < 0) return false;
    }
    for (const [id, f] of this.followers) {
      if (f.logEndOffset >= hw) continue;
      const caughtUp = f.logEndOffset >= 0 && (f.logEndOffset === leo || nowMs - f.lastCaughtUpTimeMs <= this.replicaLagTimeMaxMs);
      if (isr.includes(id) || (caughtUp && this.isrEligible(id))) hw = f.logEndOffset;
    }
    if (hw <= this.log.highWatermark) return false;
    this.log.updateHighWatermark(hw);
    return true;
  }

  /** A follower out of the ISR that caught up with the high watermark and the leader's epoch start. */
  followerInSync(id: number): boolean {
    const f = this.followers.get(id);
    return f !== undefined && f.logEndOffset >= this.log.highWatermark && f.logEndOffset >= this.leaderEpochStartOffset;
  }

  /** Followers (never the leader) that may join the ISR now. */
  candidatesToJoin(): number[] {
    if (!this.isLeader || this.pendingIsr) return [];
    return this.replicas.filter((id) => id !== this.localId && !this.isr.includes(id) && this.followerInSync(id));
  }

  /** ISR members that did not catch up within `lagMs` (Kafka's getOutOfSyncReplicas). */
  outOfSyncReplicas(nowMs: number, lagMs: number): number[] {
    if (!this.isLeader || this.pendingIsr) return [];
    return this.isr.filter((id) => {
      if (id === this.localId) return false;
      const f = this.followers.get(id);
      return !f || (f.logEndOffset !== this.log.logEndOffset && nowMs - f.lastCaughtUpTimeMs > lagMs);
    });
  }

  /** min.insync.replicas capped at the replica count, as Kafka's effectiveMinIsr. */
  effectiveMinIsr(): number {
    return Math.min(this.log.config.minInsyncReplicas, this.replicas.length);
  }
}
