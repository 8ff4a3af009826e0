// AlterReplicaLogDirs (key 34), v1-2 (Kafka 4 no longer serves v0): moves replicas between this
// broker's log dirs, as Kafka's ReplicaManager.alterReplicaLogDirs. Per partition, in Kafka's order:
// a topic name too long for a future dir is INVALID_TOPIC_EXCEPTION; a path that is not one of the
// log dirs (compared as given with their absolute paths) LOG_DIR_NOT_FOUND, known partition or
// not; an offline dir KAFKA_STORAGE_ERROR. The dir is remembered for a partition not hosted
// yet, which answers REPLICA_NOT_AVAILABLE when its topic has it (UNKNOWN_TOPIC_OR_PARTITION
// otherwise). A hosted partition answers NONE: already there, or a future log is copied to the dir
// in the background and swapped in (no future log while any dir is offline: KAFKA_STORAGE_ERROR).
// A partition named twice takes its last dir. Results are grouped by topic (sorted here; Kafka's
// order is a hash map's). The memory engine's one "dir" is `memory`.
import { AlterReplicaLogDirsRequest } from '../protocol/generated/alter-replica-log-dirs-request.js';
import { AlterReplicaLogDirsResponse } from '../protocol/generated/alter-replica-log-dirs-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { futureDirNameTooLong } from '../storage/log-dirs.js';
import type { BrokerContext } from './context.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op } from './authorize.js';

type TopicResult = AlterReplicaLogDirsResponse['results'][number];

export default defineHandler<AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse>({
  apiKey: 34,
  minVersion: 1,
  maxVersion: 2,
  request: AlterReplicaLogDirsRequest,
  response: AlterReplicaLogDirsResponse,
  handle(ctx, req) {
    const target = new Map<string, Map<number, string>>();
    for (const d of req.dirs) {
      for (const t of d.topics) {
        let parts = target.get(t.name);
        if (!parts) target.set(t.name, (parts = new Map()));
        for (const p of t.partitions) parts.set(p, d.path);
      }
    }
    const denied = !clusterAuthorized(ctx, Op.ALTER);
    const results: TopicResult[] = [...target.keys()].sort().map((topicName) => ({
      topicName,
      partitions: [...target.get(topicName)!]
        .sort((a, b) => a[0] - b[0])
        // CLUSTER ALTER (Kafka's AlterReplicaLogDirs authorization): else nothing moves.
        .map(([partitionIndex, to]) => ({ partitionIndex, errorCode: denied ? ErrorCode.CLUSTER_AUTHORIZATION_FAILED : alter(ctx.broker, topicName, partitionIndex, to) })),
    }));
    return { throttleTimeMs: 0, results };
  },
});

function alter(broker: BrokerContext, topic: string, partition: number, to: string): number {
  const known = () => broker.topics.get(topic)?.registrations.has(partition) ?? false;
  const dirs = broker.logDirs;
  // Kafka checks the name first (KAFKA-4893), before the dir.
  if (dirs && futureDirNameTooLong(topic, partition)) return ErrorCode.INVALID_TOPIC_EXCEPTION;
  if (!dirs) {
    if (to !== (broker.logDir ?? 'memory')) return ErrorCode.LOG_DIR_NOT_FOUND;
    return broker.partitionLog(topic, partition) && known() ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }
  const dir = dirs.dirAt(to);
  if (!dir) return ErrorCode.LOG_DIR_NOT_FOUND;
  if (dir.offline) return ErrorCode.KAFKA_STORAGE_ERROR;
  if (!known()) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (!broker.partitionLog(topic, partition)) {
    dirs.preferDir(topic, partition, dir.path);
    return ErrorCode.REPLICA_NOT_AVAILABLE;
  }
  if (dirs.anyOffline) return ErrorCode.KAFKA_STORAGE_ERROR;
  dirs.moveLog(topic, partition, dir.path);
  return ErrorCode.NONE;
}
