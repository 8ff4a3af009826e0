// What the coordinator needs of any group, whatever protocol its members speak: classic groups
// (JoinGroup/SyncGroup), and beside them KIP-848 consumer, KIP-932 share and KIP-1071 streams groups
// (each with a GroupProtocolManager, protocol.ts), sharing offsets, persistence, DescribeGroups/ListGroups and deletion.
import type { OffsetAndMetadata } from './records.js';

export type GroupType = 'classic' | 'consumer' | 'share' | 'streams';

export interface Group {
  readonly type: GroupType;
  readonly groupId: string;
  /** The state as Kafka prints it (e.g. "Stable"). */
  stateName(): string;
  /** True when the group has no members (Empty), so it may be deleted or expire. */
  isEmpty(): boolean;
  /** The protocol type, or "" when none is known. */
  protocolTypeOrEmpty(): string;
  /** The error Kafka gives an OffsetCommit (or, `isTransactional`, a TxnOffsetCommit) from this member at this generation, or NONE; `apiVersion` is OffsetCommit's. */
  validateOffsetCommit(memberId: string, groupInstanceId: string | null, generationIdOrMemberEpoch: number, isTransactional?: boolean, apiVersion?: number): number;
  /** Kafka 4.4's per-partition check of a commit that passed validateOffsetCommit (a consumer group member's older epoch), or NONE. */
  validateOffsetCommitPartition?(memberId: string, memberEpoch: number, topic: string, partition: number): number;
  /** The error Kafka gives DeleteGroups for this group, or NONE. */
  validateDeleteGroup(): number;
  /** The group-level error Kafka gives OffsetDelete, or NONE. */
  validateOffsetDelete(): number;
  /** True when a member subscribes to the topic (its offsets are then kept and not deletable). */
  isSubscribedToTopic(topic: string): boolean;
  /**
   * Kafka's offset expiration condition: the timestamp an offset's retention counts from, or null
   * when this group's offsets do not expire in its current state.
   */
  offsetExpirationBase(): ((o: OffsetAndMetadata) => number) | null;
  /** Kafka's shouldExpire: false keeps an Empty group without offsets from being deleted by the periodic cleanup (share groups). */
  shouldExpire?(): boolean;
}
