// Heartbeat: keeps a member's session alive and tells it when a rebalance has begun (REBALANCE_IN_PROGRESS).
import { ErrorCode } from '../../../protocol/errors.js';
import type { HeartbeatRequest } from '../../../protocol/generated/heartbeat-request.js';
import type { ClassicGroup } from './group.js';
import type { Rebalancer } from './rebalance.js';

export function heartbeat(r: Rebalancer, group: ClassicGroup | undefined, req: HeartbeatRequest): number {
  if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const error = group.validateMember(req.memberId, req.groupInstanceId);
  if (error !== ErrorCode.NONE) return error;
  if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  const member = group.get(req.memberId)!;
  switch (group.state) {
    case 'Empty':
      return ErrorCode.UNKNOWN_MEMBER_ID;
    case 'PreparingRebalance':
      r.rescheduleHeartbeat(group, member.memberId, member.sessionTimeoutMs);
      return ErrorCode.REBALANCE_IN_PROGRESS;
    default:
      // Heartbeats may start right after the JoinGroup response, in CompletingRebalance.
      r.rescheduleHeartbeat(group, member.memberId, member.sessionTimeoutMs);
      return ErrorCode.NONE;
  }
}

/** An OffsetCommit from a member keeps its session alive as a heartbeat does. */
export function touch(r: Rebalancer, group: ClassicGroup, memberId: string): void {
  const member = group.get(memberId);
  if (member && (group.is('Stable') || group.is('PreparingRebalance'))) r.rescheduleHeartbeat(group, memberId, member.sessionTimeoutMs);
}
