// A share group (KIP-932, Kafka's ShareGroup): Empty without members, Stable with some, Dead once
// deleted. Besides members it keeps the group epoch, the target assignment and its epoch, and which
// share partitions have their state in __share_group_state (ShareGroupStatePartitionMetadata).
// Share groups commit no offsets to __consumer_offsets: offset APIs answer GROUP_ID_NOT_FOUND.
import { ErrorCode } from '../../../protocol/errors.js';
import type { TopicPartitions } from '../assignor/types.js';
import type { Group } from '../group.js';
import type { ShareGroupMember } from './member.js';

export const SHARE_PROTOCOL_TYPE = 'share';

/** Topic partitions whose share state is being (or has been) initialized, as the metadata record holds them. */
export interface InitTopic {
  name: string;
  partitions: Set<number>;
  /** When initialization was asked for (initializing topics older than the retry interval are asked again). */
  timestamp: number;
}

export interface StatePartitionMetadata {
  initializing: Map<string, InitTopic>;
  initialized: Map<string, InitTopic>;
  /** Topics whose share state is being deleted: id -> name. */
  deleting: Map<string, string>;
}

export function emptyStateMetadata(): StatePartitionMetadata {
  return { initializing: new Map(), initialized: new Map(), deleting: new Map() };
}

export class ShareGroup implements Group {
  readonly type = 'share' as const;
  readonly members = new Map<string, ShareGroupMember>();
  /** Target assignment by member id. */
  readonly targetAssignment = new Map<string, TopicPartitions>();
  groupEpoch = 0;
  metadataHash = 0;
  assignmentEpoch = 0;
  /** When the target assignment was last computed (0: never), for group.share.assignment.interval.ms. */
  assignmentTimestamp = 0;
  /** Present once a ShareGroupStatePartitionMetadata record exists. */
  statePartitions: StatePartitionMetadata | null = null;
  dead = false;

  constructor(readonly groupId: string) {}

  stateName(): string {
    if (this.dead) return 'Dead';
    return this.members.size === 0 ? 'Empty' : 'Stable';
  }

  isEmpty(): boolean {
    return this.members.size === 0;
  }

  protocolTypeOrEmpty(): string {
    return SHARE_PROTOCOL_TYPE;
  }

  validateOffsetCommit(): number {
    return ErrorCode.GROUP_ID_NOT_FOUND;
  }

  validateDeleteGroup(): number {
    return this.isEmpty() ? ErrorCode.NONE : ErrorCode.NON_EMPTY_GROUP;
  }

  validateOffsetDelete(): number {
    return ErrorCode.GROUP_ID_NOT_FOUND;
  }

  isSubscribedToTopic(topic: string): boolean {
    for (const m of this.members.values()) if (m.subscribedTopicNames.has(topic)) return true;
    return false;
  }

  offsetExpirationBase(): null {
    return null;
  }

  /** Kafka's shouldExpire: share groups are deleted only by DeleteGroups. */
  shouldExpire(): boolean {
    return false;
  }

  /** Subscribed topic names with the number of members subscribing to each. */
  subscribedTopicNames(): Map<string, number> {
    const out = new Map<string, number>();
    for (const m of this.members.values()) for (const t of m.subscribedTopicNames) out.set(t, (out.get(t) ?? 0) + 1);
    return out;
  }

  /** Partition ids of `topicId` with initialized share state. */
  initializedPartitions(topicId: string): ReadonlySet<number> | undefined {
    return this.statePartitions?.initialized.get(topicId)?.partitions;
  }
}
