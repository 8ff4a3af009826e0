// Followers' side of replication (Kafka's ReplicaFetcherThread, one per leader broker): a loop of
// Fetch requests carrying this broker's ReplicaState, one partition entry per partition this broker
// follows from that leader, each from its log end with the epoch of its last batch. The leader
// long-polls (replica.fetch.wait.max.ms), so the loop never spins. Records are appended with the
// leader's offsets and epochs; a diverging epoch in the answer (KIP-320's check, Fetch v12+)
// truncates the log to where it agrees with the leader; the leader's high watermark becomes the
// follower's, up to its own log end. Follower throttling (Kafka's shouldFollowerThrottle): a
// throttled partition not caught up with the leader's high watermark is left out of the fetch while
// the follower quota is exceeded; every throttled partition's fetched bytes are recorded.
import { log } from '../log.js';
import type { NodeClient, NodeEndpoint } from '../network/node-client.js';
import { ErrorCode } from '../protocol/errors.js';
import { FetchRequest, type FetchRequestFetchTopic } from '../protocol/generated/fetch-request.js';
import { FetchResponse, type FetchResponsePartitionData } from '../protocol/generated/fetch-response.js';
import type { PartitionLog } from '../storage/types.js';
import type { Partition } from './partition.js';
import type { ReplicationQuota } from './replication-quota.js';

/** What Kafka 4.4's replica fetcher sends (v18's high watermark is for KRaft followers only). */
const FETCH_VERSION = 17;
/**
 * First retry after the leader answered that it does not lead in the epoch our metadata names yet
 * (it replays the same record moments after us), doubling up to replica.fetch.backoff.ms: waiting
 * the whole backoff held acks=all produces to a newly elected leader for a second after a failover.
 */
const LEADER_BEHIND_RETRY_MS = 25;

export interface ReplicaFetcherSettings {
  /** replica.fetch.wait.max.ms */
  maxWaitMs: number;
  /** replica.fetch.min.bytes */
  minBytes: number;
  /** replica.fetch.response.max.bytes */
  maxBytes: number;
  /** replica.fetch.max.bytes */
  partitionMaxBytes: number;
  /** replica.fetch.backoff.ms */
  backoffMs: number;
  /** How long a fetch may go unanswered beyond its wait (replica.socket.timeout.ms). */
  requestTimeoutMs: number;
}

export interface ReplicaFetcherHost {
  readonly nodeId: number;
  brokerEpoch(): number;
  /** The leader's inter-broker listener endpoint from the image, or null while unknown. */
  endpoint(brokerId: number): NodeEndpoint | null;
}

/** One partition followed: its state object changes identity when the leadership changes. */
interface Followed {
  partition: Partition;
  leaderEpoch: number;
  /** Skipped until then after an error. */
  delayedUntil: number;
  /** Answers in a row from a leader that had not yet taken the leadership we follow it in. */
  leaderBehind?: number;
  /** How far behind the leader's high watermark the last fetch left it (null: unknown); 0 is in sync (Kafka's lag). */
  lag: number | null;
}

class ReplicaFetcher {
  readonly partitions = new Map<string, Followed>();
  private running = false;
  private closed = false;
  private wake: (() => void) | null = null;
  /** A partition was added since the last fetch was built: fetch again at once (Kafka signals its fetcher thread). */
  private added = false;

  constructor(
    readonly leaderId: number,
    private readonly client: NodeClient,
    private readonly host: ReplicaFetcherHost,
    private readonly s: ReplicaFetcherSettings,
    private readonly quota: ReplicationQuota | null,
  ) {}

  add(p: Partition): void {
    this.partitions.set(p.key, { partition: p, leaderEpoch: p.leaderEpoch, delayedUntil: 0, lag: null });
    this.added = true;
    if (!this.running) void this.run();
    else this.wake?.();
  }

  remove(key: string): void {
    this.partitions.delete(key);
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed && this.partitions.size > 0) {
        this.added = false;
        const progressed = await this.fetchOnce().catch((e) => {
          log.debug(`replica fetch from broker ${this.leaderId} failed: ${(e as Error)?.message ?? e}`);
          return false;
        });
        if (!progressed && !this.closed && !this.added) await this.sleep(this.retryInMs());
      }
    } finally {
      this.running = false;
    }
  }

  /** One Fetch round trip; false when nothing could be fetched (the caller backs off). */
  private async fetchOnce(): Promise<boolean> {
    const endpoint = this.host.endpoint(this.leaderId);
    if (!endpoint) return false;
    this.client.setEndpoint(this.leaderId, endpoint);
    const now = Date.now();
    const sent = new Map<string, { f: Followed; fetchOffset: number }>();
    const topics = new Map<string, FetchRequestFetchTopic>();
    const q = this.quota?.throttlesAny ? this.quota : null;
    for (const f of this.partitions.values()) {
      if (f.delayedUntil > now) continue;
      const p = f.partition;
      const l = p.log;
      if (q && f.lag !== 0 && q.isThrottled(l.topic, l.partition) && q.isQuotaExceeded(now)) continue;
      let t = topics.get(p.topicId);
      if (!t) topics.set(p.topicId, (t = { topicId: p.topicId, partitions: [] }));
      t.partitions.push({
        partition: l.partition,
        currentLeaderEpoch: f.leaderEpoch,
        fetchOffset: l.logEndOffset,
        lastFetchedEpoch: lastFetchedEpoch(l),
        logStartOffset: l.logStartOffset,
        partitionMaxBytes: this.s.partitionMaxBytes,
      });
      sent.set(`${p.topicId}:${l.partition}`, { f, fetchOffset: l.logEndOffset });
    }
    if (sent.size === 0) return false;
    const req: FetchRequest = {
      clusterId: null,
      replicaState: { replicaId: this.host.nodeId, replicaEpoch: this.host.brokerEpoch() },
      maxWaitMs: this.s.maxWaitMs,
      minBytes: this.s.minBytes,
      maxBytes: this.s.maxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...topics.values()],
      forgottenTopicsData: [],
      rackId: '',
    };
    const res = await this.client.send(this.leaderId, FetchRequest, FetchResponse, FETCH_VERSION, req, this.s.maxWaitMs + this.s.requestTimeoutMs);
    if (res.errorCode !== undefined && res.errorCode !== ErrorCode.NONE) {
      log.debug(`replica fetch from broker ${this.leaderId}: error ${res.errorCode}`);
      return false;
    }
    let ok = false;
    for (const t of res.responses) {
      for (const d of t.partitions) {
        const s = sent.get(`${t.topicId}:${d.partitionIndex}`);
        // Still followed from this leader in this epoch, and the log not moved meanwhile.
        if (!s || this.partitions.get(s.f.partition.key) !== s.f || s.f.partition.log.logEndOffset !== s.fetchOffset) continue;
        if (await this.processPartition(s.f, s.fetchOffset, d)) {
          ok = true;
          s.f.leaderBehind = 0;
        } else s.f.delayedUntil = Date.now() + this.backoffFor(s.f, d.errorCode);
      }
    }
    return ok;
  }

  /**
   * How long a partition waits after an error: replica.fetch.backoff.ms, but soon again when the
   * leader our metadata (still) names says it is not the leader or does not know our epoch yet.
   */
  private backoffFor(f: Followed, errorCode: number): number {
    if (errorCode !== ErrorCode.NOT_LEADER_OR_FOLLOWER && errorCode !== ErrorCode.UNKNOWN_LEADER_EPOCH) return this.s.backoffMs;
    const n = f.leaderBehind ?? 0;
    f.leaderBehind = n + 1;
    return Math.min(this.s.backoffMs, LEADER_BEHIND_RETRY_MS * 2 ** n);
  }

  /** Until the first partition delayed by an error may be fetched again; replica.fetch.backoff.ms when none is. */
  private retryInMs(): number {
    const now = Date.now();
    let ms = this.s.backoffMs;
    for (const f of this.partitions.values()) if (f.delayedUntil > now) ms = Math.min(ms, f.delayedUntil - now);
    return ms;
  }

  /** Applies one partition's answer; false on an error the partition backs off from. */
  private async processPartition(f: Followed, fetchOffset: number, d: FetchResponsePartitionData): Promise<boolean> {
    const l = f.partition.log;
    switch (d.errorCode) {
      case ErrorCode.NONE: {
        const div = d.divergingEpoch;
        if (div && div.epoch >= 0 && div.endOffset >= 0) {
          const to = truncationOffset(f.partition, div.epoch, div.endOffset);
          // Nothing to cut: the same answer would come again at once; back off instead of spinning.
          if (to >= l.logEndOffset) return false;
          log.info(`${f.partition.key}: truncating to ${to} (log end ${l.logEndOffset}): leader ${this.leaderId} ends epoch ${div.epoch} at ${div.endOffset}`);
          await l.truncateTo(to);
          return true;
        }
        const records = Array.isArray(d.records) ? Buffer.concat(d.records) : d.records;
        const bytes = records?.length ?? 0;
        if (bytes > 0) await l.appendAsFollower(records!);
        // In-sync and out-of-sync replicas' traffic alike counts against the quota.
        if (bytes > 0 && this.quota?.throttlesAny && this.quota.isThrottled(l.topic, l.partition)) this.quota.record(bytes);
        if (bytes > 0 || f.lag === null) f.lag = Math.max(0, d.highWatermark - l.logEndOffset);
        // The leader's high watermark, as far as this log reaches; never backwards.
        const hw = Math.min(d.highWatermark, l.logEndOffset);
        if (hw > l.highWatermark) l.updateHighWatermark(hw);
        return true;
      }
      case ErrorCode.OFFSET_OUT_OF_RANGE: {
        // Below the leader's log start (its retention moved on): start over from there.
        const start = d.logStartOffset ?? -1;
        if (start < 0) return false;
        log.info(`${f.partition.key}: fetch offset ${fetchOffset} out of range on leader ${this.leaderId} (log start ${start}); starting over at ${start}`);
        await l.truncateFullyAndStartAt(start);
        return true;
      }
      default:
        // Fenced or unknown epoch, not the leader: the metadata will tell who leads now.
        log.debug(`${f.partition.key}: fetch from leader ${this.leaderId} answered error ${d.errorCode}`);
        return false;
    }
  }
}

/**
 * The epoch of the log's last batch (Kafka's lastFetchedEpoch). A leadership that ended before
 * appending anything leaves its epoch at the log end with no batch in it: skipped, or the leader
 * would keep naming a divergence the follower has nothing to cut for.
 */
export function lastFetchedEpoch(l: PartitionLog): number {
  // An empty log has fetched no batch; otherwise some epoch holds the last one (a few steps back at most).
  if (l.logEndOffset <= l.logStartOffset) return -1;
  let epoch = l.leaderEpoch;
  for (let steps = 0; epoch >= 0 && steps < 64; steps++) {
    // The epoch before this one, and where this one starts.
    const prev = l.endOffsetForEpoch(epoch - 1);
    if (!prev || prev.leaderEpoch < 0 || prev.endOffset < l.logEndOffset) return epoch;
    epoch = prev.leaderEpoch;
  }
  return epoch;
}

/**
 * Where the follower's log agrees with the leader's, given the leader's end offset of `epoch`
 * (the largest epoch it has at or below the follower's last one): Kafka's rule, the smaller of
 * the two logs' end offsets for that epoch.
 */
export function truncationOffset(p: Partition, epoch: number, leaderEndOffset: number): number {
  const local = p.log.endOffsetForEpoch(epoch);
  if (!local) return Math.min(leaderEndOffset, p.log.highWatermark);
  return Math.min(leaderEndOffset, local.endOffset);
}

/** Kafka's ReplicaFetcherManager: one fetcher per leader broker. */
export class ReplicaFetcherManager {
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  /** Partition key -> the leader it is fetched from. */
  private readonly leaders = new Map<string, number>();

  constructor(
    private readonly client: NodeClient,
    private readonly host: ReplicaFetcherHost,
    private readonly settings: ReplicaFetcherSettings,
    /** The follower replication quota (null: never throttled). */
    private readonly quota: ReplicationQuota | null = null,
  ) {}

  /** Fetches `p` from its leader (in its current epoch) from now on. */
  add(p: Partition): void {
    this.remove(p.key);
    let f = this.fetchers.get(p.leaderId);
    if (!f) this.fetchers.set(p.leaderId, (f = new ReplicaFetcher(p.leaderId, this.client, this.host, this.settings, this.quota)));
    f.add(p);
    this.leaders.set(p.key, p.leaderId);
  }

  remove(key: string): void {
    const leader = this.leaders.get(key);
    if (leader === undefined) return;
    this.leaders.delete(key);
    this.fetchers.get(leader)?.remove(key);
  }

  /** Partitions followed now (tests, logs). */
  get size(): number {
    return this.leaders.size;
  }

  close(): void {
    for (const f of this.fetchers.values()) f.close();
    this.fetchers.clear();
    this.leaders.clear();
  }
}
