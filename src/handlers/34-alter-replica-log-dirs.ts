// AlterReplicaLogDirs (key 34), v1-2 (Kafka 4 no longer serves v0). Moves replicas between this
// broker's log dirs; samsa has one, so the only move there is is to where a replica already lives:
// NONE. A path that is not the log dir (compared as given, as Kafka compares it) answers
// LOG_DIR_NOT_FOUND for every partition sent there, known or not; a partition this broker does
// not host in the log dir answers UNKNOWN_TOPIC_OR_PARTITION. A partition named twice takes its
// last dir. Results are grouped by topic (sorted here; Kafka's order is a hash map's).
import { AlterReplicaLogDirsRequest } from '../protocol/generated/alter-replica-log-dirs-request.js';
import { AlterReplicaLogDirsResponse } from '../protocol/generated/alter-replica-log-dirs-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';

type TopicResult = AlterReplicaLogDirsResponse['results'][number];

export default defineHandler<AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse>({
  apiKey: 34,
  minVersion: 1,
  maxVersion: 2,
  request: AlterReplicaLogDirsRequest,
  response: AlterReplicaLogDirsResponse,
  handle(ctx, req) {
    const broker = ctx.broker;
    const dir = broker.logDir ?? 'memory';
    const target = new Map<string, Map<number, string>>();
    for (const d of req.dirs) {
      for (const t of d.topics) {
        let parts = target.get(t.name);
        if (!parts) target.set(t.name, (parts = new Map()));
        for (const p of t.partitions) parts.set(p, d.path);
      }
    }
    const results: TopicResult[] = [...target.keys()].sort().map((topicName) => ({
      topicName,
      partitions: [...target.get(topicName)!]
        .sort((a, b) => a[0] - b[0])
        .map(([partitionIndex, to]) => ({
          partitionIndex,
          errorCode:
            to !== dir
              ? ErrorCode.LOG_DIR_NOT_FOUND
              : broker.partitionLog(topicName, partitionIndex) && broker.topics.get(topicName)?.registrations.has(partitionIndex)
                ? ErrorCode.NONE
                : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
    }));
    return { throttleTimeMs: 0, results };
  },
});
