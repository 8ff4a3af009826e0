// A streams group (KIP-1071): its topology, members, target assignment and epochs. The state is
// derived as Kafka's StreamsGroup derives it: Empty without members, NotReady until the topology's
// topics are validated, Assigning while the target assignment lags the group epoch, Reconciling while
// a member has not reached it, else Stable.
import { ErrorCode } from '../../../protocol/errors.js';
import type { Group } from '../group.js';
import type { OffsetAndMetadata } from '../records.js';
import type { StreamsGroupMember } from './member.js';
import { hasTask, type TasksTuple } from './tasks.js';
import type { ConfiguredTopology, StreamsTopology } from './topology.js';

export type StreamsGroupState = 'Empty' | 'NotReady' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead';

export class StreamsGroup implements Group {
  readonly type = 'streams' as const;
  groupEpoch = 0;
  metadataHash = 0;
  validatedTopologyEpoch = -1;
  lastAssignmentConfigs = new Map<string, string>();
  topology: StreamsTopology | null = null;
  /** Derived from the topology and the cluster's topics; recomputed after a load or a metadata change. */
  configured: ConfiguredTopology | null = null;
  readonly members = new Map<string, StreamsGroupMember>();
  readonly targetAssignment = new Map<string, TasksTuple>();
  assignmentEpoch = 0;
  assignmentTimestamp = 0;
  /** Bumped whenever a member's endpoint or tasks change, so members refresh partitionsByUserEndpoint. */
  endpointInformationEpoch = 0;
  shutdownRequestMemberId: string | null = null;
  dead = false;

  constructor(readonly groupId: string) {}

  state(): StreamsGroupState {
    if (this.dead) return 'Dead';
    if (this.members.size === 0) return 'Empty';
    if (this.topology === null || this.topology.epoch !== this.validatedTopologyEpoch) return 'NotReady';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) if (!(m.memberEpoch === this.assignmentEpoch && m.state === 1)) return 'Reconciling';
    return 'Stable';
  }

  stateName(): string {
    return this.state();
  }

  isEmpty(): boolean {
    return this.members.size === 0;
  }

  protocolTypeOrEmpty(): string {
    return 'streams';
  }

  /**
   * Kafka's StreamsGroup.validateOffsetCommit: admin commits (negative epoch, no member) only while
   * Empty; a member's epoch must equal its current one, or be older than it yet not older than the
   * assignment epoch of any active task it holds.
   */
  validateOffsetCommit(memberId: string, groupInstanceId: string | null, memberEpoch: number, isTransactional = false, apiVersion = 9): number {
    if (memberEpoch < 0 && this.members.size === 0) return ErrorCode.NONE;
    if (isTransactional && memberEpoch === -1 && memberId === '' && groupInstanceId === null) return ErrorCode.NONE;
    const m = this.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    // "OffsetCommit version 9 or above must be used by members using the streams group protocol"
    if (!isTransactional && apiVersion < 9) return ErrorCode.UNSUPPORTED_VERSION;
    // An older epoch is checked per partition (validateOffsetCommitPartition).
    return memberEpoch > m.memberEpoch ? ErrorCode.STALE_MEMBER_EPOCH : ErrorCode.NONE;
  }

  /**
   * Kafka 4.4's assignment epoch check of a commit carrying an older member epoch: the partition's
   * task must be the member's (assigned or pending revocation) since an epoch not newer than the commit's.
   */
  validateOffsetCommitPartition(memberId: string, memberEpoch: number, topic: string, partition: number): number {
    const m = this.members.get(memberId);
    if (!m || memberEpoch >= m.memberEpoch) return ErrorCode.NONE;
    const s = this.topology?.subtopologies.find((x) => x.sourceTopics.includes(topic) || x.repartitionSourceTopics.some((t) => t.name === topic));
    if (!s) return ErrorCode.STALE_MEMBER_EPOCH;
    const epoch = m.assigned.active.get(s.subtopologyId)?.get(partition) ?? m.pendingRevocation.active.get(s.subtopologyId)?.get(partition);
    return epoch === undefined || memberEpoch < epoch ? ErrorCode.STALE_MEMBER_EPOCH : ErrorCode.NONE;
  }

  /** Kafka's validateOffsetFetch: a member's fetch (v9+) must carry its current epoch. */
  validateOffsetFetch(memberId: string | null, memberEpoch: number): number {
    if (memberId === null && memberEpoch < 0) return ErrorCode.NONE;
    const m = this.members.get(memberId ?? '');
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    return memberEpoch === m.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
  }

  validateDeleteGroup(): number {
    return this.state() === 'Empty' ? ErrorCode.NONE : ErrorCode.NON_EMPTY_GROUP;
  }

  validateOffsetDelete(): number {
    return ErrorCode.NONE;
  }

  /** Offsets of the topology's source topics are kept while the group is not Empty. */
  isSubscribedToTopic(topic: string): boolean {
    if (this.members.size === 0 || this.topology === null) return false;
    return this.topology.subtopologies.some((s) => s.sourceTopics.includes(topic) || s.repartitionSourceTopics.some((t) => t.name === topic));
  }

  offsetExpirationBase(): ((o: OffsetAndMetadata) => number) | null {
    return (o) => o.commitTimestamp;
  }

  /** What a heartbeat may change, to put back when its records cannot be written (member and target objects are replaced, never mutated). */
  snapshot(): () => void {
    const saved = {
      groupEpoch: this.groupEpoch,
      metadataHash: this.metadataHash,
      validatedTopologyEpoch: this.validatedTopologyEpoch,
      topology: this.topology,
      configured: this.configured,
      assignmentEpoch: this.assignmentEpoch,
      assignmentTimestamp: this.assignmentTimestamp,
      endpointInformationEpoch: this.endpointInformationEpoch,
      shutdownRequestMemberId: this.shutdownRequestMemberId,
      lastAssignmentConfigs: this.lastAssignmentConfigs,
    };
    const members = new Map(this.members);
    const targets = new Map(this.targetAssignment);
    return () => {
      Object.assign(this, saved);
      this.members.clear();
      for (const [k, v] of members) this.members.set(k, v);
      this.targetAssignment.clear();
      for (const [k, v] of targets) this.targetAssignment.set(k, v);
    };
  }

  /** The process currently running the active task (assigned or pending revocation), or undefined. */
  activeTaskProcessId(subtopologyId: string, partition: number, except?: string): string | undefined {
    for (const m of this.members.values()) {
      if (m.memberId === except) continue;
      if (hasTask(m.assigned.active, subtopologyId, partition) || hasTask(m.pendingRevocation.active, subtopologyId, partition)) return m.processId;
    }
    return undefined;
  }

  /** The processes holding the task as a standby (or, `warmup`, as a warm-up), except `exceptMember`'s. */
  replicaProcessIds(kind: 'standby' | 'warmup', subtopologyId: string, partition: number, exceptMember?: string): Set<string> {
    const r = new Set<string>();
    for (const m of this.members.values()) {
      if (m.memberId === exceptMember) continue;
      if (hasTask(m.assigned[kind], subtopologyId, partition) || hasTask(m.pendingRevocation[kind], subtopologyId, partition)) r.add(m.processId);
    }
    return r;
  }

}
