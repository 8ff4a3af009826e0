// The KRaft controller: every metadata change runs here, one at a time (Kafka's controller event
// queue), is validated against the current image, committed as one batch through a
// MetadataCommitter (a lone node's own log, or the quorum), and replayed into the next image
// before the caller hears back.
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import { log } from '../log.js';
import type { BrokerConfig } from '../config.js';
import type { MetadataCommitter } from '../controller/metadata-committer.js';
import { ClusterControl, type HeartbeatReply } from '../controller/cluster-control.js';
import { PRODUCER_ID_BLOCK_SIZE, generateNextProducerIdBlock, type ProducerIdsBlock } from '../controller/producer-id-control.js';
import { alterPartition } from '../controller/alter-partition.js';
import { assignReplicasToDirs } from '../controller/assign-replicas-to-dirs.js';
import { balancePartitionLeaders, electLeaders, type ElectionTopicResult } from '../controller/elect-leaders.js';
import { alterPartitionReassignments, listPartitionReassignments } from '../controller/reassignment.js';
import { electUncleanLeaders, someLeaderless } from '../controller/unclean-elections.js';
import type { AlterPartitionReassignmentsRequest } from '../protocol/generated/alter-partition-reassignments-request.js';
import type { AlterPartitionReassignmentsResponse } from '../protocol/generated/alter-partition-reassignments-response.js';
import type { ListPartitionReassignmentsRequest } from '../protocol/generated/list-partition-reassignments-request.js';
import type { ListPartitionReassignmentsResponse } from '../protocol/generated/list-partition-reassignments-response.js';
import type { AlterPartitionRequest } from '../protocol/generated/alter-partition-request.js';
import type { AssignReplicasToDirsRequest } from '../protocol/generated/assign-replicas-to-dirs-request.js';
import type { AssignReplicasToDirsResponse } from '../protocol/generated/assign-replicas-to-dirs-response.js';
import type { AlterPartitionResponse } from '../protocol/generated/alter-partition-response.js';
import type { BrokerRegistrationRequest } from '../protocol/generated/broker-registration-request.js';
import type { BrokerHeartbeatRequest } from '../protocol/generated/broker-heartbeat-request.js';
import type { ControllerRegistrationRequest } from '../protocol/generated/controller-registration-request.js';
import { BOOTSTRAP_FEATURES, ELR_VERSION, SUPPORTED_FEATURES } from './features.js';
import type { MetadataImage, TopicImage } from './image.js';
import { REGISTER_BROKER_RECORD_VERSION } from './image-records.js';
import { RecordType, type MetadataRecord } from './records.js';
import {
  createPartitions,
  createTopics,
  deleteTopics,
  type ControllerResult,
  type CreatableTopic,
  type CreatedTopic,
  type DeletedTopic,
  type PartitionChangeQuota,
  type PartitionsRequest,
  type PartitionsResult,
  type PlacementContext,
  type ReplicaPlacer,
  type TopicRef,
} from './replication-control.js';
import { randomUuid } from './uuid.js';
import { alterUserScramCredentials } from '../security/scram/scram-control.js';
import { alterClientQuotas } from '../quota/client-quota-control.js';
import type { AlterClientQuotasRequest } from '../protocol/generated/alter-client-quotas-request.js';
import type { AlterClientQuotasResponse } from '../protocol/generated/alter-client-quotas-response.js';
import { createAcls, deleteAcls, NO_AUTHORIZER } from '../security/acl/acl-control.js';
import type { CreateAclsRequest } from '../protocol/generated/create-acls-request.js';
import type { CreateAclsResponse } from '../protocol/generated/create-acls-response.js';
import type { DeleteAclsRequest } from '../protocol/generated/delete-acls-request.js';
import type { DeleteAclsResponse } from '../protocol/generated/delete-acls-response.js';
import { createDelegationToken, expireDelegationToken, renewDelegationToken, sweepExpiredTokens, type TokenSettings } from '../security/tokens/token-control.js';
import { delegationTokenSecretKey } from '../security/image-credentials.js';
import type { KafkaPrincipal } from '../security/principal.js';
import type { CreateDelegationTokenRequest } from '../protocol/generated/create-delegation-token-request.js';
import type { CreateDelegationTokenResponse } from '../protocol/generated/create-delegation-token-response.js';
import type { RenewDelegationTokenRequest } from '../protocol/generated/renew-delegation-token-request.js';
import type { RenewDelegationTokenResponse } from '../protocol/generated/renew-delegation-token-response.js';
import type { ExpireDelegationTokenRequest } from '../protocol/generated/expire-delegation-token-request.js';
import type { ExpireDelegationTokenResponse } from '../protocol/generated/expire-delegation-token-response.js';
import type { AlterUserScramCredentialsRequest } from '../protocol/generated/alter-user-scram-credentials-request.js';
import type { AlterUserScramCredentialsResponse } from '../protocol/generated/alter-user-scram-credentials-response.js';
import { elrSafetyRecords, updateFeatures, type FeatureUpdate } from './feature-control.js';
import type { ApiError } from './replication-control.js';
import {
  incrementalAlterConfigs,
  legacyAlterConfigs,
  type ConfigResourceChange,
  type ConfigResourceResult,
} from './configuration-control.js';

export { PRODUCER_ID_BLOCK_SIZE };
const PLAINTEXT = 0;

export interface ControllerOptions {
  /** How records are committed; null: not active (a cluster controller until it leads the quorum). */
  committer: MetadataCommitter | null;
  /** The current metadata image (the loader's). */
  image(): MetadataImage;
  /** Static broker settings (defaults for partitions and replication factor). */
  config: BrokerConfig;
  nodeId: number;
  directoryId: string;
  /** The clock broker sessions are timed by (tests pass a virtual one). */
  clock?: () => number;
  /** Cluster mode: partitions are placed over the registered brokers, not on this node. */
  placer?: ReplicaPlacer;
  /** The bootstrap checkpoint's records (feature levels, --add-scram credentials); default: the feature levels. */
  bootstrapRecords?: MetadataRecord[];
}

export class Controller {
  private tail: Promise<unknown> = Promise.resolve();
  private nextProducerId = 0;
  private producerIdLimit = 0;
  /** This broker's epoch: the offset of its latest RegisterBrokerRecord. */
  brokerEpoch = -1;
  private committer: MetadataCommitter | null;
  /** Registrations, heartbeats and fencing of the cluster's brokers (used while active in a cluster). */
  readonly cluster: ClusterControl;
  private readonly clock: () => number;
  /** Told when a heartbeat may have moved the next session expiry (the fence timer re-arms). */
  onSessionChange: (() => void) | null = null;
  /** auto.leader.rebalance.enable's periodic check, while active in a cluster. */
  private balanceTimer: NodeJS.Timeout | null = null;
  /** The next check for unclean elections (Kafka's maybeElectUncleanLeaders), armed after a write. */
  private uncleanTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: ControllerOptions) {
    this.committer = o.committer;
    this.clock = o.clock ?? Date.now;
    this.cluster = new ClusterControl(() => this.image.clusterId, o.config.number('broker.session.timeout.ms'), () => this.electionOptions());
  }

  /** Whether operations are taken (lone node: always; cluster: while leading the quorum). */
  get active(): boolean {
    return this.committer !== null;
  }

  /**
   * Becomes the active controller, committing through `committer` (Kafka's activation: broker
   * sessions start afresh, cached producer id blocks are dropped). The caller has replayed the
   * log up to this term's start first.
   */
  activate(committer: MetadataCommitter): void {
    this.committer = committer;
    this.nextProducerId = 0;
    this.producerIdLimit = 0;
    this.cluster.activate(this.image, this.clock());
    this.armLeaderBalance();
    this.armUncleanElections();
    this.armTokenSweep();
  }

  /** While tokens exist, every delegation.token.expiry.check.interval.ms the expired ones are removed (Kafka's sweepExpiredDelegationTokens). */
  private tokenSweepTimer: NodeJS.Timeout | null = null;
  private armTokenSweep(): void {
    if (this.tokenSweepTimer !== null || !this.committer || this.image.delegationTokens.isEmpty()) return;
    this.tokenSweepTimer = setTimeout(() => {
      this.tokenSweepTimer = null;
      if (!this.committer) return;
      if (sweepExpiredTokens(this.image, this.clock()).length === 0) return this.armTokenSweep();
      this.execute((image) => ({ records: sweepExpiredTokens(image, this.clock()), response: undefined })).then(
        () => this.armTokenSweep(),
        () => this.armTokenSweep(),
      );
    }, this.o.config.number('delegation.token.expiry.check.interval.ms'));
    this.tokenSweepTimer.unref?.();
  }

  /**
   * After a write: in unclean.leader.election.interval.ms, if some partition has no leader, the
   * topics allowing it elect any live replica (at once again when the pass hit its cap), as Kafka.
   */
  private armUncleanElections(delayMs = this.o.config.number('unclean.leader.election.interval.ms')): void {
    if (this.uncleanTimer !== null || !this.committer) return;
    this.uncleanTimer = setTimeout(() => {
      this.uncleanTimer = null;
      if (!this.committer || !someLeaderless(this.image)) return;
      this.execute((image) => electUncleanLeaders(image, this.electionOptions())).then(
        ({ more, elected }) => {
          for (const tp of elected) log.warn(`unclean leader election for offline partition ${tp}: a replica outside the ISR leads (RECOVERING)`);
          if (!more) return;
          if (this.uncleanTimer !== null) clearTimeout(this.uncleanTimer);
          this.uncleanTimer = null;
          this.armUncleanElections(10);
        },
        // The next write arms it again (as Kafka's reschedules after each write event).
        (e) => log.debug(`unclean leader elections failed: ${(e as Error)?.message ?? e}`),
      );
    }, delayMs);
    this.uncleanTimer.unref?.();
  }

  /** Every leader.imbalance.check.interval.seconds, leadership goes back to preferred replicas. */
  private armLeaderBalance(): void {
    if (this.balanceTimer !== null || !this.o.config.bool('auto.leader.rebalance.enable')) return;
    this.balanceTimer = setTimeout(() => {
      this.balanceTimer = null;
      if (!this.committer) return;
      this.execute((image) => ({ records: balancePartitionLeaders(image), response: undefined })).then(
        () => this.armLeaderBalance(),
        () => this.armLeaderBalance(),
      );
    }, this.o.config.number('leader.imbalance.check.interval.seconds') * 1000);
    this.balanceTimer.unref?.();
  }

  /** No longer active: later operations fail with NOT_CONTROLLER. */
  deactivate(): void {
    this.committer = null;
    if (this.balanceTimer !== null) clearTimeout(this.balanceTimer);
    this.balanceTimer = null;
    if (this.uncleanTimer !== null) clearTimeout(this.uncleanTimer);
    this.uncleanTimer = null;
    if (this.tokenSweepTimer !== null) clearTimeout(this.tokenSweepTimer);
    this.tokenSweepTimer = null;
    this.nextProducerId = 0;
    this.producerIdLimit = 0;
  }

  private requireCommitter(): MetadataCommitter {
    if (!this.committer) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This node is not the active controller.');
    return this.committer;
  }

  get image(): MetadataImage {
    return this.o.image();
  }

  private placement(): PlacementContext {
    return {
      nodeId: this.o.nodeId,
      directoryId: this.o.directoryId,
      defaultPartitions: this.o.config.number('num.partitions'),
      defaultReplicationFactor: this.o.config.number('default.replication.factor'),
      placer: this.o.placer,
    };
  }

  /** Runs `op` after every earlier operation has finished. */
  private run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.tail.then(op, op);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Commits the records as one batch (see MetadataCommitter for the errors). */
  private async commit(records: MetadataRecord[]): Promise<void> {
    const committer = this.requireCommitter();
    if (records.length === 0) return;
    await committer.commit(records);
  }

  /** Runs a pure control function on the current image and commits its records unless validating. */
  private execute<T>(fn: (image: MetadataImage) => ControllerResult<T>, validateOnly = false): Promise<T> {
    return this.run(async () => {
      // Only the active controller answers, validate-only requests included (its image is current).
      this.requireCommitter();
      const result = fn(this.image);
      if (!validateOnly) await this.commit(result.records);
      if (result.records.length > 0) this.armUncleanElections();
      return result.response;
    });
  }

  /**
   * A new metadata log starts with the bootstrap checkpoint's records (the finalized feature levels
   * and `format --add-scram`'s credentials), appended by the first active controller as Kafka's
   * does with its BootstrapMetadata, so they reach every node through the log; and (eligible
   * leader replicas being on) the cluster-wide min.insync.replicas Kafka's controller adds. The
   * checkpoint also loads into each node's image at start, so "new" means no record in the log yet.
   */
  bootstrap(): Promise<void> {
    return this.run(async () => {
      if (this.image.offset >= 0 && this.image.features.finalized.size > 0) return;
      const records: MetadataRecord[] = this.o.bootstrapRecords?.length
        ? [...this.o.bootstrapRecords]
        : [...BOOTSTRAP_FEATURES].map(([name, featureLevel]) => ({ type: RecordType.FEATURE_LEVEL, version: 0, data: { name, featureLevel } }));
      if ((BOOTSTRAP_FEATURES.get(ELR_VERSION) ?? 0) >= 1) records.push(...elrSafetyRecords(this.image, this.o.config.number('min.insync.replicas')));
      await this.commit(records);
    });
  }

  /** Registers this broker's endpoints; skipped when the image already holds the same registration. */
  registerBroker(host: string, port: number, rack: string | null, logDirs: string[]): Promise<void> {
    return this.run(async () => {
      const current = this.image.cluster.brokers.get(this.o.nodeId);
      const same =
        current &&
        !current.fenced &&
        current.rack === rack &&
        current.endpoints.length === 1 &&
        current.endpoints[0].host === host &&
        current.endpoints[0].port === port &&
        SUPPORTED_FEATURES.every((f) => {
          const r = current.features.get(f.name);
          return r && r.min === f.minVersion && r.max === f.maxVersion;
        });
      if (same) {
        this.brokerEpoch = current.epoch;
        return;
      }
      const brokerEpoch = this.requireCommitter().nextOffset();
      await this.commit([
        {
          type: RecordType.REGISTER_BROKER,
          version: REGISTER_BROKER_RECORD_VERSION,
          data: {
            brokerId: this.o.nodeId,
            isMigratingZkBroker: false,
            incarnationId: randomUuid(),
            brokerEpoch,
            endPoints: [{ name: 'PLAINTEXT', host, port, securityProtocol: PLAINTEXT }],
            features: SUPPORTED_FEATURES.map((f) => ({ name: f.name, minSupportedVersion: f.minVersion, maxSupportedVersion: f.maxVersion })),
            rack,
            fenced: false,
            inControlledShutdown: false,
            logDirs,
          },
        },
      ]);
      this.brokerEpoch = brokerEpoch;
    });
  }

  createTopics(topics: CreatableTopic[], validateOnly: boolean, quota?: PartitionChangeQuota): Promise<CreatedTopic[]> {
    return this.execute((image) => createTopics(image, this.placement(), topics, quota), validateOnly);
  }

  /** For the broker's own use (auto-creation, internal topics): the topic, created if missing. */
  createTopic(name: string, partitions: number, configs: Record<string, string>, replicationFactor = -1): Promise<TopicImage> {
    const existing = this.image.topics.get(name);
    if (existing) return Promise.resolve(existing);
    return this.run(async () => {
      const again = this.image.topics.get(name);
      if (again) return again;
      const { records, response } = createTopics(this.image, this.placement(), [
        {
          name,
          numPartitions: partitions,
          replicationFactor,
          assignments: [],
          configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
        },
      ]);
      const r = response[0];
      if (r.errorCode !== ErrorCode.NONE) throw new KafkaError(r.errorCode, r.errorMessage ?? `cannot create topic ${name}`);
      await this.commit(records);
      log.info(`created topic ${name} with ${r.numPartitions} partition(s), id ${r.topicId}`);
      return this.image.topics.get(name)!;
    });
  }

  deleteTopics(refs: TopicRef[], quota?: PartitionChangeQuota): Promise<DeletedTopic[]> {
    return this.execute((image) => deleteTopics(image, refs, quota));
  }

  createPartitions(topics: PartitionsRequest[], validateOnly: boolean, quota?: PartitionChangeQuota): Promise<PartitionsResult[]> {
    return this.execute((image) => createPartitions(image, this.placement(), topics, quota), validateOnly);
  }

  /** Whose broker configs may be altered here: a lone node's own; on a quorum controller (cluster mode) any broker's. */
  private get configNodeId(): number | null {
    return this.o.placer ? null : this.o.nodeId;
  }

  incrementalAlterConfigs(resources: ConfigResourceChange[], validateOnly: boolean): Promise<ConfigResourceResult[]> {
    return this.execute((image) => incrementalAlterConfigs(image, this.configNodeId, resources, this.o.config), validateOnly);
  }

  legacyAlterConfigs(
    resources: { resourceType: number; resourceName: string; configs: { name: string; value: string | null }[] }[],
    validateOnly: boolean,
  ): Promise<ConfigResourceResult[]> {
    return this.execute((image) => legacyAlterConfigs(image, this.configNodeId, resources, this.o.config), validateOnly);
  }

  updateFeatures(updates: FeatureUpdate[], validateOnly: boolean): Promise<ApiError> {
    return this.execute((image) => updateFeatures(image, this.o.nodeId, updates, this.o.config.number('min.insync.replicas')), validateOnly);
  }

  /** SCRAM credentials upserted and deleted (Kafka's ScramControlManager). */
  alterUserScramCredentials(req: AlterUserScramCredentialsRequest): Promise<AlterUserScramCredentialsResponse> {
    return this.execute((image) => alterUserScramCredentials(image, req));
  }

  /** Client quotas set and removed (Kafka's ClientQuotaControlManager). */
  alterClientQuotas(req: AlterClientQuotasRequest): Promise<AlterClientQuotasResponse> {
    return this.execute((image) => alterClientQuotas(image, req), req.validateOnly);
  }

  private tokenSettings(): TokenSettings {
    const c = this.o.config;
    return { secretKey: delegationTokenSecretKey((n) => c.get(n)), maxLifetimeMs: c.number('delegation.token.max.lifetime.ms'), renewLifetimeMs: c.number('delegation.token.expiry.time.ms') };
  }

  /** Delegation tokens (Kafka's DelegationTokenControlManager), for the requesting principal. */
  createDelegationToken(principal: KafkaPrincipal, req: CreateDelegationTokenRequest): Promise<CreateDelegationTokenResponse> {
    return this.execute((image) => createDelegationToken(image, this.tokenSettings(), principal, req, this.clock())).then((r) => {
      this.armTokenSweep();
      return r;
    });
  }
  renewDelegationToken(principal: KafkaPrincipal, req: RenewDelegationTokenRequest): Promise<RenewDelegationTokenResponse> {
    return this.execute((image) => renewDelegationToken(image, this.tokenSettings(), principal, req, this.clock()));
  }
  expireDelegationToken(principal: KafkaPrincipal, req: ExpireDelegationTokenRequest): Promise<ExpireDelegationTokenResponse> {
    return this.execute((image) => expireDelegationToken(image, this.tokenSettings(), principal, req, this.clock()));
  }

  /** ACLs added as AccessControlEntryRecords (Kafka's AclControlManager); SECURITY_DISABLED without an authorizer. */
  createAcls(req: CreateAclsRequest): Promise<CreateAclsResponse> {
    if (!this.o.config.get('authorizer.class.name')) {
      return Promise.resolve({ throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER })) });
    }
    return this.execute((image) => createAcls(image, req));
  }

  /** ACLs matching each filter removed by RemoveAccessControlEntryRecords. */
  deleteAcls(req: DeleteAclsRequest): Promise<DeleteAclsResponse> {
    if (!this.o.config.get('authorizer.class.name')) {
      return Promise.resolve({ throttleTimeMs: 0, filterResults: req.filters.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, matchingAcls: [] })) });
    }
    return this.execute((image) => deleteAcls(image, req));
  }

  /** A producer id never handed out before, also across restarts: ids come from durably reserved blocks. */
  allocateProducerId(): Promise<number> {
    if (this.nextProducerId < this.producerIdLimit) return Promise.resolve(this.nextProducerId++);
    return this.run(async () => {
      if (this.nextProducerId >= this.producerIdLimit) {
        const { records, response } = generateNextProducerIdBlock(this.image, this.o.nodeId, this.brokerEpoch);
        await this.commit(records);
        this.nextProducerId = response.producerIdStart;
        this.producerIdLimit = response.producerIdStart + response.producerIdLen;
      }
      return this.nextProducerId++;
    });
  }

  /** BrokerRegistration: a RegisterBrokerRecord (fenced for a new incarnation); the broker's epoch. */
  registerBrokerRequest(req: BrokerRegistrationRequest): Promise<number> {
    return this.run(async () => {
      const committer = this.requireCommitter();
      const { records, response } = this.cluster.registerBroker(this.image, req, committer.nextOffset(), this.clock());
      const batch = await committer.commit(records);
      this.cluster.registered(req.brokerId, batch.lastOffset);
      return response.brokerEpoch;
    });
  }

  /** BrokerHeartbeat: keeps the session, and unfences, fences or lets the broker shut down. */
  brokerHeartbeat(req: BrokerHeartbeatRequest): Promise<HeartbeatReply> {
    // The session counts from the heartbeat's arrival, not from when the queue reaches it (Kafka 4.4's BrokerHeartbeatTracker).
    const receivedMs = this.clock();
    if (this.active && this.image.cluster.brokers.get(req.brokerId)?.epoch === req.brokerEpoch) this.cluster.heartbeats.contact(req.brokerId, receivedMs);
    return this.run(async () => {
      const committer = this.requireCommitter();
      const { records, response } = this.cluster.brokerHeartbeat(this.image, req, receivedMs);
      const lastOffset = records.length > 0 ? (await committer.commit(records)).lastOffset : committer.nextOffset() - 1;
      if (response.inControlledShutdown) this.cluster.heartbeats.setControlledShutdownOffset(req.brokerId, lastOffset);
      if (records.length > 0) this.armUncleanElections();
      this.onSessionChange?.();
      return response;
    });
  }

  unregisterBroker(brokerId: number): Promise<void> {
    return this.execute((image) => this.cluster.unregisterBroker(image, brokerId));
  }

  registerController(req: ControllerRegistrationRequest): Promise<void> {
    return this.execute(() => this.cluster.registerController(req));
  }

  /** AlterPartition: a partition leader's ISR change (src/controller/alter-partition.ts). */
  alterPartition(req: AlterPartitionRequest): Promise<AlterPartitionResponse> {
    return this.execute((image) => alterPartition(image, req, this.electionOptions()));
  }

  /** AssignReplicasToDirs: which log dir holds each of a broker's replicas (src/controller/assign-replicas-to-dirs.ts). */
  assignReplicasToDirs(req: AssignReplicasToDirsRequest): Promise<AssignReplicasToDirsResponse> {
    return this.execute((image) => assignReplicasToDirs(image, req));
  }

  /** What elections outside ElectLeaders consult: this node's id and the static unclean.leader.election.enable. */
  private electionOptions(): { nodeId: number; uncleanDefault: boolean } {
    return { nodeId: this.o.nodeId, uncleanDefault: this.o.config.bool('unclean.leader.election.enable') };
  }

  /** AlterPartitionReassignments: per-partition results (src/controller/reassignment.ts). */
  alterPartitionReassignments(req: AlterPartitionReassignmentsRequest): Promise<AlterPartitionReassignmentsResponse['responses']> {
    return this.execute((image) => alterPartitionReassignments(image, req, { ...this.electionOptions(), lone: !this.o.placer }));
  }

  /** ListPartitionReassignments: the partitions being reassigned, all or those named. */
  listPartitionReassignments(topics: ListPartitionReassignmentsRequest['topics']): Promise<ListPartitionReassignmentsResponse['topics']> {
    return this.execute((image) => ({ records: [], response: listPartitionReassignments(image, topics) }));
  }

  /** ElectLeaders: preferred or unclean elections (src/controller/elect-leaders.ts). */
  electLeaders(electionType: number, topicPartitions: readonly { topic: string; partitions: readonly number[] }[] | null): Promise<ElectionTopicResult[]> {
    return this.execute((image) => electLeaders(image, electionType, topicPartitions));
  }

  /** AllocateProducerIds: the next block of producer ids, for a registered broker of the current epoch. */
  allocateProducerIds(brokerId: number, brokerEpoch: number): Promise<ProducerIdsBlock> {
    return this.execute((image) => {
      this.cluster.checkBrokerEpoch(image, brokerId, brokerEpoch);
      return generateNextProducerIdBlock(image, brokerId, brokerEpoch);
    });
  }

  /** When an unfenced broker's session next expires (null: none to watch). */
  nextFenceCheckMs(): number | null {
    return this.active ? this.cluster.heartbeats.nextCheckTimeMs() : null;
  }

  /** Fences every broker whose session expired, one operation each (as Kafka does); their ids. */
  async fenceStaleBrokers(): Promise<number[]> {
    const fenced: number[] = [];
    for (;;) {
      const id = await this.execute((image) => this.cluster.fenceStaleBroker(image, this.clock()));
      if (id === null) return fenced;
      log.info(`fenced broker ${id}: its session timed out`);
      fenced.push(id);
    }
  }

  /** Waits for every queued operation (for shutdown). */
  async drain(): Promise<void> {
    await this.tail;
  }
}
