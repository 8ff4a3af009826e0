// AlterPartitionReassignments and ListPartitionReassignments as the controller decides them (Kafka's
// ReplicationControlManager). Each partition in turn: the topic, the partition, then either a
// cancel (null replicas: back to the original replicas, NO_REASSIGNMENT_IN_PROGRESS when none
// moves, refused when only an unclean election could revert it and that is off) or a target,
// checked as a manual assignment (and, v1 without allowReplicationFactorChange, kept at the
// replication factor the partition is headed for). A target starts as one PartitionChangeRecord
// with the merged replica list and the adding/removing sets; it completes at once when the ISR
// already allows, else when an AlterPartition brings every adding replica into the ISR
// (src/controller/alter-partition.ts). The records live in the metadata log, so a reassignment
// survives controller failover and replays into every image.
import type { MetadataImage, PartitionRegistration, TopicImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { checkReplicas, type ApiError, type ControllerResult } from '../metadata/replication-control.js';
import { ErrorCode } from '../protocol/errors.js';
import type { AlterPartitionReassignmentsRequest } from '../protocol/generated/alter-partition-reassignments-request.js';
import type { AlterPartitionReassignmentsResponse } from '../protocol/generated/alter-partition-reassignments-response.js';
import type { ListPartitionReassignmentsRequest } from '../protocol/generated/list-partition-reassignments-request.js';
import type { ListPartitionReassignmentsResponse } from '../protocol/generated/list-partition-reassignments-response.js';
import { KafkaError } from '../storage/types.js';
import { buildPartitionChange, uncleanEnabled } from './partition-change.js';
import { reassignmentInProgress, reassignmentReplicas, revertReassignment } from './reassignment-replicas.js';

export interface ReassignmentOptions {
  /** The controller's node id (its broker-level unclean.leader.election.enable). */
  nodeId: number;
  /** The static unclean.leader.election.enable. */
  uncleanDefault: boolean;
  /** A lone node: it hosts every replica, registered or not yet. */
  lone?: boolean;
}

type TopicResponse = AlterPartitionReassignmentsResponse['responses'][number];

function fail(errorCode: number, message: string): never {
  throw new KafkaError(errorCode, message);
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/** Kafka's validatePartitionReplicationFactorUnchanged: the target as long as the set the partition is headed for. */
function checkReplicationFactorUnchanged(reg: PartitionRegistration, target: readonly number[]): void {
  let current = reg.replicas.length;
  if (reassignmentInProgress(reg)) {
    const heading = new Set([...reg.replicas, ...reg.addingReplicas]);
    for (const r of reg.removingReplicas) heading.delete(r);
    current = heading.size;
  }
  if (current !== target.length) fail(ErrorCode.INVALID_REPLICATION_FACTOR, `The replication factor is changed from ${current} to ${target.length}`);
}

function cancel(image: MetadataImage, topic: TopicImage, id: number, reg: PartitionRegistration, o: ReassignmentOptions): MetadataRecord | null {
  // Kafka's NoReassignmentInProgressException answers without a message.
  if (!reassignmentInProgress(reg)) throw new KafkaError(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, '');
  const revert = revertReassignment(reg);
  const unclean = uncleanEnabled(image, topic.name, o.nodeId, o.uncleanDefault);
  if (revert.unclean && !unclean) {
    fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unable to revert partition assignment for ${topic.name}:${id} because it would require an unclean leader election.`);
  }
  return buildPartitionChange(image, topic, id, reg, { isr: revert.isr, replicas: revert.replicas, removing: [], adding: [], unclean });
}

function change(image: MetadataImage, topic: TopicImage, id: number, reg: PartitionRegistration, target: number[], allowRfChange: boolean, o: ReassignmentOptions): MetadataRecord | null {
  const brokers = new Set(image.cluster.brokers.keys());
  if (o.lone) brokers.add(o.nodeId);
  const invalid = checkReplicas(target, brokers);
  if (invalid) fail(invalid.errorCode, invalid.errorMessage ?? '');
  if (!allowRfChange) checkReplicationFactorUnchanged(reg, target);
  const r = reassignmentReplicas(reg.replicas, target);
  // Only what differs is a target; empty sets leave the partition's own (Kafka's builder).
  return buildPartitionChange(image, topic, id, reg, {
    replicas: same(r.replicas, reg.replicas) ? undefined : r.replicas,
    removing: r.removing.length > 0 ? r.removing : undefined,
    adding: r.adding.length > 0 ? r.adding : undefined,
  });
}

function errorOf(e: unknown): ApiError {
  if (!(e instanceof KafkaError)) throw e;
  return { errorCode: e.errorCode, errorMessage: e.message === '' ? null : e.message };
}

/** Per-partition results; the records of every accepted change, committed together. */
export function alterPartitionReassignments(image: MetadataImage, req: AlterPartitionReassignmentsRequest, o: ReassignmentOptions): ControllerResult<TopicResponse[]> {
  const allowRfChange = req.allowReplicationFactorChange ?? true;
  const records: MetadataRecord[] = [];
  const response = req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      let result: ApiError = { errorCode: ErrorCode.NONE, errorMessage: null };
      try {
        const topic = image.topics.get(t.name) ?? fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find a topic named ${t.name}.`);
        const reg = topic.registrations.get(p.partitionIndex) ?? fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find partition ${t.name}:${p.partitionIndex}.`);
        const record = p.replicas === null ? cancel(image, topic, p.partitionIndex, reg, o) : change(image, topic, p.partitionIndex, reg, p.replicas, allowRfChange, o);
        if (record) records.push(record);
      } catch (e) {
        result = errorOf(e);
      }
      return { partitionIndex: p.partitionIndex, ...result };
    }),
  }));
  return { records, response };
}

type OngoingTopic = ListPartitionReassignmentsResponse['topics'][number];

function ongoing(topic: TopicImage, partitions: Iterable<number>): OngoingTopic | null {
  const out: OngoingTopic['partitions'] = [];
  for (const id of partitions) {
    const reg = topic.registrations.get(id);
    if (!reg || !reassignmentInProgress(reg)) continue;
    out.push({ partitionIndex: id, replicas: [...reg.replicas], addingReplicas: [...reg.addingReplicas], removingReplicas: [...reg.removingReplicas] });
  }
  return out.length > 0 ? { name: topic.name, partitions: out } : null;
}

/** The partitions being reassigned: all, or those named (unknown topics and partitions left out). */
export function listPartitionReassignments(image: MetadataImage, topics: ListPartitionReassignmentsRequest['topics']): OngoingTopic[] {
  const out: OngoingTopic[] = [];
  if (topics === null) {
    for (const t of image.topics.byId.values()) {
      const o = ongoing(t, [...t.registrations.keys()].sort((a, b) => a - b));
      if (o) out.push(o);
    }
    return out;
  }
  for (const r of topics) {
    const t = image.topics.get(r.name);
    const o = t && ongoing(t, r.partitionIndexes);
    if (o) out.push(o);
  }
  return out;
}
