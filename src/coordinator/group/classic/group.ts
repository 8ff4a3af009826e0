// A classic group's state (Kafka's ClassicGroup): members, static members, pending members, the
// generation, its protocol and leader, and the state machine
//   Empty -> PreparingRebalance -> CompletingRebalance -> Stable (-> PreparingRebalance ...), any -> Dead.
// Pure state: timers, persistence and responses live in the manager.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../../protocol/errors.js';
import type { JoinGroupResponse } from '../../../protocol/generated/join-group-response.js';
import type { SyncGroupResponse } from '../../../protocol/generated/sync-group-response.js';
import type { Group } from '../group.js';
import type { OffsetAndMetadata } from '../records.js';
import * as rules from './group-rules.js';
import { ClassicMember, type Protocol } from './member.js';
import { SupportedProtocols, consumerSubscribedTopics } from './protocols.js';
import { canTransition, type ClassicGroupState } from './state.js';

export type { ClassicGroupState } from './state.js';

export interface JoinResponseMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export class ClassicGroup implements Group {
  readonly type = 'classic' as const;
  state: ClassicGroupState;
  previousState: ClassicGroupState = 'Dead';
  /** When the group entered its current state; null for groups loaded from records without one. */
  currentStateTimestamp: number | null;
  protocolType: string | null;
  protocolName: string | null;
  generationId: number;
  leaderId: string | null;
  /** Insertion-ordered, so leader re-election is deterministic. */
  readonly members = new Map<string, ClassicMember>();
  /** group.instance.id -> member id. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet. */
  readonly pendingJoinMembers = new Set<string>();
  /** Members of the new generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  numMembersAwaitingJoin = 0;
  private readonly supportedProtocols = new SupportedProtocols();
  /** Topics of the "consumer" protocol subscriptions; null when unknown. */
  subscribedTopics: Set<string> | null = null;
  /** A member joined during the initial rebalance delay, which therefore extends. */
  newMemberAdded = false;

  constructor(
    readonly groupId: string,
    state: ClassicGroupState,
    now: number | null,
    init: { generationId?: number; protocolType?: string | null; protocolName?: string | null; leaderId?: string | null } = {},
  ) {
    this.state = state;
    this.currentStateTimestamp = now;
    this.generationId = init.generationId ?? 0;
    this.protocolType = init.protocolType ?? null;
    this.protocolName = init.protocolName ?? null;
    this.leaderId = init.leaderId ?? null;
  }

  is(state: ClassicGroupState): boolean {
    return this.state === state;
  }

  transitionTo(state: ClassicGroupState, now: number): void {
    if (!canTransition(this.state, state)) {
      throw new Error(`group ${this.groupId} cannot move from ${this.state} to ${state}`);
    }
    this.previousState = this.state;
    this.state = state;
    this.currentStateTimestamp = now;
  }

  canRebalance(): boolean {
    return canTransition(this.state, 'PreparingRebalance');
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): ClassicMember | undefined {
    return this.members.get(memberId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** The largest rebalance timeout of the members. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  newMemberId(clientId: string, groupInstanceId: string | null): string {
    return `${groupInstanceId ?? clientId}-${randomUUID()}`;
  }

  add(member: ClassicMember, awaitingJoin: ((res: JoinGroupResponse) => void) | null): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) throw new Error(`static member ${member.groupInstanceId} is already in group ${this.groupId}`);
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.supportedProtocols.add(member);
    member.awaitingJoin = awaitingJoin;
    if (member.isAwaitingJoin) this.numMembersAwaitingJoin++;
    this.pendingJoinMembers.delete(member.memberId);
  }

  remove(memberId: string): void {
    const removed = this.members.get(memberId);
    if (removed) {
      this.members.delete(memberId);
      this.supportedProtocols.remove(removed);
      if (removed.isAwaitingJoin) this.numMembersAwaitingJoin--;
      if (removed.groupInstanceId !== null) this.staticMembers.delete(removed.groupInstanceId);
    }
    if (this.isLeader(memberId)) {
      const next = this.members.keys().next();
      this.leaderId = next.done ? null : next.value;
    }
    this.pendingJoinMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  updateMember(
    member: ClassicMember,
    protocols: Protocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    awaitingJoin: ((res: JoinGroupResponse) => void) | null,
  ): void {
    this.supportedProtocols.remove(member);
    member.protocols = protocols;
    this.supportedProtocols.add(member);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (awaitingJoin !== null && !member.isAwaitingJoin) this.numMembersAwaitingJoin++;
    else if (awaitingJoin === null && member.isAwaitingJoin) this.numMembersAwaitingJoin--;
    member.awaitingJoin = awaitingJoin;
  }

  /** Static members only: the member takes a new id; a parked request under the old id is fenced. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicMember {
    const old = this.members.get(oldMemberId);
    if (!old) throw new Error(`cannot replace unknown member ${oldMemberId}`);
    this.members.delete(oldMemberId);
    this.completeJoin(old, {
      errorCode: ErrorCode.FENCED_INSTANCE_ID,
      generationId: -1,
      protocolType: null,
      protocolName: null,
      leader: '',
      skipAssignment: false,
      memberId: oldMemberId,
      members: [],
    });
    this.completeSync(old, { errorCode: ErrorCode.FENCED_INSTANCE_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    const member = new ClassicMember(
      newMemberId,
      old.groupInstanceId,
      old.clientId,
      old.clientHost,
      old.rebalanceTimeoutMs,
      old.sessionTimeoutMs,
      old.protocolType,
      old.protocols,
    );
    member.assignment = old.assignment;
    this.members.set(newMemberId, member);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    this.staticMembers.set(groupInstanceId, newMemberId);
    return member;
  }

  /** Completes the member's parked JoinGroup; true when there was one. */
  completeJoin(member: ClassicMember, res: JoinGroupResponse): boolean {
    const cb = member.awaitingJoin;
    if (!cb) return false;
    member.awaitingJoin = null;
    this.numMembersAwaitingJoin--;
    cb(res);
    return true;
  }

  /** Completes the member's parked SyncGroup; true when there was one. */
  completeSync(member: ClassicMember, res: SyncGroupResponse): boolean {
    const cb = member.awaitingSync;
    if (!cb) return false;
    member.awaitingSync = null;
    cb(res);
    return true;
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingJoinMembers.has(memberId);
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.numMembersAwaitingJoin && this.pendingJoinMembers.size === 0;
  }

  notYetRejoinedMembers(): ClassicMember[] {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin);
  }

  /** Keeps the leader if it rejoined, else elects a member that did; false when none did. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader?.isAwaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /**
   * A member id in the request that a static member's current id does not match is fenced;
   * an unknown instance id or member id is UNKNOWN_MEMBER_ID. NONE otherwise.
   */
  validateMember(memberId: string, groupInstanceId: string | null | undefined): number {
    if (groupInstanceId != null) {
      const existing = this.staticMembers.get(groupInstanceId);
      if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (existing !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** True when a member with these protocols could join: same type, and one protocol all members share. */
  supportsProtocols(protocolType: string, protocols: Protocol[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    return this.supportedProtocols.includesOneOf(protocols, this.members.size);
  }

  /** The protocol supported by every member that most members prefer. */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`cannot select a protocol for empty group ${this.groupId}`);
    return this.supportedProtocols.select(this.members.values(), this.members.size);
  }

  /** Next generation: CompletingRebalance with the selected protocol, or Empty without members. */
  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance', now);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('Empty', now);
    }
    this.pendingSyncMembers.clear();
  }

  /** The members as the leader's JoinGroup response lists them. */
  currentMembers(): JoinResponseMember[] {
    const out: JoinResponseMember[] = [];
    for (const m of this.members.values()) {
      out.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(this.protocolName!) });
    }
    return out;
  }

  groupAssignment(): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const m of this.members.values()) out.set(m.memberId, m.assignment);
    return out;
  }

  /** The topics "consumer" members subscribe to; null when the type differs or metadata is malformed. */
  computeSubscribedTopics(): Set<string> | null {
    return consumerSubscribedTopics(this.protocolType, this.protocolName, this.members);
  }

  // Group (shared with future group types)

  stateName(): string {
    return this.state;
  }

  isEmpty(): boolean {
    return this.is('Empty');
  }

  protocolTypeOrEmpty(): string {
    return this.protocolType ?? '';
  }

  validateOffsetCommit(memberId: string, groupInstanceId: string | null, generationId: number, isTransactional = false): number {
    return rules.validateOffsetCommit(this, memberId, groupInstanceId, generationId, isTransactional);
  }

  validateDeleteGroup(): number {
    return rules.validateDeleteGroup(this);
  }

  validateOffsetDelete(): number {
    return rules.validateOffsetDelete(this);
  }

  isSubscribedToTopic(topic: string): boolean {
    return rules.isSubscribedToTopic(this, topic);
  }

  offsetExpirationBase(): ((o: OffsetAndMetadata) => number) | null {
    return rules.offsetExpirationBase(this);
  }
}
