// What ShareFetch and ShareAcknowledge share: a partition named by topic id resolved to its log (or
// Kafka's error for it), the leader hint of a NOT_LEADER_OR_FOLLOWER answer, Kafka's validation of
// acknowledgement batches, and where a share partition starts when it was never delivered.
import { ErrorCode } from '../../protocol/errors.js';
import type { PartitionLog } from '../../storage/types.js';
import type { RequestContext } from '../handler.js';

export interface ResolvedSharePartition {
  topicId: string;
  topic: string | null;
  partition: number;
  log: PartitionLog | undefined;
  errorCode: number;
}

/** The partition's log if this broker leads it, else UNKNOWN_TOPIC_ID / UNKNOWN_TOPIC_OR_PARTITION / NOT_LEADER_OR_FOLLOWER. */
export function resolveSharePartition(ctx: RequestContext, topicId: string, partition: number): ResolvedSharePartition {
  const out: ResolvedSharePartition = { topicId, topic: null, partition, log: undefined, errorCode: ErrorCode.NONE };
  const info = ctx.broker.topics.getById(topicId);
  if (!info) return { ...out, errorCode: ErrorCode.UNKNOWN_TOPIC_ID };
  out.topic = info.name;
  const log = ctx.broker.partitionLog(info.name, partition);
  const replicas = ctx.broker.replicas;
  if (!log) {
    const known = replicas && ctx.broker.image.topics.get(info.name)?.registrations.has(partition);
    return { ...out, errorCode: known ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  }
  out.log = log;
  // Share fetches are served by the leader only (Kafka reads with FetchIsolation.HIGH_WATERMARK from the leader).
  if (replicas) out.errorCode = replicas.checkFetch(info.name, partition).errorCode;
  return out;
}

export interface LeaderHints {
  leader(p: ResolvedSharePartition): { leaderId: number; leaderEpoch: number };
  endpoints(): { nodeId: number; host: string; port: number; rack: string | null }[];
}

/** KIP-951-style hints for partitions answered NOT_LEADER_OR_FOLLOWER: the leader the image names and its endpoint. */
export function leaderHints(ctx: RequestContext): LeaderHints {
  const seen = new Map<number, { nodeId: number; host: string; port: number; rack: string | null }>();
  const replicas = ctx.broker.replicas ?? null;
  return {
    leader(p) {
      if (p.errorCode !== ErrorCode.NOT_LEADER_OR_FOLLOWER && p.errorCode !== ErrorCode.FENCED_LEADER_EPOCH) return { leaderId: -1, leaderEpoch: -1 };
      if (!replicas || p.topic === null) return { leaderId: -1, leaderEpoch: -1 };
      const c = replicas.checkFetch(p.topic, p.partition);
      const e = c.leaderId >= 0 ? replicas.endpoint(c.leaderId, ctx.listenerName) : null;
      if (e) seen.set(e.nodeId, e);
      return { leaderId: c.leaderId, leaderEpoch: c.leaderEpoch };
    },
    endpoints: () => [...seen.values()],
  };
}

export interface AckBatch {
  firstOffset: number;
  lastOffset: number;
  acknowledgeTypes: number[];
}

/**
 * Kafka's validateAcknowledgementBatches: batches in order without overlap, first <= last, at least
 * one type, one type per offset when several, each type 0-3 (4, RENEW, only when the request says
 * it carries renewals). INVALID_REQUEST otherwise.
 */
export function validateAcknowledgements(batches: readonly AckBatch[], renewAllowed: boolean): number {
  let prevEnd = -1;
  const maxType = renewAllowed ? 4 : 3;
  for (const b of batches) {
    if (b.firstOffset > b.lastOffset) return ErrorCode.INVALID_REQUEST;
    if (b.firstOffset < prevEnd) return ErrorCode.INVALID_REQUEST;
    if (b.acknowledgeTypes.length === 0) return ErrorCode.INVALID_REQUEST;
    if (b.acknowledgeTypes.length > 1 && b.lastOffset - b.firstOffset !== b.acknowledgeTypes.length - 1) return ErrorCode.INVALID_REQUEST;
    for (const t of b.acknowledgeTypes) if (t < 0 || t > maxType) return ErrorCode.INVALID_REQUEST;
    prevEnd = b.lastOffset;
  }
  return ErrorCode.NONE;
}

/** share.auto.offset.reset for a partition never delivered: earliest, latest, or by_duration:<ISO-8601 duration> before now. */
export function resetOffsetOf(log: PartitionLog, now: () => number): (strategy: string) => Promise<number> {
  return async (strategy) => {
    const s = strategy.trim().toLowerCase();
    if (s === 'earliest') return log.logStartOffset;
    if (s.startsWith('by_duration:')) {
      const ms = isoDurationMs(strategy.trim().slice('by_duration:'.length));
      if (ms !== undefined) {
        const found = await log.offsetForTimestamp(now() - ms);
        return found ? Math.max(found.offset, log.logStartOffset) : log.highWatermark;
      }
    }
    return log.highWatermark;
  };
}

/** java.time.Duration.parse's PnDTnHnMn.nS, in milliseconds (undefined when malformed or negative). */
export function isoDurationMs(text: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
  if (!m || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) return undefined;
  const [, d, h, min, sec] = m;
  return (Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(sec ?? 0)) * 1000;
}
