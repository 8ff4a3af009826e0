// Topic and partition changes as the KRaft controller makes them (Kafka's ReplicationControlManager):
// validate a request against the current image and return the records that carry it out, plus
// a per-topic result. Pure: nothing is written here.
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import { ZERO_UUID, randomUuid } from './uuid.js';
import type { MetadataImage, PartitionRegistration } from './image.js';
import { partitionRecord } from './image-records.js';
import { RecordType, ResourceType, type MetadataRecord } from './records.js';
import { CLUSTER_METADATA_TOPIC, invalidTopicNameReason } from './topic-name.js';
import { validateTopicConfig } from './config-validation.js';

/** Kafka's MAX_RECORDS_PER_USER_OP: the most records one request may write. */
export const MAX_RECORDS_PER_USER_OP = 10000;
/** Kafka's MAX_PARTITIONS_PER_BATCH: the most partitions one CreateTopics or CreatePartitions may add. */
export const MAX_PARTITIONS_PER_BATCH = 10000;

/**
 * Limits on a request as a whole, checked before anything is built for it. Kafka's controller
 * throws these, and the broker answers every topic of the request with the error.
 */
function tooManyPartitions(): KafkaError {
  return new KafkaError(ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.');
}
function tooManyAdditionalPartitions(): KafkaError {
  return new KafkaError(ErrorCode.POLICY_VIOLATION, 'Excessively large number of additional partitions per request.');
}
function tooManyRecords(): KafkaError {
  return new KafkaError(ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.');
}

export interface ApiError {
  errorCode: number;
  errorMessage: string | null;
}
const NONE: ApiError = { errorCode: ErrorCode.NONE, errorMessage: null };

export interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: { partitionIndex: number; brokerIds: number[] }[];
  configs: { name: string; value: string | null }[];
}

export interface CreatedTopic extends ApiError {
  name: string;
  topicId: string;
  numPartitions: number;
  replicationFactor: number;
  /** The topic's config overrides, for the response's config listing. */
  configs: Record<string, string>;
}

export interface ControllerResult<T> {
  records: MetadataRecord[];
  response: T;
}

/** A broker new replicas may go to (Kafka's UsableBroker): registered and not shutting down. */
export interface UsableBroker {
  id: number;
  rack: string | null;
  fenced: boolean;
}

/**
 * Places numPartitions partitions of replicationFactor replicas each over the usable brokers
 * (Kafka's ReplicaPlacer): one replica list per partition, its leader first. Throws
 * KafkaError(INVALID_REPLICATION_FACTOR) with Kafka's reason when the brokers cannot hold them.
 */
export type ReplicaPlacer = (startPartition: number, numPartitions: number, replicationFactor: number, brokers: readonly UsableBroker[]) => number[][];

/** What the replica placement needs to know about the broker set and defaults. */
export interface PlacementContext {
  nodeId: number;
  directoryId: string;
  defaultPartitions: number;
  defaultReplicationFactor: number;
  /**
   * Cluster mode: replicas are placed over the registered brokers by this placer, ISRs hold the
   * unfenced ones. Unset on a lone node, which places every replica on itself.
   */
  placer?: ReplicaPlacer;
}

/** Kafka's ClusterControlManager.defaultDir: a broker's one log dir, else UNASSIGNED. */
export function defaultDir(image: MetadataImage, brokerId: number): string {
  const dirs = image.cluster.brokers.get(brokerId)?.logDirs ?? [];
  return dirs.length === 1 ? dirs[0] : ZERO_UUID;
}

function registration(image: MetadataImage, ctx: PlacementContext, replicas: number[]): PartitionRegistration {
  // A lone node's replicas are all itself; in a cluster the ISR starts as the active replicas.
  const isr = ctx.placer ? replicas.filter((id) => isActive(image, id)) : replicas;
  return {
    replicas,
    isr,
    removingReplicas: [],
    addingReplicas: [],
    leader: isr[0] ?? -1,
    leaderRecoveryState: 0,
    leaderEpoch: 0,
    partitionEpoch: 0,
    directories: replicas.map((id) => (ctx.placer ? defaultDir(image, id) : ctx.directoryId)),
  };
}

function isActive(image: MetadataImage, id: number): boolean {
  const b = image.cluster.brokers.get(id);
  return b !== undefined && !b.fenced && !b.inControlledShutdown;
}

function registeredBrokers(image: MetadataImage, ctx: PlacementContext): Set<number> {
  const ids = new Set(image.cluster.brokers.keys());
  if (!ctx.placer) ids.add(ctx.nodeId);
  return ids;
}

/** Kafka's usableBrokers, in broker id order: registered, not in controlled shutdown. */
export function usableBrokers(image: MetadataImage): UsableBroker[] {
  return [...image.cluster.brokers.values()]
    .filter((b) => !b.inControlledShutdown)
    .sort((a, b) => a.id - b.id)
    .map((b) => ({ id: b.id, rack: b.rack, fenced: b.fenced }));
}

/** The replica lists for new partitions: the placer's in a cluster, this node's on a lone node. */
function place(image: MetadataImage, ctx: PlacementContext, startPartition: number, count: number, rf: number): number[][] | ApiError {
  if (!ctx.placer) return Array.from({ length: count }, () => Array.from({ length: rf }, () => ctx.nodeId));
  try {
    const placed = ctx.placer(startPartition, count, rf, usableBrokers(image));
    // The placer leads with unfenced brokers; an ISR with none active is refused as Kafka does.
    if (placed.some((replicas) => !replicas.some((id) => isActive(image, id)))) {
      return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: `Unable to replicate the partition ${rf} time(s): All brokers are currently fenced or in controlled shutdown.` };
    }
    return placed;
  } catch (e) {
    if (!(e instanceof KafkaError)) throw e;
    return { errorCode: e.errorCode, errorMessage: `Unable to replicate the partition ${rf} time(s): ${e.message}` };
  }
}

/** Manual replicas in a cluster need one active broker to lead (Kafka's check). */
function checkActive(image: MetadataImage, ctx: PlacementContext, partition: number, replicas: readonly number[]): ApiError | null {
  if (!ctx.placer || replicas.some((id) => isActive(image, id))) return null;
  return invalidAssignment(`All brokers specified in the manual partition assignment for partition ${partition} are fenced or in controlled shutdown.`);
}

/** Checks one manual replica list; returns the error or null. Kafka checks the ids in ascending order. */
export function checkReplicas(brokerIds: readonly number[], brokers: Set<number>): ApiError | null {
  if (brokerIds.length === 0) return invalidAssignment('The manual partition assignment includes an empty replica list.');
  const seen = new Set<number>();
  for (const id of [...brokerIds].sort((a, b) => a - b)) {
    if (!brokers.has(id)) return invalidAssignment(`The manual partition assignment includes broker ${id}, but no such broker is registered.`);
    if (seen.has(id)) return invalidAssignment(`The manual partition assignment includes the broker ${id} more than once.`);
    seen.add(id);
  }
  return null;
}

function invalidAssignment(message: string): ApiError {
  return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: message };
}

/** Kafka treats '.' and '_' alike in metric names, so two names differing only there collide. */
function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}

/**
 * Throws KafkaError(POLICY_VIOLATION) for the whole request when it asks for more than
 * MAX_PARTITIONS_PER_BATCH partitions in all (counted before any validation, as Kafka does), or
 * when its records would exceed MAX_RECORDS_PER_USER_OP.
 */
/** KIP-599's controller mutation quota, asked per topic once it is otherwise valid: false refuses its partitions. */
export type PartitionChangeQuota = (partitions: number) => boolean;

const THROTTLED: ApiError = { errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED, errorMessage: 'The throttling quota has been exceeded.' };

export function createTopics(image: MetadataImage, ctx: PlacementContext, topics: CreatableTopic[], quota?: PartitionChangeQuota): ControllerResult<CreatedTopic[]> {
  let requested = 0;
  for (const t of topics) {
    requested += t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? ctx.defaultPartitions : Math.max(0, t.numPartitions);
  }
  if (requested > MAX_PARTITIONS_PER_BATCH) throw tooManyPartitions();
  const records: MetadataRecord[] = [];
  const response: CreatedTopic[] = [];
  const collisions = new Map<string, string>();
  for (const t of image.topics.all()) collisions.set(collisionKey(t.name), t.name);
  const brokers = registeredBrokers(image, ctx);
  for (const t of topics) {
    const fail = (e: ApiError): CreatedTopic => ({ ...e, name: t.name, topicId: ZERO_UUID, numPartitions: -1, replicationFactor: -1, configs: {} });
    const problem = validateCreatable(image, ctx, t, brokers);
    if (problem) {
      response.push(fail(problem));
      continue;
    }
    const other = collisions.get(collisionKey(t.name));
    if (other !== undefined && other !== t.name) {
      response.push(fail({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: `Topic '${t.name}' collides with existing topic: ${other}` }));
      continue;
    }
    let assignments: number[][];
    if (t.assignments.length > 0) {
      assignments = [...t.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex).map((a) => a.brokerIds);
      const inactive = assignments.map((r, p) => checkActive(image, ctx, p, r)).find((e) => e !== null);
      if (inactive) {
        response.push(fail(inactive));
        continue;
      }
    } else {
      const rf = t.replicationFactor === -1 ? ctx.defaultReplicationFactor : t.replicationFactor;
      // A lone node keeps one replica per partition whatever the factor (checked against the broker count above).
      const placed = place(image, ctx, 0, t.numPartitions === -1 ? ctx.defaultPartitions : t.numPartitions, ctx.placer ? rf : 1);
      if (!Array.isArray(placed)) {
        response.push(fail(placed));
        continue;
      }
      assignments = placed;
    }
    if (quota && !quota(assignments.length)) {
      response.push(fail(THROTTLED));
      continue;
    }
    const topicId = randomUuid();
    const configs: Record<string, string> = {};
    records.push({ type: RecordType.TOPIC, version: 0, data: { name: t.name, topicId } });
    for (const c of t.configs) {
      configs[c.name] = c.value!;
      records.push({ type: RecordType.CONFIG, version: 0, data: { resourceType: ResourceType.TOPIC, resourceName: t.name, name: c.name, value: c.value } });
    }
    assignments.forEach((replicas, p) => records.push(partitionRecord(topicId, p, registration(image, ctx, replicas))));
    collisions.set(collisionKey(t.name), t.name);
    response.push({ ...NONE, name: t.name, topicId, numPartitions: assignments.length, replicationFactor: assignments[0].length, configs });
  }
  if (records.length > MAX_RECORDS_PER_USER_OP) throw tooManyRecords();
  return { records, response };
}

function validateCreatable(image: MetadataImage, ctx: PlacementContext, t: CreatableTopic, brokers: Set<number>): ApiError | null {
  const nameProblem = invalidTopicNameReason(t.name);
  if (nameProblem) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: nameProblem };
  if (t.name === CLUSTER_METADATA_TOPIC) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Creation of internal topic ${t.name} is prohibited.` };
  if (image.topics.get(t.name)) return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `Topic '${t.name}' already exists.` };
  if (t.assignments.length > 0) {
    if (t.numPartitions !== -1) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'A manual partition assignment was specified, but numPartitions was not set to -1.' };
    if (t.replicationFactor !== -1) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'A manual partition assignment was specified, but replication factor was not set to -1.' };
    const indexes = new Set(t.assignments.map((a) => a.partitionIndex));
    for (let p = 0; p < t.assignments.length; p++) {
      if (!indexes.has(p)) return invalidAssignment('partitions should be a consecutive 0-based integer sequence');
    }
    for (const a of t.assignments) {
      const bad = checkReplicas(a.brokerIds, brokers);
      if (bad) return bad;
    }
  } else {
    if (t.numPartitions === 0 || t.numPartitions < -1) return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Number of partitions was set to an invalid non-positive value.' };
    if (t.replicationFactor === 0 || t.replicationFactor < -1) return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: 'Replication factor must be larger than 0, or -1 to use the default value.' };
    const rf = t.replicationFactor === -1 ? ctx.defaultReplicationFactor : t.replicationFactor;
    // In a cluster the placer decides (and says why it cannot) once the rest is valid.
    if (!ctx.placer && rf > brokers.size) {
      return {
        errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
        errorMessage: `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${brokers.size} broker(s) are registered.`,
      };
    }
  }
  for (const c of t.configs) {
    if (c.value === null) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Null value not supported for topic configs: ${c.name}` };
    const bad = validateTopicConfig(c.name, c.value);
    if (bad) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: bad };
  }
  return null;
}

export interface TopicRef {
  name: string | null;
  topicId: string;
}
export interface DeletedTopic extends ApiError {
  name: string | null;
  topicId: string;
}

/** RemoveTopicRecords for the named topics (each by name or by id). */
export function deleteTopics(image: MetadataImage, refs: TopicRef[], quota?: PartitionChangeQuota): ControllerResult<DeletedTopic[]> {
  const records: MetadataRecord[] = [];
  const response: DeletedTopic[] = [];
  const removed = new Set<string>();
  for (const ref of refs) {
    const t = ref.name !== null ? image.topics.get(ref.name) : image.topics.getById(ref.topicId);
    if (!t) {
      response.push(
        ref.name !== null
          ? { name: ref.name, topicId: ZERO_UUID, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' }
          : { name: null, topicId: ref.topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: 'This server does not host this topic ID.' },
      );
      continue;
    }
    if (quota && !quota(t.partitions)) {
      response.push({ name: ref.name, topicId: ref.name !== null ? ZERO_UUID : ref.topicId, ...THROTTLED });
      continue;
    }
    if (!removed.has(t.topicId)) records.push({ type: RecordType.REMOVE_TOPIC, version: 0, data: { topicId: t.topicId } });
    removed.add(t.topicId);
    response.push({ name: t.name, topicId: t.topicId, ...NONE });
  }
  return { records, response };
}

export interface PartitionsRequest {
  name: string;
  count: number;
  assignments: { brokerIds: number[] }[] | null;
}
export interface PartitionsResult extends ApiError {
  name: string;
}

/**
 * PartitionRecords for the partitions each topic gains. Throws KafkaError(POLICY_VIOLATION) for
 * the whole request when the existing topics would gain more than MAX_PARTITIONS_PER_BATCH.
 */
export function createPartitions(image: MetadataImage, ctx: PlacementContext, topics: PartitionsRequest[], quota?: PartitionChangeQuota): ControllerResult<PartitionsResult[]> {
  let adding = 0;
  for (const req of topics) {
    const t = image.topics.get(req.name);
    if (t) adding += Math.max(0, req.count - t.partitions);
  }
  if (adding > MAX_PARTITIONS_PER_BATCH) throw tooManyAdditionalPartitions();
  const records: MetadataRecord[] = [];
  const response: PartitionsResult[] = [];
  const brokers = registeredBrokers(image, ctx);
  for (const req of topics) {
    const fail = (errorCode: number, errorMessage: string | null) => response.push({ name: req.name, errorCode, errorMessage });
    const t = image.topics.get(req.name);
    if (!t) {
      fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
      continue;
    }
    const current = t.partitions;
    if (req.count === current) {
      fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
      continue;
    }
    if (req.count < current) {
      fail(ErrorCode.INVALID_PARTITIONS, `The topic ${req.name} currently has ${current} partition(s); ${req.count} would not be an increase.`);
      continue;
    }
    const adding = req.count - current;
    let replicaLists: number[][];
    if (req.assignments !== null && req.assignments.length !== adding) {
      fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Attempted to add ${adding} additional partition(s), but only ${req.assignments.length} assignment(s) were specified.`);
      continue;
    }
    if (quota && !quota(adding)) {
      fail(THROTTLED.errorCode, THROTTLED.errorMessage);
      continue;
    }
    if (req.assignments !== null) {
      const bad = req.assignments.map((a) => checkReplicas(a.brokerIds, brokers)).find((e) => e !== null);
      if (bad) {
        fail(bad.errorCode, bad.errorMessage);
        continue;
      }
      const inactive = req.assignments.map((a, i) => checkActive(image, ctx, current + i, a.brokerIds)).find((e) => e !== null);
      if (inactive) {
        fail(inactive.errorCode, inactive.errorMessage);
        continue;
      }
      replicaLists = req.assignments.map((a) => a.brokerIds);
    } else {
      // New partitions get the replication factor of partition 0, as Kafka places them.
      const rf = t.registrations.get(0)?.replicas.length ?? 1;
      const placed = place(image, ctx, current, adding, ctx.placer ? rf : Math.min(rf, brokers.size));
      if (!Array.isArray(placed)) {
        fail(placed.errorCode, placed.errorMessage);
        continue;
      }
      replicaLists = placed;
    }
    replicaLists.forEach((replicas, i) => records.push(partitionRecord(t.topicId, current + i, registration(image, ctx, replicas))));
    response.push({ name: req.name, ...NONE });
  }
  return { records, response };
}
