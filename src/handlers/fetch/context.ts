// Which kind of fetch a request is, and what its response keeps (Kafka's FetchManager and
// FetchContexts): a full fetch (epoch 0) opens a session when the cache has room, epoch -1 is
// sessionless and closes the session it names, an incremental fetch (epoch > 0) updates its session
// and its response leaves out partitions with nothing new; a session error answers with no partitions.
import { ErrorCode } from '../../protocol/errors.js';
import type { FetchSessionCache } from './session-cache.js';
import {
  FINAL_EPOCH,
  INITIAL_EPOCH,
  INVALID_SESSION_ID,
  mustRespond,
  nextEpoch,
  type CachedPartition,
  type FetchPartition,
  type FetchSession,
  type RespondedPartition,
} from './session.js';

export type FetchContext =
  | { kind: 'error'; errorCode: number }
  | { kind: 'sessionless'; fetchData: Map<string, FetchPartition> }
  | { kind: 'full'; fetchData: Map<string, FetchPartition>; usesTopicIds: boolean; privileged: boolean }
  | { kind: 'incremental'; session: FetchSession; epoch: number };

export interface FetchRequestMetadata {
  sessionId: number;
  epoch: number;
  /** v13+: partitions are named by topic id, and so are a session's. */
  usesTopicIds: boolean;
  /** From a follower (replica id >= 0): its sessions outrank consumers' when the cache is full. */
  privileged: boolean;
}

export function newContext(cache: FetchSessionCache, now: number, m: FetchRequestMetadata, fetchData: Map<string, FetchPartition>, toForget: string[]): FetchContext {
  if (m.epoch === INITIAL_EPOCH || m.epoch === FINAL_EPOCH) {
    // A full fetch closes the session it names.
    if (m.sessionId !== INVALID_SESSION_ID) cache.remove(m.sessionId);
    if (m.epoch === FINAL_EPOCH) return { kind: 'sessionless', fetchData };
    return { kind: 'full', fetchData, usesTopicIds: m.usesTopicIds, privileged: m.privileged };
  }
  const shard = cache.shardOf(m.sessionId);
  const session = shard?.get(m.sessionId);
  if (!shard || !session) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
  if (session.epoch !== m.epoch) return { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
  if (session.usesTopicIds !== m.usesTopicIds) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR };
  session.update(fetchData, toForget);
  if (session.size === 0) {
    shard.remove(session.id);
    return { kind: 'sessionless', fetchData };
  }
  shard.touch(session, now);
  session.epoch = nextEpoch(session.epoch);
  return { kind: 'incremental', session, epoch: m.epoch };
}

/** The partitions a context fetches, with their keys, in order: the request's, or all of its session's. */
export function contextPartitions(c: FetchContext): Iterable<[string, FetchPartition]> {
  switch (c.kind) {
    case 'error':
      return [];
    case 'incremental':
      return c.session.partitions.entries();
    default:
      return c.fetchData.entries();
  }
}

/** One partition of the response being built, before the context decides what goes out. */
export interface ResponsePartition<D> extends RespondedPartition {
  key: string;
  partition: FetchPartition;
  data: D;
}

export interface ContextResponse<D> {
  errorCode: number;
  sessionId: number;
  partitions: ResponsePartition<D>[];
}

/**
 * The response's session id and partitions: a full fetch's session is created now, holding every
 * partition answered; an incremental fetch keeps the partitions Kafka's "changed" rule keeps and
 * moves those that returned records behind the others.
 */
export function completeContext<D>(c: FetchContext, cache: FetchSessionCache, now: number, parts: ResponsePartition<D>[]): ContextResponse<D> {
  switch (c.kind) {
    case 'error':
      return { errorCode: c.errorCode, sessionId: INVALID_SESSION_ID, partitions: [] };
    case 'sessionless':
      return { errorCode: ErrorCode.NONE, sessionId: INVALID_SESSION_ID, partitions: parts };
    case 'full': {
      const sessionId = cache.nextShard().maybeCreateSession(now, c.privileged, parts.length, c.usesTopicIds, () => {
        const map = new Map<string, CachedPartition>();
        for (const p of parts) map.set(p.key, { ...p.partition, highWatermark: p.highWatermark, localLogStartOffset: p.logStartOffset });
        return map;
      });
      return { errorCode: ErrorCode.NONE, sessionId, partitions: parts };
    }
    case 'incremental': {
      const s = c.session;
      // Another fetch with this session's next epoch came while this one waited.
      if (s.epoch !== nextEpoch(c.epoch)) return { errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: s.id, partitions: [] };
      const kept: ResponsePartition<D>[] = [];
      for (const p of parts) {
        const cached = s.partitions.get(p.key);
        if (!cached) continue;
        if (!mustRespond(cached, p, true)) continue;
        kept.push(p);
        if (p.recordsSize > 0) s.moveToEnd(p.key);
      }
      return { errorCode: ErrorCode.NONE, sessionId: s.id, partitions: kept };
    }
  }
}
