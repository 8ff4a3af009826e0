// Fetch (key 1), v4-18. Fetch sessions (KIP-227, fetch/): a full fetch opens a session when the
// cache has room, an incremental one fetches all of its session's partitions and answers only those
// with something new; session errors answer with no partitions. Long-polls: when fewer than min_bytes
// are available it waits for an append to any fetched partition (all of a session's) or for
// max_wait_ms, with no polling. Honours the response max_bytes (capped by fetch.max.bytes) and each
// partition's max bytes, and returns at least one whole batch from the first partition with data
// (KIP-74). Partitions of unknown topics are answered after the others, as Kafka does. v18's
// per-partition HighWatermark is for KRaft followers (KIP-1166); a broker's partitions ignore it.
// From v11 (KIP-392) a leader with replica.selector.class set may name a consumer's preferred read
// replica instead of records, answered at once.
import { FetchRequest } from '../protocol/generated/fetch-request.js';
import { FetchResponse } from '../protocol/generated/fetch-response.js';
import { ErrorCode } from '../protocol/errors.js';
import type { BrokerContext } from './context.js';
import { defineHandler } from './handler.js';
import { fetchQuota } from '../quota/throttled-handlers.js';
import { completeContext, contextPartitions, newContext, type FetchContext, type ResponsePartition } from './fetch/context.js';
import { readPartitions, releaseAll } from './fetch/read.js';
import { fetchData, forgotten, resolvePartition, topicLookup, type FollowerReplica, type ResolvedPartition } from './fetch/request.js';
import { buildResponse, type Answered } from './fetch/response.js';
import { FetchSessionCache } from './fetch/session-cache.js';
import { nextEpoch, type CachedPartition, type FetchPartition } from './fetch/session.js';

const READ_COMMITTED = 1;

/** Each broker's fetch sessions. */
const caches = new WeakMap<BrokerContext, FetchSessionCache>();

function sessionCache(broker: BrokerContext): FetchSessionCache {
  let cache = caches.get(broker);
  if (!cache) {
    cache = new FetchSessionCache(broker.config.number('max.incremental.fetch.session.cache.slots'));
    caches.set(broker, cache);
  }
  return cache;
}

export default defineHandler<FetchRequest, FetchResponse>({
  apiKey: 1,
  minVersion: 4,
  maxVersion: 18,
  request: FetchRequest,
  response: FetchResponse,
  async handle(ctx, req) {
    const t0 = process.hrtime.bigint();
    const usesTopicIds = ctx.apiVersion >= 13;
    const cache = sessionCache(ctx.broker);
    const replicaId = ctx.apiVersion >= 15 ? (req.replicaState?.replicaId ?? -1) : (req.replicaId ?? -1);
    const metadata = { sessionId: req.sessionId ?? 0, epoch: req.sessionEpoch ?? -1, usesTopicIds, privileged: replicaId >= 0 };
    const context = newContext(cache, Date.now(), metadata, fetchData(ctx, req, usesTopicIds), forgotten(req, usesTopicIds));

    const keys: string[] = [];
    const partitions: FetchPartition[] = [];
    const wanted: ResolvedPartition[] = [];
    let readable = 0;
    const topics = topicLookup(ctx.broker);
    // A follower's fetch (cluster mode): recorded by the replica layer, read up to the log end.
    const follower: FollowerReplica | undefined = replicaId >= 0 && ctx.broker.replicas ? { replicaId, brokerEpoch: req.replicaState?.replicaEpoch ?? -1 } : undefined;
    for (const [key, p] of contextPartitions(context)) {
      const w = resolvePartition(ctx, topics, p, usesTopicIds, follower, req.rackId ?? '');
      keys.push(key);
      partitions.push(p);
      wanted.push(w);
      if (w.log) readable++;
    }
    const session = context.kind === 'incremental';
    // A consumer's max bytes are capped by what its byte-rate quota allows in one window (Kafka's getMaxValueInQuotaWindow).
    const quota = fetchQuota(ctx, replicaId >= 0);
    const maxBytes = quota.maxBytes(Math.min(req.maxBytes ?? 0x7fffffff, ctx.broker.config.number('fetch.max.bytes')));
    const minBytes = Math.min(req.minBytes, maxBytes);
    const setupNanos = process.hrtime.bigint() - t0;
    const readCommitted = req.isolationLevel === READ_COMMITTED;
    const deadline = Date.now() + req.maxWaitMs;
    /** Per partition, the high watermark the last reads saw (what a wait must see move). */
    const seen: number[] = new Array(wanted.length).fill(-1);
    for (;;) {
      // Kafka reads only partitions whose topic exists (the others are answered after them); a
      // session's partitions with nothing to read and nothing new would be left out: skip them.
      const active: number[] = [];
      for (let i = 0; i < wanted.length; i++) {
        const w = wanted[i];
        if (w.erroneous) continue;
        if (session && quiet(partitions[i] as CachedPartition, w)) seen[i] = w.fetchOffset;
        else active.push(i);
      }
      const reads = await readPartitions(
        active.map((i) => wanted[i]),
        maxBytes,
        readCommitted,
      );
      let bytes = 0;
      let failed = false;
      for (let j = 0; j < reads.length; j++) {
        const r = reads[j];
        bytes += r.size;
        // A diverging epoch or a preferred read replica is answered at once, as an error would be.
        if (r.errorCode !== ErrorCode.NONE || r.data.divergingEpoch || (r.data.preferredReadReplica ?? -1) >= 0) failed = true;
        seen[active[j]] = r.data.highWatermark;
      }
      const remaining = deadline - Date.now();
      if (bytes >= minBytes || failed || remaining <= 0 || readable === 0) {
        const releases = reads.flatMap((r) => (r.release ? [r.release] : []));
        // Over a quota: Kafka answers with no data and throttle_time_ms (the records read are not sent).
        const throttleMs = quota.throttleMs(bytes, setupNanos);
        if (throttleMs > 0) {
          releaseAll(releases);
          return throttledResponse(context, throttleMs);
        }
        if (releases.length > 0) ctx.afterResponse(() => releaseAll(releases));
        const parts: ResponsePartition<Answered>[] = [];
        for (let j = 0; j < active.length; j++) {
          const i = active[j];
          parts.push(answered(keys[i], partitions[i], { data: reads[j].data, wanted: wanted[i] }, reads[j].size));
          wanted[i].throttle?.quota.record(reads[j].size);
        }
        for (let i = 0; i < wanted.length; i++) {
          if (wanted[i].erroneous) parts.push(answered(keys[i], partitions[i], { data: erroneousData(partitions[i], wanted[i].errorCode, readCommitted), wanted: wanted[i] }, 0));
        }
        return buildResponse(ctx, usesTopicIds, completeContext(context, cache, Date.now(), parts));
      }
      // Not enough yet: these bytes are read again after the wait.
      releaseAll(reads.flatMap((r) => (r.release ? [r.release] : [])));
      await appendOrTimeout(wanted, seen, remaining);
    }
  },
});

/** A throttled fetch's answer (Kafka's FetchContext.getThrottledResponse): no partitions, no new session. */
function throttledResponse(c: FetchContext, throttleTimeMs: number): FetchResponse {
  const empty = (errorCode: number, sessionId: number): FetchResponse => ({ throttleTimeMs, errorCode, sessionId, responses: [], nodeEndpoints: [] });
  switch (c.kind) {
    case 'error':
      return empty(c.errorCode, 0);
    case 'incremental':
      // Another fetch with this session's next epoch came while this one waited.
      return empty(c.session.epoch !== nextEpoch(c.epoch) ? ErrorCode.INVALID_FETCH_SESSION_EPOCH : ErrorCode.NONE, c.session.id);
    default:
      return empty(ErrorCode.NONE, 0);
  }
}

/**
 * Waits for an append to any of the fetched partitions, or `ms`. Listens only now, when a wait is
 * needed (most fetches answer at once), so it first checks that no high watermark moved since the
 * reads saw it: an append made while they ran ends the wait at once.
 */
async function appendOrTimeout(wanted: readonly ResolvedPartition[], seen: readonly number[], ms: number): Promise<void> {
  let wake!: () => void;
  const appended = new Promise<void>((r) => (wake = r));
  const unsubscribe: (() => void)[] = [];
  let moved = false;
  for (let i = 0; i < wanted.length; i++) {
    const l = wanted[i].log;
    if (!l || wanted[i].erroneous) continue;
    unsubscribe.push(l.onAppend(wake));
    if (l.highWatermark !== seen[i]) moved = true;
    // A follower waits for records past its fetch offset, which may have come since its read
    // (unless the leader's replication throttle held them back).
    if (wanted[i].isolation === 'logEnd' && l.logEndOffset > wanted[i].fetchOffset && !wanted[i].throttle?.outOfSync) moved = true;
  }
  const timer = moved ? undefined : setTimeout(wake, ms);
  try {
    if (!moved) await appended;
  } finally {
    clearTimeout(timer);
    for (const u of unsubscribe) u();
  }
}

/**
 * A session partition at its high watermark whose high watermark and log start offset the client
 * already has, with no error and no preferred read replica to name: Kafka would read nothing and
 * leave it out of the response.
 */
function quiet(cached: CachedPartition, w: ResolvedPartition): boolean {
  const l = w.log;
  return (
    l !== undefined &&
    w.errorCode === ErrorCode.NONE &&
    w.preferredReadReplica === undefined &&
    w.fetchOffset === l.highWatermark &&
    cached.highWatermark === l.highWatermark &&
    cached.localLogStartOffset === l.logStartOffset
  );
}

function answered(key: string, p: FetchPartition, a: Answered, size: number): ResponsePartition<Answered> {
  const d = a.data;
  return {
    key,
    partition: p,
    data: a,
    recordsSize: size,
    errorCode: d.errorCode,
    highWatermark: d.highWatermark,
    logStartOffset: d.logStartOffset ?? -1,
    preferredReadReplica: d.preferredReadReplica ?? -1,
    divergingEpoch: d.divergingEpoch !== undefined,
  };
}

/** Kafka's answer for a partition it did not read: the error and -1 offsets. */
function erroneousData(p: FetchPartition, errorCode: number, readCommitted: boolean): Answered['data'] {
  return {
    partitionIndex: p.partition,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: readCommitted ? [] : null,
    preferredReadReplica: -1,
    records: [],
  };
}
