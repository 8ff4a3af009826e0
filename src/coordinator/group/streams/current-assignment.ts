// Reconciliation of one streams group member towards the target assignment (KIP-1071, after
// KIP-848's): tasks leaving the member are revoked first, with the member kept at its epoch until it
// reports them gone (UNREVOKED_TASKS); only then does it move to the target epoch and receive new
// tasks, minus those another member still holds (UNRELEASED_TASKS: an active task anywhere; a standby
// or warm-up one where this process already runs it).
import { ErrorCode } from '../../../protocol/errors.js';
import { KafkaError } from '../../../storage/types.js';
import type { StreamsGroup } from './group.js';
import { MemberState, type StreamsGroupMember } from './member.js';
import { eachTask, hasTask, addTask, emptyWithEpochs, type TasksTuple, type TasksWithEpochs } from './tasks.js';

export function reconcile(group: StreamsGroup, member: StreamsGroupMember, targetEpoch: number, target: TasksTuple, owned: TasksTuple | null): StreamsGroupMember {
  switch (member.state) {
    case MemberState.STABLE:
      if (member.memberEpoch === targetEpoch) return member;
      return next(group, member, targetEpoch, target);
    case MemberState.UNREVOKED_TASKS:
      if (owned === null || stillOwnsAny(owned, member.pendingRevocation)) return member;
      return next(group, member, targetEpoch, target);
    case MemberState.UNRELEASED_TASKS:
      return next(group, member, targetEpoch, target);
    default:
      throw new KafkaError(ErrorCode.FENCED_MEMBER_EPOCH, 'The streams group member is in a unknown state. The member must abandon all its tasks and rejoin.');
  }
}

function stillOwnsAny(owned: TasksTuple, pending: TasksWithEpochs): boolean {
  for (const kind of ['active', 'standby', 'warmup'] as const) {
    for (const [id, p] of eachTask(pending[kind])) if (hasTask(owned[kind], id, p)) return true;
  }
  return false;
}

function next(group: StreamsGroup, member: StreamsGroupMember, targetEpoch: number, target: TasksTuple): StreamsGroupMember {
  const assigned = emptyWithEpochs();
  const revoke = emptyWithEpochs();
  let unreleased = false;
  // Active tasks: kept ones keep their assignment epoch, new ones get the target's.
  for (const [id, p] of eachTask(member.assigned.active)) {
    const epoch = member.assigned.active.get(id)!.get(p)!;
    setEpoch(hasTask(target.active, id, p) ? assigned.active : revoke.active, id, p, epoch);
  }
  for (const kind of ['standby', 'warmup'] as const) {
    for (const [id, p] of eachTask(member.assigned[kind])) addTask(hasTask(target[kind], id, p) ? assigned[kind] : revoke[kind], id, p);
  }
  const revoking = [revoke.active, revoke.standby, revoke.warmup].some((s) => s.size > 0);
  if (revoking) {
    // Nothing new until the revoked tasks are given up; the epoch stays.
    return { ...member, state: MemberState.UNREVOKED_TASKS, assigned, pendingRevocation: revoke };
  }
  for (const [id, p] of eachTask(target.active)) {
    if (hasTask(assigned.active, id, p)) continue;
    if (isUnreleasedActive(group, member, id, p)) unreleased = true;
    else setEpoch(assigned.active, id, p, targetEpoch);
  }
  for (const kind of ['standby', 'warmup'] as const) {
    for (const [id, p] of eachTask(target[kind])) {
      if (hasTask(assigned[kind], id, p)) continue;
      if (isUnreleasedReplica(group, member, kind, id, p)) unreleased = true;
      else addTask(assigned[kind], id, p);
    }
  }
  return {
    ...member,
    previousMemberEpoch: member.memberEpoch === targetEpoch ? member.previousMemberEpoch : member.memberEpoch,
    memberEpoch: targetEpoch,
    state: unreleased ? MemberState.UNRELEASED_TASKS : MemberState.STABLE,
    assigned,
    pendingRevocation: emptyWithEpochs(),
  };
}

function setEpoch(s: TasksWithEpochs['active'], id: string, p: number, epoch: number): void {
  let m = s.get(id);
  if (!m) s.set(id, (m = new Map()));
  m.set(p, epoch);
}

function isUnreleasedActive(group: StreamsGroup, member: StreamsGroupMember, id: string, p: number): boolean {
  if (group.activeTaskProcessId(id, p, member.memberId) !== undefined) return true;
  return heldOnThisProcess(group, member, 'standby', id, p) || heldOnThisProcess(group, member, 'warmup', id, p);
}

function isUnreleasedReplica(group: StreamsGroup, member: StreamsGroupMember, kind: 'standby' | 'warmup', id: string, p: number): boolean {
  if (group.activeTaskProcessId(id, p, member.memberId) === member.processId) return true;
  if (group.replicaProcessIds(kind, id, p, member.memberId).has(member.processId)) return true;
  const other = kind === 'standby' ? 'warmup' : 'standby';
  return heldOnThisProcess(group, member, other, id, p);
}

function heldOnThisProcess(group: StreamsGroup, member: StreamsGroupMember, kind: 'standby' | 'warmup', id: string, p: number): boolean {
  return group.replicaProcessIds(kind, id, p, member.memberId).has(member.processId);
}

