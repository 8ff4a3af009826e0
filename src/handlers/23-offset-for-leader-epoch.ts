// OffsetForLeaderEpoch (key 23), v2-4: the end offset of the requested leader epoch, used by
// consumers to detect log truncation (KIP-320). Partitions on this broker stay at their epoch.
import { OffsetForLeaderEpochRequest } from '../protocol/generated/offset-for-leader-epoch-request.js';
import { OffsetForLeaderEpochResponse } from '../protocol/generated/offset-for-leader-epoch-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';
import { leaderEpochError } from './leader-epoch.js';
import { authorized, clusterAuthorized, Op, Resource } from './authorize.js';

export default defineHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>({
  apiKey: 23,
  minVersion: 2,
  maxVersion: 4,
  request: OffsetForLeaderEpochRequest,
  response: OffsetForLeaderEpochResponse,
  handle(ctx, req) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => {
          const l = ctx.broker.partitionLog(t.topic, p.partition);
          const none = { partition: p.partition, leaderEpoch: -1, endOffset: -1 };
          const allowed = (req.replicaId ?? -1) >= 0 ? clusterAuthorized(ctx, Op.CLUSTER_ACTION) : authorized(ctx, Op.DESCRIBE, Resource.TOPIC, t.topic);
          if (!allowed) return { ...none, errorCode: (req.replicaId ?? -1) >= 0 ? ErrorCode.CLUSTER_AUTHORIZATION_FAILED : ErrorCode.TOPIC_AUTHORIZATION_FAILED };
          if (!l) return { ...none, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          const epochError = leaderEpochError(l, p.currentLeaderEpoch);
          if (epochError !== ErrorCode.NONE) return { ...none, errorCode: epochError };
          const end = l.endOffsetForEpoch(p.leaderEpoch);
          return end
            ? { partition: p.partition, errorCode: ErrorCode.NONE, leaderEpoch: end.leaderEpoch, endOffset: end.endOffset }
            : { ...none, errorCode: ErrorCode.NONE };
        }),
      })),
    };
  },
});
