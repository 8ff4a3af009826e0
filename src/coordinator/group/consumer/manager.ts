// KIP-848 consumer groups as the coordinator serves them (Kafka's GroupMetadataManager for the
// consumer protocol): ConsumerGroupHeartbeat (join, heartbeat, leave, static leave), the group epoch
// bumped on subscription and topic metadata changes, the target assignment from the server-side
// assignor, reconciliation (revoke before assign), session and rebalance timeouts, and
// ConsumerGroupDescribe. Every change is a list of records: they are applied to the group, then
// written; a failed write restores the group as it was.
import { randomBytes } from 'node:crypto';
import { log } from '../../../log.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest } from '../../../protocol/generated/consumer-group-heartbeat-request.js';
import type { ConsumerGroupHeartbeatResponse } from '../../../protocol/generated/consumer-group-heartbeat-response.js';
import type { ConsumerGroupDescribeResponseDescribedGroup, ConsumerGroupDescribeResponseTopicPartitions } from '../../../protocol/generated/consumer-group-describe-response.js';
import { appendErrorCode, type CoordinatorContext } from '../context.js';
import type { JoinGroupRequest } from '../../../protocol/generated/join-group-request.js';
import type { JoinGroupResponse } from '../../../protocol/generated/join-group-response.js';
import type { SyncGroupRequest } from '../../../protocol/generated/sync-group-request.js';
import type { SyncGroupResponse } from '../../../protocol/generated/sync-group-response.js';
import type { HeartbeatRequest } from '../../../protocol/generated/heartbeat-request.js';
import type { LeaveResult, LeavingMember } from '../classic/leave.js';
import type { Group } from '../group.js';
import { UnreplicatedWrite, type StoredRecord } from '../offsets-topic.js';
import type { GroupProtocolManager } from '../protocol.js';
import type { PartitionAssignor, TopicPartitions } from '../assignor/types.js';
import { ClassicGroup } from '../classic/group.js';
import { groupMetadataRecord, groupTombstone } from '../classic/group-record.js';
import { reconcile } from './current-assignment.js';
import { FencedMemberEpochError, GroupApiError } from './errors.js';
import { ConsumerGroup, type ResolvedRegex } from './group.js';
import { compileSubscriptionRegex, InvalidRegexError, resolveSubscriptionRegex } from '../subscription-regex.js';
import { validateHeartbeat } from './heartbeat-validation.js';
import {
  fromTopicPartitions,
  isReconciledTo,
  JOIN_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  MemberState,
  newMember,
  sameAssignmentState,
  sameNames,
  samePartitions,
  sameSubscription,
  toTopicPartitions,
  type ConsumerGroupMember,
} from './member.js';
import {
  CONSUMER_RECORD_TYPES,
  currentAssignmentRecord,
  currentAssignmentTombstone,
  decodeConsumerRecord,
  groupEpochRecord,
  groupEpochTombstone,
  memberMetadataRecord,
  memberMetadataTombstone,
  partitionMetadataTombstone,
  regexRecord,
  regexTombstone,
  targetAssignmentMetadataTombstone,
  targetAssignmentRecord,
  targetAssignmentTombstone,
} from './records.js';
import { classicGroupFrom, classicMetadata, consumerGroupRecordsFromClassic, CustomAssignorError, decodeSubscription, encodeAssignment, MalformedProtocolError, migrationPolicy, topicPartitionsByName, type MigrationPolicy } from './migration.js';
import { buildTargetAssignment, subscribedNames, type TopicsView } from './target-assignment.js';

export interface ConsumerGroupSettings {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxSize: number;
  /** group.consumer.assignors: the first is the default. */
  assignors: readonly string[];
  /** A group's own setting (GROUP config, e.g. consumer.session.timeout.ms), else undefined for the broker's. */
  groupNumber?: (groupId: string, name: string) => number | undefined;
  /** group.consumer.migration.policy (bidirectional when absent). */
  migration?: MigrationPolicy;
}

export function consumerGroupSettings(config: { number(name: string): number; get(name: string): string | null }): ConsumerGroupSettings {
  return {
    sessionTimeoutMs: config.number('group.consumer.session.timeout.ms'),
    heartbeatIntervalMs: config.number('group.consumer.heartbeat.interval.ms'),
    maxSize: config.number('group.consumer.max.size'),
    assignors: (config.get('group.consumer.assignors') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    migration: migrationPolicy(config.get('group.consumer.migration.policy')),
  };
}

export interface HeartbeatContext {
  clientId: string;
  clientHost: string;
  apiVersion: number;
  /** Whether the heartbeat's principal may DESCRIBE the topic: Kafka resolves regular expressions to those only (default: every topic). */
  describableTopic?(topic: string): boolean;
}

interface Outcome<T> {
  records: StoredRecord[];
  response: T;
  /** The leaving member was the last one on the consumer protocol: the group becomes classic instead. */
  downgrade?: { group: ConsumerGroup; memberId: string };
}

const heartbeatError = (errorCode: number, errorMessage: string | null): ConsumerGroupHeartbeatResponse => ({
  throttleTimeMs: 0,
  errorCode,
  errorMessage,
  memberId: null,
  memberEpoch: 0,
  heartbeatIntervalMs: 0,
  assignment: null,
});

/** Kafka's REGEX_BATCH_REFRESH_MIN_INTERVAL_MS: resolved regular expressions are looked at again at most this often. */
const REGEX_REFRESH_INTERVAL_MS = 10_000;

const sessionKey = (groupId: string, memberId: string) => `consumer-session:${groupId}:${memberId}`;
const rebalanceKey = (groupId: string, memberId: string) => `consumer-rebalance:${groupId}:${memberId}`;
/** A classic member told to rejoin must do so within its rebalance timeout. */
const joinKey = (groupId: string, memberId: string) => `consumer-classic-join:${groupId}:${memberId}`;
/** A classic member that joined must send its SyncGroup within its rebalance timeout. */
const syncKey = (groupId: string, memberId: string) => `consumer-classic-sync:${groupId}:${memberId}`;

/** Kafka's Uuid.randomUuid().toString(): 16 random bytes, base64url without padding. */
function randomMemberId(): string {
  return randomBytes(16).toString('base64url');
}

export class ConsumerGroupManager implements GroupProtocolManager {
  readonly type = 'consumer' as const;
  readonly recordKeyVersions = CONSUMER_RECORD_TYPES;
  /** When each group's regular expressions were last resolved again (in memory only). */
  private readonly regexChecks = new Map<string, number>();
  /** Set by the coordinator: answers a classic group's parked requests (REBALANCE_IN_PROGRESS) and cancels its timers when it converts. */
  releaseClassic: (group: ClassicGroup) => void = () => {};
  /** The group an upgrade is replacing while its records are applied. */
  private replacing: string | null = null;
  /** Set by the coordinator: a classic group made from a consumer group starts its members' sessions and rebalances. */
  adoptClassic: (group: ClassicGroup, rebalanceReason: string | null) => void = () => {};

  constructor(
    private readonly c: CoordinatorContext,
    private readonly settings: ConsumerGroupSettings,
    private readonly topics: TopicsView,
    private readonly assignorByName: (name: string) => PartitionAssignor | undefined,
  ) {}

  private newGroup(groupId: string): ConsumerGroup {
    return new ConsumerGroup(groupId, (topic) => this.topics.get(topic)?.topicId);
  }

  private consumerGroup(groupId: string): ConsumerGroup {
    const g = this.c.group(groupId);
    if (g === undefined) throw new GroupApiError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`);
    if (!(g instanceof ConsumerGroup)) throw new GroupApiError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
    return g;
  }

  // ConsumerGroupHeartbeat

  /** The request's own errors (INVALID_REQUEST, UNSUPPORTED_ASSIGNOR), checked before the group's partition is. */
  validate(req: ConsumerGroupHeartbeatRequest, apiVersion: number): GroupApiError | null {
    try {
      validateHeartbeat(req, apiVersion, this.settings.assignors);
      return null;
    } catch (e) {
      if (e instanceof GroupApiError) return e;
      throw e;
    }
  }

  async heartbeat(req: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext): Promise<ConsumerGroupHeartbeatResponse> {
    let outcome: Outcome<ConsumerGroupHeartbeatResponse>;
    try {
      validateHeartbeat(req, ctx.apiVersion, this.settings.assignors);
      const leaving = req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH;
      outcome = leaving ? this.leave(req) : this.join(req, ctx);
    } catch (e) {
      if (e instanceof GroupApiError) return heartbeatError(e.errorCode, e.message);
      throw e;
    }
    const error = outcome.downgrade ? await this.downgrade(outcome.downgrade.group, outcome.downgrade.memberId) : await this.write(req.groupId, outcome.records);
    if (error !== ErrorCode.NONE) return heartbeatError(error, null);
    return outcome.response;
  }

  /** Applies the records to the group (creating it if needed), then writes them; on failure the group is restored. */
  private async write(groupId: string, records: StoredRecord[]): Promise<number> {
    if (records.length === 0) return ErrorCode.NONE;
    const before = this.c.group(groupId);
    const snapshot = before instanceof ConsumerGroup ? before.snapshot() : null;
    // An upgrade: the classic group's tombstone comes first and the consumer group takes its place.
    const upgrade = before instanceof ClassicGroup && records[0].key.readInt16BE(0) === 2 && records[0].value === null;
    if (upgrade) {
      // Members waiting in JoinGroup/SyncGroup rejoin the new group's rebalance; the classic timers stop.
      // The classic group is replaced as it is (not made Dead), so a failed write can put it back.
      this.releaseClassic(before);
      this.replacing = groupId;
    }
    try {
      for (const r of records) this.replay(r.key.readInt16BE(0), r.key, r.value);
    } finally {
      this.replacing = null;
    }
    const applied = this.c.group(groupId);
    if (upgrade && applied instanceof ConsumerGroup) {
      for (const m of applied.members.values()) if (m.classic !== null) this.scheduleSessionTimeout(groupId, m.memberId, m.classic.sessionTimeoutMs);
      log.info(`[GroupId ${groupId}] Converted the classic group to a consumer group.`);
    }
    try {
      await this.c.append(groupId, records);
      return ErrorCode.NONE;
    } catch (e) {
      log.warn(`consumer group ${groupId}: writing ${records.length} record(s) failed: ${(e as Error)?.message ?? e}`);
      // In the leader's log but not replicated in time: the log may still commit it, so the state stays.
      // A group unloaded (or loaded anew) meanwhile is not ours to restore either.
      if (e instanceof UnreplicatedWrite || this.c.group(groupId) !== applied) return appendErrorCode(e);
      if (snapshot) {
        this.c.addGroup(snapshot);
      } else if (applied !== before) {
        this.c.removeGroup(groupId);
        if (before !== undefined) this.c.addGroup(before);
      }
      return appendErrorCode(e);
    }
  }

  private join(req: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext): Outcome<ConsumerGroupHeartbeatResponse> {
    const records: StoredRecord[] = [];
    const joining = req.memberEpoch === JOIN_GROUP_MEMBER_EPOCH;
    const group = this.getOrCreateGroup(req.groupId, joining, records);
    this.throwIfFull(group, req.memberId, req.instanceId);
    const memberId = req.memberId === '' ? randomMemberId() : req.memberId;
    const owned = req.topicPartitions === null ? null : toTopicPartitions(req.topicPartitions);
    const member =
      req.instanceId === null
        ? this.dynamicMember(group, memberId, req.memberEpoch, owned, joining)
        : this.staticMember(group, memberId, req.memberEpoch, req.instanceId, owned, joining, records);

    // 1. The member's subscription; a change of it (or of the assignor the group prefers) bumps the group epoch.
    const updated: ConsumerGroupMember = {
      ...member,
      instanceId: req.instanceId ?? member.instanceId,
      rackId: req.rackId ?? member.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs !== -1 ? req.rebalanceTimeoutMs : member.rebalanceTimeoutMs,
      serverAssignor: req.serverAssignor ?? member.serverAssignor,
      subscribedTopicNames: req.subscribedTopicNames !== null ? [...new Set(req.subscribedTopicNames)].sort() : member.subscribedTopicNames,
      subscribedTopicRegex: req.subscribedTopicRegex ?? member.subscribedTopicRegex,
      clientId: ctx.clientId,
      clientHost: ctx.clientHost,
    };
    const reconciled = this.advance(group, member, updated, owned, records, ctx.describableTopic);

    this.scheduleSessionTimeout(group.groupId, reconciled.memberId);
    const full =
      joining || (req.rebalanceTimeoutMs !== -1 && (req.subscribedTopicNames !== null || (req.subscribedTopicRegex ?? null) !== null) && req.topicPartitions !== null);
    const changed = !samePartitions(member.assignedPartitions, reconciled.assignedPartitions);
    return {
      records,
      response: {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        memberId: reconciled.memberId,
        memberEpoch: reconciled.memberEpoch,
        heartbeatIntervalMs: this.heartbeatIntervalMs(group.groupId),
        assignment: full || changed ? { topicPartitions: fromTopicPartitions(reconciled.assignedPartitions) } : null,
      },
    };
  }

  /**
   * Steps 1-3 of a member's heartbeat (Kafka's consumerGroupHeartbeat and classicGroupJoinToConsumerGroup
   * share them): write a changed subscription, bump the group epoch on a subscription or metadata change,
   * compute a new target assignment past the assignment epoch, then reconcile the member one step.
   */
  private advance(
    group: ConsumerGroup,
    member: ConsumerGroupMember,
    updated: ConsumerGroupMember,
    owned: TopicPartitions | null,
    records: StoredRecord[],
    describable?: HeartbeatContext['describableTopic'],
  ): ConsumerGroupMember {
    let bump = false;
    if (!sameSubscription(member, updated)) {
      records.push(memberMetadataRecord(group.groupId, updated));
      bump = !sameNames(member.subscribedTopicNames, updated.subscribedTopicNames) || member.subscribedTopicRegex !== updated.subscribedTopicRegex;
    }
    if (this.preferredAssignor(group, updated) !== this.preferredAssignor(group)) bump = true;
    const regexes = this.updateRegexes(group, member, updated, records, describable);

    // Topic metadata of the subscribed topics (KIP-1101's metadata hash): a change bumps the epoch too.
    let groupEpoch = group.groupEpoch;
    // A heartbeat that changes no subscription hashes the group's (cached) topic names.
    const hash = bump || regexes.size !== group.resolvedRegexes.size || records.some((r) => r.key.readInt16BE(0) === 16)
      ? this.metadataHash(group, regexes, updated, null)
      : this.hashOf(group.subscribedTopicNames());
    if (bump || hash !== group.metadataHash) {
      groupEpoch += 1;
      records.push(groupEpochRecord(group.groupId, groupEpoch, hash));
      log.info(`[GroupId ${group.groupId}] Bumped group epoch to ${groupEpoch}.`);
    }

    // 2. A new target assignment when the group epoch moved past the assignment epoch.
    let targetEpoch = group.assignmentEpoch;
    // A static member's new incarnation inherits its predecessor's target.
    const predecessor = updated.instanceId !== null ? group.staticMembers.get(updated.instanceId) : undefined;
    let target = group.targetAssignment.get(updated.memberId) ?? (predecessor !== undefined ? group.targetOf(predecessor) : new Map());
    if (groupEpoch > group.assignmentEpoch) {
      const name = this.preferredAssignor(group, updated) ?? this.settings.assignors[0];
      const assignor = name === undefined ? undefined : this.assignorByName(name);
      if (!assignor) throw new GroupApiError(ErrorCode.UNKNOWN_SERVER_ERROR, `Failed to compute a new target assignment for epoch ${groupEpoch}: no assignor ${name}`);
      let result;
      try {
        result = buildTargetAssignment({ group, groupEpoch, assignor, topics: this.topics, now: this.c.now(), updated, regexes });
      } catch (e) {
        const msg = `Failed to compute a new target assignment for epoch ${groupEpoch}: ${(e as Error)?.message ?? e}`;
        log.error(`[GroupId ${group.groupId}] ${msg}.`);
        throw new GroupApiError(ErrorCode.UNKNOWN_SERVER_ERROR, msg);
      }
      records.push(...result.records);
      targetEpoch = groupEpoch;
      target = result.targets.get(updated.memberId) ?? new Map();
    }

    // 3. One reconciliation step toward the target.
    let reconciled = updated;
    if (!isReconciledTo(updated, targetEpoch)) {
      reconciled = reconcile(updated, { targetEpoch, target, partitionEpoch: (t, p) => group.currentPartitionEpoch(t, p), owned });
      if (!sameAssignmentState(reconciled, updated) || !group.members.has(updated.memberId)) {
        records.push(currentAssignmentRecord(group.groupId, reconciled));
        // Classic members have join and sync timers instead.
        if (reconciled.classic !== null) this.c.timers.cancel(rebalanceKey(group.groupId, reconciled.memberId));
        else if (reconciled.state === MemberState.UNREVOKED_PARTITIONS) this.scheduleRebalanceTimeout(group.groupId, reconciled.memberId, reconciled.memberEpoch, reconciled.rebalanceTimeoutMs);
        else this.c.timers.cancel(rebalanceKey(group.groupId, reconciled.memberId));
      }
    } else if (!group.members.has(updated.memberId)) {
      records.push(currentAssignmentRecord(group.groupId, reconciled));
    }
    return reconciled;
  }

  /**
   * The group's regular expressions with this heartbeat: a new one is checked (INVALID_REGULAR_EXPRESSION)
   * and resolved against the topics now, one nobody uses any more is deleted, and all are resolved
   * again once REGEX_REFRESH_INTERVAL_MS has passed. Changes are written as regular expression records;
   * new topics change the metadata hash, which bumps the group epoch.
   */
  private updateRegexes(
    group: ConsumerGroup,
    member: ConsumerGroupMember,
    updated: ConsumerGroupMember,
    records: StoredRecord[],
    describable: HeartbeatContext['describableTopic'],
  ): Map<string, ResolvedRegex> {
    const regexes = new Map(group.resolvedRegexes);
    const now = this.c.now();
    const resolve = (pattern: string) => {
      try {
        const topics = resolveSubscriptionRegex(compileSubscriptionRegex(pattern), this.topics.names());
        // As Kafka's TopicRegexResolver: only the topics the principal of the resolving heartbeat may describe.
        if (describable) for (const t of topics) if (!describable(t)) topics.delete(t);
        return topics;
      } catch (e) {
        if (e instanceof InvalidRegexError) throw new GroupApiError(ErrorCode.INVALID_REGULAR_EXPRESSION, e.message);
        throw e;
      }
    };
    const put = (pattern: string, topics: Set<string>) => {
      regexes.set(pattern, { topics, version: now, timestamp: now });
      records.push(regexRecord(group.groupId, pattern, [...topics].sort(), now, now));
    };
    if (member.subscribedTopicRegex !== updated.subscribedTopicRegex) {
      const old = member.subscribedTopicRegex;
      if (old !== null && !this.regexUsedByOthers(group, old, member.memberId)) {
        regexes.delete(old);
        records.push(regexTombstone(group.groupId, old));
      }
      const pattern = updated.subscribedTopicRegex;
      if (pattern !== null && !regexes.has(pattern)) put(pattern, resolve(pattern));
    }
    const lastCheck = this.regexChecks.get(group.groupId) ?? 0;
    if (regexes.size > 0 && now - lastCheck >= REGEX_REFRESH_INTERVAL_MS) this.regexChecks.set(group.groupId, now);
    for (const [pattern, r] of regexes) {
      if (now - r.timestamp < REGEX_REFRESH_INTERVAL_MS || now - lastCheck < REGEX_REFRESH_INTERVAL_MS) continue;
      const topics = resolve(pattern);
      if (topics.size !== r.topics.size || [...topics].some((t) => !r.topics.has(t))) put(pattern, topics);
    }
    return regexes;
  }

  private regexUsedByOthers(group: ConsumerGroup, pattern: string, memberId: string): boolean {
    for (const m of group.members.values()) if (m.memberId !== memberId && m.subscribedTopicRegex === pattern) return true;
    return false;
  }

  private getOrCreateGroup(groupId: string, create: boolean, records: StoredRecord[]): ConsumerGroup {
    const g = this.c.group(groupId);
    if (g instanceof ConsumerGroup) return g;
    if (g === undefined || (create && g instanceof ClassicGroup && g.isEmpty())) {
      if (!create) throw new GroupApiError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`);
      // An empty classic group (offsets only, or all members gone) becomes a consumer group.
      // It is registered when its first records are applied (replay replaces the classic one).
      if (g !== undefined) records.push(groupTombstone(groupId));
      return this.newGroup(groupId);
    }
    if (create && g instanceof ClassicGroup) return this.convertFromClassic(g, records);
    throw new GroupApiError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
  }

  /**
   * Kafka's validateOnlineUpgrade + convertToConsumerGroup: a consumer-protocol member joining a classic
   * group of consumers turns it into a consumer group. The returned group is not registered: the
   * records (the classic tombstone first) replace the classic group when they are applied.
   */
  private convertFromClassic(g: ClassicGroup, records: StoredRecord[]): ConsumerGroup {
    const id = g.groupId;
    const refuse = (why: string) => {
      log.info(`Cannot upgrade classic group ${id} to consumer group because ${why}.`);
      return new GroupApiError(ErrorCode.GROUP_ID_NOT_FOUND, `Cannot upgrade classic group ${id} to consumer group because ${why}.`);
    };
    if (!(this.settings.migration?.upgrade ?? true)) throw refuse('online upgrade is disabled');
    if (g.protocolType !== 'consumer') throw refuse('the group does not use the consumer embedded protocol');
    if (g.members.size > this.settings.maxSize) throw refuse('the group size exceeds the consumer group maximum size');
    let converted;
    try {
      converted = consumerGroupRecordsFromClassic(g, this.topics, (names) => this.hashOf(names), this.c.now());
    } catch (e) {
      if (e instanceof CustomAssignorError) {
        log.warn(`Cannot upgrade classic group ${id} to consumer group: ${e.message}.`);
        throw new GroupApiError(ErrorCode.GROUP_ID_NOT_FOUND, `Cannot upgrade classic group ${id} to consumer group because an unsupported custom assignor is in use. Please refer to the documentation or switch to a default assignor before re-attempting the upgrade.`);
      }
      if (!(e instanceof MalformedProtocolError)) throw e;
      log.warn(`Cannot upgrade classic group ${id} to consumer group because the embedded consumer protocol is malformed: ${e.message}.`);
      throw new GroupApiError(ErrorCode.GROUP_ID_NOT_FOUND, `Cannot upgrade classic group ${id} to consumer group because the embedded consumer protocol is malformed.`);
    }
    records.push(groupTombstone(id), ...converted.records);
    const group = this.newGroup(id);
    for (const r of converted.records) {
      const decoded = decodeConsumerRecord(r.key.readInt16BE(0), r.key, r.value);
      if (decoded) group.apply(decoded);
    }
    return group;
  }

  private throwIfFull(group: ConsumerGroup, memberId: string, instanceId: string | null): void {
    if (instanceId !== null && group.staticMembers.has(instanceId)) return;
    if (group.members.has(memberId)) return;
    if (group.members.size >= this.settings.maxSize) {
      throw new GroupApiError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.settings.maxSize} members.`);
    }
  }

  private dynamicMember(group: ConsumerGroup, memberId: string, epoch: number, owned: TopicPartitions | null, create: boolean): ConsumerGroupMember {
    const m = group.members.get(memberId);
    if (!m) {
      if (!create) throw new GroupApiError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${group.groupId}.`);
      log.info(`[GroupId ${group.groupId}] Member ${memberId} joins the consumer group using the consumer protocol.`);
      return newMember(memberId);
    }
    throwIfEpochInvalid(m, epoch, owned);
    return m;
  }

  private staticMember(
    group: ConsumerGroup,
    memberId: string,
    epoch: number,
    instanceId: string,
    owned: TopicPartitions | null,
    create: boolean,
    records: StoredRecord[],
    useClassic = false,
  ): ConsumerGroupMember {
    const existing = group.staticMember(instanceId);
    if (create) {
      if (!existing) return group.members.get(memberId) ?? newMember(memberId);
      // The instance id is taken until its member leaves with epoch -2 (classic members replace each other at once).
      if (!useClassic && existing.classic === null && existing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
        throw new GroupApiError(
          ErrorCode.UNRELEASED_INSTANCE_ID,
          `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`,
        );
      }
      // The new incarnation takes over the previous one's target and assignment.
      const replacement: ConsumerGroupMember = { ...existing, memberId, memberEpoch: 0, previousMemberEpoch: 0 };
      records.push(
        currentAssignmentTombstone(group.groupId, existing.memberId),
        targetAssignmentTombstone(group.groupId, existing.memberId),
        memberMetadataTombstone(group.groupId, existing.memberId),
        memberMetadataRecord(group.groupId, replacement),
        targetAssignmentRecord(group.groupId, memberId, group.targetOf(existing.memberId)),
        currentAssignmentRecord(group.groupId, replacement),
      );
      if (existing.memberId !== memberId) this.cancelMemberTimers(group.groupId, existing.memberId);
      log.info(`[GroupId ${group.groupId}] Static member with instance id ${instanceId} re-joins the consumer group using the consumer protocol. Created a new member ${memberId} to replace the existing member ${existing.memberId}.`);
      return replacement;
    }
    if (!existing) throw new GroupApiError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`);
    if (existing.memberId !== memberId) {
      throw new GroupApiError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${existing.memberId}.`);
    }
    throwIfEpochInvalid(existing, epoch, owned);
    return existing;
  }

  private leave(req: ConsumerGroupHeartbeatRequest): Outcome<ConsumerGroupHeartbeatResponse> {
    const group = this.consumerGroup(req.groupId);
    const response: ConsumerGroupHeartbeatResponse = {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      heartbeatIntervalMs: 0,
      assignment: null,
    };
    if (req.instanceId === null) {
      const m = group.members.get(req.memberId);
      if (!m) throw new GroupApiError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${group.groupId}.`);
      log.info(`[GroupId ${group.groupId}] Member ${m.memberId} left the consumer group.`);
      return { records: this.fence(group, m), response, downgrade: this.canDowngrade(group, m.memberId) ? { group, memberId: m.memberId } : undefined };
    }
    const m = group.staticMember(req.instanceId);
    if (!m) throw new GroupApiError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${req.instanceId} is unknown.`);
    if (m.memberId !== req.memberId) {
      throw new GroupApiError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${req.memberId} with instance id ${req.instanceId} was fenced by member ${m.memberId}.`);
    }
    if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      // A static member leaving for a while keeps its assignment (and its session timer) until it comes back.
      log.info(`[GroupId ${group.groupId}] Static Member ${m.memberId} with instance id ${req.instanceId} temporarily left the consumer group.`);
      const leaving: ConsumerGroupMember = { ...m, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, partitionsPendingRevocation: new Map(), assignmentEpochs: onlyAssigned(m) };
      return { records: [currentAssignmentRecord(group.groupId, leaving)], response: { ...response, memberId: m.memberId, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH } };
    }
    log.info(`[GroupId ${group.groupId}] Static Member ${m.memberId} with instance id ${req.instanceId} left the consumer group.`);
    return { records: this.fence(group, m), response, downgrade: this.canDowngrade(group, m.memberId) ? { group, memberId: m.memberId } : undefined };
  }

  /** Removes the member and bumps the group epoch (Kafka's consumerGroupFenceMember). */
  private fence(group: ConsumerGroup, m: ConsumerGroupMember): StoredRecord[] {
    return this.fenceAll(group, [m]);
  }

  /** Removes the members, their regular expressions nobody else uses, and bumps the group epoch once. */
  private fenceAll(group: ConsumerGroup, gone: readonly ConsumerGroupMember[]): StoredRecord[] {
    const ids = new Set(gone.map((m) => m.memberId));
    const records: StoredRecord[] = [];
    const regexes = new Map(group.resolvedRegexes);
    for (const m of gone) {
      this.cancelMemberTimers(group.groupId, m.memberId);
      records.push(
        currentAssignmentTombstone(group.groupId, m.memberId),
        targetAssignmentTombstone(group.groupId, m.memberId),
        memberMetadataTombstone(group.groupId, m.memberId),
      );
      // The last member of a regular expression takes its resolution with it.
      const pattern = m.subscribedTopicRegex;
      if (pattern !== null && regexes.has(pattern) && ![...group.members.values()].some((o) => !ids.has(o.memberId) && o.subscribedTopicRegex === pattern)) {
        regexes.delete(pattern);
        records.push(regexTombstone(group.groupId, pattern));
      }
    }
    const names = new Set<string>();
    for (const m of group.members.values()) if (!ids.has(m.memberId)) for (const n of subscribedNames(regexes, m)) names.add(n);
    records.push(groupEpochRecord(group.groupId, group.groupEpoch + 1, this.hashOf(names)));
    return records;
  }

  /** Fences a member from a timer (session or rebalance timeout); the write is not awaited by anyone. */
  private fenceFromTimer(groupId: string, memberId: string, reason: string, onlyAtEpoch?: number): void {
    const g = this.c.group(groupId);
    if (!(g instanceof ConsumerGroup)) return;
    const m = g.members.get(memberId);
    if (!m) return;
    if (onlyAtEpoch !== undefined && m.memberEpoch !== onlyAtEpoch) return;
    log.info(`[GroupId ${groupId}] Member ${memberId} fenced from the group because ${reason}`);
    if (this.canDowngrade(g, memberId)) void this.downgrade(g, memberId);
    else void this.write(groupId, this.fence(g, m));
  }

  /** Kafka's validateOnlineDowngradeWithFencedMember: every other member is classic, and the policy and group.max.size allow it. */
  private canDowngrade(group: ConsumerGroup, leavingId: string): boolean {
    for (const m of group.members.values()) if (m.memberId !== leavingId && m.classic === null) return false;
    if (group.members.size <= 1) return false;
    if (!(this.settings.migration?.downgrade ?? true)) {
      log.info(`Cannot downgrade consumer group ${group.groupId} to classic group because the online downgrade is disabled.`);
      return false;
    }
    if (group.members.size - 1 > this.c.settings.maxGroupSize) {
      log.info(`Cannot downgrade consumer group ${group.groupId} to classic group because its group size is greater than classic group max size.`);
      return false;
    }
    return true;
  }

  /**
   * Kafka's convertToClassicGroup: the consumer group's records are deleted, the classic group of the
   * remaining (classic) members is written at the group epoch with their current assignments, and it rebalances.
   */
  private async downgrade(group: ConsumerGroup, leavingId: string, joining?: ConsumerGroupMember): Promise<number> {
    const id = group.groupId;
    const classic = classicGroupFrom(group, leavingId, this.c.now(), joining);
    const assignments = new Map<string, Buffer>();
    for (const m of joining ? [...group.members.values(), joining] : group.members.values()) {
      if (m.memberId === leavingId || m.classic === null) continue;
      assignments.set(m.memberId, encodeAssignment(m.assignedPartitions, this.topics, m.classic.supportedProtocols[0].metadata));
      const cm = classic.get(m.memberId);
      if (cm) cm.assignment = assignments.get(m.memberId)!;
    }
    const records = [...this.deleteRecords(group), groupMetadataRecord(classic, assignments)];
    this.c.removeGroup(id);
    this.c.addGroup(classic);
    // A member leaving starts a rebalance; a static member replaced by its classic incarnation does not.
    this.adoptClassic(classic, joining ? null : `Downgrade group ${id} from consumer to classic.`);
    log.info(`[GroupId ${id}] Converted the consumer group to a classic group.`);
    try {
      await this.c.append(id, records);
      return ErrorCode.NONE;
    } catch (e) {
      log.warn(`consumer group ${id}: writing the downgrade failed: ${(e as Error)?.message ?? e}`);
      return appendErrorCode(e);
    }
  }

  /** Kafka's validateOnlineDowngradeWithReplacedMemberId: the replaced static member was the last on the consumer protocol. */
  private canDowngradeReplacing(group: ConsumerGroup, replacedId: string): boolean {
    const replaced = group.members.get(replacedId);
    if (!replaced || replaced.classic !== null) return false;
    for (const m of group.members.values()) if (m.memberId !== replacedId && m.classic === null) return false;
    if (!(this.settings.migration?.downgrade ?? true)) {
      log.info(`Cannot downgrade consumer group ${group.groupId} to classic group because the online downgrade is disabled.`);
      return false;
    }
    if (group.members.size > this.c.settings.maxGroupSize) {
      log.info(`Cannot downgrade consumer group ${group.groupId} to classic group because its group size is greater than classic group max size.`);
      return false;
    }
    return true;
  }

  /** consumer.session.timeout.ms of the group, else group.consumer.session.timeout.ms. */
  private sessionTimeoutMs(groupId: string): number {
    return this.settings.groupNumber?.(groupId, 'consumer.session.timeout.ms') ?? this.settings.sessionTimeoutMs;
  }

  /** consumer.heartbeat.interval.ms of the group, else group.consumer.heartbeat.interval.ms. */
  private heartbeatIntervalMs(groupId: string): number {
    return this.settings.groupNumber?.(groupId, 'consumer.heartbeat.interval.ms') ?? this.settings.heartbeatIntervalMs;
  }

  /** A classic member's session is the one of its JoinGroup. */
  private scheduleSessionTimeout(groupId: string, memberId: string, timeoutMs = this.sessionTimeoutMs(groupId)): void {
    this.c.timers.schedule(sessionKey(groupId, memberId), timeoutMs, () => this.fenceFromTimer(groupId, memberId, 'the member session expired.'));
  }

  private scheduleRebalanceTimeout(groupId: string, memberId: string, memberEpoch: number, timeoutMs: number): void {
    this.c.timers.schedule(rebalanceKey(groupId, memberId), timeoutMs, () =>
      this.fenceFromTimer(groupId, memberId, `it failed to transition from epoch ${memberEpoch} within ${timeoutMs}ms.`, memberEpoch),
    );
  }

  private cancelMemberTimers(groupId: string, memberId: string): void {
    this.c.timers.cancel(sessionKey(groupId, memberId));
    this.c.timers.cancel(joinKey(groupId, memberId));
    this.c.timers.cancel(syncKey(groupId, memberId));
    this.c.timers.cancel(rebalanceKey(groupId, memberId));
  }

  private cancelGroupTimers(g: ConsumerGroup): void {
    for (const id of g.members.keys()) this.cancelMemberTimers(g.groupId, id);
  }

  /** The assignor most members ask for, with `updated` in place of its previous self. */
  private preferredAssignor(group: ConsumerGroup, updated?: ConsumerGroupMember): string | null {
    if (!updated) return group.preferredServerAssignor();
    const counts = new Map<string, number>();
    for (const m of group.members.values()) {
      const a = m.memberId === updated.memberId ? updated.serverAssignor : m.serverAssignor;
      if (a !== null) counts.set(a, (counts.get(a) ?? 0) + 1);
    }
    if (!group.members.has(updated.memberId) && updated.serverAssignor !== null) counts.set(updated.serverAssignor, (counts.get(updated.serverAssignor) ?? 0) + 1);
    let best: string | null = null;
    let n = 0;
    for (const [name, c] of counts) if (c > n) [best, n] = [name, c];
    return best;
  }

  /** A hash of the subscribed topics' ids and partition counts (with `updated`, without `removedId`). */
  private metadataHash(group: ConsumerGroup, regexes: ReadonlyMap<string, ResolvedRegex>, updated: ConsumerGroupMember | null, removedId: string | null): number {
    const names = new Set<string>();
    for (const m of group.members.values()) {
      if (m.memberId === removedId || m.memberId === updated?.memberId) continue;
      for (const n of subscribedNames(regexes, m)) names.add(n);
    }
    if (updated) for (const n of subscribedNames(regexes, updated)) names.add(n);
    return this.hashOf(names);
  }

  private hashOf(names: ReadonlySet<string>): number {
    const parts: string[] = [];
    for (const name of [...names].sort()) {
      const t = this.topics.get(name);
      if (t) parts.push(`${name}:${t.topicId}:${t.partitions}`);
    }
    return parts.length === 0 ? 0 : hash53(parts.join(','));
  }

  /**
   * A classic JoinGroup to an empty consumer group: Kafka deletes the consumer group (its records,
   * not its offsets) so the classic protocol can create its own. NONE when done or not needed.
   */
  async deleteIfEmpty(groupId: string): Promise<number> {
    const g = this.c.group(groupId);
    if (!(g instanceof ConsumerGroup) || !g.isEmpty()) return ErrorCode.NONE;
    const records = this.deleteRecords(g);
    this.c.removeGroup(groupId);
    try {
      await this.c.append(groupId, records);
      log.info(`[GroupId ${groupId}] Converted the empty consumer group to a classic group.`);
      return ErrorCode.NONE;
    } catch (e) {
      if (!(e instanceof UnreplicatedWrite) && this.c.group(groupId) === undefined) this.c.addGroup(g);
      return appendErrorCode(e);
    }
  }

  // Classic members of a consumer group (Kafka's classicGroup*ToConsumerGroup)

  /** A consumer group the classic APIs talk to: one with members (an empty one gives way to the classic protocol). */
  hasMembersFor(groupId: string): boolean {
    const g = this.c.group(groupId);
    return g instanceof ConsumerGroup && !g.isEmpty();
  }

  /** JoinGroup of a classic member: joins (or rejoins) the consumer group with the subscription of its first protocol. */
  async classicJoin(req: JoinGroupRequest, ctx: HeartbeatContext): Promise<JoinGroupResponse> {
    const fail = (errorCode: number, memberId = req.memberId): JoinGroupResponse => ({
      throttleTimeMs: 0, errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: [],
    });
    const records: StoredRecord[] = [];
    let group: ConsumerGroup;
    let reconciled: ConsumerGroupMember;
    const instanceId = req.groupInstanceId ?? null;
    const unknown = req.memberId === '';
    const memberId = unknown ? randomMemberId() : req.memberId;
    try {
      group = this.consumerGroup(req.groupId);
      if (this.settings.migration && !this.settings.migration.upgrade && !this.settings.migration.downgrade) {
        log.info(`Cannot join the consumer group ${group.groupId} with the classic protocol because the group migration is disabled.`);
        return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      }
      this.throwIfFull(group, memberId, instanceId);
      const existing = group.members.get(memberId);
      if (req.protocolType !== 'consumer' || req.protocols.length === 0 || (existing === undefined && !this.supportsClassicProtocols(group, req.protocols))) {
        return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      }
      if (unknown && instanceId === null && ctx.apiVersion >= 4) {
        log.info(`[GroupId ${group.groupId}] Dynamic member with unknown member id joins the consumer group. Created a new member id ${memberId} and requesting the member to rejoin with this id.`);
        return fail(ErrorCode.MEMBER_ID_REQUIRED, memberId);
      }
      let member: ConsumerGroupMember;
      if (instanceId === null) {
        member = existing ?? newMember(memberId);
        if (!existing) log.info(`[GroupId ${group.groupId}] Member ${memberId} joins the consumer group using the classic protocol.`);
      } else {
        const prior = group.staticMember(instanceId);
        if (unknown) {
          member = this.staticMember(group, memberId, JOIN_GROUP_MEMBER_EPOCH, instanceId, null, true, records, true);
        } else {
          if (!prior) throw new GroupApiError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`);
          if (prior.memberId !== memberId) throw new GroupApiError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${prior.memberId}.`);
          member = prior;
        }
      }
      const subscription = decodeSubscription(req.protocols[0].metadata);
      const updated: ConsumerGroupMember = {
        ...member,
        instanceId: instanceId ?? member.instanceId,
        rackId: subscription.rackId ?? member.rackId,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs !== undefined && req.rebalanceTimeoutMs !== -1 ? req.rebalanceTimeoutMs : member.rebalanceTimeoutMs,
        subscribedTopicNames: [...new Set(subscription.topics)].sort(),
        clientId: ctx.clientId,
        clientHost: ctx.clientHost,
        classic: classicMetadata(req.sessionTimeoutMs, req.protocols),
      };
      reconciled = this.advance(group, member, updated, topicPartitionsByName(subscription.ownedPartitions, this.topics), records, ctx.describableTopic);
    } catch (e) {
      if (e instanceof GroupApiError) return fail(e.errorCode);
      if (e instanceof MalformedProtocolError) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      throw e;
    }
    // The last consumer-protocol member, static, replaced by a classic incarnation: the group turns classic.
    const replacedId = instanceId !== null ? group.staticMembers.get(instanceId) : undefined;
    const downgrade = replacedId !== undefined && replacedId !== reconciled.memberId && this.canDowngradeReplacing(group, replacedId);
    const error = downgrade ? await this.downgrade(group, replacedId, reconciled) : await this.write(req.groupId, records);
    if (error !== ErrorCode.NONE) return fail(error);
    const groupId = req.groupId;
    const id = reconciled.memberId;
    if (downgrade) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, generationId: reconciled.memberEpoch, protocolType: 'consumer', protocolName: req.protocols[0].name, leader: '', skipAssignment: false, memberId: id, members: [] };
    this.c.timers.cancel(joinKey(groupId, id));
    this.scheduleSessionTimeout(groupId, id, req.sessionTimeoutMs);
    // The SyncGroup must follow within the rebalance timeout (Kafka's scheduleConsumerGroupSyncTimeout).
    this.c.timers.schedule(syncKey(groupId, id), reconciled.rebalanceTimeoutMs, () => this.fenceFromTimer(groupId, id, 'the member failed to sync within timeout.'));
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      generationId: reconciled.memberEpoch,
      protocolType: 'consumer',
      protocolName: req.protocols[0].name,
      leader: '',
      skipAssignment: false,
      memberId: reconciled.memberId,
      members: [],
    };
  }

  /** Every classic member of the group shares one of these protocol names (Kafka's supportsClassicProtocols). */
  private supportsClassicProtocols(group: ConsumerGroup, protocols: readonly { name: string }[]): boolean {
    const names = new Set(protocols.map((p) => p.name));
    for (const m of group.members.values()) {
      if (m.classic === null) continue;
      if (!m.classic.supportedProtocols.some((p) => names.has(p.name))) return false;
    }
    return true;
  }

  /** The classic member a SyncGroup/Heartbeat names (Kafka's validateConsumerGroupMember + throwIfMemberDoesNotUseClassicProtocol). */
  private classicMember(group: ConsumerGroup, memberId: string, instanceId: string | null): ConsumerGroupMember {
    let m: ConsumerGroupMember | undefined;
    if (instanceId === null) {
      m = group.members.get(memberId);
      if (!m) throw new GroupApiError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${group.groupId}.`);
    } else {
      m = group.staticMember(instanceId);
      if (!m) throw new GroupApiError(ErrorCode.UNKNOWN_MEMBER_ID, `Member with instance id ${instanceId} is not a member of group ${group.groupId}.`);
      if (m.memberId !== memberId) throw new GroupApiError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${m.memberId}.`);
    }
    if (m.classic === null) throw new GroupApiError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${m.memberId} does not use the classic protocol.`);
    return m;
  }

  /** The member must rejoin: the group moved on, it must revoke, or partitions it waits for are free now. */
  private mustRejoin(group: ConsumerGroup, m: ConsumerGroupMember): boolean {
    if (m.memberEpoch < group.groupEpoch || m.state === MemberState.UNREVOKED_PARTITIONS) return true;
    return m.state === MemberState.UNRELEASED_PARTITIONS && !this.waitingOnUnreleasedPartition(group, m);
  }

  private waitingOnUnreleasedPartition(group: ConsumerGroup, m: ConsumerGroupMember): boolean {
    for (const [topicId, ps] of group.targetOf(m.memberId)) {
      for (const p of ps) if (!m.assignedPartitions.get(topicId)?.has(p) && group.currentPartitionEpoch(topicId, p) !== -1) return true;
    }
    return false;
  }

  /** SyncGroup of a classic member: its current assignment in the ConsumerProtocol version it subscribed with. */
  classicSync(req: SyncGroupRequest): SyncGroupResponse {
    const fail = (errorCode: number): SyncGroupResponse => ({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    try {
      const group = this.consumerGroup(req.groupId);
      const m = this.classicMember(group, req.memberId, req.groupInstanceId ?? null);
      if (req.generationId !== m.memberEpoch) return fail(ErrorCode.ILLEGAL_GENERATION);
      const protocol = m.classic!.supportedProtocols[0];
      if ((req.protocolType != null && req.protocolType !== 'consumer') || (req.protocolName != null && req.protocolName !== protocol.name)) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      if (this.mustRejoin(group, m)) return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      this.c.timers.cancel(syncKey(group.groupId, m.memberId));
      this.scheduleSessionTimeout(group.groupId, m.memberId, m.classic!.sessionTimeoutMs);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, protocolType: req.protocolType ?? 'consumer', protocolName: req.protocolName ?? protocol.name, assignment: encodeAssignment(m.assignedPartitions, this.topics, protocol.metadata) };
    } catch (e) {
      if (e instanceof GroupApiError) return fail(e.errorCode);
      throw e;
    }
  }

  /** Heartbeat of a classic member: REBALANCE_IN_PROGRESS when it must rejoin, which it then must do within its rebalance timeout. */
  classicHeartbeat(req: HeartbeatRequest): number {
    try {
      const group = this.consumerGroup(req.groupId);
      const m = this.classicMember(group, req.memberId, req.groupInstanceId ?? null);
      if (req.generationId !== m.memberEpoch) return ErrorCode.ILLEGAL_GENERATION;
      this.scheduleSessionTimeout(group.groupId, m.memberId, m.classic!.sessionTimeoutMs);
      if (!this.mustRejoin(group, m)) return ErrorCode.NONE;
      const key = joinKey(group.groupId, m.memberId);
      if (!this.c.timers.has(key)) {
        this.c.timers.schedule(key, m.rebalanceTimeoutMs, () => this.fenceFromTimer(group.groupId, m.memberId, 'the classic member failed to join within the rebalance timeout'));
      }
      return ErrorCode.REBALANCE_IN_PROGRESS;
    } catch (e) {
      if (e instanceof GroupApiError) return e.errorCode;
      throw e;
    }
  }

  /** LeaveGroup of classic members: each leaves as a consumer member does (the group epoch is bumped). */
  classicLeave(groupId: string, leaving: LeavingMember[]): LeaveResult {
    const group = this.consumerGroup(groupId);
    const members: LeaveResult['members'] = [];
    const gone: ConsumerGroupMember[] = [];
    for (const l of leaving) {
      const instanceId = l.groupInstanceId ?? null;
      try {
        let m: ConsumerGroupMember;
        if (instanceId === null) {
          m = this.classicMember(group, l.memberId, null);
        } else {
          const s = group.staticMember(instanceId);
          if (!s) throw new GroupApiError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`);
          m = this.classicMember(group, l.memberId === '' ? s.memberId : l.memberId, instanceId);
        }
        log.info(`[Group ${groupId}] Member ${m.memberId} has left group through explicit \`LeaveGroup\` request; client reason: ${l.reason ?? 'not provided'}`);
        gone.push(m);
        members.push({ memberId: m.memberId, groupInstanceId: instanceId, errorCode: ErrorCode.NONE });
      } catch (e) {
        if (!(e instanceof GroupApiError)) throw e;
        members.push({ memberId: l.memberId, groupInstanceId: instanceId, errorCode: e.errorCode });
      }
    }
    if (gone.length > 0) void this.write(groupId, this.fenceAll(group, gone));
    return { errorCode: ErrorCode.NONE, members };
  }

  // ConsumerGroupDescribe

  describe(groupId: string, includeAuthorizedOperations: boolean, authorizedOperations: number): ConsumerGroupDescribeResponseDescribedGroup {
    const base: ConsumerGroupDescribeResponseDescribedGroup = {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId,
      groupState: '',
      groupEpoch: 0,
      assignmentEpoch: 0,
      assignorName: '',
      members: [],
      authorizedOperations: -2147483648,
    };
    const g = this.c.group(groupId);
    if (g === undefined) return { ...base, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} not found.` };
    if (!(g instanceof ConsumerGroup)) return { ...base, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a consumer group.` };
    return {
      ...base,
      groupState: g.state(),
      groupEpoch: g.groupEpoch,
      assignmentEpoch: g.assignmentEpoch,
      assignorName: g.preferredServerAssignor() ?? this.settings.assignors[0] ?? '',
      authorizedOperations: includeAuthorizedOperations ? authorizedOperations : -2147483648,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        rackId: m.rackId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: [...m.subscribedTopicNames],
        subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: { topicPartitions: this.named(m.assignedPartitions) },
        targetAssignment: { topicPartitions: this.named(g.targetOf(m.memberId)) },
        memberType: m.classic === null ? 1 : 0,
      })),
    };
  }

  /** Partitions with topic names; topics gone from the image are left out, as Kafka does. */
  private named(tp: TopicPartitions): ConsumerGroupDescribeResponseTopicPartitions[] {
    const out: ConsumerGroupDescribeResponseTopicPartitions[] = [];
    for (const t of fromTopicPartitions(tp)) {
      const topic = this.topics.getById(t.topicId);
      if (topic) out.push({ topicId: t.topicId, topicName: topic.name, partitions: t.partitions });
    }
    return out;
  }

  // GroupProtocolManager

  replay(keyVersion: number, key: Buffer, value: Buffer | null): void {
    const r = decodeConsumerRecord(keyVersion, key, value);
    if (r === null) return;
    let g = this.c.group(r.groupId);
    if (!(g instanceof ConsumerGroup)) {
      const tombstone = r.type === 4 || ('value' in r && r.value === null);
      if (tombstone) return;
      if (g !== undefined && !(g instanceof ClassicGroup && (g.isEmpty() || this.replacing === r.groupId))) {
        log.warn(`consumer group record for ${r.groupId}, which is a ${g.type} group: skipped`);
        return;
      }
      g = this.newGroup(r.groupId);
      this.c.addGroup(g);
    }
    if (!(g as ConsumerGroup).apply(r)) this.c.removeGroup(r.groupId);
  }

  onLoaded(groups: Group[]): void {
    for (const g of groups) {
      if (!(g instanceof ConsumerGroup)) continue;
      log.info(`Loaded consumer group ${g.groupId} with ${g.members.size} members.`);
      for (const m of g.members.values()) {
        this.scheduleSessionTimeout(g.groupId, m.memberId, m.classic?.sessionTimeoutMs);
        if (m.state === MemberState.UNREVOKED_PARTITIONS && m.classic === null) this.scheduleRebalanceTimeout(g.groupId, m.memberId, m.memberEpoch, m.rebalanceTimeoutMs);
      }
    }
  }

  unload(group: Group): void {
    this.regexChecks.delete(group.groupId);
    if (group instanceof ConsumerGroup) this.cancelGroupTimers(group);
  }

  deleteRecords(group: Group): StoredRecord[] {
    if (!(group instanceof ConsumerGroup)) return [];
    const id = group.groupId;
    const members = [...group.members.keys()];
    return [
      ...members.map((m) => currentAssignmentTombstone(id, m)),
      ...members.map((m) => targetAssignmentTombstone(id, m)),
      targetAssignmentMetadataTombstone(id),
      ...members.map((m) => memberMetadataTombstone(id, m)),
      ...[...group.resolvedRegexes.keys()].map((r) => regexTombstone(id, r)),
      partitionMetadataTombstone(id),
      groupEpochTombstone(id),
    ];
  }
}

/** Kafka's check of the epoch a member heartbeats with (0 always rejoins). */
function throwIfEpochInvalid(m: ConsumerGroupMember, received: number, owned: TopicPartitions | null): void {
  if (received === JOIN_GROUP_MEMBER_EPOCH) return;
  if (received > m.memberEpoch) {
    throw new FencedMemberEpochError(
      `The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    );
  }
  // The previous epoch with a subset of the assignment: the response that bumped it was lost.
  if (received < m.memberEpoch && (received !== m.previousMemberEpoch || !isSubset(owned, m.assignedPartitions))) {
    throw new FencedMemberEpochError(
      `The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    );
  }
}

function isSubset(owned: TopicPartitions | null, assigned: TopicPartitions): boolean {
  if (owned === null) return false;
  for (const [topicId, ps] of owned) {
    const a = assigned.get(topicId);
    for (const p of ps) if (!a?.has(p)) return false;
  }
  return true;
}

/** A 53-bit string hash (cyrb53): the metadata hash only needs to change when the topics do. */
function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The member's assignment epochs without those of partitions pending revocation. */
function onlyAssigned(m: ConsumerGroupMember): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const [topicId, ps] of m.assignedPartitions) {
    const epochs = new Map<number, number>();
    for (const p of ps) epochs.set(p, m.assignmentEpochs.get(topicId)?.get(p) ?? m.memberEpoch);
    out.set(topicId, epochs);
  }
  return out;
}
