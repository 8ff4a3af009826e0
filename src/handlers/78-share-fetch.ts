// ShareFetch (key 78), v1-2 (KIP-932; v2: ShareAcquireMode and RENEW, KIP-1206/1222). The share
// session step first (epoch 0 opens, -1 closes, else the next epoch), then the piggybacked
// acknowledgements, then a fetch of every partition of the session: each share partition is read
// from its next fetch offset the way Fetch reads (same read path, pooled buffers released after the
// response) and what was read is acquired for the member, at most MaxRecords over the request.
// Fewer than MinBytes readable: waits for an append, a release or a lock timeout, or MaxWaitMs.
import { ShareFetchRequest } from '../protocol/generated/share-fetch-request.js';
import { ShareFetchResponse, type ShareFetchResponsePartitionData } from '../protocol/generated/share-fetch-response.js';
import { ErrorCode, errorMessage } from '../protocol/errors.js';
import { ShareError, type SharePartition } from '../share/share-partition.js';
import type { SessionPartition } from '../share/share-session-cache.js';
import type { ShareOperations } from './context.js';
import { defineHandler } from './handler.js';
import { readPartitions, releaseAll, type PartitionRead, type Wanted } from './fetch/read.js';
import { leaderHints, resetOffsetOf, resolveSharePartition, type ResolvedSharePartition } from './share/partitions.js';
import { acknowledgeOne } from './share/acknowledge.js';
import { abortedRanges, acquiredBatches, fetchedBatches } from './share/records.js';
import { groupDenied, Op, topicIdAuthorized } from './authorize.js';

type PartitionData = ShareFetchResponsePartitionData;

function topLevel(errorCode: number, message: string | null): ShareFetchResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage: message, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] };
}

function emptyPartition(partition: number, errorCode = ErrorCode.NONE, message: string | null = null): PartitionData {
  return {
    partitionIndex: partition,
    errorCode,
    errorMessage: message,
    acknowledgeErrorCode: ErrorCode.NONE,
    acknowledgeErrorMessage: null,
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    records: [],
    acquiredRecords: [],
  };
}

/** A session partition being fetched. */
interface Fetching {
  resolved: ResolvedSharePartition;
  share: SharePartition | undefined;
  data: PartitionData;
}

export default defineHandler<ShareFetchRequest, ShareFetchResponse>({
  apiKey: 78,
  minVersion: 1,
  maxVersion: 2,
  request: ShareFetchRequest,
  response: ShareFetchResponse,
  async handle(ctx, req) {
    const shares = ctx.broker.shares;
    if (!shares || (ctx.broker.image.features.finalized.get('share.version') ?? 0) < 1) return topLevel(ErrorCode.UNSUPPORTED_VERSION, errorMessage(ErrorCode.UNSUPPORTED_VERSION));
    const groupId = req.groupId;
    const memberId = req.memberId;
    if (!groupId) return topLevel(ErrorCode.INVALID_REQUEST, 'Invalid group id in the request.');
    if (!memberId) return topLevel(ErrorCode.INVALID_REQUEST, 'Invalid member id in the request.');
    // Kafka's KafkaApis: READ on the group for the whole request, READ on each topic for its partitions.
    if (groupDenied(ctx, Op.READ, groupId)) return topLevel(ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage(ErrorCode.GROUP_AUTHORIZATION_FAILED));
    const readable = (topicId: string) => topicIdAuthorized(ctx, Op.READ, topicId);

    const named: SessionPartition[] = [];
    const acks = new Map<string, { topicId: string; partition: number; batches: ShareFetchRequest['topics'][number]['partitions'][number]['acknowledgementBatches'] }>();
    for (const t of req.topics) {
      for (const p of t.partitions) {
        named.push({ topicId: t.topicId, partition: p.partitionIndex });
        if (p.acknowledgementBatches.length > 0) acks.set(`${t.topicId}:${p.partitionIndex}`, { topicId: t.topicId, partition: p.partitionIndex, batches: p.acknowledgementBatches });
      }
    }
    const namedKeys = new Set(named.map((p) => `${p.topicId}:${p.partition}`));
    const forgotten = req.forgottenTopicsData.flatMap((t) => t.partitions.map((partition) => ({ topicId: t.topicId, partition })));
    let context;
    try {
      context = shares.sessions.fetchContext(groupId, memberId, req.shareSessionEpoch, named, forgotten, acks.size > 0);
    } catch (e) {
      if (!(e instanceof ShareError)) throw e;
      // Kafka answers a full session cache only after MaxWaitMs (an idle fetch), so clients do not spin.
      if (e.errorCode === ErrorCode.SHARE_SESSION_LIMIT_REACHED) await sleep(req.maxWaitMs);
      return topLevel(e.errorCode, e.message);
    }
    if (context.kind === 'session' && context.full && ctx.onConnectionClose) {
      // Kafka 4.4 ends a share session with the connection that opened it, releasing its records.
      const session = context.session;
      session.detach = ctx.onConnectionClose(() => void shares.connectionClosed(session));
    }
    const settings = shares.settings(groupId);
    const renew = ctx.apiVersion >= 2 && req.isRenewAck === true;
    const hints = leaderHints(ctx);
    const out = new Map<string, { topicId: string; data: PartitionData }>();

    // Acknowledgements first: what they release may be acquired by this very fetch.
    await Promise.all(
      [...acks.entries()].map(async ([key, a]) => {
        const data = emptyPartition(a.partition);
        out.set(key, { topicId: a.topicId, data });
        if (!readable(a.topicId)) {
          data.acknowledgeErrorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
          data.acknowledgeErrorMessage = errorMessage(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          return;
        }
        const r = await acknowledgeOne(ctx, shares, groupId, memberId, a.topicId, a.partition, a.batches, renew);
        data.acknowledgeErrorCode = r.errorCode;
        data.acknowledgeErrorMessage = r.errorMessage;
      }),
    );

    if (context.kind === 'final' || renew) {
      if (context.kind === 'final') await shares.releaseSession(groupId, memberId);
      return respond(out, settings.recordLockDurationMs, hints);
    }

    // The session's partitions, resolved and their share partitions loaded.
    const fetching: Fetching[] = [];
    for (const p of context.session.partitions.values()) {
      const key = `${p.topicId}:${p.partition}`;
      const resolved = resolveSharePartition(ctx, p.topicId, p.partition);
      let data = out.get(key)?.data;
      if (!data) {
        data = emptyPartition(p.partition);
        out.set(key, { topicId: p.topicId, data });
      }
      const f: Fetching = { resolved, share: undefined, data };
      fetching.push(f);
      if (!readable(p.topicId)) {
        data.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
        data.errorMessage = errorMessage(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        continue;
      }
      if (resolved.errorCode !== ErrorCode.NONE || !resolved.log) {
        data.errorCode = resolved.errorCode;
        data.errorMessage = errorMessage(resolved.errorCode);
        data.currentLeader = hints.leader(resolved);
        continue;
      }
      try {
        f.share = await shares.partition(groupId, p.topicId, p.partition, resolved.log.leaderEpoch, resetOffsetOf(resolved.log, Date.now));
      } catch (e) {
        const err = e instanceof ShareError ? e : new ShareError(ErrorCode.UNKNOWN_SERVER_ERROR, (e as Error)?.message ?? String(e));
        data.errorCode = err.errorCode;
        data.errorMessage = err.message;
      }
    }

    const reading = fetching.filter((f) => f.share !== undefined);
    const maxBytes = Math.min(req.maxBytes, ctx.broker.config.number('fetch.max.bytes'));
    const minBytes = Math.min(req.minBytes, maxBytes);
    const readCommitted = settings.isolationLevel === 'read_committed';
    const deadline = Date.now() + req.maxWaitMs;
    for (;;) {
      const active: Fetching[] = [];
      const wanted: Wanted[] = [];
      // Kafka's uniform strategy: the response's bytes split evenly over the partitions read.
      const perPartition = reading.length > 0 ? Math.max(1, Math.floor(maxBytes / reading.length)) : maxBytes;
      for (const f of reading) {
        const sp = f.share!;
        const log = f.resolved.log!;
        sp.updateLogStartOffset(log.logStartOffset);
        if (!sp.canAcquireRecords()) continue;
        active.push(f);
        wanted.push({ partition: f.resolved.partition, fetchOffset: sp.nextFetchOffset(), maxBytes: perPartition, log, errorCode: ErrorCode.NONE });
      }
      const reads = await readPartitions(wanted, maxBytes, readCommitted);
      let bytes = 0;
      for (const r of reads) bytes += r.size;
      const remaining = deadline - Date.now();
      // The session ended while this fetch waited (its connection closed): acquire nothing for it.
      if (shares.sessions.get(groupId, memberId) !== context.session) {
        releaseAll(reads.flatMap((r) => (r.release ? [r.release] : [])));
        return respond(out, settings.recordLockDurationMs, hints);
      }
      if (bytes >= minBytes || remaining <= 0) {
        const acquiredAny = acquireAll(active, wanted, reads, memberId, req, ctx.apiVersion, readCommitted);
        if (acquiredAny || remaining <= 0) {
          const releases = reads.flatMap((r) => (r.release ? [r.release] : []));
          if (releases.length > 0) ctx.afterResponse(() => releaseAll(releases));
          for (let j = 0; j < active.length; j++) if (reads[j].errorCode !== ErrorCode.NONE) active[j].data.errorCode = reads[j].errorCode;
          // Incremental: partitions with nothing to say are left out, but never those the request named
          // (just added, or carrying acknowledgements whose results the client waits for).
          return respond(out, settings.recordLockDurationMs, hints, context.full ? undefined : (key, d) => !namedKeys.has(key) && quiet(d));
        }
      }
      releaseAll(reads.flatMap((r) => (r.release ? [r.release] : [])));
      await somethingNew(shares, reading, remaining);
    }
  },
});

/** Acquires what each read returned; true when anything was. */
function acquireAll(active: Fetching[], wanted: Wanted[], reads: PartitionRead[], memberId: string, req: ShareFetchRequest, version: number, readCommitted: boolean): boolean {
  let left = req.maxRecords > 0 ? req.maxRecords : 0x7fffffff;
  const mode = version >= 2 ? (req.shareAcquireMode ?? 0) : 0;
  const batchSize = req.batchSize > 0 ? req.batchSize : left;
  let any = false;
  for (let j = 0; j < active.length && left > 0; j++) {
    const r = reads[j];
    if (r.errorCode !== ErrorCode.NONE) continue;
    const records = r.data.records as Buffer[];
    if (!records || records.length === 0) continue;
    const sp = active[j].share!;
    const got = sp.acquire(memberId, mode, batchSize, left, wanted[j].fetchOffset, fetchedBatches(records));
    if (got.count === 0) continue;
    left -= got.count;
    let acquired = got.acquired;
    // read_committed: records of aborted transactions are archived, never delivered.
    if (readCommitted) acquired = sp.archiveAcquired(memberId, abortedRanges(records, r.data.abortedTransactions), acquired);
    if (acquired.length === 0) continue;
    any = true;
    active[j].data.acquiredRecords = acquired;
    active[j].data.records = acquiredBatches(records, acquired);
  }
  return any;
}

/** Nothing to say: no error, no acknowledgement error, nothing acquired. */
function quiet(d: PartitionData): boolean {
  return d.errorCode === ErrorCode.NONE && d.acknowledgeErrorCode === ErrorCode.NONE && d.acquiredRecords.length === 0;
}

function respond(out: Map<string, { topicId: string; data: PartitionData }>, lockMs: number, hints: ReturnType<typeof leaderHints>, omit?: (key: string, d: PartitionData) => boolean): ShareFetchResponse {
  const topics = new Map<string, PartitionData[]>();
  for (const [key, { topicId, data }] of out) {
    if (omit?.(key, data)) continue;
    let list = topics.get(topicId);
    if (!list) topics.set(topicId, (list = []));
    list.push(data);
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    acquisitionLockTimeoutMs: lockMs,
    responses: [...topics].map(([topicId, partitions]) => ({ topicId, partitions })),
    nodeEndpoints: hints.endpoints(),
  };
}

/** Waits for an append to a fetched partition, records becoming acquirable, or `ms`. */
async function somethingNew(shares: ShareOperations, fetching: readonly Fetching[], ms: number): Promise<void> {
  let wake!: () => void;
  const woken = new Promise<void>((r) => (wake = r));
  const unsubscribe: (() => void)[] = [shares.onAcquirable(() => wake())];
  for (const f of fetching) if (f.resolved.log) unsubscribe.push(f.resolved.log.onAppend(wake));
  const timer = setTimeout(wake, Math.max(0, ms));
  try {
    await woken;
  } finally {
    clearTimeout(timer);
    for (const u of unsubscribe) u();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

