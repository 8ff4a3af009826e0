// A KIP-848 consumer group: its epoch, members, target assignment and who owns which partition.
// State only changes by applying records (apply()), when a heartbeat's records are written and
// when a __consumer_offsets partition is replayed, so both paths give the same group.
import { ErrorCode } from '../../../protocol/errors.js';
import type { Group } from '../group.js';
import type { OffsetAndMetadata } from '../records.js';
import type { TopicPartitions } from '../assignor/types.js';
import { assignmentEpochOf, isReconciledTo, LEAVE_GROUP_MEMBER_EPOCH, newMember, type ConsumerGroupMember } from './member.js';
import type { ConsumerRecord } from './records.js';

export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable';

export interface ResolvedRegex {
  topics: ReadonlySet<string>;
  version: number;
  timestamp: number;
}

export class ConsumerGroup implements Group {
  readonly type = 'consumer' as const;
  groupEpoch = 0;
  metadataHash = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ConsumerGroupMember>();
  /** Static members: instance id -> member id. */
  readonly staticMembers = new Map<string, string>();
  readonly targetAssignment = new Map<string, TopicPartitions>();
  readonly resolvedRegexes = new Map<string, ResolvedRegex>();
  /** The epoch at which each owned partition was given to its current owner (Kafka's partition epochs). */
  private readonly partitionEpochs = new Map<string, Map<number, number>>();
  private namesCache: Set<string> | null = null;

  /** `topicIdOf`: the metadata image's topic ids (offset commits name topics, assignments ids). */
  constructor(
    readonly groupId: string,
    private readonly topicIdOf: (topic: string) => string | undefined = () => undefined,
  ) {}

  state(): ConsumerGroupState {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) if (!isReconciledTo(m, this.assignmentEpoch)) return 'Reconciling';
    return 'Stable';
  }

  stateName(): string {
    return this.state();
  }

  isEmpty(): boolean {
    return this.members.size === 0;
  }

  protocolTypeOrEmpty(): string {
    return 'consumer';
  }

  staticMember(instanceId: string): ConsumerGroupMember | undefined {
    const id = this.staticMembers.get(instanceId);
    return id === undefined ? undefined : this.members.get(id);
  }

  /** -1 when no member owns the partition. */
  currentPartitionEpoch(topicId: string, partition: number): number {
    return this.partitionEpochs.get(topicId)?.get(partition) ?? -1;
  }

  targetOf(memberId: string): TopicPartitions {
    return this.targetAssignment.get(memberId) ?? new Map();
  }

  /** Topic names subscribed by name or through a resolved regular expression (kept until a member or regex record changes them). */
  subscribedTopicNames(): ReadonlySet<string> {
    if (this.namesCache) return this.namesCache;
    const names = new Set<string>();
    for (const m of this.members.values()) {
      for (const n of m.subscribedTopicNames) names.add(n);
      const r = m.subscribedTopicRegex !== null ? this.resolvedRegexes.get(m.subscribedTopicRegex) : undefined;
      if (r) for (const n of r.topics) names.add(n);
    }
    this.namesCache = names;
    return names;
  }

  /** The assignor the most members ask for (Kafka's preferred server assignor), or null. */
  preferredServerAssignor(): string | null {
    const counts = new Map<string, number>();
    for (const m of this.members.values()) if (m.serverAssignor !== null) counts.set(m.serverAssignor, (counts.get(m.serverAssignor) ?? 0) + 1);
    let best: string | null = null;
    let n = 0;
    for (const [name, c] of counts) if (c > n) [best, n] = [name, c];
    return best;
  }

  // What every group type answers (group.ts).

  validateOffsetCommit(memberId: string, groupInstanceId: string | null, memberEpoch: number, isTransactional = false, apiVersion = 9): number {
    // The admin client or a consumer without group management commits to an empty group.
    if (memberEpoch < 0 && this.members.size === 0) return ErrorCode.NONE;
    if (isTransactional && memberEpoch === -1 && memberId === '' && groupInstanceId === null) return ErrorCode.NONE;
    const m = this.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    // A classic member (online migration) commits with its generation, which must be its epoch exactly.
    if (m.classic !== null) return memberEpoch === m.memberEpoch ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    if (!isTransactional && apiVersion < 9) return ErrorCode.UNSUPPORTED_VERSION;
    // An older epoch is judged partition by partition (validateOffsetCommitPartition), as Kafka 4.4 does.
    return memberEpoch > m.memberEpoch ? ErrorCode.STALE_MEMBER_EPOCH : ErrorCode.NONE;
  }

  /**
   * Kafka 4.4's assignment epoch check of a commit made with an epoch older than the member's: the
   * partition must still be the member's (assigned or pending revocation) since an epoch no newer than the commit's.
   */
  validateOffsetCommitPartition(memberId: string, memberEpoch: number, topic: string, partition: number): number {
    const m = this.members.get(memberId);
    if (!m || memberEpoch < 0 || memberEpoch >= m.memberEpoch) return ErrorCode.NONE;
    const topicId = this.topicIdOf(topic);
    const epoch = topicId === undefined ? undefined : assignmentEpochOf(m, topicId, partition);
    if (epoch === undefined || memberEpoch < epoch) return ErrorCode.STALE_MEMBER_EPOCH;
    return ErrorCode.NONE;
  }

  /** OffsetFetch v9+ from a member (Kafka's validateOffsetFetch); no member id means an admin fetch. */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): number {
    if (memberId === null && memberEpoch < 0) return ErrorCode.NONE;
    const m = memberId === null ? undefined : this.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (memberEpoch === m.memberEpoch) return ErrorCode.NONE;
    return m.classic !== null ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.STALE_MEMBER_EPOCH;
  }

  validateDeleteGroup(): number {
    return this.members.size === 0 ? ErrorCode.NONE : ErrorCode.NON_EMPTY_GROUP;
  }

  validateOffsetDelete(): number {
    return ErrorCode.NONE;
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopicNames().has(topic);
  }

  offsetExpirationBase(): ((o: OffsetAndMetadata) => number) | null {
    return (o) => o.commitTimestamp;
  }

  // Replay

  /** Applies one record; returns false when it deletes the group. */
  apply(r: ConsumerRecord): boolean {
    if (r.type === 5 || r.type === 16) this.namesCache = null;
    switch (r.type) {
      case 3:
        if (r.value === null) return false;
        this.groupEpoch = r.value.epoch;
        this.metadataHash = r.value.metadataHash;
        return true;
      case 4:
        return true;
      case 5: {
        if (r.value === null) {
          this.removeMember(r.memberId);
          return true;
        }
        const old = this.members.get(r.memberId) ?? newMember(r.memberId);
        const v = r.value;
        this.putMember({
          ...old,
          instanceId: v.instanceId,
          rackId: v.rackId,
          clientId: v.clientId,
          clientHost: v.clientHost,
          subscribedTopicNames: [...v.subscribedTopicNames].sort(),
          subscribedTopicRegex: v.subscribedTopicRegex,
          rebalanceTimeoutMs: v.rebalanceTimeoutMs,
          serverAssignor: v.serverAssignor,
          classic: v.classicMemberMetadata
            ? { sessionTimeoutMs: v.classicMemberMetadata.sessionTimeoutMs, supportedProtocols: v.classicMemberMetadata.supportedProtocols.map((p) => ({ name: p.name, metadata: p.metadata })) }
            : null,
        });
        return true;
      }
      case 6:
        if (r.value !== null) this.assignmentEpoch = r.value.assignmentEpoch;
        return true;
      case 7:
        if (r.value === null) this.targetAssignment.delete(r.memberId);
        else this.targetAssignment.set(r.memberId, r.value);
        return true;
      case 8: {
        const old = this.members.get(r.memberId) ?? newMember(r.memberId);
        const v = r.value;
        this.putMember(
          v === null
            ? { ...old, memberEpoch: LEAVE_GROUP_MEMBER_EPOCH, previousMemberEpoch: LEAVE_GROUP_MEMBER_EPOCH, assignedPartitions: new Map(), partitionsPendingRevocation: new Map(), assignmentEpochs: new Map() }
            : {
                ...old,
                memberEpoch: v.memberEpoch,
                previousMemberEpoch: v.previousMemberEpoch,
                state: v.state,
                assignedPartitions: v.assigned,
                partitionsPendingRevocation: v.pendingRevocation,
                assignmentEpochs: v.epochs,
              },
        );
        return true;
      }
      case 16:
        if (r.value === null) this.resolvedRegexes.delete(r.regex);
        else this.resolvedRegexes.set(r.regex, { topics: new Set(r.value.topics), version: r.value.version, timestamp: r.value.timestamp });
        return true;
    }
  }

  private putMember(m: ConsumerGroupMember): void {
    const old = this.members.get(m.memberId);
    if (old) this.releasePartitions(old);
    if (old?.instanceId && old.instanceId !== m.instanceId && this.staticMembers.get(old.instanceId) === m.memberId) this.staticMembers.delete(old.instanceId);
    this.members.set(m.memberId, m);
    if (m.instanceId !== null) this.staticMembers.set(m.instanceId, m.memberId);
    this.ownPartitions(m);
  }

  private removeMember(memberId: string): void {
    const old = this.members.get(memberId);
    if (!old) return;
    this.releasePartitions(old);
    this.members.delete(memberId);
    if (old.instanceId !== null && this.staticMembers.get(old.instanceId) === memberId) this.staticMembers.delete(old.instanceId);
  }

  /** Partitions assigned or pending revocation are owned at the member's epoch. */
  private ownPartitions(m: ConsumerGroupMember): void {
    for (const tp of [m.assignedPartitions, m.partitionsPendingRevocation]) {
      for (const [topicId, ps] of tp) {
        const epochs = this.partitionEpochs.get(topicId) ?? new Map<number, number>();
        for (const p of ps) epochs.set(p, m.memberEpoch);
        this.partitionEpochs.set(topicId, epochs);
      }
    }
  }

  private releasePartitions(m: ConsumerGroupMember): void {
    for (const tp of [m.assignedPartitions, m.partitionsPendingRevocation]) {
      for (const [topicId, ps] of tp) {
        const epochs = this.partitionEpochs.get(topicId);
        if (!epochs) continue;
        for (const p of ps) epochs.delete(p);
        if (epochs.size === 0) this.partitionEpochs.delete(topicId);
      }
    }
  }

  /** A copy to restore when a heartbeat's records could not be written. */
  snapshot(): ConsumerGroup {
    const g = new ConsumerGroup(this.groupId, this.topicIdOf);
    g.groupEpoch = this.groupEpoch;
    g.metadataHash = this.metadataHash;
    g.assignmentEpoch = this.assignmentEpoch;
    for (const m of this.members.values()) g.putMember(m);
    for (const [k, v] of this.targetAssignment) g.targetAssignment.set(k, v);
    for (const [k, v] of this.resolvedRegexes) g.resolvedRegexes.set(k, v);
    return g;
  }
}
