// Streams groups (KIP-1071) in the group coordinator: StreamsGroupHeartbeat (joining with the
// topology, epochs, the target assignment of tasks and its reconciliation, leaving), session and
// rebalance timeouts, the delayed first assignment, internal topic creation, StreamsGroupDescribe,
// and the replay of the StreamsGroup* records (17, 19-23). Every change is written to
// __consumer_offsets before the heartbeat is answered.
import { log } from '../../../log.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { BrokerConfig } from '../../../config.js';
import type { StreamsGroupHeartbeatRequest } from '../../../protocol/generated/streams-group-heartbeat-request.js';
import type { StreamsGroupHeartbeatResponse } from '../../../protocol/generated/streams-group-heartbeat-response.js';
import { KafkaError } from '../../../storage/types.js';
import { appendErrorCode, type CoordinatorContext } from '../context.js';
import type { Group } from '../group.js';
import type { StoredRecord } from '../offsets-topic.js';
import type { GroupProtocolManager } from '../protocol.js';
import { reconcile } from './current-assignment.js';
import { describeStreamsGroups, type DescribedStreamsGroup } from './describe.js';
import { endpointToPartitions } from './endpoints.js';
import { StreamsGroup } from './group.js';
import { MemberState, metadataDiffers, newMember, type StreamsGroupMember } from './member.js';
import {
  currentAssignmentRecord,
  groupMetadataRecord,
  groupTombstones,
  memberMetadataRecord,
  memberTombstones,
  replayStreamsRecord,
  STREAMS_RECORD_TYPES,
  targetAssignmentMetadataRecord,
  targetAssignmentRecord,
  topologyRecord,
} from './records.js';
import { streamsSettings, type GroupNumber, type StreamsSettings } from './settings.js';
import { assignTasks } from './sticky-assignor.js';
import { copySet, emptyTuple, emptyWithEpochs, fromTaskIds, sameTuple, toTaskIds, type TasksTuple } from './tasks.js';
import { configureTopology, Status, topologyTopics, type ConfiguredTopology, type GroupStatus, type StreamsTopology } from './topology.js';
import { validateHeartbeat } from './validate.js';

/** What the manager needs of the broker beside the coordinator's shared state. */
export interface StreamsHost {
  readonly config: BrokerConfig;
  /** NONE when the coordinator serves the group now, else NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS. */
  status(groupId: string): number;
  topic(name: string): { topicId: string; partitions: number } | undefined;
  createTopic(name: string, partitions: number, configs: Record<string, string>, replicationFactor?: number): Promise<unknown>;
  /** The group's streams.* overrides (GROUP config resources); absent: the broker's settings only. */
  groupNumber?: GroupNumber;
}

export interface HeartbeatClient {
  clientId: string;
  clientHost: string;
  apiVersion: number;
}

interface Outcome {
  response: StreamsGroupHeartbeatResponse;
  records: StoredRecord[];
}

const sessionKey = (groupId: string, memberId: string) => `streams-session:${groupId}:${memberId}`;
const rebalanceKey = (groupId: string, memberId: string) => `streams-rebalance:${groupId}:${memberId}`;
const assignKey = (groupId: string) => `streams-assign:${groupId}`;
const initialKey = (groupId: string) => `streams-initial-rebalance:${groupId}`;

function fail(errorCode: number, message: string): never {
  throw new KafkaError(errorCode, message);
}

export class StreamsGroupManager implements GroupProtocolManager {
  readonly type = 'streams' as const;
  readonly recordKeyVersions = STREAMS_RECORD_TYPES;
  /** Internal topics being created (not asked for twice). */
  private readonly creating = new Set<string>();

  constructor(
    private readonly c: CoordinatorContext,
    private readonly host: StreamsHost,
  ) {}

  private settings(groupId?: string): StreamsSettings {
    return streamsSettings(this.host.config, groupId, this.host.groupNumber);
  }

  // GroupProtocolManager

  replay(keyVersion: number, key: Buffer, value: Buffer | null): void {
    replayStreamsRecord(keyVersion, key, value, {
      get: (groupId) => this.streamsGroup(groupId),
      getOrCreate: (groupId) => this.streamsGroup(groupId) ?? this.register(new StreamsGroup(groupId)),
      remove: (groupId) => {
        if (this.streamsGroup(groupId)) this.c.removeGroup(groupId);
      },
    });
  }

  onLoaded(groups: Group[]): void {
    for (const g of groups) {
      if (!(g instanceof StreamsGroup)) continue;
      for (const m of g.members.values()) {
        this.armSession(g, m.memberId);
        if (m.state === MemberState.UNREVOKED_TASKS) this.armRebalance(g, m);
      }
    }
  }

  unload(group: Group): void {
    if (!(group instanceof StreamsGroup)) return;
    for (const memberId of group.members.keys()) {
      this.c.timers.cancel(sessionKey(group.groupId, memberId));
      this.c.timers.cancel(rebalanceKey(group.groupId, memberId));
    }
    this.c.timers.cancel(assignKey(group.groupId));
    this.c.timers.cancel(initialKey(group.groupId));
    group.dead = true;
  }

  deleteRecords(group: Group): StoredRecord[] {
    return group instanceof StreamsGroup ? groupTombstones(group) : [];
  }

  // StreamsGroupHeartbeat

  async heartbeat(req: StreamsGroupHeartbeatRequest, client: HeartbeatClient): Promise<StreamsGroupHeartbeatResponse> {
    const invalid = validateHeartbeat(req);
    if (invalid) return errorResponse(invalid.errorCode, invalid.errorMessage);
    const status = this.host.status(req.groupId);
    if (status !== ErrorCode.NONE) return errorResponse(status, null);
    let outcome: Outcome;
    // A refused or unwritten heartbeat leaves the group as it was (Kafka applies records only once written).
    const before = this.streamsGroup(req.groupId);
    const restore = before ? before.snapshot() : () => this.dropIfNew(req.groupId);
    try {
      outcome = req.memberEpoch < 0 ? this.leave(req) : this.memberHeartbeat(req, client);
    } catch (e) {
      restore();
      if (e instanceof KafkaError) return errorResponse(e.errorCode, e.message);
      log.error(`StreamsGroupHeartbeat of group ${req.groupId} failed: ${(e as Error)?.stack ?? e}`);
      return errorResponse(ErrorCode.UNKNOWN_SERVER_ERROR, null);
    }
    if (outcome.records.length > 0) {
      try {
        await this.c.append(req.groupId, outcome.records);
      } catch (e) {
        restore();
        return errorResponse(appendErrorCode(e), null);
      }
    }
    return outcome.response;
  }

  private memberHeartbeat(req: StreamsGroupHeartbeatRequest, client: HeartbeatClient): Outcome {
    const s = this.settings(req.groupId);
    const records: StoredRecord[] = [];
    const statuses: GroupStatus[] = [];
    const group = this.groupForHeartbeat(req.groupId, req.memberEpoch === 0);
    const existing = group.members.get(req.memberId);
    // Static membership: the instance id's holder, if another member, left with -2 (replaced) or still runs (refused).
    const holder = req.instanceId !== null ? staticHolder(group, req.instanceId) : undefined;
    if (req.instanceId !== null && req.memberEpoch !== 0) {
      if (!holder) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member with instance id ${req.instanceId} is not a member of group ${req.groupId}.`);
      if (holder.memberId !== req.memberId) fail(ErrorCode.FENCED_INSTANCE_ID, `Static member ${req.memberId} with instance id ${req.instanceId} was fenced by member ${holder.memberId}.`);
    }
    const replacing = req.memberEpoch === 0 && holder !== undefined && holder.memberId !== req.memberId ? holder : undefined;
    if (replacing && replacing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      fail(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${req.memberId} with instance id ${req.instanceId} cannot join the group because the instance id is owned by ${replacing.memberId} member.`);
    }
    if (!existing && req.memberEpoch !== 0) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`);
    if (!existing && !replacing && group.members.size >= s.maxSize) fail(ErrorCode.GROUP_MAX_SIZE_REACHED, `The streams group has reached its maximum capacity of ${s.maxSize} members.`);
    // A newer topology is refused before anything changes.
    if (req.topology && group.topology !== null && req.topology.epoch > group.topology.epoch) fail(ErrorCode.INVALID_REQUEST, 'Topology updates are not supported yet.');
    const wasEmpty = group.members.size === 0;
    let member = existing ?? newMember(req.memberId);
    if (replacing) {
      // The new incarnation takes over its predecessor's tasks and target.
      member = { ...replacing, memberId: req.memberId, memberEpoch: 0, previousMemberEpoch: 0 };
      const target = group.targetAssignment.get(replacing.memberId);
      group.members.delete(replacing.memberId);
      group.targetAssignment.delete(replacing.memberId);
      if (target) group.targetAssignment.set(req.memberId, target);
      this.c.timers.cancel(sessionKey(group.groupId, replacing.memberId));
      this.c.timers.cancel(rebalanceKey(group.groupId, replacing.memberId));
      records.push(...memberTombstones(group.groupId, replacing.memberId));
      if (target) records.push(targetAssignmentRecord(group.groupId, req.memberId, target));
      log.info(
        `[GroupId ${group.groupId}][MemberId ${req.memberId}] Static member with instance id ${req.instanceId} re-joins the streams group using the streams protocol. Created a new member ${req.memberId} to replace the existing member ${replacing.memberId}.`,
      );
    }
    if (existing) checkMemberEpoch(member, req);

    const updated: StreamsGroupMember = {
      ...member,
      clientId: client.clientId,
      clientHost: client.clientHost,
      instanceId: req.instanceId ?? member.instanceId,
      rackId: req.rackId ?? member.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs !== -1 ? req.rebalanceTimeoutMs : member.rebalanceTimeoutMs,
      topologyEpoch: req.topology ? req.topology.epoch : member.topologyEpoch,
      processId: req.processId ?? member.processId,
      userEndpoint: req.userEndpoint ? { host: req.userEndpoint.host, port: req.userEndpoint.port } : member.userEndpoint,
      clientTags: req.clientTags ? new Map(req.clientTags.map((t) => [t.key, t.value])) : member.clientTags,
      taskOffsets: req.taskOffsets ? new Map(req.taskOffsets.map((o) => [`${o.subtopologyId}:${o.partition}`, o.offset])) : member.taskOffsets,
      taskEndOffsets: req.taskEndOffsets ? new Map(req.taskEndOffsets.map((o) => [`${o.subtopologyId}:${o.partition}`, o.offset])) : member.taskEndOffsets,
    };
    let bump = false;
    if (!existing || metadataDiffers(member, updated)) {
      records.push(memberMetadataRecord(group.groupId, updated));
      // A static member's new incarnation with unchanged metadata changes nothing to assign.
      bump = (!existing && !replacing) || metadataDiffers(member, updated);
    }
    if (!existing) log.info(`[GroupId ${group.groupId}][MemberId ${req.memberId}] Member joins the streams group.`);
    group.members.set(updated.memberId, updated);

    // The topology: set by the first member, then fixed for the group's life.
    if (req.topology) {
      if (group.topology === null) {
        group.topology = toTopology(req.topology);
        group.configured = null;
        records.push(topologyRecord(group.groupId, group.topology));
        bump = true;
        log.info(`[GroupId ${group.groupId}][MemberId ${req.memberId}] Member initialized the topology with epoch ${req.topology.epoch}`);
      }
    }
    const topology = group.topology;
    if (topology === null) fail(ErrorCode.STREAMS_INVALID_TOPOLOGY, 'The topology is null and the group topology is also null.');
    if (updated.topologyEpoch < topology.epoch) {
      statuses.push({ statusCode: Status.STALE_TOPOLOGY, statusDetail: `The member's topology epoch ${updated.topologyEpoch} is behind the group's topology epoch ${topology.epoch}.` });
    }

    // The topology against the cluster's topics, again whenever their partitions change.
    const hash = this.metadataHash(topology);
    if (group.configured === null || hash !== group.metadataHash || group.configured.topologyEpoch !== topology.epoch) {
      group.configured = configureTopology(topology, (t) => this.host.topic(t)?.partitions);
      if (hash !== group.metadataHash) {
        group.metadataHash = hash;
        bump = true;
      }
      if (group.configured.status === null && group.validatedTopologyEpoch !== topology.epoch) {
        group.validatedTopologyEpoch = topology.epoch;
        bump = true;
      }
    }
    this.createInternalTopics(group.configured);
    // The assignor's configuration (a group's streams.num.standby.replicas) changed: a new assignment.
    const assignmentConfigs = new Map([['num.standby.replicas', String(s.numStandbyReplicas)]]);
    if ([...assignmentConfigs].some(([k, v]) => group.lastAssignmentConfigs.get(k) !== v) || group.lastAssignmentConfigs.size !== assignmentConfigs.size) {
      if (group.lastAssignmentConfigs.size > 0) log.info(`[GroupId ${group.groupId}][MemberId ${req.memberId}] Assignment configurations changed to {num.standby.replicas=${s.numStandbyReplicas}}. Triggering rebalance.`);
      group.lastAssignmentConfigs = assignmentConfigs;
      bump = true;
    }
    if (bump) {
      group.groupEpoch++;
      records.push(groupMetadataRecord(group));
      if (wasEmpty && s.initialRebalanceDelayMs > 0 && !this.c.timers.has(initialKey(group.groupId))) this.startInitialDelay(group, s);
    }
    if (group.groupEpoch > group.assignmentEpoch || this.c.timers.has(initialKey(group.groupId))) this.maybeAssign(group, s, statuses, records);

    // Reconciliation towards the member's target.
    const target = group.targetAssignment.get(updated.memberId) ?? emptyTuple();
    const owned = req.activeTasks && req.standbyTasks && req.warmupTasks ? { active: fromTaskIds(req.activeTasks), standby: fromTaskIds(req.standbyTasks), warmup: fromTaskIds(req.warmupTasks) } : null;
    const reconciled = reconcile(group, updated, group.assignmentEpoch, target, owned);
    const tasksChanged = !sameTuple(reconciled.assigned, member.assigned) || !existing;
    if (reconciled !== updated || !existing) {
      group.members.set(reconciled.memberId, reconciled);
      records.push(currentAssignmentRecord(group.groupId, reconciled));
    }
    if (reconciled !== updated) {
      log.info(
        `[GroupId ${group.groupId}][MemberId ${reconciled.memberId}] Member's new assignment state: epoch=${reconciled.memberEpoch}, previousEpoch=${reconciled.previousMemberEpoch}, state=${reconciled.state}.`,
      );
    }
    this.armSession(group, reconciled.memberId);
    if (reconciled.state === MemberState.UNREVOKED_TASKS) {
      if (updated.state !== MemberState.UNREVOKED_TASKS || !this.c.timers.has(rebalanceKey(group.groupId, reconciled.memberId))) this.armRebalance(group, reconciled);
    } else {
      this.c.timers.cancel(rebalanceKey(group.groupId, reconciled.memberId));
    }
    const endpointChanged = member.userEndpoint?.host !== reconciled.userEndpoint?.host || member.userEndpoint?.port !== reconciled.userEndpoint?.port;
    if ((tasksChanged && reconciled.userEndpoint !== null) || endpointChanged) group.endpointInformationEpoch++;

    if (req.shutdownApplication && group.shutdownRequestMemberId === null) group.shutdownRequestMemberId = reconciled.memberId;
    if (group.configured?.status) statuses.push(group.configured.status);
    if (group.shutdownRequestMemberId !== null) {
      statuses.push({
        statusCode: Status.SHUTDOWN_APPLICATION,
        statusDetail: `Streams group member ${group.shutdownRequestMemberId} encountered a fatal error and requested a shutdown for the entire application.`,
      });
    }
    const missingTags = s.rackAwareAssignmentTags.filter((t) => !reconciled.clientTags.has(t));
    if (missingTags.length > 0 && client.apiVersion >= 1) {
      statuses.push({
        statusCode: Status.MISSING_CLIENT_TAGS,
        statusDetail: `Missing required client tags for rack-aware standby assignment: [${missingTags.join(', ')}]. Configure them via 'client.tag.<tagKey>' in your Streams config.`,
      });
    }

    const sendTasks = req.memberEpoch === 0 || tasksChanged;
    const response: StreamsGroupHeartbeatResponse = {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: reconciled.memberId,
      memberEpoch: reconciled.memberEpoch,
      heartbeatIntervalMs: s.heartbeatIntervalMs,
      acceptableRecoveryLagLegacy: Math.min(s.acceptableRecoveryLag, 2147483647),
      acceptableRecoveryLag: s.acceptableRecoveryLag,
      taskOffsetIntervalMs: s.taskOffsetIntervalMs,
      status: statuses,
      activeTasks: sendTasks ? toTaskIds(reconciled.assigned.active) : null,
      standbyTasks: sendTasks ? toTaskIds(reconciled.assigned.standby) : null,
      warmupTasks: sendTasks ? toTaskIds(reconciled.assigned.warmup) : null,
      topologyDescriptionRequired: false,
      endpointInformationEpoch: group.endpointInformationEpoch,
      partitionsByUserEndpoint: null,
    };
    if (reconciled.userEndpoint !== null && req.endpointInformationEpoch < group.endpointInformationEpoch) {
      response.partitionsByUserEndpoint = endpointToPartitions(group, (t) => this.host.topic(t)?.partitions);
    }
    return { response, records };
  }

  /** The group a heartbeat addresses; a join creates it (replacing an empty classic group, as Kafka converts one). */
  private groupForHeartbeat(groupId: string, create: boolean): StreamsGroup {
    const g = this.c.group(groupId);
    if (g instanceof StreamsGroup) return g;
    if (g !== undefined && !(g.type === 'classic' && g.isEmpty() && create)) fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a streams group.`);
    if (!create) fail(ErrorCode.GROUP_ID_NOT_FOUND, `Streams group ${groupId} not found.`);
    if (g !== undefined) {
      this.c.removeGroup(groupId);
      log.info(`[GroupId ${groupId}] Converted the empty classic group to a streams group.`);
    }
    // Kafka 4.4 starts a new streams group at epoch 1 (its first member joins at 2), so no member is ever told epoch 0 after joining.
    const created = new StreamsGroup(groupId);
    created.groupEpoch = 1;
    created.assignmentEpoch = 1;
    return this.register(created);
  }

  /** A group this heartbeat created goes again when the heartbeat fails. */
  private dropIfNew(groupId: string): void {
    if (this.streamsGroup(groupId)) this.c.removeGroup(groupId);
  }

  private register(g: StreamsGroup): StreamsGroup {
    this.c.addGroup(g);
    return g;
  }

  private streamsGroup(groupId: string): StreamsGroup | undefined {
    const g = this.c.group(groupId);
    return g instanceof StreamsGroup ? g : undefined;
  }

  /** A member leaving (epoch -1, or -2 for a static member that will come back). */
  private leave(req: StreamsGroupHeartbeatRequest): Outcome {
    const group = this.streamsGroup(req.groupId);
    if (!group) fail(ErrorCode.GROUP_ID_NOT_FOUND, `Streams group ${req.groupId} not found.`);
    if (req.instanceId !== null) {
      const m = staticHolder(group, req.instanceId);
      if (!m) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member with instance id ${req.instanceId} is not a member of group ${req.groupId}.`);
      if (m.memberId !== req.memberId) fail(ErrorCode.FENCED_INSTANCE_ID, `Static member ${req.memberId} with instance id ${req.instanceId} was fenced by member ${m.memberId}.`);
      if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
        // Gone for a while: it keeps its tasks (and its session timer) until it comes back or expires.
        log.info(`[GroupId ${group.groupId}][MemberId ${m.memberId}] Static member ${m.memberId} with instance id ${req.instanceId} temporarily left the streams group.`);
        const away: StreamsGroupMember = { ...m, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, pendingRevocation: emptyWithEpochs() };
        group.members.set(m.memberId, away);
        this.c.timers.cancel(rebalanceKey(group.groupId, m.memberId));
        return { response: { ...errorResponse(ErrorCode.NONE, null), memberId: m.memberId, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH }, records: [currentAssignmentRecord(group.groupId, away)] };
      }
    }
    if (!group.members.has(req.memberId)) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`);
    log.info(`[GroupId ${group.groupId}][MemberId ${req.memberId}] Member ${req.memberId} left the streams group.`);
    const records = this.removeMember(group, req.memberId);
    return { response: { ...errorResponse(ErrorCode.NONE, null), memberId: req.memberId, memberEpoch: req.memberEpoch }, records };
  }

  /** Removes the member and bumps the group epoch so the others are reassigned its tasks. */
  private removeMember(group: StreamsGroup, memberId: string): StoredRecord[] {
    const m = group.members.get(memberId);
    group.members.delete(memberId);
    group.targetAssignment.delete(memberId);
    this.c.timers.cancel(sessionKey(group.groupId, memberId));
    this.c.timers.cancel(rebalanceKey(group.groupId, memberId));
    if (m?.userEndpoint) group.endpointInformationEpoch++;
    group.groupEpoch++;
    return [...memberTombstones(group.groupId, memberId), groupMetadataRecord(group)];
  }

  /** Session or rebalance timeout: the member is removed and the removal written. */
  private fence(groupId: string, memberId: string, why: string): void {
    const group = this.streamsGroup(groupId);
    if (!group?.members.has(memberId) || this.host.status(groupId) !== ErrorCode.NONE) return;
    log.info(`[GroupId ${groupId}] Streams member ${memberId} fenced from the group because ${why}.`);
    const records = this.removeMember(group, memberId);
    this.c.append(groupId, records).catch((e) => log.warn(`streams group ${groupId}: writing the removal of ${memberId} failed: ${(e as Error).message}`));
  }

  private armSession(group: StreamsGroup, memberId: string): void {
    const groupId = group.groupId;
    this.c.timers.schedule(sessionKey(groupId, memberId), this.settings(groupId).sessionTimeoutMs, () => this.fence(groupId, memberId, 'its session expired'));
  }

  private armRebalance(group: StreamsGroup, m: StreamsGroupMember): void {
    const { groupId } = group;
    const { memberId, memberEpoch } = m;
    this.c.timers.schedule(rebalanceKey(groupId, memberId), Math.max(0, m.rebalanceTimeoutMs), () => {
      const now = this.streamsGroup(groupId)?.members.get(memberId);
      // Still holding tasks it was asked to revoke, at the same epoch.
      if (now && now.state === MemberState.UNREVOKED_TASKS && now.memberEpoch === memberEpoch) this.fence(groupId, memberId, 'it failed to revoke its tasks within the rebalance timeout');
    });
  }

  /**
   * Computes a new target assignment for the group epoch, unless a member joining an empty group
   * started group.streams.initial.rebalance.delay.ms (members then sit at the group epoch with no
   * tasks until the timer bumps the epoch and assigns), or the last one was less than
   * group.streams.assignment.interval.ms ago (a timer computes it). The member hears why.
   */
  private maybeAssign(group: StreamsGroup, s: StreamsSettings, statuses: GroupStatus[], records: StoredRecord[]): void {
    if (this.c.timers.has(initialKey(group.groupId))) {
      statuses.push({ statusCode: Status.ASSIGNMENT_DELAYED, statusDetail: 'Assignment delayed due to the configured initial rebalance delay.' });
      return;
    }
    const wait = group.assignmentTimestamp + s.assignmentIntervalMs - this.c.now();
    if (wait > 0) {
      if (!this.c.timers.has(assignKey(group.groupId))) {
        const groupId = group.groupId;
        this.c.timers.schedule(assignKey(groupId), wait, () => this.delayedAssign(groupId));
      }
      statuses.push({ statusCode: Status.ASSIGNMENT_DELAYED, statusDetail: 'Assignment delayed due to the configured assignment interval.' });
      return;
    }
    this.c.timers.cancel(assignKey(group.groupId));
    records.push(...this.computeTargetAssignment(group, s));
  }

  /** The first member of an empty group: the assignment waits (members stay at the assignment epoch, without tasks). */
  private startInitialDelay(group: StreamsGroup, s: StreamsSettings): void {
    const groupId = group.groupId;
    this.c.timers.schedule(initialKey(groupId), s.initialRebalanceDelayMs, () => this.delayedAssign(groupId));
  }

  private delayedAssign(groupId: string): void {
    const group = this.streamsGroup(groupId);
    if (!group || group.members.size === 0 || group.groupEpoch <= group.assignmentEpoch) return;
    if (this.host.status(groupId) !== ErrorCode.NONE) return;
    const records = this.computeTargetAssignment(group, this.settings(groupId));
    this.c.append(groupId, records).catch((e) => log.warn(`streams group ${groupId}: writing the target assignment failed: ${(e as Error).message}`));
  }

  /** The sticky assignor over the group's members; records for every member whose target changed. */
  computeTargetAssignment(group: StreamsGroup, s: StreamsSettings): StoredRecord[] {
    const records: StoredRecord[] = [];
    const subtopologies = new Map<string, number>();
    const stateful = new Set<string>();
    const configured = group.configured;
    if (configured?.status === null && configured.subtopologies) {
      for (const [id, st] of configured.subtopologies) {
        subtopologies.set(id, st.numberOfTasks);
        if (st.stateChangelogTopics.size > 0) stateful.add(id);
      }
    }
    const members = [...group.members.values()].map((m) => {
      const target = group.targetAssignment.get(m.memberId);
      return { memberId: m.memberId, processId: m.processId, active: target?.active ?? copySet(m.assigned.active), standby: target?.standby ?? copySet(m.assigned.standby) };
    });
    const result = assignTasks({ members, subtopologies, stateful, numStandbyReplicas: s.numStandbyReplicas });
    for (const [memberId, tuple] of result) {
      const old = group.targetAssignment.get(memberId);
      if (old && sameTuple(old, tuple)) continue;
      group.targetAssignment.set(memberId, tuple);
      records.push(targetAssignmentRecord(group.groupId, memberId, tuple));
    }
    group.assignmentEpoch = group.groupEpoch;
    group.assignmentTimestamp = this.c.now();
    records.push(targetAssignmentMetadataRecord(group));
    log.info(`[GroupId ${group.groupId}] Computed a new target assignment for epoch ${group.assignmentEpoch} over ${group.members.size} member(s).`);
    return records;
  }

  private createInternalTopics(configured: ConfiguredTopology): void {
    for (const t of configured.toCreate.values()) {
      if (this.creating.has(t.name)) continue;
      this.creating.add(t.name);
      this.host
        .createTopic(t.name, t.partitions, t.configs, t.replicationFactor > 0 ? t.replicationFactor : undefined)
        .then(
          () => log.info(`streams group coordinator created internal topic ${t.name} with ${t.partitions} partition(s)`),
          (e) => {
            const code = e instanceof KafkaError ? e.errorCode : -1;
            if (code !== ErrorCode.TOPIC_ALREADY_EXISTS) log.warn(`streams group coordinator could not create internal topic ${t.name}: ${(e as Error)?.message ?? e}`);
          },
        )
        .finally(() => this.creating.delete(t.name));
    }
  }

  /** A hash of the partition counts (and ids) of every topic the topology reads or creates. */
  private metadataHash(topology: StreamsTopology): number {
    let h = 0x811c9dc5;
    for (const name of topologyTopics(topology)) {
      const t = this.host.topic(name);
      const s = `${name}:${t?.topicId ?? ''}:${t?.partitions ?? -1};`;
      for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    }
    return h;
  }

  // StreamsGroupDescribe

  describe(groupIds: string[], includeAuthorizedOperations: boolean): DescribedStreamsGroup[] {
    // After a load the topology is configured again lazily: describe shows its partition counts all the same.
    for (const id of groupIds) {
      const g = this.streamsGroup(id);
      if (g?.topology && g.configured === null) g.configured = configureTopology(g.topology, (t) => this.host.topic(t)?.partitions);
    }
    return describeStreamsGroups(groupIds, includeAuthorizedOperations, {
      status: (g) => this.host.status(g),
      group: (g) => this.c.group(g),
      partitions: (t) => this.host.topic(t)?.partitions,
      assignor: this.settings().assignor,
    });
  }

  /** StreamsGroupTopologyDescriptionUpdate: Kafka 4.4 without group.streams.topology.description.plugin.class refuses it. */
  topologyDescriptionUpdate(req: { groupId: string; memberId: string }): { errorCode: number; errorMessage: string | null } {
    if (this.host.config.get('group.streams.topology.description.plugin.class') == null) {
      return { errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: 'The broker has no streams group topology description plugin configured.' };
    }
    if (req.memberId === '') return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "MemberId can't be empty." };
    if (req.groupId === '') return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "GroupId can't be empty." };
    return { errorCode: ErrorCode.STREAMS_TOPOLOGY_DESCRIPTION_UPDATE_FAILED, errorMessage: 'Topology description plugins are not supported by this broker.' };
  }
}

/** A static member's temporary leave (KIP-345's -2). */
const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

function staticHolder(group: StreamsGroup, instanceId: string): StreamsGroupMember | undefined {
  for (const m of group.members.values()) if (m.instanceId === instanceId) return m;
  return undefined;
}

/** Kafka's epoch check of a known member (throwIfStreamsGroupMemberEpochIsInvalid). */
function checkMemberEpoch(m: StreamsGroupMember, req: StreamsGroupHeartbeatRequest): void {
  if (req.memberEpoch > m.memberEpoch) {
    fail(
      ErrorCode.FENCED_MEMBER_EPOCH,
      `The streams group member has a greater member epoch (${req.memberEpoch}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    );
  }
  if (req.memberEpoch < m.memberEpoch) {
    // A lost response: the previous epoch is accepted while the member owns nothing it no longer has.
    const owned = req.activeTasks && req.standbyTasks && req.warmupTasks;
    const contained =
      owned &&
      [...fromTaskIds(req.activeTasks).entries()].every(([id, p]) => [...p].every((x) => m.assigned.active.get(id)?.has(x))) &&
      sameOrSubset(fromTaskIds(req.standbyTasks), m.assigned.standby) &&
      sameOrSubset(fromTaskIds(req.warmupTasks), m.assigned.warmup);
    if (req.memberEpoch !== m.previousMemberEpoch || !contained) {
      fail(
        ErrorCode.FENCED_MEMBER_EPOCH,
        `The streams group member has a smaller member epoch (${req.memberEpoch}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`,
      );
    }
  }
}

function sameOrSubset(a: Map<string, Set<number>>, b: Map<string, Set<number>>): boolean {
  for (const [id, p] of a) for (const x of p) if (!b.get(id)?.has(x)) return false;
  return true;
}

function toTopology(t: NonNullable<StreamsGroupHeartbeatRequest['topology']>): StreamsTopology {
  const info = (i: { name: string; partitions: number; replicationFactor: number; topicConfigs: { key: string; value: string }[] }) => ({
    name: i.name,
    partitions: i.partitions,
    replicationFactor: i.replicationFactor,
    topicConfigs: i.topicConfigs.map((c) => ({ key: c.key, value: c.value })),
  });
  return {
    epoch: t.epoch,
    subtopologies: t.subtopologies.map((s) => ({
      subtopologyId: s.subtopologyId,
      sourceTopics: [...s.sourceTopics],
      sourceTopicRegex: [...s.sourceTopicRegex],
      stateChangelogTopics: s.stateChangelogTopics.map(info),
      repartitionSinkTopics: [...s.repartitionSinkTopics],
      repartitionSourceTopics: s.repartitionSourceTopics.map(info),
      copartitionGroups: s.copartitionGroups.map((g) => ({ sourceTopics: [...g.sourceTopics], sourceTopicRegex: [...g.sourceTopicRegex], repartitionSourceTopics: [...g.repartitionSourceTopics] })),
    })),
  };
}

export function errorResponse(errorCode: number, errorMessage: string | null): StreamsGroupHeartbeatResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    memberId: '',
    memberEpoch: 0,
    heartbeatIntervalMs: 0,
    acceptableRecoveryLagLegacy: 0,
    acceptableRecoveryLag: -1,
    taskOffsetIntervalMs: 0,
    status: [],
    activeTasks: null,
    standbyTasks: null,
    warmupTasks: null,
    topologyDescriptionRequired: false,
    endpointInformationEpoch: 0,
    partitionsByUserEndpoint: null,
  };
}

