// The classic group's generation machinery (Kafka's GroupMetadataManager, classic part): preparing
// a rebalance, the initial rebalance delay, completing the join phase into a new generation with
// its leader and protocol, handing out the leader's assignment, and the timers that drive it all:
// rebalance timeouts, pending-sync timeouts and member session timeouts.
import { log } from '../../../log.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { JoinGroupResponse } from '../../../protocol/generated/join-group-response.js';
import type { SyncGroupResponse } from '../../../protocol/generated/sync-group-response.js';
import type { CoordinatorContext } from '../context.js';
import type { StoredRecord } from '../offsets-topic.js';
import { ClassicGroup } from './group.js';
import { groupMetadataRecord } from './group-record.js';
import { EMPTY_ASSIGNMENT, type ClassicMember } from './member.js';

const JOIN_KEY = 'join\0';
const SYNC_KEY = 'sync\0';
const HEARTBEAT_KEY = 'heartbeat\0';

export function heartbeatKey(groupId: string, memberId: string): string {
  return `${HEARTBEAT_KEY}${groupId}\0${memberId}`;
}

export function joinError(memberId: string, errorCode: number): JoinGroupResponse {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: [] };
}

export function syncError(errorCode: number): SyncGroupResponse {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT };
}

export class Rebalancer {
  constructor(private readonly c: CoordinatorContext) {}

  private classic(groupId: string): ClassicGroup | undefined {
    const g = this.c.group(groupId);
    return g instanceof ClassicGroup ? g : undefined;
  }

  joinResponse(group: ClassicGroup, memberId: string, withMembers: boolean, skipAssignment = false, leader = group.leaderId): JoinGroupResponse {
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: leader ?? '',
      skipAssignment,
      memberId,
      members: withMembers ? group.currentMembers() : [],
    };
  }

  maybePrepareRebalanceOrCompleteJoin(group: ClassicGroup, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason);
    else this.maybeCompleteJoinPhase(group);
  }

  maybeCompleteJoinPhase(group: ClassicGroup): void {
    if (!group.is('PreparingRebalance')) return;
    // The initial rebalance waits out its delay even when everyone has joined.
    if (group.previousState === 'Empty') return;
    if (group.hasAllMembersJoined()) this.completeJoin(group);
  }

  prepareRebalance(group: ClassicGroup, reason: string): void {
    // Members waiting for an assignment must rejoin instead.
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignment(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.removeSyncExpiration(group);
    const initial = group.is('Empty');
    if (initial) {
      const delay = this.c.settings.initialRebalanceDelayMs;
      const remaining = Math.max(group.rebalanceTimeoutMs() - delay, 0);
      const groupId = group.groupId;
      this.c.timers.schedule(JOIN_KEY + groupId, delay, () => this.tryCompleteInitialRebalance(groupId, delay, remaining));
    }
    group.transitionTo('PreparingRebalance', this.c.now());
    log.debug(`preparing to rebalance group ${group.groupId} (generation ${group.generationId}): ${reason}`);
    if (!initial) this.maybeCompleteJoinElseSchedule(group);
  }

  private maybeCompleteJoinElseSchedule(group: ClassicGroup): void {
    if (group.hasAllMembersJoined()) return this.completeJoin(group);
    const groupId = group.groupId;
    this.c.timers.schedule(JOIN_KEY + groupId, group.rebalanceTimeoutMs(), () => this.completeJoinById(groupId));
  }

  private tryCompleteInitialRebalance(groupId: string, delayMs: number, remainingMs: number): void {
    const group = this.classic(groupId);
    if (!group) return;
    if (group.newMemberAdded && remainingMs !== 0) {
      group.newMemberAdded = false;
      const nextDelay = Math.min(this.c.settings.initialRebalanceDelayMs, remainingMs);
      const nextRemaining = Math.max(remainingMs - delayMs, 0);
      this.c.timers.schedule(JOIN_KEY + groupId, nextDelay, () => this.tryCompleteInitialRebalance(groupId, nextDelay, nextRemaining));
    } else {
      this.completeJoin(group);
    }
  }

  private completeJoinById(groupId: string): void {
    const group = this.classic(groupId);
    if (group) this.completeJoin(group);
  }

  /**
   * Ends the join phase: dynamic members that did not rejoin are dropped, the next generation
   * starts, and every member gets its JoinGroup response (the leader with all members' metadata).
   */
  completeJoin(group: ClassicGroup): void {
    const groupId = group.groupId;
    this.c.timers.cancel(JOIN_KEY + groupId);
    for (const m of group.notYetRejoinedMembers()) {
      if (m.isStatic) continue;
      group.remove(m.memberId);
      this.c.timers.cancel(heartbeatKey(groupId, m.memberId));
    }
    if (group.is('Dead')) return;
    if (!group.maybeElectNewJoinedLeader() && group.members.size > 0) {
      // Nobody rejoined: wait another rebalance timeout for sessions to expire the silent ones.
      this.c.timers.schedule(JOIN_KEY + groupId, group.rebalanceTimeoutMs(), () => this.completeJoinById(groupId));
      return;
    }
    group.initNextGeneration(this.c.now());
    if (group.is('Empty')) {
      this.record(groupId, groupMetadataRecord(group, new Map()), 'empty group');
      return;
    }
    log.debug(`group ${groupId} generation ${group.generationId} formed with ${group.members.size} member(s), protocol ${group.protocolName}`);
    for (const m of group.members.values()) {
      group.completeJoin(m, this.joinResponse(group, m.memberId, group.isLeader(m.memberId)));
      this.rescheduleHeartbeat(group, m.memberId, m.sessionTimeoutMs);
      m.isNew = false;
      group.pendingSyncMembers.add(m.memberId);
    }
    const generationId = group.generationId;
    this.c.timers.schedule(SYNC_KEY + groupId, group.rebalanceTimeoutMs(), () => this.expirePendingSync(groupId, generationId));
  }

  /** Members that never sent SyncGroup within the rebalance timeout are removed. */
  private expirePendingSync(groupId: string, generationId: number): void {
    const group = this.classic(groupId);
    if (!group || group.generationId !== generationId) return;
    if (!group.is('CompletingRebalance') && !group.is('Stable')) return;
    if (group.pendingSyncMembers.size === 0) return;
    const pending = [...group.pendingSyncMembers];
    for (const id of pending) {
      group.remove(id);
      this.c.timers.cancel(heartbeatKey(groupId, id));
    }
    this.prepareRebalance(group, `members ${pending.join(', ')} sent no SyncGroup`);
  }

  private removeSyncExpiration(group: ClassicGroup): void {
    group.pendingSyncMembers.clear();
    this.c.timers.cancel(SYNC_KEY + group.groupId);
  }

  removePendingSyncMember(group: ClassicGroup, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    const inSync = group.is('CompletingRebalance') || group.is('Stable');
    if (!inSync || group.pendingSyncMembers.size === 0) this.c.timers.cancel(SYNC_KEY + group.groupId);
  }

  rescheduleHeartbeat(group: ClassicGroup, memberId: string, timeoutMs: number): void {
    const groupId = group.groupId;
    this.c.timers.schedule(heartbeatKey(groupId, memberId), timeoutMs, () => this.expireHeartbeat(groupId, memberId));
  }

  private expireHeartbeat(groupId: string, memberId: string): void {
    const group = this.classic(groupId);
    if (!group || group.is('Dead')) return;
    if (group.isPendingMember(memberId)) {
      group.remove(memberId);
      if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) this.completeJoin(group);
      return;
    }
    const member = group.get(memberId);
    if (member && !member.hasSatisfiedHeartbeat()) {
      log.info(`member ${memberId} of group ${groupId} failed its session timeout; removing it`);
      this.removeMemberAndUpdateGroup(group, member, 'session timeout');
    }
  }

  private removeMemberAndUpdateGroup(group: ClassicGroup, member: ClassicMember, reason: string): void {
    // A new member may time out while its JoinGroup is parked: tell it to start over.
    group.completeJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    group.completeSync(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
    if (group.is('Stable') || group.is('CompletingRebalance')) this.maybePrepareRebalanceOrCompleteJoin(group, reason);
    else if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) this.completeJoin(group);
  }

  resetAndPropagateAssignment(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY_ASSIGNMENT;
    this.propagateAssignment(group, errorCode);
  }

  propagateAssignment(group: ClassicGroup, errorCode: number): void {
    const ok = errorCode === ErrorCode.NONE;
    for (const m of group.members.values()) {
      const res: SyncGroupResponse = {
        errorCode,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: m.assignment,
      };
      // The session restarts once the member has its assignment.
      if (group.completeSync(m, res)) this.rescheduleHeartbeat(group, m.memberId, m.sessionTimeoutMs);
    }
  }

  /** After loading: every member's session starts now (Kafka's onLoaded). */
  onLoaded(group: ClassicGroup): void {
    for (const m of group.members.values()) this.rescheduleHeartbeat(group, m.memberId, m.sessionTimeoutMs);
    if (group.members.size > this.c.settings.maxGroupSize) this.prepareRebalance(group, 'loaded over capacity');
  }

  /** Cancels the timers of a group being deleted. */
  cancelTimers(group: ClassicGroup): void {
    this.c.timers.cancel(JOIN_KEY + group.groupId);
    this.c.timers.cancel(SYNC_KEY + group.groupId);
    for (const id of group.members.keys()) this.c.timers.cancel(heartbeatKey(group.groupId, id));
    for (const id of group.pendingJoinMembers) this.c.timers.cancel(heartbeatKey(group.groupId, id));
  }

  /** Kafka's completeAllJoinFutures/completeAllSyncFutures(REBALANCE_IN_PROGRESS) before an upgrade, and no more timers. */
  release(group: ClassicGroup): void {
    for (const m of group.members.values()) {
      group.completeJoin(m, joinError(m.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
      group.completeSync(m, syncError(ErrorCode.REBALANCE_IN_PROGRESS));
    }
    this.cancelTimers(group);
  }

  /** Answers every parked request as Kafka does when it stops coordinating a group. */
  unload(group: ClassicGroup): void {
    for (const m of group.members.values()) {
      group.completeJoin(m, joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
      group.completeSync(m, syncError(ErrorCode.NOT_COORDINATOR));
    }
  }

  /** Appends a record nobody waits for; a failure only costs what a restart would reload. */
  record(groupId: string, record: StoredRecord, what: string): void {
    this.c.append(groupId, [record]).catch((e) => {
      log.warn(`group ${groupId}: recording the ${what} failed: ${(e as Error).message}`);
    });
  }
}
