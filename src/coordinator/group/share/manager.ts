// The share group protocol in the group coordinator (KIP-932): ShareGroupHeartbeat and
// ShareGroupDescribe, the session timeouts, the replay of records 10-15, the initialization of new
// share partitions through the Persister, the share-group offset APIs (90-92) and the Persister
// side of DeleteGroups. Records are written before a request is answered and applied to memory
// through the same replay a load uses.
import type { BrokerConfig } from '../../../config.js';
import { log } from '../../../log.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { ShareGroupDescribeResponseDescribedGroup } from '../../../protocol/generated/share-group-describe-response.js';
import type { ShareGroupHeartbeatRequest } from '../../../protocol/generated/share-group-heartbeat-request.js';
import type { ShareGroupHeartbeatResponse } from '../../../protocol/generated/share-group-heartbeat-response.js';
import type { Persister } from '../../../share/persister.js';
import { SimpleAssignor } from '../assignor/simple.js';
import { appendErrorCode, type CoordinatorContext } from '../context.js';
import type { Group } from '../group.js';
import type { StoredRecord } from '../offsets-topic.js';
import type { GroupProtocolManager } from '../protocol.js';
import { ShareGroupError, groupNotFound, notShareGroup, unknownMember } from './errors.js';
import { ShareGroup } from './group.js';
import { fenceMember, heartbeat, type HeartbeatEnv, type InitRequest, type ShareTopics } from './heartbeat.js';
import { groupTombstones, replayShareRecord, SHARE_RECORD_TYPES, statePartitionsRecord, type ShareGroupRegistry } from './records.js';
import { withInitialized, withoutInitializing } from './state-partitions.js';

/** Kafka's GROUP operations (READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS) as a bit field. */
const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);
const NO_AUTHORIZED_OPERATIONS = -2147483648;

/** Group-level settings: the group's override (GROUP config resource) or the broker's group.<name> default. */
export interface GroupSettingsView {
  number(groupId: string, name: string): number;
}

/** What the share group protocol needs of the broker besides the coordinator. */
export interface ShareGroupHost {
  readonly config: BrokerConfig;
  /** The current topics, by name and by id. */
  topics(): { get(name: string): { topicId: string; partitions: number } | undefined; getById?(topicId: string): { name: string; partitions: number } | undefined };
  /** A partition's latest offset (its high watermark) for the share lag, null when not available here. */
  latestOffset(topic: string, partition: number): number | null;
}

export interface ShareCoordinatorContext extends CoordinatorContext {
  /** NONE when the coordinator serves the group now, else NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS. */
  status(groupId: string): number;
}

export interface ShareClient {
  clientId: string;
  clientHost: string;
}

function heartbeatError(errorCode: number, errorMessage: string | null): ShareGroupHeartbeatResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
}

export class ShareGroupManager implements GroupProtocolManager {
  readonly type = 'share' as const;
  readonly recordKeyVersions = SHARE_RECORD_TYPES;
  /** The share coordinator's client (part 4 wires it); without one no share partition is initialized. */
  persister: Persister | null = null;
  /** Group configs (GROUP resources); the broker defaults until they are wired. */
  settings: GroupSettingsView;
  private readonly assignor = new SimpleAssignor();
  private readonly registry: ShareGroupRegistry;

  constructor(
    private readonly c: ShareCoordinatorContext,
    private readonly host: ShareGroupHost,
  ) {
    this.settings = { number: (_groupId, name) => host.config.number(`group.${name}`) };
    this.registry = {
      shareGroup: (id) => {
        const g = c.group(id);
        return g instanceof ShareGroup ? g : undefined;
      },
      createShareGroup: (id) => {
        const g = new ShareGroup(id);
        c.addGroup(g);
        return g;
      },
      deleteShareGroup: (id) => {
        if (c.group(id) instanceof ShareGroup) c.removeGroup(id);
      },
      now: () => c.now(),
    };
  }

  // GroupProtocolManager

  replay(keyVersion: number, key: Buffer, value: Buffer | null): void {
    replayShareRecord(this.registry, keyVersion, key, value);
  }

  onLoaded(groups: Group[]): void {
    // Every member gets a fresh session (Kafka schedules the session timeouts of loaded members).
    for (const g of groups) if (g instanceof ShareGroup) for (const id of g.members.keys()) this.scheduleSessionTimeout(g.groupId, id);
  }

  unload(group: Group): void {
    if (!(group instanceof ShareGroup)) return;
    for (const id of group.members.keys()) this.c.timers.cancel(sessionKey(group.groupId, id));
    group.dead = true;
  }

  deleteRecords(group: Group): StoredRecord[] {
    return group instanceof ShareGroup ? groupTombstones(group) : [];
  }

  /**
   * DeleteGroups of a share group first deletes its share partitions' state (Kafka's
   * deleteShareGroups): NONE, or the Persister's error, which keeps the group.
   */
  async prepareDelete(group: Group): Promise<number> {
    if (!(group instanceof ShareGroup) || !group.statePartitions) return ErrorCode.NONE;
    const keys: { topicId: string; partition: number }[] = [];
    // A deleted topic's share state went with it (the share coordinator refuses it as unknown).
    const topics = this.topicsView();
    for (const m of [group.statePartitions.initialized, group.statePartitions.initializing]) {
      for (const [topicId, v] of m) if (topics.byId(topicId)) for (const partition of v.partitions) keys.push({ topicId, partition });
    }
    if (keys.length === 0) return ErrorCode.NONE;
    if (!this.persister) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const results = await Promise.all(keys.map((k) => this.persister!.deleteState({ groupId: group.groupId, ...k }).catch(() => ({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null }))));
    return results.find((r) => r.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
  }

  // Helpers

  private topicsView(): ShareTopics {
    const t = this.host.topics();
    return {
      byName: (name) => {
        const i = t.get(name);
        return i ? { topicId: i.topicId, partitions: i.partitions } : undefined;
      },
      byId: (id) => {
        const i = t.getById?.(id);
        return i ? { name: i.name, partitions: i.partitions } : undefined;
      },
    };
  }

  private shareGroup(groupId: string): ShareGroup {
    const g = this.c.group(groupId);
    if (!g) throw groupNotFound(groupId);
    if (!(g instanceof ShareGroup)) throw notShareGroup(groupId);
    return g;
  }

  /** Applies records to memory (the replay a load does), then writes them; resolves once durable. */
  private async write(groupId: string, records: StoredRecord[]): Promise<void> {
    if (records.length === 0) return;
    for (const r of records) replayShareRecord(this.registry, r.key.readInt16BE(0), r.key, r.value);
    await this.c.append(groupId, records);
  }

  private scheduleSessionTimeout(groupId: string, memberId: string): void {
    const timeout = this.settings.number(groupId, 'share.session.timeout.ms');
    this.c.timers.schedule(sessionKey(groupId, memberId), timeout, () => this.expireSession(groupId, memberId));
  }

  private expireSession(groupId: string, memberId: string): void {
    const g = this.c.group(groupId);
    if (!(g instanceof ShareGroup) || !g.members.has(memberId) || this.c.status(groupId) !== ErrorCode.NONE) return;
    log.info(`[GroupId ${groupId}] Member ${memberId} fenced from the group because the member session expired.`);
    this.write(groupId, fenceMember(g, memberId, this.topicsView())).catch((e) => log.warn(`share group ${groupId}: fencing ${memberId} failed: ${(e as Error).message}`));
  }

  // ShareGroupHeartbeat (76)

  async heartbeat(req: ShareGroupHeartbeatRequest, client: ShareClient): Promise<ShareGroupHeartbeatResponse> {
    const invalid = validateHeartbeat(req);
    if (invalid) return heartbeatError(ErrorCode.INVALID_REQUEST, invalid);
    const status = this.c.status(req.groupId);
    if (status !== ErrorCode.NONE) return heartbeatError(status, null);
    let records: StoredRecord[];
    let response: ShareGroupHeartbeatResponse;
    let init: InitRequest | null = null;
    try {
      if (req.memberEpoch === -1) {
        const g = this.shareGroup(req.groupId);
        if (!g.members.has(req.memberId)) throw unknownMember(req.groupId, req.memberId);
        log.info(`[GroupId ${req.groupId}] Member ${req.memberId} left the share group.`);
        records = fenceMember(g, req.memberId, this.topicsView());
        this.c.timers.cancel(sessionKey(req.groupId, req.memberId));
        response = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
      } else {
        const existing = this.c.group(req.groupId);
        if (existing && !(existing instanceof ShareGroup)) throw notShareGroup(req.groupId);
        // A new group exists once its first records are replayed.
        const result = heartbeat(req.groupId, existing, () => new ShareGroup(req.groupId), req, client, this.env(req.groupId), this.settings.number(req.groupId, 'share.heartbeat.interval.ms'));
        ({ records, response, init } = result);
        this.scheduleSessionTimeout(req.groupId, req.memberId);
      }
    } catch (e) {
      if (e instanceof ShareGroupError) return heartbeatError(e.code, e.message);
      throw e;
    }
    try {
      await this.write(req.groupId, records);
    } catch (e) {
      return heartbeatError(appendErrorCode(e), null);
    }
    // The Persister is asked after the answer, as Kafka's coordinator does it off the heartbeat.
    if (init) setImmediate(() => this.initialize(init!));
    return response;
  }

  private env(groupId: string): HeartbeatEnv {
    return {
      now: this.c.now(),
      topics: this.topicsView(),
      maxSize: this.host.config.number('group.share.max.size'),
      assignmentIntervalMs: this.settings.number(groupId, 'share.assignment.interval.ms'),
      assignor: this.assignor,
    };
  }

  /**
   * Initializes the share partitions of `init` through the Persister, then records them as
   * initialized (the next heartbeat bumps the epoch and assigns them) or, on an error, as no longer
   * initializing (retried by a later heartbeat).
   */
  async initialize(init: InitRequest): Promise<void> {
    const persister = this.persister;
    if (!persister) {
      log.warn(`[GroupId ${init.groupId}] no share coordinator to initialize share partitions with`);
      return;
    }
    const asked = new Map<string, Set<number>>();
    const calls: Promise<number>[] = [];
    for (const [topicId, v] of init.topics) {
      asked.set(topicId, new Set(v.partitions));
      for (const partition of v.partitions) {
        calls.push(
          persister
            .initializeState({ groupId: init.groupId, topicId, partition }, init.groupEpoch, init.startOffset(topicId))
            .then((r) => r.errorCode, () => ErrorCode.UNKNOWN_SERVER_ERROR),
        );
      }
    }
    const codes = await Promise.all(calls);
    const error = codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE;
    if (this.c.status(init.groupId) !== ErrorCode.NONE) return;
    const g = this.c.group(init.groupId);
    if (!(g instanceof ShareGroup) || g.dead) return;
    const topics = this.topicsView();
    const next =
      error === ErrorCode.NONE
        ? withInitialized(g.statePartitions, asked, (id) => topics.byId(id)?.name ?? init.topics.get(id)?.name ?? '<UNKNOWN>', this.c.now())
        : withoutInitializing(g.statePartitions, asked);
    if (error !== ErrorCode.NONE) log.error(`Received error while calling initialize state for ${init.groupId} on persister, errorCode: ${error}.`);
    try {
      await this.write(init.groupId, [statePartitionsRecord(init.groupId, next)]);
    } catch (e) {
      log.warn(`[GroupId ${init.groupId}] recording initialized share partitions failed: ${(e as Error).message}`);
    }
  }

  // ShareGroupDescribe (77)

  describe(groupIds: string[], includeAuthorizedOperations: boolean): ShareGroupDescribeResponseDescribedGroup[] {
    const topics = this.topicsView();
    return groupIds.map((groupId) => {
      const error = (errorCode: number, errorMessage: string | null): ShareGroupDescribeResponseDescribedGroup => ({
        errorCode,
        errorMessage,
        groupId,
        groupState: '',
        groupEpoch: 0,
        assignmentEpoch: 0,
        assignorName: '',
        members: [],
        authorizedOperations: NO_AUTHORIZED_OPERATIONS,
      });
      if (groupId === '') return error(ErrorCode.INVALID_GROUP_ID, null);
      const status = this.c.status(groupId);
      if (status !== ErrorCode.NONE) return error(status, null);
      let g: ShareGroup;
      try {
        g = this.shareGroup(groupId);
      } catch (e) {
        if (e instanceof ShareGroupError) return error(e.code, e.message);
        throw e;
      }
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        groupId,
        groupState: g.stateName(),
        groupEpoch: g.groupEpoch,
        assignmentEpoch: g.assignmentEpoch,
        assignorName: this.assignor.name,
        members: [...g.members.values()].map((m) => ({
          memberId: m.memberId,
          rackId: m.rackId,
          memberEpoch: m.memberEpoch,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: [...m.subscribedTopicNames],
          assignment: {
            topicPartitions: [...m.assignedPartitions].flatMap(([topicId, ps]) => {
              const t = topics.byId(topicId);
              return t ? [{ topicId, topicName: t.name, partitions: [...ps].sort((a, b) => a - b) }] : [];
            }),
          },
        })),
        authorizedOperations: includeAuthorizedOperations ? GROUP_AUTHORIZED_OPERATIONS : NO_AUTHORIZED_OPERATIONS,
      };
    });
  }

  /** Used by the offset APIs (offsets.ts). */
  get context(): ShareCoordinatorContext {
    return this.c;
  }

  get hostView(): ShareGroupHost {
    return this.host;
  }

  topics(): ShareTopics {
    return this.topicsView();
  }

  lookup(groupId: string): ShareGroup {
    return this.shareGroup(groupId);
  }

  /** The group, created (not yet persisted: its first record does) when missing; another type's group throws. */
  getOrCreate(groupId: string): ShareGroup {
    const g = this.c.group(groupId);
    if (g && !(g instanceof ShareGroup)) throw notShareGroup(groupId);
    return g ?? new ShareGroup(groupId);
  }

  writeRecords(groupId: string, records: StoredRecord[]): Promise<void> {
    return this.write(groupId, records);
  }
}

function sessionKey(groupId: string, memberId: string): string {
  return `share-session:${groupId}:${memberId}`;
}

/** Kafka's throwIfShareGroupHeartbeatRequestIsInvalid: the INVALID_REQUEST message, or null. */
export function validateHeartbeat(req: ShareGroupHeartbeatRequest): string | null {
  // (KafkaApis answers an empty or over-long member id before this: see the handler.)
  if (req.memberId === '') return "MemberId can't be empty.";
  if (req.groupId === '') return "GroupId can't be empty.";
  if (req.rackId === '') return "RackId can't be empty.";
  if (req.memberEpoch === 0) {
    if (req.subscribedTopicNames === null || req.subscribedTopicNames.length === 0) return 'SubscribedTopicNames must be set in first request.';
  } else if (req.memberEpoch < -1) {
    return 'MemberEpoch is invalid.';
  }
  return null;
}
