// The broker's fetch sessions, kept as Kafka keeps them: max.incremental.fetch.session.cache.slots
// split evenly over 8 shards (new sessions go to the shards in turn, each shard owning an eighth of
// the positive ids), and a full shard makes room only by evicting a session that has gone unused for
// 2 minutes or one worth less than the new one (unprivileged before privileged, then fewer partitions).
// Sans-IO: every call takes the time.
import { FetchSession, INVALID_SESSION_ID, type CachedPartition } from './session.js';

/** Kafka's NumFetchSessionCacheShards. */
export const FETCH_SESSION_CACHE_SHARDS = 8;
/** Kafka's MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS: unused this long, a session is stale. */
export const FETCH_SESSION_EVICTION_MS = 120_000;

const MAX_INT = 0x7fffffff;

export class FetchSessionCacheShard {
  private readonly sessions = new Map<number, FetchSession>();

  constructor(
    /** Sessions this shard keeps. */
    readonly maxEntries: number,
    readonly evictionMs: number,
    /** Ids this shard hands out: [max(1, shardNum * idRange), (shardNum + 1) * idRange). */
    readonly idRange: number = MAX_INT,
    readonly shardNum = 0,
    private readonly random: () => number = Math.random,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: number): FetchSession | undefined {
    return this.sessions.get(id);
  }

  /**
   * A new session holding `partitions` with epoch 1, or INVALID_SESSION_ID when the shard is full
   * and no session may be evicted for it.
   */
  maybeCreateSession(now: number, privileged: boolean, size: number, usesTopicIds: boolean, partitions: () => Map<string, CachedPartition>): number {
    if (this.sessions.size >= this.maxEntries && !this.tryEvict(privileged, size, now)) return INVALID_SESSION_ID;
    const session = new FetchSession(this.newSessionId(), privileged, usesTopicIds, now, partitions());
    this.sessions.set(session.id, session);
    this.touch(session, now);
    return session.id;
  }

  remove(id: number): FetchSession | undefined {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    this.sessions.delete(id);
    session.cachedSize = -1;
    return session;
  }

  /** Marks the session used now and re-ranks it for eviction by its current size and age. */
  touch(session: FetchSession, now: number): void {
    session.lastUsedMs = now;
    session.cachedSize = session.size;
    const old = now - session.creationMs > this.evictionMs;
    session.evictableByPrivileged = !session.privileged || old;
    session.evictableByAll = old;
  }

  private newSessionId(): number {
    const low = Math.max(1, this.shardNum * this.idRange);
    const high = (this.shardNum + 1) * this.idRange;
    for (;;) {
      const id = low + Math.floor(this.random() * (high - low));
      if (id !== INVALID_SESSION_ID && !this.sessions.has(id)) return id;
    }
  }

  /**
   * Makes room for a new session of `size` partitions: evicts the least recently used session if
   * it is stale; otherwise the least valuable evictable one (ranked unprivileged first, then by
   * size, then by id) if the new session ranks above it. Linear scans: a shard holds few sessions
   * and this runs only when it is full.
   */
  private tryEvict(privileged: boolean, size: number, now: number): boolean {
    let lru: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (lru === undefined || s.lastUsedMs < lru.lastUsedMs || (s.lastUsedMs === lru.lastUsedMs && s.id < lru.id)) lru = s;
    }
    if (lru === undefined) return false;
    if (now - lru.lastUsedMs > this.evictionMs) {
      this.remove(lru.id);
      return true;
    }
    let least: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (!(privileged ? s.evictableByPrivileged : s.evictableByAll)) continue;
      if (least === undefined || compareEvictable(s.privileged, s.cachedSize, s.id, least.privileged, least.cachedSize, least.id) < 0) least = s;
    }
    // The new session's key has id 0, so it ranks below any session of its own rank and size.
    if (least === undefined || compareEvictable(privileged, size, 0, least.privileged, least.cachedSize, least.id) < 0) return false;
    this.remove(least.id);
    return true;
  }
}

function compareEvictable(aPriv: boolean, aSize: number, aId: number, bPriv: boolean, bSize: number, bId: number): number {
  if (aPriv !== bPriv) return aPriv ? 1 : -1;
  if (aSize !== bSize) return aSize < bSize ? -1 : 1;
  return aId === bId ? 0 : aId < bId ? -1 : 1;
}

/** The shards; a session id names its shard. */
export class FetchSessionCache {
  readonly shards: FetchSessionCacheShard[];
  private counter = 0;

  constructor(maxSlots: number, evictionMs = FETCH_SESSION_EVICTION_MS, shardCount = FETCH_SESSION_CACHE_SHARDS, random: () => number = Math.random) {
    const idRange = Math.floor(MAX_INT / shardCount);
    this.shards = [];
    for (let i = 0; i < shardCount; i++) this.shards.push(new FetchSessionCacheShard(Math.floor(maxSlots / shardCount), evictionMs, idRange, i, random));
  }

  /** The shard owning `id`, or undefined for ids no shard hands out (negative, or past the last range). */
  shardOf(id: number): FetchSessionCacheShard | undefined {
    if (id <= 0) return undefined;
    return this.shards[Math.floor(id / this.shards[0].idRange)];
  }

  get(id: number): FetchSession | undefined {
    return this.shardOf(id)?.get(id);
  }

  remove(id: number): FetchSession | undefined {
    return this.shardOf(id)?.remove(id);
  }

  /** The shard the next new session goes to: each in turn. */
  nextShard(): FetchSessionCacheShard {
    const shard = this.shards[this.counter % this.shards.length];
    this.counter = (this.counter + 1) % 0x40000000;
    return shard;
  }

  get size(): number {
    let n = 0;
    for (const s of this.shards) n += s.size;
    return n;
  }
}
