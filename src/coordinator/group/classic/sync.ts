// SyncGroup: the leader's assignment (opaque bytes per member) is recorded, then every member waiting for it gets its own.
import { ErrorCode } from '../../../protocol/errors.js';
import type { SyncGroupRequest } from '../../../protocol/generated/sync-group-request.js';
import type { SyncGroupResponse } from '../../../protocol/generated/sync-group-response.js';
import { appendErrorCode, type CoordinatorContext } from '../context.js';
import type { ClassicGroup } from './group.js';
import { groupMetadataRecord } from './group-record.js';
import { EMPTY_ASSIGNMENT } from './member.js';
import { syncError, type Rebalancer } from './rebalance.js';

export class ClassicGroupSync {
  constructor(
    private readonly c: CoordinatorContext,
    private readonly r: Rebalancer,
  ) {}

  sync(group: ClassicGroup | undefined, req: SyncGroupRequest): Promise<SyncGroupResponse> {
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
