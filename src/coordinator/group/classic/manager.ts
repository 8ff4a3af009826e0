// The classic group protocol as the coordinator calls it: JoinGroup, SyncGroup, Heartbeat and LeaveGroup over one Rebalancer.
import type { HeartbeatRequest } from '../../../protocol/generated/heartbeat-request.js';
import type { JoinGroupRequest } from '../../../protocol/generated/join-group-request.js';
import type { JoinGroupResponse } from '../../../protocol/generated/join-group-response.js';
import type { SyncGroupRequest } from '../../../protocol/generated/sync-group-request.js';
import type { SyncGroupResponse } from '../../../protocol/generated/sync-group-response.js';
import type { CoordinatorContext } from '../context.js';
import { ClassicGroup } from './group.js';
import { heartbeat, touch } from './heartbeat.js';
import { ClassicGroupJoin, type JoinContext } from './join.js';
import { leave, type LeaveResult, type LeavingMember } from './leave.js';
import { Rebalancer } from './rebalance.js';
import { ClassicGroupSync } from './sync.js';

export type { JoinContext } from './join.js';
export type { LeaveResult, LeavingMember } from './leave.js';
export { joinError } from './rebalance.js';

export class ClassicGroupManager {
  private readonly r: Rebalancer;
  private readonly joins: ClassicGroupJoin;
  private readonly syncs: ClassicGroupSync;

  constructor(private readonly c: CoordinatorContext) {
    this.r = new Rebalancer(c);
    this.joins = new ClassicGroupJoin(c, this.r);
    this.syncs = new ClassicGroupSync(c, this.r);
  }

  private classic(groupId: string): ClassicGroup | undefined {
    const g = this.c.group(groupId);
    return g instanceof ClassicGroup ? g : undefined;
  }

  /** The coordinator has checked the group id and the session timeout. */
  join(req: JoinGroupRequest, ctx: JoinContext): Promise<JoinGroupResponse> {
    return this.joins.join(req, ctx);
  }

  sync(req: SyncGroupRequest): Promise<SyncGroupResponse> {
    return this.syncs.sync(this.classic(req.groupId), req);
  }

  heartbeat(req: HeartbeatRequest): number {
    return heartbeat(this.r, this.classic(req.groupId), req);
  }

  /** An OffsetCommit from a member keeps its session alive as a heartbeat does. */
  touch(group: ClassicGroup, memberId: string): void {
    touch(this.r, group, memberId);
  }

  leave(groupId: string, leaving: LeavingMember[]): LeaveResult {
    return leave(this.c, this.r, this.classic(groupId), leaving);
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

  /** The group becomes a consumer group (KIP-848 upgrade): parked requests rejoin (REBALANCE_IN_PROGRESS), timers stop. */
  release(group: ClassicGroup): void {
    this.r.release(group);
  }

  /** A group converted from a consumer group (KIP-848 downgrade): sessions start now and it rebalances. */
  adopt(group: ClassicGroup, rebalanceReason: string | null): void {
    this.r.onLoaded(group);
    if (rebalanceReason !== null) this.r.prepareRebalance(group, rebalanceReason);
  }

  /** Answers every parked request with NOT_COORDINATOR, as Kafka does when it unloads a group. */
  unload(group: ClassicGroup): void {
    this.r.unload(group);
  }
}
