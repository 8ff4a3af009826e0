// A fetch session (KIP-227): the partitions a client fetches and what it was last told about each,
// so an incremental fetch names only the partitions whose fetch position changed and its response
// carries only the partitions with something new. Sans-IO: no clock, no sockets, no logs.

/** Session id of a sessionless fetch and of a response that opened no session. */
export const INVALID_SESSION_ID = 0;
/** Epoch of a full fetch that asks for a new session. */
export const INITIAL_EPOCH = 0;
/** Epoch of a full fetch that wants no session (and closes the one it names). */
export const FINAL_EPOCH = -1;

/** The epoch a session expects after `epoch` (wraps to 1: 0 and -1 mean full fetches). */
export function nextEpoch(epoch: number): number {
  if (epoch < 0) return FINAL_EPOCH;
  return epoch === 0x7fffffff ? 1 : epoch + 1;
}

/** One partition as a fetch request names it, its topic resolved (null: an id no topic has). */
export interface FetchPartition {
  topic: string | null;
  topicId: string;
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  currentLeaderEpoch: number;
  /** A follower's epoch of its last batch (v12+), checked against the leader's log (KIP-320). */
  lastFetchedEpoch?: number;
  /** A follower's log start offset (v5+), for the leader's view of it (KIP-392); -1 from consumers. */
  logStartOffset?: number;
}

/** What the response says of a partition, as far as the session's "changed" rule looks. */
export interface RespondedPartition {
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  /** Bytes of records in the response for this partition. */
  recordsSize: number;
  preferredReadReplica: number;
  divergingEpoch: boolean;
}

/** A session's partition: the client's last fetch parameters and what it was last sent. */
export interface CachedPartition extends FetchPartition {
  highWatermark: number;
  localLogStartOffset: number;
}

/** The key of a partition in a session: by topic id in sessions that use ids (v13+), else by name. */
export function partitionKey(usesTopicIds: boolean, p: { topic: string | null; topicId: string; partition: number }): string {
  return `${usesTopicIds ? p.topicId : p.topic}:${p.partition}`;
}

/**
 * Kafka's rule for leaving a session's partition out of an incremental response: it goes in when
 * it has records, a new high watermark or log start offset, an error, a preferred read replica or a
 * diverging epoch. With `update`, the cached values become what this response carries (an error
 * resets the high watermark, so the partition is sent again once the error is gone).
 */
export function mustRespond(cached: CachedPartition, r: RespondedPartition, update: boolean): boolean {
  let must = r.recordsSize > 0;
  if (cached.highWatermark !== r.highWatermark) {
    must = true;
    if (update) cached.highWatermark = r.highWatermark;
  }
  if (cached.localLogStartOffset !== r.logStartOffset) {
    must = true;
    if (update) cached.localLogStartOffset = r.logStartOffset;
  }
  if (r.preferredReadReplica >= 0) must = true;
  if (r.errorCode !== 0) {
    if (update) cached.highWatermark = -1;
    must = true;
  }
  if (r.divergingEpoch) must = true;
  return must;
}

export class FetchSession {
  /** In the order partitions are fetched; one that returned records moves to the end (fairness). */
  readonly partitions: Map<string, CachedPartition>;
  lastUsedMs: number;
  epoch: number;
  /** Partition count when the cache last looked (-1: not in a cache); eviction compares these. */
  cachedSize = -1;
  /** Whether, at the last touch, the session could be evicted by any new session / by privileged ones. */
  evictableByAll = false;
  evictableByPrivileged = false;

  constructor(
    readonly id: number,
    readonly privileged: boolean,
    readonly usesTopicIds: boolean,
    readonly creationMs: number,
    partitions: Map<string, CachedPartition>,
  ) {
    this.partitions = partitions;
    this.lastUsedMs = creationMs;
    this.epoch = nextEpoch(INITIAL_EPOCH);
  }

  get size(): number {
    return this.partitions.size;
  }

  /**
   * An incremental fetch's changes: listed partitions are added or take the new fetch parameters
   * (the response values cached for them are kept), then forgotten ones are removed; forgetting a
   * partition the session does not have is no error.
   */
  update(fetchData: ReadonlyMap<string, FetchPartition>, toForget: readonly string[]): void {
    for (const [key, p] of fetchData) {
      const cached = this.partitions.get(key);
      if (cached === undefined) {
        this.partitions.set(key, { ...p, highWatermark: -1, localLogStartOffset: -1 });
      } else {
        cached.fetchOffset = p.fetchOffset;
        cached.maxBytes = p.maxBytes;
        cached.currentLeaderEpoch = p.currentLeaderEpoch;
        if (cached.topic === null) cached.topic = p.topic;
      }
    }
    for (const key of toForget) this.partitions.delete(key);
  }

  /** Moves a partition that returned records behind the others, so the next fetches start elsewhere. */
  moveToEnd(key: string): void {
    const cached = this.partitions.get(key);
    if (cached === undefined) return;
    this.partitions.delete(key);
    this.partitions.set(key, cached);
  }
}
