// JoinGroup: new members (MEMBER_ID_REQUIRED from v4), static members (KIP-345) replacing their previous incarnation, rejoins.
import { log } from '../../../log.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { JoinGroupRequest } from '../../../protocol/generated/join-group-request.js';
import type { JoinGroupResponse } from '../../../protocol/generated/join-group-response.js';
import { appendErrorCode, type CoordinatorContext } from '../context.js';
import { ClassicGroup } from './group.js';
import { groupMetadataRecord, newGroupRecord } from './group-record.js';
import { ClassicMember, type Protocol } from './member.js';
import { heartbeatKey, joinError, type Rebalancer } from './rebalance.js';

/** Who sent a JoinGroup, and with which version (v4+ requires a known member id, v9+ may skip assignment). */
export interface JoinContext {
  clientId: string;
  clientHost: string;
  apiVersion: number;
}

type Respond = (res: JoinGroupResponse) => void;

export class ClassicGroupJoin {
  constructor(
    private readonly c: CoordinatorContext,
    private readonly r: Rebalancer,
  ) {}

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
}

function protocolsOf(req: JoinGroupRequest): Protocol[] {
  return req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }));
}

/** JoinGroup v0 has no rebalance timeout: the session timeout serves as one. */
function rebalanceTimeoutOf(req: JoinGroupRequest): number {
  return req.rebalanceTimeoutMs === undefined || req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs;
}
