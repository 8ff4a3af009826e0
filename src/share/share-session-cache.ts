// Share sessions (KIP-932, Kafka's ShareSessionCache): one per (group, member), holding the
// partitions the member fetches. ShareFetch epoch 0 opens one (replacing the member's old one), -1
// closes it, any other epoch must be the session's next one; at most group.share.max.share.sessions
// sessions per broker (SHARE_SESSION_LIMIT_REACHED beyond).
import { ErrorCode } from '../protocol/errors.js';
import { ShareError } from './share-partition.js';

export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;

export interface SessionPartition {
  topicId: string;
  partition: number;
}

export interface ShareSession {
  groupId: string;
  memberId: string;
  /** The epoch the member's next request must carry. */
  epoch: number;
  /** The partitions fetched, in the order they were added, keyed "topicId:partition". */
  partitions: Map<string, SessionPartition>;
  lastUsedMs: number;
  /** Stops watching the connection that opened the session (set by whoever watches it). */
  detach?: () => void;
}

/** What a ShareFetch's session step decided. */
export type SessionContext =
  /** Epoch 0 or later: fetch the session's partitions. */
  | { kind: 'session'; session: ShareSession; full: boolean }
  /** Epoch -1: acknowledge only, then the session ends. */
  | { kind: 'final'; session: ShareSession };

export function partitionKey(topicId: string, partition: number): string {
  return `${topicId}:${partition}`;
}

/** Kafka's ShareRequestMetadata.nextEpoch: increments, wrapping to 1. */
export function nextEpoch(epoch: number): number {
  return epoch >= 0x7fffffff ? 1 : epoch + 1;
}

export class ShareSessionCache {
  private readonly sessions = new Map<string, ShareSession>();
  /** Sessions per group (Kafka's numMembersPerGroup). */
  private readonly perGroup = new Map<string, number>();

  constructor(
    private readonly maxSessions: () => number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Whether any member of the group has a session. */
  hasGroup(groupId: string): boolean {
    return (this.perGroup.get(groupId) ?? 0) > 0;
  }

  get(groupId: string, memberId: string): ShareSession | undefined {
    return this.sessions.get(sessionKey(groupId, memberId));
  }

  /**
   * A ShareFetch's session step (Kafka's newContext): opens, continues (adding `added` and
   * removing `forgotten`) or closes the member's session. Throws a ShareError with the session error.
   */
  fetchContext(groupId: string, memberId: string, epoch: number, added: readonly SessionPartition[], forgotten: readonly SessionPartition[], acknowledging: boolean): SessionContext {
    const key = sessionKey(groupId, memberId);
    if (epoch === FINAL_EPOCH) {
      const session = this.sessions.get(key);
      if (!session) throw new ShareError(ErrorCode.SHARE_SESSION_NOT_FOUND, 'The share session was not found.');
      return { kind: 'final', session };
    }
    if (epoch === INITIAL_EPOCH) {
      if (acknowledging) throw new ShareError(ErrorCode.INVALID_REQUEST, 'Acknowledge data present in initial fetch request.');
      const old = this.sessions.get(key);
      if (old) {
        old.detach?.();
        this.sessions.delete(key);
        this.count(groupId, -1);
      }
      if (this.sessions.size >= this.maxSessions()) throw new ShareError(ErrorCode.SHARE_SESSION_LIMIT_REACHED, 'The limit of share sessions has been reached.');
      const session: ShareSession = { groupId, memberId, epoch: nextEpoch(INITIAL_EPOCH), partitions: new Map(), lastUsedMs: this.now() };
      for (const p of added) session.partitions.set(partitionKey(p.topicId, p.partition), p);
      this.sessions.set(key, session);
      this.count(groupId, 1);
      return { kind: 'session', session, full: true };
    }
    const session = this.sessions.get(key);
    if (!session) throw new ShareError(ErrorCode.SHARE_SESSION_NOT_FOUND, 'The share session was not found.');
    if (session.epoch !== epoch) throw new ShareError(ErrorCode.INVALID_SHARE_SESSION_EPOCH, 'The share session epoch is invalid.');
    for (const p of added) session.partitions.set(partitionKey(p.topicId, p.partition), p);
    for (const p of forgotten) session.partitions.delete(partitionKey(p.topicId, p.partition));
    session.epoch = nextEpoch(session.epoch);
    session.lastUsedMs = this.now();
    return { kind: 'session', session, full: false };
  }

  /** A ShareAcknowledge's session step (Kafka's acknowledgeSessionUpdate); returns the session. */
  acknowledgeContext(groupId: string, memberId: string, epoch: number): ShareSession {
    if (epoch === INITIAL_EPOCH) throw new ShareError(ErrorCode.INVALID_SHARE_SESSION_EPOCH, 'The share session epoch is invalid.');
    const session = this.sessions.get(sessionKey(groupId, memberId));
    if (!session) throw new ShareError(ErrorCode.SHARE_SESSION_NOT_FOUND, 'The share session was not found.');
    if (epoch === FINAL_EPOCH) return session;
    if (session.epoch !== epoch) throw new ShareError(ErrorCode.INVALID_SHARE_SESSION_EPOCH, 'The share session epoch is invalid.');
    session.epoch = nextEpoch(session.epoch);
    session.lastUsedMs = this.now();
    return session;
  }

  /** Ends the member's session; returns it (undefined if it had none). */
  remove(groupId: string, memberId: string): ShareSession | undefined {
    const key = sessionKey(groupId, memberId);
    const s = this.sessions.get(key);
    if (!s) return undefined;
    this.sessions.delete(key);
    this.count(groupId, -1);
    s.detach?.();
    return s;
  }

  private count(groupId: string, delta: number): void {
    const n = (this.perGroup.get(groupId) ?? 0) + delta;
    if (n > 0) this.perGroup.set(groupId, n);
    else this.perGroup.delete(groupId);
  }

  /** Every session, for eviction when members leave. */
  all(): IterableIterator<ShareSession> {
    return this.sessions.values();
  }
}

function sessionKey(groupId: string, memberId: string): string {
  return `${groupId}\u0000${memberId}`;
}
