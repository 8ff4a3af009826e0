// AssignReplicasToDirs as the controller decides it (KIP-858, Kafka's
// ReplicationControlManager.handleAssignReplicasToDirs): a broker with several log dirs says which
// dir holds each of its replicas. The sender's broker epoch is checked first (STALE_BROKER_EPOCH,
// the whole request); then per partition an unknown topic id is UNKNOWN_TOPIC_ID, an unknown
// partition UNKNOWN_TOPIC_OR_PARTITION, a partition the broker holds no replica of
// NOT_LEADER_OR_FOLLOWER; otherwise the replica's entry in the partition's directories becomes
// the dir, a PartitionChangeRecord when it changed. (Kafka also moves leadership off a replica
// assigned to a dir the broker registered as offline; samsa's brokers report no offline dirs.)
import type { MetadataImage } from '../metadata/image.js';
import type { ControllerResult } from '../metadata/replication-control.js';
import { RecordType, type MetadataRecord } from '../metadata/records.js';
import { ErrorCode } from '../protocol/errors.js';
import type { AssignReplicasToDirsRequest } from '../protocol/generated/assign-replicas-to-dirs-request.js';
import type { AssignReplicasToDirsResponse } from '../protocol/generated/assign-replicas-to-dirs-response.js';

/** PartitionChangeRecord as Kafka 4.4 writes it. */
const PARTITION_CHANGE_VERSION = 2;

export function assignReplicasToDirs(image: MetadataImage, req: AssignReplicasToDirsRequest): ControllerResult<AssignReplicasToDirsResponse> {
  const b = image.cluster.brokers.get(req.brokerId);
  if (!b || b.epoch !== req.brokerEpoch) return { records: [], response: { throttleTimeMs: 0, errorCode: ErrorCode.STALE_BROKER_EPOCH, directories: [] } };
  const records: MetadataRecord[] = [];
  // Several changes to one partition in a request build on each other.
  const pending = new Map<string, string[]>();
  const directories = req.directories.map((d) => ({
    id: d.id,
    topics: d.topics.map((t) => {
      const topic = image.topics.getById(t.topicId);
      return {
        topicId: t.topicId,
        partitions: t.partitions.map((p) => {
          if (!topic) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_ID };
          const reg = topic.registrations.get(p.partitionIndex);
          if (!reg) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          const at = reg.replicas.indexOf(req.brokerId);
          if (at < 0) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
          const key = `${t.topicId}:${p.partitionIndex}`;
          const dirs = [...(pending.get(key) ?? reg.directories)];
          if (dirs[at] !== d.id) {
            dirs[at] = d.id;
            pending.set(key, dirs);
          }
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
        }),
      };
    }),
  }));
  for (const [key, dirs] of pending) {
    const [topicId, partition] = key.split(':');
    records.push({ type: RecordType.PARTITION_CHANGE, version: PARTITION_CHANGE_VERSION, data: { partitionId: Number(partition), topicId, directories: dirs } });
  }
  return { records, response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, directories } };
}
