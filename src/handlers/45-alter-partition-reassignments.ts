// AlterPartitionReassignments (key 45), v0-1 (v1, KIP-860, may forbid changing the replication
// factor). Kafka's controller checks each partition in turn: the topic, the partition, then the
// target replica list as for a manual assignment (not empty, every broker registered, none twice,
// in ascending id order). On one broker the only valid target is the current replica set, which
// is a no-op success; a cancel (null replicas) finds no reassignment in progress. Messages are
// Kafka's; an empty request answers with an empty (not null) message, as Kafka's does.
import { AlterPartitionReassignmentsRequest } from '../protocol/generated/alter-partition-reassignments-request.js';
import { AlterPartitionReassignmentsResponse } from '../protocol/generated/alter-partition-reassignments-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { checkReplicas, type ApiError } from '../metadata/replication-control.js';
import type { PartitionRegistration } from '../metadata/image.js';
import { defineHandler } from './handler.js';

const NONE: ApiError = { errorCode: ErrorCode.NONE, errorMessage: null };

export default defineHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>({
  apiKey: 45,
  minVersion: 0,
  maxVersion: 1,
  request: AlterPartitionReassignmentsRequest,
  response: AlterPartitionReassignmentsResponse,
  handle(ctx, req) {
    const image = ctx.broker.image;
    const brokers = new Set(image.cluster.brokers.keys()).add(ctx.broker.nodeId);
    const allowReplicationFactorChange = req.allowReplicationFactorChange ?? true;
    const responses = req.topics.map((t) => {
      const topic = image.topics.get(t.name);
      return {
        name: t.name,
        partitions: t.partitions.map((p) => {
          let result: ApiError;
          const reg = topic?.registrations.get(p.partitionIndex);
          if (!topic) result = unknown(`Unable to find a topic named ${t.name}.`);
          else if (!reg) result = unknown(`Unable to find partition ${t.name}:${p.partitionIndex}.`);
          else result = reassign(reg, p.replicas, brokers, allowReplicationFactorChange);
          return { partitionIndex: p.partitionIndex, ...result };
        }),
      };
    });
    return {
      throttleTimeMs: 0,
      allowReplicationFactorChange,
      errorCode: ErrorCode.NONE,
      errorMessage: responses.length === 0 ? '' : null,
      responses,
    };
  },
});

function reassign(reg: PartitionRegistration, target: number[] | null, brokers: Set<number>, allowReplicationFactorChange: boolean): ApiError {
  const inProgress = reg.addingReplicas.length > 0 || reg.removingReplicas.length > 0;
  if (target === null) return inProgress ? notMoving() : { errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: null };
  const invalid = checkReplicas(target, brokers);
  if (invalid) return invalid;
  if (!allowReplicationFactorChange && target.length !== reg.replicas.length) {
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: `The manual partition assignment includes a partition with ${target.length} replica(s), but this is not consistent with previous partitions, which have ${reg.replicas.length} replica(s).`,
    };
  }
  if (!inProgress && target.length === reg.replicas.length && target.every((id, i) => id === reg.replicas[i])) return NONE;
  return notMoving();
}

/** Only reachable with replicas on brokers other than this one (a data dir from another node id). */
function notMoving(): ApiError {
  return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'samsa runs one broker and does not move replicas between brokers.' };
}

function unknown(message: string): ApiError {
  return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: message };
}
