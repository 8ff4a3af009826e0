// LeaveGroup: members leave by member id, or static members are removed by instance id (KIP-345 admin removal).
import { log } from '../../../log.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { CoordinatorContext } from '../context.js';
import type { ClassicGroup } from './group.js';
import { heartbeatKey, joinError, syncError, type Rebalancer } from './rebalance.js';

export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
  reason?: string | null;
}

export interface LeaveResult {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export function leave(c: CoordinatorContext, r: Rebalancer, group: ClassicGroup | undefined, leaving: LeavingMember[]): LeaveResult {
  if (!group) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: [] };
  if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
  const members: LeaveResult['members'] = [];
  for (const l of leaving) {
    const instanceId = l.groupInstanceId ?? null;
    let errorCode: number = ErrorCode.NONE;
    if (l.memberId === '') {
      // Administrative removal of a static member by its instance id.
      const current = instanceId !== null ? group.staticMembers.get(instanceId) : undefined;
      if (current !== undefined) removeLeavingMember(c, group, current);
      else errorCode = ErrorCode.UNKNOWN_MEMBER_ID;
    } else if (group.isPendingMember(l.memberId)) {
      group.remove(l.memberId);
      c.timers.cancel(heartbeatKey(group.groupId, l.memberId));
    } else {
      errorCode = group.validateMember(l.memberId, instanceId);
      if (errorCode === ErrorCode.NONE) removeLeavingMember(c, group, l.memberId);
    }
    members.push({ memberId: l.memberId, groupInstanceId: instanceId, errorCode });
  }
  if (members.some((m) => m.errorCode === ErrorCode.NONE)) {
    if (group.is('Stable') || group.is('CompletingRebalance')) r.maybePrepareRebalanceOrCompleteJoin(group, 'members left');
    else if (group.is('PreparingRebalance')) r.maybeCompleteJoinPhase(group);
  }
  return { errorCode: ErrorCode.NONE, members };
}

function removeLeavingMember(c: CoordinatorContext, group: ClassicGroup, memberId: string): void {
  const member = group.get(memberId)!;
  c.timers.cancel(heartbeatKey(group.groupId, memberId));
  group.completeJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
  group.completeSync(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
  group.remove(memberId);
  log.debug(`member ${memberId} left group ${group.groupId}`);
}
