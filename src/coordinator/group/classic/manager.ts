// The classic group protocol's requests (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) as Kafka's
// group coordinator answers them: MEMBER_ID_REQUIRED for new dynamic members (JoinGroup v4+),
// static members (KIP-345) replacing their previous incarnation and fencing it, generation
// fencing. Protocol metadata and assignments are opaque bytes from members to the leader and back;
// the generation machinery and its timers are in rebalance.ts.
import { log } from '../../../log.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { JoinGroupRequest } from '../../../protocol/generated/join-group-request.js';
import type { JoinGroupResponse } from '../../../protocol/generated/join-group-response.js';
import type { SyncGroupRequest } from '../../../protocol/generated/sync-group-request.js';
import type { SyncGroupResponse } from '../../../protocol/generated/sync-group-response.js';
import type { HeartbeatRequest } from '../../../protocol/generated/heartbeat-request.js';
import { appendErrorCode, type CoordinatorContext } from '../context.js';
import { ClassicGroup } from './group.js';
import { groupMetadataRecord, newGroupRecord } from './group-record.js';
import { ClassicMember, EMPTY_ASSIGNMENT, type Protocol } from './member.js';
import { Rebalancer, heartbeatKey, joinError, syncError } from './rebalance.js';

export { joinError } from './rebalance.js';

/** Who sent a JoinGroup, and with which version (v4+ requires a known member id, v9+ may skip assignment). */
export interface JoinContext {
  clientId: string;
  clientHost: string;
  apiVersion: number;
}

export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
  reason?: string | null;
}

export interface LeaveResult {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

type Respond = (res: JoinGroupResponse) => void;

export class ClassicGroupManager {
  private readonly r: Rebalancer;

  constructor(private readonly c: CoordinatorContext) {
    this.r = new Rebalancer(c);
  }

  private classic(groupId: string): ClassicGroup | undefined {
    const g = this.c.group(groupId);
    return g instanceof ClassicGroup ? g : undefined;
  }

  // JoinGroup

  /** The coordinator has checked the group id and the session timeout. */
  join(req: JoinGroupRequest, ctx: JoinContext): Promise<JoinGroupResponse> {
    return new Promise((respond) => this.doJoin(req, ctx, respond));
  }

  private doJoin(req: JoinGroupRequest, ctx: JoinContext, respond: Respond): void {
    const existing = this.c.group(req.groupId);
    if (existing !== undefined && !(existing instanceof ClassicGroup)) {
      // A group of another type (KIP-848) is not joined through JoinGroup here.
      return respond(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const isUnknownMember = req.memberId === '';
    let group = existing;
    const isNewGroup = group === undefined;
    if (group === undefined) {
      // A known member id for a group that does not exist is stale.
      if (!isUnknownMember) return respond(joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      group = new ClassicGroup(req.groupId, 'Empty', this.c.now());
      this.c.addGroup(group);
    }
    if (!this.acceptJoiningMember(group, req.memberId)) {
      group.remove(req.memberId);
      respond(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
    } else if (isUnknownMember) {
      this.joinNewMember(group, req, ctx, respond);
    } else {
      this.joinExistingMember(group, req, ctx, respond);
    }
    // Kafka records a new group at once so it survives a restart even before its first generation.
    if (isNewGroup) this.r.record(group.groupId, newGroupRecord(group), 'new group');
  }

  private acceptJoiningMember(group: ClassicGroup, memberId: string): boolean {
    const max = this.c.settings.maxGroupSize;
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (group.get(memberId)?.isAwaitingJoin ?? false) || group.numMembersAwaitingJoin < max;
      default:
        return group.has(memberId) || group.members.size < max;
    }
  }

  private joinNewMember(group: ClassicGroup, req: JoinGroupRequest, ctx: JoinContext, respond: Respond): void {
    const protocols = protocolsOf(req);
    if (group.is('Dead')) return respond(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, protocols)) return respond(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    const instanceId = req.groupInstanceId ?? null;
    const newMemberId = group.newMemberId(ctx.clientId, instanceId);
    if (instanceId !== null) {
      const oldMemberId = group.staticMembers.get(instanceId);
      if (oldMemberId !== undefined) return this.updateStaticMember(group, req, ctx, oldMemberId, newMemberId, respond);
      return this.addMember(group, req, ctx, newMemberId, respond);
    }
    if (ctx.apiVersion >= 4) {
      // KIP-394: the member must come back with the id it is given, so a client that never
      // receives its response does not leave a phantom member behind.
      group.pendingJoinMembers.add(newMemberId);
      this.r.rescheduleHeartbeat(group, newMemberId, req.sessionTimeoutMs);
      return respond({ ...joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED) });
    }
    this.addMember(group, req, ctx, newMemberId, respond);
  }

  private joinExistingMember(group: ClassicGroup, req: JoinGroupRequest, ctx: JoinContext, respond: Respond): void {
    const memberId = req.memberId;
    const protocols = protocolsOf(req);
    if (group.is('Dead')) return respond(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, protocols)) return respond(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    if (group.isPendingMember(memberId)) {
      // Pending ids are only handed to dynamic members.
      if (req.groupInstanceId != null) return respond(joinError(memberId, ErrorCode.UNKNOWN_SERVER_ERROR));
      return this.addMember(group, req, ctx, memberId, respond);
    }
    const error = group.validateMember(memberId, req.groupInstanceId);
    if (error !== ErrorCode.NONE) return respond(joinError(memberId, error));
    const member = group.get(memberId)!;
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMember(group, member, req, respond, `member ${memberId} joining during PreparingRebalance`);
      case 'CompletingRebalance':
        // The same metadata again: the member missed its JoinGroup response; repeat it.
        if (member.matches(protocols)) return respond(this.r.joinResponse(group, member.memberId, group.isLeader(memberId)));
        return this.updateMember(group, member, req, respond, `member ${memberId} changed its metadata`);
      case 'Stable':
        // A leader's JoinGroup forces a rebalance (e.g. for topic metadata changes).
        if (group.isLeader(memberId) || !member.matches(protocols)) {
          return this.updateMember(group, member, req, respond, `member ${memberId} rejoining a Stable group`);
        }
        return respond(this.r.joinResponse(group, memberId, false));
      default:
        return respond(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }


  private addMember(group: ClassicGroup, req: JoinGroupRequest, ctx: JoinContext, memberId: string, respond: Respond): void {
    const member = new ClassicMember(
      memberId,
      req.groupInstanceId ?? null,
      ctx.clientId,
      ctx.clientHost,
      rebalanceTimeoutOf(req),
      req.sessionTimeoutMs,
      req.protocolType,
      protocolsOf(req),
    );
    member.isNew = true;
    // Each new member during the initial rebalance delay extends it.
    if (group.is('PreparingRebalance') && group.previousState === 'Empty') group.newMemberAdded = true;
    group.add(member, respond);
    // New members cannot heartbeat; a parked JoinGroup whose client went away expires after this.
    this.r.rescheduleHeartbeat(group, memberId, this.c.settings.newMemberJoinTimeoutMs);
    this.r.maybePrepareRebalanceOrCompleteJoin(group, `adding member ${memberId}`);
  }

  private updateMember(group: ClassicGroup, member: ClassicMember, req: JoinGroupRequest, respond: Respond, reason: string): void {
    // A JoinGroup superseding a parked one: the client gave up on the first; answer it so the
    // connection's responses keep flowing.
    group.completeJoin(member, joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
    group.updateMember(member, protocolsOf(req), rebalanceTimeoutOf(req), req.sessionTimeoutMs, respond);
    this.r.maybePrepareRebalanceOrCompleteJoin(group, reason);
  }

  /** KIP-345: a static member rejoining under a new member id takes over its old identity. */
  private updateStaticMember(
    group: ClassicGroup,
    req: JoinGroupRequest,
    ctx: JoinContext,
    oldMemberId: string,
    newMemberId: string,
    respond: Respond,
  ): void {
    const instanceId = req.groupInstanceId!;
    const currentLeader = group.leaderId;
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    this.c.timers.cancel(heartbeatKey(group.groupId, oldMemberId));
    this.r.rescheduleHeartbeat(group, newMemberId, member.sessionTimeoutMs);
    const old = { rebalanceTimeoutMs: member.rebalanceTimeoutMs, sessionTimeoutMs: member.sessionTimeoutMs, protocols: member.protocols };
    group.updateMember(member, protocolsOf(req), rebalanceTimeoutOf(req), req.sessionTimeoutMs, respond);

    if (group.is('Stable')) {
      if ((group.protocolName ?? '') !== group.selectProtocol()) {
        return this.r.maybePrepareRebalanceOrCompleteJoin(group, `static member ${instanceId} changed the selected protocol`);
      }
      // Same protocol: no rebalance; record the new member id, then hand back the current generation.
      const generationId = group.generationId;
      this.c.append(group.groupId, [groupMetadataRecord(group, group.groupAssignment())]).then(
        () => {
          if (ctx.apiVersion >= 9) {
            // KIP-814: a static leader learns it leads but must not run the assignor again.
            const isLeader = group.isLeader(newMemberId);
            group.completeJoin(member, this.r.joinResponse(group, newMemberId, isLeader, isLeader));
          } else {
            // Older clients get the previous leader id so a returning leader does not reassign.
            group.completeJoin(member, this.r.joinResponse(group, newMemberId, false, false, currentLeader));
          }
        },
        (e) => {
          log.warn(`group ${group.groupId}: recording static member ${instanceId} as ${newMemberId} failed, reverting: ${(e as Error).message}`);
          group.updateMember(member, old.protocols, old.rebalanceTimeoutMs, old.sessionTimeoutMs, null);
          const reverted = group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
          this.c.timers.cancel(heartbeatKey(group.groupId, newMemberId));
          this.r.rescheduleHeartbeat(group, oldMemberId, reverted.sessionTimeoutMs);
          respond({
            ...this.r.joinResponse(group, '', false, false, currentLeader),
            generationId,
            errorCode: appendErrorCode(e),
          });
        },
      );
      return;
    }
    if (group.is('CompletingRebalance')) {
      // The leader may already be assigning to the old member id: start over.
      return this.r.prepareRebalance(group, `static member ${instanceId} rejoined during CompletingRebalance`);
    }
    this.r.maybeCompleteJoinPhase(group);
  }











  // Heartbeats and session timeouts




  heartbeat(req: HeartbeatRequest): number {
    const group = this.classic(req.groupId);
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
        this.r.rescheduleHeartbeat(group, member.memberId, member.sessionTimeoutMs);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      default:
        // Heartbeats may start right after the JoinGroup response, in CompletingRebalance.
        this.r.rescheduleHeartbeat(group, member.memberId, member.sessionTimeoutMs);
        return ErrorCode.NONE;
    }
  }

  /** An OffsetCommit from a member keeps its session alive as a heartbeat does. */
  touch(group: ClassicGroup, memberId: string): void {
    const member = group.get(memberId);
    if (member && (group.is('Stable') || group.is('PreparingRebalance'))) this.r.rescheduleHeartbeat(group, memberId, member.sessionTimeoutMs);
  }

  // SyncGroup

  sync(req: SyncGroupRequest): Promise<SyncGroupResponse> {
    const group = this.classic(req.groupId);
    if (!group || group.isEmpty()) return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    const error = validateSync(group, req);
    if (error !== ErrorCode.NONE) return Promise.resolve(syncError(error));
    const memberId = req.memberId;
    const member = group.get(memberId)!;
    if (group.is('PreparingRebalance')) return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
    if (group.is('Stable')) {
      this.r.removePendingSyncMember(group, memberId);
      return Promise.resolve({ errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
    }
    // CompletingRebalance: park until the leader's assignment is recorded.
    return new Promise((respond) => {
      group.completeSync(member, syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      member.awaitingSync = respond;
      this.r.removePendingSyncMember(group, memberId);
      if (group.isLeader(memberId)) this.storeAssignment(group, req);
    });
  }

  /** Records the leader's assignment (missing members get an empty one), then hands it out. */
  private storeAssignment(group: ClassicGroup, req: SyncGroupRequest): void {
    const assignment = new Map<string, Buffer>();
    for (const a of req.assignments) assignment.set(a.memberId, Buffer.from(a.assignment));
    for (const id of group.members.keys()) if (!assignment.has(id)) assignment.set(id, EMPTY_ASSIGNMENT);
    const generationId = req.generationId;
    const stillCurrent = () => group.is('CompletingRebalance') && group.generationId === generationId;
    this.c.append(group.groupId, [groupMetadataRecord(group, assignment)]).then(
      () => {
        if (!stillCurrent()) return;
        for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY_ASSIGNMENT;
        this.r.propagateAssignment(group, ErrorCode.NONE);
        group.transitionTo('Stable', this.c.now());
      },
      (e) => {
        if (!stillCurrent()) return;
        this.r.resetAndPropagateAssignment(group, appendErrorCode(e));
        this.r.maybePrepareRebalanceOrCompleteJoin(group, `recording the assignment failed: ${(e as Error).message}`);
      },
    );
  }



  // LeaveGroup

  leave(groupId: string, leaving: LeavingMember[]): LeaveResult {
    const group = this.classic(groupId);
    if (!group) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: [] };
    if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members: LeaveResult['members'] = [];
    for (const l of leaving) {
      const instanceId = l.groupInstanceId ?? null;
      let errorCode: number = ErrorCode.NONE;
      if (l.memberId === '') {
        // Administrative removal of a static member by its instance id.
        const current = instanceId !== null ? group.staticMembers.get(instanceId) : undefined;
        if (current !== undefined) this.removeLeavingMember(group, current);
        else errorCode = ErrorCode.UNKNOWN_MEMBER_ID;
      } else if (group.isPendingMember(l.memberId)) {
        group.remove(l.memberId);
        this.c.timers.cancel(heartbeatKey(groupId, l.memberId));
      } else {
        errorCode = group.validateMember(l.memberId, instanceId);
        if (errorCode === ErrorCode.NONE) this.removeLeavingMember(group, l.memberId);
      }
      members.push({ memberId: l.memberId, groupInstanceId: instanceId, errorCode });
    }
    if (members.some((m) => m.errorCode === ErrorCode.NONE)) {
      if (group.is('Stable') || group.is('CompletingRebalance')) this.r.maybePrepareRebalanceOrCompleteJoin(group, 'members left');
      else if (group.is('PreparingRebalance')) this.r.maybeCompleteJoinPhase(group);
    }
    return { errorCode: ErrorCode.NONE, members };
  }

  private removeLeavingMember(group: ClassicGroup, memberId: string): void {
    const member = group.get(memberId)!;
    this.c.timers.cancel(heartbeatKey(group.groupId, memberId));
    group.completeJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    group.completeSync(member, syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(memberId);
    log.debug(`member ${memberId} left group ${group.groupId}`);
  }

  // Loading, deletion, shutdown

  /** After loading: every member's session starts now (Kafka's onLoaded). */
  onLoaded(group: ClassicGroup): void {
    this.r.onLoaded(group);
  }

  /** Cancels the timers of a group being deleted. */
  cancelTimers(group: ClassicGroup): void {
    this.r.cancelTimers(group);
  }

  /** Answers every parked request with NOT_COORDINATOR, as Kafka does when it unloads a group. */
  unload(group: ClassicGroup): void {
    this.r.unload(group);
  }




}

function validateSync(group: ClassicGroup, req: SyncGroupRequest): number {
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const error = group.validateMember(req.memberId, req.groupInstanceId);
  if (error !== ErrorCode.NONE) return error;
  if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  if (inconsistent(req.protocolType, group.protocolType) || inconsistent(req.protocolName, group.protocolName)) {
    return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
  }
  return ErrorCode.NONE;
}

/** SyncGroup v5+ names the protocol it expects; absent (null) means no check. */
function inconsistent(requested: string | null | undefined, actual: string | null): boolean {
  return requested != null && actual !== null && requested !== actual;
}

function protocolsOf(req: JoinGroupRequest): Protocol[] {
  return req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }));
}

/** JoinGroup v0 has no rebalance timeout: the session timeout serves as one. */
function rebalanceTimeoutOf(req: JoinGroupRequest): number {
  return req.rebalanceTimeoutMs === undefined || req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs;
}

