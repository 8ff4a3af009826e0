// What a broker listener's handlers may reach of the node they run on. Broker implements it;
// declaring it here (handler side) keeps handlers/ free of broker.ts and network/, and shows in one
// place everything a request can touch.
import type { BrokerConfig } from '../config.js';
import type { GroupCoordinator } from '../coordinator/group/coordinator.js';
import type { TransactionCoordinator } from '../coordinator/transaction/coordinator.js';
import type { ShareCoordinator } from '../coordinator/share/coordinator.js';
import type { TxnVerifier } from '../coordinator/transaction/produce-verification.js';
import type { SharePartitionManager } from '../share/share-partition-manager.js';
import type { ConfigDescriber } from '../metadata/config-describer.js';
import type { Controller } from '../metadata/controller.js';
import type { MetadataImage, TopicsImage } from '../metadata/image.js';
import type { MetadataLog } from '../metadata/metadata-log.js';
import type { TopicInfo } from '../metadata/topic-store.js';
import type { PartitionLog } from '../storage/types.js';
import type { LogDirsView } from '../storage/log-dirs.js';
import type { StandardAuthorizer } from '../security/acl/authorizer.js';
import type { QuotaManagers } from '../quota/quota-managers.js';

/** The controller operations admin handlers call (Kafka forwards these to the active controller). */
export type ControllerOperations = Pick<
  Controller,
  | 'createTopics'
  | 'deleteTopics'
  | 'createPartitions'
  | 'legacyAlterConfigs'
  | 'incrementalAlterConfigs'
  | 'updateFeatures'
  | 'allocateProducerId'
  | 'alterUserScramCredentials'
  | 'alterClientQuotas'
  | 'createAcls'
  | 'deleteAcls'
  | 'createDelegationToken'
  | 'renewDelegationToken'
  | 'expireDelegationToken'
>;

/** The group coordinator's request-facing operations. */
export type GroupOperations = Pick<
  GroupCoordinator,
  | 'activate'
  | 'coordinatorId'
  | 'joinGroup'
  | 'syncGroup'
  | 'heartbeat'
  | 'leaveGroup'
  | 'describeGroups'
  | 'listGroups'
  | 'deleteGroups'
  | 'commitOffsets'
  | 'fetchOffsets'
  | 'deleteOffsets'
  | 'commitTransactionalOffsets'
  | 'completeTransaction'
  | 'shareGroups'
  | 'consumerGroupHeartbeat'
  | 'consumerGroupDescribe'
  | 'streams'
>;

/** The transaction coordinator's request-facing operations. */
export type TransactionOperations = Pick<
  TransactionCoordinator,
  'activate' | 'coordinatorId' | 'initProducerId' | 'addPartitions' | 'verifyOrAdd' | 'endTxn' | 'describe' | 'list'
>;

/** The share coordinator's request-facing operations (__share_group_state, APIs 83-87 and FindCoordinator key type 2). */
export type ShareCoordinatorOperations = Pick<
  ShareCoordinator,
  'activate' | 'coordinatorId' | 'initializeState' | 'readState' | 'writeState' | 'deleteState' | 'readSummary'
>;

/** The share partitions' request-facing operations (ShareFetch, ShareAcknowledge). */
export type ShareOperations = Pick<SharePartitionManager, 'sessions' | 'settings' | 'partition' | 'acknowledge' | 'releaseSession' | 'connectionClosed' | 'onAcquirable'>;

/** A partition's leadership as produce and fetch need it (NONE when this broker leads it). */
export interface LeaderCheck {
  errorCode: number;
  /** The leader and epoch the image names (KIP-951's hint to the client), -1 when none. */
  leaderId: number;
  leaderEpoch: number;
}

/**
 * The replica layer (src/replica/replica-manager.ts) in cluster mode; absent on a lone node,
 * where every partition is led here by its only replica.
 */
/** A follower fetch's partition as the leader's replica layer answers it before the read. */
export interface FollowerFetchResult {
  errorCode: number;
  divergingEpoch?: { epoch: number; endOffset: number };
  /** Set when the partition is leader-throttled here: its read bytes are recorded; out of sync, it is not read while the quota is exceeded. */
  throttle?: ReplicationThrottle;
}

/** The leader's replication quota for one throttled partition of a follower fetch. */
export interface ReplicationThrottle {
  outOfSync: boolean;
  quota: { isQuotaExceeded(): boolean; record(bytes: number): void };
}

export interface ReplicaAccess {
  /** Produce: leadership, and for acks=all an ISR of at least min.insync.replicas (NOT_ENOUGH_REPLICAS). */
  checkProduce(topic: string, partition: number, acks: number): LeaderCheck;
  /** acks=all: resolves with the partition's error code once the ISR holds every offset below `endOffset`, or at `timeoutMs`. */
  awaitReplication(topic: string, partition: number, endOffset: number, timeoutMs: number): Promise<number>;
  /**
   * A consumer's fetch: its currentLeaderEpoch against the partition's (FENCED_LEADER_EPOCH /
   * UNKNOWN_LEADER_EPOCH), then leadership, unless `fromFollower` (Fetch v11+, KIP-392: a replica
   * serves up to its high watermark). The result names the leader the image knows.
   */
  checkFetch(topic: string, partition: number, currentLeaderEpoch?: number, fromFollower?: boolean): LeaderCheck;
  /**
   * A follower's fetch from `fetchOffset` whose last batch has `lastFetchedEpoch`: an error, or where
   * its log diverges from this leader's (it truncates there), or else its fetch state is recorded
   * (the high watermark may move).
   */
  followerFetch(topic: string, partition: number, replicaId: number, brokerEpoch: number, fetchOffset: number, lastFetchedEpoch: number, logStartOffset?: number): FollowerFetchResult;
  /** KIP-392, as leader: the replica a consumer on `clientRack` should read from instead (-1: none, read here). */
  preferredReadReplica?(topic: string, partition: number, clientRack: string, listenerName: string, fetchOffset: number): number;
  /** A broker's endpoint on a listener (KIP-951's node endpoints), or null. */
  endpoint(brokerId: number, listenerName: string): { nodeId: number; host: string; port: number; rack: string | null } | null;
}

export interface BrokerContext {
  readonly nodeId: number;
  readonly clusterId: string;
  /** The broker's static settings (dynamic ones through `describer`). */
  readonly config: BrokerConfig;
  /** The current metadata image. */
  readonly image: MetadataImage;
  /** Topics by name and id, from the current image. */
  readonly topics: TopicsImage;
  /** The metadata log's position (DescribeQuorum on a lone node). */
  readonly metadataLog: Pick<MetadataLog, 'epoch' | 'endOffset'>;
  readonly controller: ControllerOperations;
  /** Client quotas' rates (byte rates, request time, controller mutations), applied around the handlers. */
  readonly quotas: QuotaManagers;
  /** The StandardAuthorizer over the current ACLs; null or absent without authorizer.class.name (all allowed). */
  readonly authorizer?: StandardAuthorizer | null;
  /** Describes broker and topic configs with their sources (dynamic config included). */
  readonly describer: ConfigDescriber;
  readonly groups: GroupOperations;
  readonly transactions: TransactionOperations;
  /** The share coordinator (KIP-932's share-partition state in __share_group_state). */
  readonly shareCoordinator: ShareCoordinatorOperations;
  /** The share partitions this broker leads and their share sessions (KIP-932); absent: share fetches are UNSUPPORTED_VERSION. */
  readonly shares?: ShareOperations | null;
  /** Produce's check with the transaction coordinator before a transaction's first batch in a partition (absent: none). */
  readonly txnVerifier?: Pick<TxnVerifier, 'append'> | null;
  /** The one log dir, absolute; null for the memory engine. */
  readonly logDir: string | null;
  /** The file engine's log dirs (Kafka's log.dirs), for DescribeLogDirs and AlterReplicaLogDirs; absent or null without. */
  readonly logDirs?: LogDirsView | null;
  /** This broker's advertised endpoint (its one listener today). */
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  /** The advertised endpoint of the listener a request came in on (Kafka answers with that listener's). */
  advertisedEndpointOf?(listenerName: string): { host: string; port: number };
  partitionLog(topic: string, partition: number): PartitionLog | undefined;
  /** The replica layer in cluster mode; null on a lone node. */
  readonly replicas?: ReplicaAccess | null;
  /** Creates a topic and its logs, or returns the existing one (Metadata's auto-creation). */
  /** `replicationFactor` -1 or absent: default.replication.factor (internal topics pass their own). */
  createTopic(name: string, partitions: number, configs: Record<string, string>, replicationFactor?: number): Promise<TopicInfo>;
}
