// The group coordinator of this broker: every group whose __consumer_offsets partition it leads
// (all of them, on a single broker). It loads those partitions at start (answering
// COORDINATOR_LOAD_IN_PROGRESS for their groups meanwhile), routes each API to the manager of the
// group's protocol (classic today), and owns what all group types share: offsets, the group
// registry, DescribeGroups/ListGroups/DeleteGroups and the periodic offset expiration.
import { log } from '../../log.js';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError, type PartitionLog } from '../../storage/types.js';
import { txnOffsetCommitError } from '../transaction/produce-verification.js';
import type { JoinGroupRequest } from '../../protocol/generated/join-group-request.js';
import type { JoinGroupResponse } from '../../protocol/generated/join-group-response.js';
import type { SyncGroupRequest } from '../../protocol/generated/sync-group-request.js';
import type { SyncGroupResponse } from '../../protocol/generated/sync-group-response.js';
import type { HeartbeatRequest } from '../../protocol/generated/heartbeat-request.js';
import type { DescribeGroupsResponseDescribedGroup } from '../../protocol/generated/describe-groups-response.js';
import type { ListGroupsResponseListedGroup } from '../../protocol/generated/list-groups-response.js';
import { appendErrorCode, groupSettings, type CoordinatorContext, type GroupSettings } from './context.js';
import type { Group } from './group.js';
import { ClassicGroup } from './classic/group.js';
import { groupFromRecord, groupTombstone } from './classic/group-record.js';
import { ClassicGroupManager, joinError, type JoinContext, type LeaveResult, type LeavingMember } from './classic/manager.js';
import { OffsetManager, type CommitRequest, type DeleteOffsetsResult, type FetchedTopic, type PartitionResult, type TxnCommitRequest } from './offset-manager.js';
import { OffsetStore } from './offset-store.js';
import { OffsetsTopic, UnreplicatedWrite, type CoordinatorHost, type LoadedRecord, type StoredRecord, type TxnProducer } from './offsets-topic.js';
import { PendingTxnOffsets } from './txn-offsets.js';
import type { PartitionLeadership } from './leadership.js';
import { OFFSETS_TOPIC, decodeKey, decodeOffsetCommitValue, partitionFor } from './records.js';
import { Timers, type Scheduler } from './timers.js';
import type { GroupProtocolManager } from './protocol.js';
import { recordKeyVersion } from './coordinator-record.js';
import { StreamsGroupManager } from './streams/manager.js';
import { StreamsGroup } from './streams/group.js';
import { ShareGroupManager } from './share/manager.js';
import { ShareGroupApi } from './share/api.js';
import type { ConsumerGroupHeartbeatRequest } from '../../protocol/generated/consumer-group-heartbeat-request.js';
import type { ConsumerGroupHeartbeatResponse } from '../../protocol/generated/consumer-group-heartbeat-response.js';
import type { ConsumerGroupDescribeResponseDescribedGroup } from '../../protocol/generated/consumer-group-describe-response.js';
import { ConsumerGroup } from './consumer/group.js';
import { ConsumerGroupManager, consumerGroupSettings, type HeartbeatContext } from './consumer/manager.js';
import { assignorByName } from './assignor/index.js';

/**
 * Kafka's AclEntry.supportedOperations(GROUP) = READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS,
 * ALTER_CONFIGS (the last two since group configs, KIP-848) as a bit field (no authorizer).
 */
const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);
const NO_AUTHORIZED_OPERATIONS = -2147483648;
const CLEANUP_KEY = 'cleanup';

export interface FetchedGroup {
  groupId: string;
  errorCode: number;
  topics: FetchedTopic[];
}

export class GroupCoordinator implements CoordinatorContext {
  readonly timers: Timers;
  readonly offsets = new OffsetStore();
  readonly pendingTxnOffsets = new PendingTxnOffsets();
  readonly settings: GroupSettings;
  readonly classic: ClassicGroupManager;
  readonly consumer: ConsumerGroupManager;
  readonly offsetManager: OffsetManager;
  /** KIP-1071 streams groups (StreamsGroupHeartbeat, StreamsGroupDescribe, StreamsGroupTopologyDescriptionUpdate). */
  readonly streams: StreamsGroupManager;
  /** KIP-932 share groups, and their request-facing APIs (76, 77, 90-92). */
  readonly share: ShareGroupManager;
  readonly shareGroups: ShareGroupApi;
  private readonly groups = new Map<string, Group>();
  /** The protocols beside classic (consumer, share, streams), by group type and by record key version. */
  private readonly protocols = new Map<string, GroupProtocolManager>();
  private readonly protocolByRecord = new Map<number, GroupProtocolManager>();
  private readonly offsetsTopic: OffsetsTopic;
  private readonly loadedPartitions = new Set<number>();
  private loading: Promise<void> | null = null;
  private activating: Promise<void> | null = null;
  private closed = false;
  /** Cluster mode: the replica layer, and the __consumer_offsets partitions led here (by leader epoch). */
  private leadership: PartitionLeadership | null = null;
  private readonly leading = new Map<number, number>();
  /** Loads and unloads of one partition run in order. */
  private readonly partitionOps = new Map<number, Promise<void>>();
  readonly now: () => number;
  /**
   * Checks with the transaction coordinator that the group's __consumer_offsets partition is in
   * the producer's transaction (adding it for TxnOffsetCommit v5+, KIP-890) before a transactional
   * commit is written; the broker sets it (null: no check).
   */
  txnVerifier: { verify(req: { transactionalId: string; producerId: number; producerEpoch: number; topic: string; partition: number; add: boolean }, l: PartitionLog): Promise<number> } | null = null;

  constructor(
    private readonly host: CoordinatorHost,
    opts: { now?: () => number; scheduler?: Scheduler } = {},
  ) {
    this.timers = new Timers(opts.scheduler);
    this.settings = groupSettings(host.config);
    this.offsetsTopic = new OffsetsTopic(host);
    this.now = opts.now ?? Date.now;
    this.classic = new ClassicGroupManager(this);
    this.offsetManager = new OffsetManager(this, this.classic);
    this.share = new ShareGroupManager(this, {
      config: host.config,
      topics: () => host.topics,
      latestOffset: (topic, partition) => host.partitionLog(topic, partition)?.highWatermark ?? null,
    });
    this.shareGroups = new ShareGroupApi(this.share);
    this.registerProtocol(this.share);
    // KIP-848 consumer groups: assignors named as clients name them (the config may give Kafka's class names).
    const settings = consumerGroupSettings(host.config);
    const topics = {
      get: (name: string) => host.topics.get(name),
      getById: (id: string) => host.topics.getById?.(id),
      names: () => [...(host.topics.all?.() ?? [])].map((t) => t.name),
    };
    const groupNumber = (groupId: string, name: string) => host.groupConfigs?.number(groupId, name);
    this.consumer = new ConsumerGroupManager(this, { ...settings, assignors: settings.assignors.map((n) => assignorByName(n)?.name ?? n), groupNumber }, topics, assignorByName);
    this.registerProtocol(this.consumer);
    this.consumer.releaseClassic = (g) => this.classic.release(g);
    this.consumer.adoptClassic = (g, reason) => this.classic.adopt(g, reason);
    this.streams = new StreamsGroupManager(this, {
      config: host.config,
      status: (groupId) => this.status(groupId),
      topic: (name) => host.topics.get(name),
      createTopic: (name, partitions, configs, rf) => host.createTopic(name, partitions, configs, rf),
      groupNumber,
    });
    this.registerProtocol(this.streams);
  }

  /** Adds a group protocol beside classic: its records are replayed and its groups armed and disarmed through it. */
  registerProtocol(m: GroupProtocolManager): void {
    this.protocols.set(m.type, m);
    for (const v of m.recordKeyVersions) this.protocolByRecord.set(v, m);
  }

  /** The manager of a non-classic group's protocol, if registered. */
  private protocolOf(g: Group): GroupProtocolManager | undefined {
    return g.type === 'classic' ? undefined : this.protocols.get(g.type);
  }

  /**
   * Loads __consumer_offsets in the background when it exists. Like Kafka, the topic is only
   * created when a group first needs it (FindCoordinator or any group request), so an idle broker
   * starts without it. Until a partition is loaded its groups get COORDINATOR_LOAD_IN_PROGRESS.
   */
  async start(): Promise<void> {
    // In a cluster partitions load as this broker becomes their leader (followLeadership).
    if (this.leadership) return;
    if (this.offsetsTopic.exists()) this.activate();
  }

  /**
   * Cluster mode (before start): this broker coordinates only the groups of the __consumer_offsets
   * partitions it leads, loading a partition when it becomes leader and unloading it (parked
   * requests answered NOT_COORDINATOR) when it stops, as Kafka's coordinator runtime does.
   */
  followLeadership(leadership: PartitionLeadership): void {
    this.leadership = leadership;
    this.offsetsTopic.leadership = leadership;
    leadership.onLeadershipChange((topic, partition, leaderEpoch) => {
      if (topic !== OFFSETS_TOPIC || this.closed) return;
      if (leaderEpoch >= 0) this.onBecomeLeader(partition, leaderEpoch);
      else this.onResign(partition);
    });
    this.scheduleCleanup();
  }

  private onBecomeLeader(partition: number, leaderEpoch: number): void {
    const already = this.leading.has(partition);
    this.leading.set(partition, leaderEpoch);
    if (already) return;
    this.offsetsTopic.exists();
    this.serialize(partition, async () => {
      // A new epoch while leading changes nothing here; a resignation meanwhile cancels the load.
      if (!this.leading.has(partition) || this.closed) return;
      const started = Date.now();
      try {
        await this.loadPartition(partition);
      } catch (e) {
        log.error(`group coordinator failed to load ${OFFSETS_TOPIC}-${partition}: ${(e as Error)?.stack ?? e}`);
        // Kafka's runtime marks the partition failed: its groups answer NOT_COORDINATOR until it leads again.
        this.leading.delete(partition);
        return this.unloadPartition(partition);
      }
      // Leadership moved on while reading: what was replayed is not ours to serve.
      if (!this.leading.has(partition)) return this.unloadPartition(partition);
      log.info(`group coordinator loaded ${OFFSETS_TOPIC}-${partition} (leader epoch ${leaderEpoch}) in ${Date.now() - started} ms`);
    });
  }

  private onResign(partition: number): void {
    if (!this.leading.delete(partition)) return;
    this.serialize(partition, async () => {
      if (!this.leading.has(partition)) this.unloadPartition(partition);
    });
  }

  private serialize(partition: number, op: () => Promise<void>): void {
    const next = (this.partitionOps.get(partition) ?? Promise.resolve()).then(op, op);
    const tail = next.catch(() => {});
    this.partitionOps.set(partition, tail);
  }

  /** Forgets the partition's groups and offsets; their parked requests get NOT_COORDINATOR. */
  private unloadPartition(partition: number): void {
    this.loadedPartitions.delete(partition);
    let n = 0;
    for (const g of [...this.groups.values()]) {
      if (this.partitionFor(g.groupId) !== partition) continue;
      if (g instanceof ClassicGroup) {
        this.classic.unload(g);
        this.classic.cancelTimers(g);
      } else {
        this.protocolOf(g)?.unload(g);
      }
      this.groups.delete(g.groupId);
      n++;
    }
    for (const groupId of [...this.offsets.groups()]) {
      if (this.partitionFor(groupId) !== partition) continue;
      for (const o of this.offsets.all(groupId)) this.offsets.delete(groupId, o.topic, o.partition);
    }
    this.pendingTxnOffsets.forgetGroups((g) => this.partitionFor(g) === partition);
    if (n > 0) log.info(`group coordinator unloaded ${n} group(s) of ${OFFSETS_TOPIC}-${partition}`);
  }

  /** The broker that coordinates the group (the leader of its partition), -1 while none; null before __consumer_offsets exists. */
  coordinatorId(groupId: string): number | null {
    if (!this.offsetsTopic.exists()) return null;
    if (!this.leadership) return null;
    return this.leadership.checkFetch(OFFSETS_TOPIC, this.partitionFor(groupId)).leaderId;
  }

  /** Creates __consumer_offsets if needed and starts loading it; resolves once it is created. */
  activate(): Promise<void> {
    if (this.activating) return this.activating;
    if (this.leadership) {
      // Creating the topic is all: partitions load as this broker becomes their leader.
      this.activating = this.offsetsTopic.ensureCreated();
      this.activating.catch((e) => {
        this.activating = null;
        log.info(`group coordinator could not create ${OFFSETS_TOPIC}: ${(e as Error)?.message ?? e}`);
      });
      return this.activating;
    }
    const creating = !this.offsetsTopic.exists();
    this.activating = this.offsetsTopic.ensureCreated().then(async () => {
      this.loading = this.loadAll();
      this.loading.catch((e) => {
        // An offline log dir refuses reads: the next group request starts the load again.
        this.activating = null;
        log.error(`group coordinator failed to load __consumer_offsets: ${(e as Error)?.stack ?? e}`);
      });
      // A topic just created is empty: wait for its (instant) load so the first group request is served.
      if (creating) await this.loading.catch(() => {});
    });
    this.activating.catch((e) => {
      this.activating = null;
      // An offline log dir (said once, by the storage engine) refuses it at every group request until it recovers.
      const offline = e instanceof KafkaError && e.errorCode === ErrorCode.KAFKA_STORAGE_ERROR;
      (offline ? log.debug : log.error)(`group coordinator could not create __consumer_offsets: ${(e as Error)?.message ?? e}`);
    });
    return this.activating;
  }

  /** Resolves once every partition is loaded (creating the topic first if needed). */
  async whenLoaded(): Promise<void> {
    await this.activate();
    await this.loading;
    if (this.leadership) await Promise.all([...this.partitionOps.values()]);
  }

  private async loadAll(): Promise<void> {
    const started = Date.now();
    for (let p = 0; p < this.offsetsTopic.numPartitions && !this.closed; p++) if (!this.loadedPartitions.has(p)) await this.loadPartition(p);
    if (this.closed) return;
    log.info(`group coordinator loaded ${this.groups.size} group(s) from ${this.offsetsTopic.numPartitions} partition(s) in ${Date.now() - started} ms`);
    this.scheduleCleanup();
  }

  private async loadPartition(partition: number): Promise<void> {
    // Nothing of an earlier term may linger (a partition led, lost and led again).
    if (this.leadership) this.unloadPartition(partition);
    await this.offsetsTopic.read(
      partition,
      this.settings.loadBufferBytes,
      (r) => this.replay(r),
      // A marker completes the transaction's offsets of this partition's groups.
      (producerId, commit) => this.pendingTxnOffsets.complete(producerId, commit, this.offsets, (g) => this.partitionFor(g) === partition),
    );
    if (this.closed) return;
    this.loadedPartitions.add(partition);
    const loaded = new Map<GroupProtocolManager, Group[]>();
    for (const g of this.groups.values()) {
      if (this.partitionFor(g.groupId) !== partition) continue;
      if (g instanceof ClassicGroup) {
        this.classic.onLoaded(g);
        continue;
      }
      const m = this.protocolOf(g);
      if (m) loaded.set(m, [...(loaded.get(m) ?? []), g]);
    }
    for (const [m, groups] of loaded) m.onLoaded(groups);
  }

  /** Applies one __consumer_offsets record to the in-memory state (Kafka's replay). */
  private replay(r: LoadedRecord): void {
    try {
      this.replayRecord(r);
    } catch (e) {
      // One undecodable record must not keep every group of the partition from loading.
      log.error(`group coordinator skipped an unreadable __consumer_offsets record: ${(e as Error).message}`);
    }
  }

  private replayRecord(r: LoadedRecord): void {
    const m = r.key.length >= 2 ? this.protocolByRecord.get(recordKeyVersion(r.key)) : undefined;
    if (m) return m.replay(recordKeyVersion(r.key), r.key, r.value);
    const key = decodeKey(r.key);
    if (key === null) return;
    if (key.type === 'offset') {
      if (r.value === null) {
        this.offsets.delete(key.group, key.topic, key.partition);
        this.pendingTxnOffsets.remove(key.group, key.topic, key.partition);
        return;
      }
      // Offsets without a group record belong to a simple group.
      if (!this.groups.has(key.group)) this.groups.set(key.group, new ClassicGroup(key.group, 'Empty', this.now()));
      const offset = { ...decodeOffsetCommitValue(r.value), recordOffset: r.offset };
      // A transaction's offsets wait for its marker.
      if (r.producerId >= 0) this.pendingTxnOffsets.put(r.producerId, key.group, key.topic, key.partition, offset);
      else this.offsets.put(key.group, key.topic, key.partition, offset);
    } else if (r.value === null) {
      this.groups.delete(key.group);
    } else {
      this.groups.set(key.group, groupFromRecord(key.group, r.value));
    }
  }

  /** Stops timers, answers parked JoinGroup/SyncGroup requests with NOT_COORDINATOR, ends loading. */
  async close(): Promise<void> {
    this.closed = true;
    this.timers.close();
    for (const g of this.groups.values()) {
      if (g instanceof ClassicGroup) this.classic.unload(g);
      else this.protocolOf(g)?.unload(g);
    }
    await this.activating?.catch(() => {});
    await this.loading?.catch(() => {});
  }

  partitionFor(groupId: string): number {
    if (this.leadership) this.offsetsTopic.exists();
    return partitionFor(groupId, this.offsetsTopic.numPartitions);
  }

  /** NONE when this coordinator can serve the group now, else the error Kafka's runtime gives. */
  status(groupId: string): number {
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    if (!this.activating) this.activate();
    if (this.leadership && !this.leading.has(this.partitionFor(groupId))) return ErrorCode.NOT_COORDINATOR;
    if (!this.loadedPartitions.has(this.partitionFor(groupId))) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  isLoaded(): boolean {
    // Before __consumer_offsets exists there is nothing to load and no group to report.
    if (this.leadership) return [...this.leading.keys()].every((p) => this.loadedPartitions.has(p));
    if (!this.activating) return true;
    return this.loadedPartitions.size === this.offsetsTopic.numPartitions;
  }

  // CoordinatorContext

  group(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  addGroup(group: Group): void {
    this.groups.set(group.groupId, group);
  }

  removeGroup(groupId: string): void {
    const g = this.groups.get(groupId);
    if (!g) return;
    this.groups.delete(groupId);
    if (g instanceof ClassicGroup) {
      this.classic.cancelTimers(g);
      g.transitionTo('Dead', this.now());
    } else {
      this.protocolOf(g)?.unload(g);
    }
  }

  append(groupId: string, records: StoredRecord[], txn?: TxnProducer, onAppended?: (baseOffset: number) => void): Promise<number> {
    return this.offsetsTopic.append(this.partitionFor(groupId), records, this.now(), txn, onAppended);
  }

  // Classic group APIs

  async joinGroup(req: JoinGroupRequest, ctx: JoinContext): Promise<JoinGroupResponse> {
    if (req.groupId === '') return joinError(req.memberId, ErrorCode.INVALID_GROUP_ID);
    const s = this.settings;
    if (req.sessionTimeoutMs < s.minSessionTimeoutMs || req.sessionTimeoutMs > s.maxSessionTimeoutMs) {
      return joinError(req.memberId, ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    const status = this.status(req.groupId);
    if (status !== ErrorCode.NONE) return joinError(req.memberId, status);
    // A classic member of a consumer group with members (KIP-848 online migration).
    if (this.consumer.hasMembersFor(req.groupId)) {
      return this.guard('JoinGroup', () => this.consumer.classicJoin(req, ctx), joinError(req.memberId, ErrorCode.UNKNOWN_SERVER_ERROR));
    }
    // An empty consumer group gives way to the classic protocol (Kafka deletes it first).
    const converted = await this.consumer.deleteIfEmpty(req.groupId);
    if (converted !== ErrorCode.NONE) return joinError(req.memberId, converted);
    return this.guard('JoinGroup', () => this.classic.join(req, ctx), joinError(req.memberId, ErrorCode.UNKNOWN_SERVER_ERROR));
  }

  async syncGroup(req: SyncGroupRequest): Promise<SyncGroupResponse> {
    const error = (errorCode: number): SyncGroupResponse => ({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    if (req.groupId === '') return error(ErrorCode.INVALID_GROUP_ID);
    const status = this.status(req.groupId);
    if (status !== ErrorCode.NONE) return error(status);
    if (this.groups.get(req.groupId) instanceof ConsumerGroup) return this.guard('SyncGroup', async () => this.consumer.classicSync(req), error(ErrorCode.UNKNOWN_SERVER_ERROR));
    return this.guard('SyncGroup', () => this.classic.sync(req), error(ErrorCode.UNKNOWN_SERVER_ERROR));
  }

  heartbeat(req: HeartbeatRequest): number {
    if (req.groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const status = this.status(req.groupId);
    // Kafka answers heartbeats blindly while the group loads.
    if (status === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return ErrorCode.NONE;
    if (status !== ErrorCode.NONE) return status;
    try {
      if (this.groups.get(req.groupId) instanceof ConsumerGroup) return this.consumer.classicHeartbeat(req);
      return this.classic.heartbeat(req);
    } catch (e) {
      log.error(`Heartbeat for group ${req.groupId} failed: ${(e as Error)?.stack ?? e}`);
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    }
  }

  leaveGroup(groupId: string, members: LeavingMember[]): LeaveResult {
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const status = this.status(groupId);
    if (status !== ErrorCode.NONE) return { errorCode: status, members: [] };
    try {
      if (this.groups.get(groupId) instanceof ConsumerGroup) return this.consumer.classicLeave(groupId, members);
      const result = this.classic.leave(groupId, members);
      // A group that does not exist: every member is unknown.
      if (result.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        return {
          errorCode: ErrorCode.NONE,
          members: members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })),
        };
      }
      return result;
    } catch (e) {
      log.error(`LeaveGroup for group ${groupId} failed: ${(e as Error)?.stack ?? e}`);
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, members: [] };
    }
  }

  // Consumer group APIs (KIP-848)

  async consumerGroupHeartbeat(req: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext): Promise<ConsumerGroupHeartbeatResponse> {
    const error = (errorCode: number): ConsumerGroupHeartbeatResponse => ({ throttleTimeMs: 0, errorCode, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null });
    // The request's own checks come first (an empty group id is INVALID_REQUEST here, as Kafka's service answers).
    const invalid = this.consumer.validate(req, ctx.apiVersion);
    if (invalid) return { ...error(invalid.errorCode), errorMessage: invalid.message };
    const status = this.status(req.groupId);
    if (status !== ErrorCode.NONE) return error(status);
    return this.guard('ConsumerGroupHeartbeat', () => this.consumer.heartbeat(req, ctx), error(ErrorCode.UNKNOWN_SERVER_ERROR));
  }

  consumerGroupDescribe(groupIds: string[], includeAuthorizedOperations: boolean): ConsumerGroupDescribeResponseDescribedGroup[] {
    return groupIds.map((groupId) => {
      const status = groupId === '' ? ErrorCode.INVALID_GROUP_ID : this.status(groupId);
      if (status !== ErrorCode.NONE) {
        return { errorCode: status, errorMessage: null, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: NO_AUTHORIZED_OPERATIONS };
      }
      return this.consumer.describe(groupId, includeAuthorizedOperations, GROUP_AUTHORIZED_OPERATIONS);
    });
  }

  // Offsets

  async commitOffsets(req: CommitRequest, apiVersion: number): Promise<PartitionResult[]> {
    const status = this.status(req.groupId);
    const all = (errorCode: number) => req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode })));
    if (status !== ErrorCode.NONE) return all(status);
    return this.guard('OffsetCommit', () => this.offsetManager.commit(req, apiVersion), all(ErrorCode.UNKNOWN_SERVER_ERROR));
  }

  /** `member` (OffsetFetch v9+): a consumer group member's fetch is checked against its epoch (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID). */
  fetchOffsets(groupId: string, topics: { name: string; partitionIndexes: number[] }[] | null, requireStable = false, member?: { memberId: string | null; memberEpoch: number }): FetchedGroup {
    const status = this.status(groupId);
    if (status !== ErrorCode.NONE) return { groupId, errorCode: status, topics: [] };
    const group = this.groups.get(groupId);
    if (member && (group instanceof ConsumerGroup || group instanceof StreamsGroup)) {
      const error = group.validateOffsetFetch(member.memberId, member.memberEpoch);
      if (error !== ErrorCode.NONE) return { groupId, errorCode: error, topics: [] };
    }
    return { groupId, errorCode: ErrorCode.NONE, topics: this.offsetManager.fetch(groupId, topics, requireStable) };
  }

  /**
   * TxnOffsetCommit: per-partition errors (INVALID_GROUP_ID for an empty group id, as Kafka's
   * service); the transaction coordinator is asked first whether the group's partition is in the
   * transaction (v5+: it adds it), as Kafka's transactional writes are verified.
   */
  async commitTransactionalOffsets(req: TxnCommitRequest, apiVersion: number): Promise<PartitionResult[]> {
    const all = (errorCode: number) => req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode })));
    if (req.groupId === '') return all(ErrorCode.INVALID_GROUP_ID);
    const status = this.status(req.groupId);
    if (status !== ErrorCode.NONE) return all(status);
    const partition = this.partitionFor(req.groupId);
    const l = this.host.partitionLog(OFFSETS_TOPIC, partition);
    if (this.txnVerifier && l) {
      const verified = await this.txnVerifier.verify({ transactionalId: req.transactionalId, producerId: req.producerId, producerEpoch: req.producerEpoch, topic: OFFSETS_TOPIC, partition, add: apiVersion >= 5 }, l);
      const code = txnOffsetCommitError(verified, apiVersion);
      if (code !== ErrorCode.NONE) return all(appendErrorCode(new KafkaError(code, 'transaction verification failed')));
    }
    return this.guard('TxnOffsetCommit', () => this.offsetManager.commitTransactional(req), all(ErrorCode.UNKNOWN_SERVER_ERROR));
  }

  /**
   * A transaction marker for a __consumer_offsets partition (Kafka's completeTransaction): the
   * coordinator appends it after its own writes and completes the transaction's pending offsets.
   * Resolves with NONE or the error for the marker's sender (NOT_LEADER_OR_FOLLOWER while this
   * broker does not serve the partition, so the sender retries).
   */
  async completeTransaction(partition: number, marker: { producerId: number; producerEpoch: number; coordinatorEpoch: number; commit: boolean; transactionVersion?: number }): Promise<number> {
    if (this.closed) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (!this.activating) this.activate();
    if (this.leadership && !this.leading.has(partition)) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (!this.loadedPartitions.has(partition)) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const complete = () => this.pendingTxnOffsets.complete(marker.producerId, marker.commit, this.offsets, (g) => this.partitionFor(g) === partition);
    try {
      const m = { producerId: marker.producerId, producerEpoch: marker.producerEpoch, commit: marker.commit, coordinatorEpoch: marker.coordinatorEpoch, transactionVersion: marker.transactionVersion ?? 0 };
      await this.offsetsTopic.appendMarker(partition, { ...m, timestamp: this.now() }, complete);
      return ErrorCode.NONE;
    } catch (e) {
      if (!(e instanceof UnreplicatedWrite) && !(e instanceof KafkaError)) log.error(`writing a transaction marker to ${OFFSETS_TOPIC}-${partition} failed: ${(e as Error)?.stack ?? e}`);
      const code = e instanceof KafkaError ? e.errorCode : ErrorCode.KAFKA_STORAGE_ERROR;
      return code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE || code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.NOT_LEADER_OR_FOLLOWER : code;
    }
  }

  async deleteOffsets(groupId: string, topics: { name: string; partitions: number[] }[]): Promise<DeleteOffsetsResult> {
    const status = this.status(groupId);
    if (status !== ErrorCode.NONE) return { errorCode: status, topics: [] };
    return this.guard('OffsetDelete', () => this.offsetManager.deleteOffsets(groupId, topics), { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, topics: [] });
  }

  // Shared group APIs

  /**
   * A group that does not exist is described as Dead, or (`notFoundError`, DescribeGroups v6+,
   * KIP-1043) answered with GROUP_ID_NOT_FOUND.
   */
  describeGroups(groupIds: string[], includeAuthorizedOperations: boolean, notFoundError = false): DescribeGroupsResponseDescribedGroup[] {
    const ops = includeAuthorizedOperations ? GROUP_AUTHORIZED_OPERATIONS : NO_AUTHORIZED_OPERATIONS;
    return groupIds.map((groupId) => {
      const status = this.status(groupId);
      // v6+: a group of another type (consumer, share, streams) is not found as a classic group either.
      const other = this.groups.get(groupId);
      if (notFoundError && status === ErrorCode.NONE && (other === undefined || other.type !== 'classic')) {
        return {
          errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
          errorMessage: other === undefined ? `Group ${groupId} not found.` : `Group ${groupId} is not a classic group.`,
          groupId,
          groupState: 'Dead',
          protocolType: '',
          protocolData: '',
          members: [],
          authorizedOperations: NO_AUTHORIZED_OPERATIONS,
        };
      }
      const described: DescribeGroupsResponseDescribedGroup = {
        errorCode: status,
        errorMessage: null,
        groupId,
        groupState: status === ErrorCode.NONE ? 'Dead' : '',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: ops,
      };
      const group = status === ErrorCode.NONE ? this.groups.get(groupId) : undefined;
      // A share group is no classic group: Kafka describes it as not found (v6+) or Dead.
      if (group?.type === 'share' && notFoundError) return { ...described, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a classic group.`, authorizedOperations: NO_AUTHORIZED_OPERATIONS };
      if (!(group instanceof ClassicGroup)) return described;
      // Metadata and assignments are shown only once a generation is Stable.
      const stable = group.is('Stable');
      described.groupState = group.state;
      described.protocolType = group.protocolType ?? '';
      described.protocolData = stable ? (group.protocolName ?? '') : '';
      described.members = [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadata(group.protocolName!) : Buffer.alloc(0),
        memberAssignment: stable ? m.assignment : Buffer.alloc(0),
      }));
      return described;
    });
  }

  /** Groups matching the (case-insensitive) state and type filters; empty filters match all. */
  listGroups(statesFilter: string[], typesFilter: string[]): { errorCode: number; groups: ListGroupsResponseListedGroup[] } {
    if (this.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    if (!this.isLoaded()) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] };
    const states = new Set(statesFilter.map((s) => s.trim().toLowerCase()));
    const types = new Set(typesFilter.map((t) => t.trim().toLowerCase()));
    const groups: ListGroupsResponseListedGroup[] = [];
    for (const g of this.groups.values()) {
      if (states.size > 0 && !states.has(g.stateName().toLowerCase())) continue;
      if (types.size > 0 && !types.has(g.type)) continue;
      groups.push({ groupId: g.groupId, protocolType: g.protocolTypeOrEmpty(), groupState: g.stateName(), groupType: g.type });
    }
    return { errorCode: ErrorCode.NONE, groups };
  }

  /** Deletes Empty groups with their offsets (one batch per group, written before answering). */
  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; errorCode: number }[]> {
    const results: { groupId: string; errorCode: number }[] = [];
    for (const groupId of groupIds) {
      const status = this.status(groupId);
      if (status !== ErrorCode.NONE) {
        results.push({ groupId, errorCode: status });
        continue;
      }
      const group = this.groups.get(groupId);
      const error = group === undefined ? ErrorCode.GROUP_ID_NOT_FOUND : group.validateDeleteGroup();
      if (error !== ErrorCode.NONE) {
        results.push({ groupId, errorCode: error });
        continue;
      }
      const m = this.protocolOf(group!);
      // Share groups delete their share partitions' state first; an error keeps the group.
      const prepared = m?.prepareDelete ? await m.prepareDelete(group!) : ErrorCode.NONE;
      if (prepared !== ErrorCode.NONE) {
        results.push({ groupId, errorCode: prepared });
        continue;
      }
      const records = [...this.offsetManager.deleteAll(groupId), ...(m ? m.deleteRecords(group!) : [groupTombstone(groupId)])];
      this.removeGroup(groupId);
      try {
        await this.append(groupId, records);
        results.push({ groupId, errorCode: ErrorCode.NONE });
      } catch (e) {
        results.push({ groupId, errorCode: appendErrorCode(e) });
      }
    }
    return results;
  }

  // Offset expiration (Kafka's periodic cleanupGroupMetadata)

  private scheduleCleanup(): void {
    this.timers.schedule(CLEANUP_KEY, this.settings.retentionCheckIntervalMs, () => {
      this.cleanup();
      this.scheduleCleanup();
    });
  }

  /** Expires offsets past retention and deletes Empty groups left without offsets. */
  cleanup(): void {
    const now = this.now();
    const byGroup: [string, StoredRecord[]][] = [];
    for (const groupId of [...this.groups.keys()]) {
      if (this.status(groupId) !== ErrorCode.NONE) continue;
      const { records, allExpired } = this.offsetManager.expire(groupId, now);
      const group = this.groups.get(groupId);
      if (allExpired && group?.isEmpty() && group.shouldExpire?.() !== false) {
        const m = this.protocolOf(group);
        records.push(...(m ? m.deleteRecords(group) : [groupTombstone(groupId)]));
        this.removeGroup(groupId);
      }
      if (records.length > 0) byGroup.push([groupId, records]);
    }
    for (const [groupId, records] of byGroup) {
      this.append(groupId, records).catch((e) => log.warn(`group ${groupId}: writing expired offsets failed: ${(e as Error).message}`));
    }
  }

  private async guard<T>(api: string, fn: () => T | Promise<T>, fallback: T): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      log.error(`${api} failed in the group coordinator: ${(e as Error)?.stack ?? e}`);
      return fallback;
    }
  }
}
