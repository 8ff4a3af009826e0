// The broker's share partitions (Kafka's SharePartitionManager): one SharePartition per (group,
// topic id, partition) this broker leads, created on the group's first fetch of it and initialized
// from the share coordinator's state; the share sessions; and the wake-ups of share fetches
// waiting for records to become acquirable. It needs nothing of the share group coordinator but the
// group and member ids of the requests (the session is keyed by them).
import { ErrorCode } from '../protocol/errors.js';
import type { Scheduler } from '../coordinator/group/timers.js';
import type { Persister } from './persister.js';
import { ShareError, SharePartition, type AcknowledgementBatch, type ShareSettings } from './share-partition.js';
import { ShareSessionCache, type ShareSession } from './share-session-cache.js';

export interface SharePartitionManagerOptions {
  /** The share coordinator's state (null: share partitions answer COORDINATOR_NOT_AVAILABLE). */
  persister: () => Persister | null;
  /** A group's share settings (its group configs over the broker defaults). */
  settings: (groupId: string) => ShareSettings;
  maxSessions: () => number;
  now: () => number;
  scheduler: Scheduler;
  logError?: (message: string) => void;
}

/** Where a partition's share-partition start offset begins when it has none (share.auto.offset.reset). */
export type ResetOffset = (strategy: string) => Promise<number>;

export class SharePartitionManager {
  readonly sessions: ShareSessionCache;
  private readonly partitions = new Map<string, SharePartition>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly opts: SharePartitionManagerOptions) {
    this.sessions = new ShareSessionCache(opts.maxSessions, opts.now);
  }

  settings(groupId: string): ShareSettings {
    return this.opts.settings(groupId);
  }

  /**
   * The initialized share partition, created on first use (a new leader epoch replaces the old one,
   * whose state is read again). Throws a ShareError when its state cannot be read.
   */
  async partition(groupId: string, topicId: string, partition: number, leaderEpoch: number, resetOffset: ResetOffset): Promise<SharePartition> {
    const key = partitionKey(groupId, topicId, partition);
    let sp = this.partitions.get(key);
    if (sp && sp.leaderEpoch !== Math.max(0, leaderEpoch)) {
      sp.fence();
      this.partitions.delete(key);
      sp = undefined;
    }
    if (!sp) {
      const persister = this.opts.persister();
      if (!persister) throw new ShareError(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The share coordinator is not available.');
      sp = new SharePartition({
        key: { groupId, topicId, partition },
        // The share coordinator refuses negative leader epochs (a lone node's logs may have none).
        leaderEpoch: Math.max(0, leaderEpoch),
        persister,
        settings: () => this.opts.settings(groupId),
        now: this.opts.now,
        scheduler: this.opts.scheduler,
        onAcquirable: () => this.wake(),
        logError: this.opts.logError,
      });
      this.partitions.set(key, sp);
    }
    try {
      await sp.initialize(resetOffset);
    } catch (e) {
      // A failed load is retried by the next request (Kafka removes the partition from its cache).
      if (this.partitions.get(key) === sp && sp.status === 'FAILED') this.partitions.delete(key);
      throw e;
    }
    return sp;
  }

  /** The share partition if it exists and is initialized. */
  existing(groupId: string, topicId: string, partition: number): SharePartition | undefined {
    const sp = this.partitions.get(partitionKey(groupId, topicId, partition));
    return sp?.status === 'ACTIVE' ? sp : undefined;
  }

  /** A member's acknowledgements of one partition; resolves with the partition's error (NONE when applied). */
  async acknowledge(groupId: string, memberId: string, topicId: string, partition: number, batches: readonly AcknowledgementBatch[]): Promise<{ errorCode: number; errorMessage: string | null }> {
    const sp = this.existing(groupId, topicId, partition);
    if (!sp) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
    try {
      await sp.acknowledge(memberId, batches);
      return { errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (e) {
      if (e instanceof ShareError) return { errorCode: e.errorCode, errorMessage: e.message };
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: (e as Error)?.message ?? String(e) };
    }
  }

  /** Ends a member's share session, releasing what it had acquired in the session's partitions. */
  async releaseSession(groupId: string, memberId: string): Promise<void> {
    const session = this.sessions.remove(groupId, memberId);
    if (!session) return;
    await this.releaseIn(session);
    // Kafka's onGroupEmpty: with no session left the group's share partitions leave the cache, so
    // the next fetch reads their state again (e.g. after kafka-share-groups --reset-offsets).
    if (!this.sessions.hasGroup(groupId)) this.dropGroup(groupId);
  }

  private dropGroup(groupId: string): void {
    const prefix = `${groupId}\u0000`;
    for (const [key, sp] of this.partitions) {
      if (!key.startsWith(prefix)) continue;
      sp.close();
      this.partitions.delete(key);
    }
  }

  private async releaseIn(session: ShareSession): Promise<void> {
    await Promise.all(
      [...session.partitions.values()].map((p) =>
        this.existing(session.groupId, p.topicId, p.partition)
          ?.releaseAcquiredRecords(session.memberId)
          .catch((e: unknown) => this.opts.logError?.(`releasing the records of member ${session.memberId} of group ${session.groupId} failed: ${(e as Error)?.message ?? e}`)),
      ),
    );
  }

  /**
   * The connection that opened `session` closed (Kafka's ConnectionDisconnectListener): unless the
   * member opened a newer session since, the session ends and its records are released at once.
   */
  async connectionClosed(session: ShareSession): Promise<void> {
    if (this.sessions.get(session.groupId, session.memberId) !== session) return;
    await this.releaseSession(session.groupId, session.memberId);
  }

  /** A member left its share group: its session ends and its records are released. */
  memberLeft(groupId: string, memberId: string): Promise<void> {
    return this.releaseSession(groupId, memberId);
  }

  /** Share partitions of a topic no longer led here (or deleted) are dropped; their locks with them. */
  dropTopicPartition(topicId: string, partition: number): void {
    const suffix = `\u0000${topicId}:${partition}`;
    for (const [key, sp] of this.partitions) {
      if (!key.endsWith(suffix)) continue;
      sp.fence();
      this.partitions.delete(key);
    }
  }

  /**
   * Cluster mode: a partition this broker stops leading loses its share partitions (Kafka's
   * SharePartitionListener.onBecomingFollower): their locks stop, and a later leadership reads the
   * state again.
   */
  followLeadership(leadership: { onLeadershipChange(listener: (topic: string, partition: number, leaderEpoch: number) => void): () => void }, topicId: (topic: string) => string | undefined): void {
    leadership.onLeadershipChange((topic, partition, leaderEpoch) => {
      if (leaderEpoch >= 0) return;
      const id = topicId(topic);
      if (id) this.dropTopicPartition(id, partition);
    });
  }

  /** Calls `fn` once when records of some share partition may have become acquirable; returns an unsubscribe. */
  onAcquirable(fn: () => void): () => void {
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }

  private wake(): void {
    if (this.waiters.size === 0) return;
    const all = [...this.waiters];
    this.waiters.clear();
    for (const fn of all) fn();
  }

  close(): void {
    for (const sp of this.partitions.values()) sp.close();
    this.partitions.clear();
    this.wake();
  }
}

function partitionKey(groupId: string, topicId: string, partition: number): string {
  return `${groupId}\u0000${topicId}:${partition}`;
}
