// A classic group's answers to what every group type is asked: OffsetCommit fencing, DeleteGroups, OffsetDelete and offset expiration.
import { ErrorCode } from '../../../protocol/errors.js';
import { CONSUMER_PROTOCOL_TYPE } from '../consumer-protocol.js';
import type { OffsetAndMetadata } from '../records.js';
import type { ClassicGroupState } from './state.js';

/** What the rules read of a classic group (declared here: group.ts calls these rules with itself). */
export interface ClassicGroupView {
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly subscribedTopics: ReadonlySet<string> | null;
  readonly currentStateTimestamp: number | null;
  is(state: ClassicGroupState): boolean;
  validateMember(memberId: string, groupInstanceId: string | null): number;
}

/** `isTransactional` (TxnOffsetCommit): no member needed outside Empty, and no check of the group's state. */
export function validateOffsetCommit(group: ClassicGroupView, memberId: string, groupInstanceId: string | null, generationId: number, isTransactional = false): number {
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  // Generation -1 on an Empty group: the admin client or a consumer without group management.
  if (generationId < 0 && group.is('Empty')) return ErrorCode.NONE;
  if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
    const error = group.validateMember(memberId, groupInstanceId);
    if (error !== ErrorCode.NONE) return error;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  } else if (!isTransactional && !group.is('Empty')) {
    return ErrorCode.UNKNOWN_MEMBER_ID;
  }
  // The member knows the new generation from JoinGroup but has no assignment yet.
  if (!isTransactional && group.is('CompletingRebalance')) return ErrorCode.REBALANCE_IN_PROGRESS;
  return ErrorCode.NONE;
}

export function validateDeleteGroup(group: ClassicGroupView): number {
  if (group.is('Dead')) return ErrorCode.GROUP_ID_NOT_FOUND;
  if (group.is('Empty')) return ErrorCode.NONE;
  return ErrorCode.NON_EMPTY_GROUP;
}

export function validateOffsetDelete(group: ClassicGroupView): number {
  if (group.is('Dead')) return ErrorCode.GROUP_ID_NOT_FOUND;
  if (!group.is('Empty') && group.protocolType !== CONSUMER_PROTOCOL_TYPE) return ErrorCode.NON_EMPTY_GROUP;
  return ErrorCode.NONE;
}

export function isSubscribedToTopic(group: ClassicGroupView, topic: string): boolean {
  if (group.subscribedTopics !== null) return group.subscribedTopics.has(topic);
  return group.protocolType === CONSUMER_PROTOCOL_TYPE;
}

export function offsetExpirationBase(group: ClassicGroupView): ((o: OffsetAndMetadata) => number) | null {
  if (group.protocolType === null || group.protocolType === '') {
    // A simple group (offsets without membership): each offset from its own commit.
    return (o) => o.commitTimestamp;
  }
  if (group.is('Empty')) {
    const since = group.currentStateTimestamp;
    return (o) => since ?? o.commitTimestamp;
  }
  if (group.protocolType === CONSUMER_PROTOCOL_TYPE && group.subscribedTopics !== null && group.is('Stable')) {
    // Offsets of topics no member subscribes to any more.
    return (o) => o.commitTimestamp;
  }
  return null;
}
