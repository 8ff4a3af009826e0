// Topics and partitions replayed on top of a TopicsImage (Kafka's TopicsDelta and TopicDelta):
// new topics, new or changed partitions, removed topics.
import type { PartitionChangeRecord } from '../protocol/generated/partition-change-record.js';
import type { PartitionRecord } from '../protocol/generated/partition-record.js';
import type { RemoveTopicRecord } from '../protocol/generated/remove-topic-record.js';
import type { TopicRecord } from '../protocol/generated/topic-record.js';
import { TopicImage, TopicsImage, type PartitionRegistration } from './image.js';

/** PartitionChangeRecord.leader when the leader stays. */
const NO_LEADER_CHANGE = -2;

/** Changes to one topic: a new topic, or partitions added/changed on an existing one. */
export class TopicDelta {
  readonly partitionChanges = new Map<number, PartitionRegistration>();
  constructor(readonly image: TopicImage) {}

  get name(): string {
    return this.image.name;
  }
  get topicId(): string {
    return this.image.topicId;
  }

  partition(id: number): PartitionRegistration | undefined {
    return this.partitionChanges.get(id) ?? this.image.registrations.get(id);
  }

  /** Partitions that did not exist in the image before. */
  newPartitions(): number[] {
    return [...this.partitionChanges.keys()].filter((p) => !this.image.registrations.has(p));
  }

  apply(): TopicImage {
    if (this.partitionChanges.size === 0) return this.image;
    const next = new Map(this.image.registrations);
    for (const [p, reg] of this.partitionChanges) next.set(p, reg);
    return new TopicImage(this.image.name, this.image.topicId, new Map([...next].sort((a, b) => a[0] - b[0])));
  }
}

export class TopicsDelta {
  readonly changedTopics = new Map<string, TopicDelta>();
  /** Ids of topics that were in the image and are removed. */
  readonly deletedTopicIds = new Set<string>();
  /** Names and ids of topics created by this delta. */
  readonly createdTopics = new Map<string, string>();

  constructor(readonly image: TopicsImage) {}

  replayTopic(r: TopicRecord): void {
    this.changedTopics.set(r.topicId, new TopicDelta(new TopicImage(r.name, r.topicId, new Map())));
    this.createdTopics.set(r.name, r.topicId);
  }

  private topicDelta(topicId: string): TopicDelta {
    let d = this.changedTopics.get(topicId);
    if (!d) {
      const t = this.image.getById(topicId);
      if (!t || this.deletedTopicIds.has(topicId)) throw new Error(`metadata record names unknown topic id ${topicId}`);
      d = new TopicDelta(t);
      this.changedTopics.set(topicId, d);
    }
    return d;
  }

  replayPartition(r: PartitionRecord): void {
    this.topicDelta(r.topicId).partitionChanges.set(r.partitionId, {
      replicas: r.replicas,
      isr: r.isr,
      removingReplicas: r.removingReplicas,
      addingReplicas: r.addingReplicas,
      leader: r.leader,
      leaderRecoveryState: r.leaderRecoveryState ?? 0,
      leaderEpoch: r.leaderEpoch,
      partitionEpoch: r.partitionEpoch,
      directories: r.directories ?? [],
      elr: r.eligibleLeaderReplicas ?? [],
      lastKnownElr: r.lastKnownElr ?? [],
    });
  }

  replayPartitionChange(r: PartitionChangeRecord): void {
    const d = this.topicDelta(r.topicId);
    const prev = d.partition(r.partitionId);
    if (!prev) throw new Error(`PartitionChangeRecord for unknown partition ${r.topicId}:${r.partitionId}`);
    const leaderChanged = r.leader !== undefined && r.leader !== NO_LEADER_CHANGE;
    d.partitionChanges.set(r.partitionId, {
      replicas: r.replicas ?? prev.replicas,
      isr: r.isr ?? prev.isr,
      removingReplicas: r.removingReplicas ?? prev.removingReplicas,
      addingReplicas: r.addingReplicas ?? prev.addingReplicas,
      leader: leaderChanged ? r.leader! : prev.leader,
      leaderRecoveryState: r.leaderRecoveryState !== undefined && r.leaderRecoveryState !== -1 ? r.leaderRecoveryState : prev.leaderRecoveryState,
      leaderEpoch: leaderChanged ? prev.leaderEpoch + 1 : prev.leaderEpoch,
      partitionEpoch: prev.partitionEpoch + 1,
      directories: r.directories ?? prev.directories,
      // null (absent): no change.
      elr: r.eligibleLeaderReplicas ?? prev.elr,
      lastKnownElr: r.lastKnownElr ?? prev.lastKnownElr,
    });
  }

  /** Returns the removed topic's name (null if it was unknown). */
  replayRemove(r: RemoveTopicRecord): string | null {
    const created = this.changedTopics.get(r.topicId);
    this.changedTopics.delete(r.topicId);
    const existing = this.image.getById(r.topicId);
    if (existing) this.deletedTopicIds.add(r.topicId);
    if (created && !existing) this.createdTopics.delete(created.name);
    return existing?.name ?? created?.name ?? null;
  }

  apply(): TopicsImage {
    const byId = new Map(this.image.byId);
    const byName = new Map(this.image.byName);
    for (const id of this.deletedTopicIds) {
      const t = byId.get(id);
      if (t) {
        byId.delete(id);
        byName.delete(t.name);
      }
    }
    for (const d of this.changedTopics.values()) {
      const t = d.apply();
      byId.set(t.topicId, t);
      byName.set(t.name, t);
    }
    return new TopicsImage(byId, byName);
  }
}

