// DescribeTopicPartitions (key 75), v0 (KIP-966): topics and their partitions from the image,
// sorted by name, paged by response_partition_limit with a cursor (topic, first partition) to
// resume from. An empty topic list means every topic; unknown names get UNKNOWN_TOPIC_OR_PARTITION.
// Without an authorizer every topic operation is allowed (3576, as Kafka reports).
import { DescribeTopicPartitionsRequest } from '../protocol/generated/describe-topic-partitions-request.js';
import { DescribeTopicPartitionsResponse } from '../protocol/generated/describe-topic-partitions-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { isInternalTopic } from '../metadata/topic-name.js';
import { ZERO_UUID } from '../metadata/uuid.js';
import { defineHandler } from './handler.js';
import { offlineReplicas } from './offline-replicas.js';
import { authorized, Op, Resource } from './authorize.js';

type Topic = DescribeTopicPartitionsResponse['topics'][number];
const ALL_TOPIC_OPERATIONS = 3576;

export default defineHandler<DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse>({
  apiKey: 75,
  minVersion: 0,
  maxVersion: 0,
  request: DescribeTopicPartitionsRequest,
  response: DescribeTopicPartitionsResponse,
  handle(ctx, req) {
    const broker = ctx.broker;
    const image = broker.image.topics;
    const names = (req.topics.length === 0 ? [...image.byName.keys()].filter((n) => authorized(ctx, Op.DESCRIBE, Resource.TOPIC, n)) : [...new Set(req.topics.map((t) => t.name))]).sort();
    const cursor = req.cursor;
    let budget = Math.max(1, req.responsePartitionLimit);
    const topics: Topic[] = [];
    let nextCursor: DescribeTopicPartitionsResponse['nextCursor'] = null;
    for (const name of names) {
      if (cursor && name < cursor.topicName) continue;
      if (!authorized(ctx, Op.DESCRIBE, Resource.TOPIC, name)) {
        topics.push({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 });
        continue;
      }
      const t = image.get(name);
      if (!t) {
        topics.push({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: ALL_TOPIC_OPERATIONS });
        continue;
      }
      if (budget === 0) {
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      const first = cursor && name === cursor.topicName ? cursor.partitionIndex : 0;
      const partitions: Topic['partitions'] = [];
      let p = first;
      for (; p < t.partitions && budget > 0; p++, budget--) {
        const reg = t.registrations.get(p)!;
        // A cluster answers from the image alone, as Kafka's metadata cache (no partition error;
        // a leader without an endpoint on this listener is -1); a lone node's partition whose log
        // is gone (its log dir offline) is LEADER_NOT_AVAILABLE.
        const clustered = !!broker.replicas; // a lone broker's is null
        const log = clustered ? undefined : broker.partitionLog(name, p);
        const leaderAlive = clustered
          ? broker.image.cluster.brokers.get(reg.leader)?.endpoints.some((e) => e.name === ctx.listenerName) === true
          : true;
        partitions.push({
          errorCode: clustered || log ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
          partitionIndex: p,
          leaderId: leaderAlive ? reg.leader : -1,
          leaderEpoch: log?.leaderEpoch ?? reg.leaderEpoch,
          replicaNodes: [...reg.replicas],
          isrNodes: [...reg.isr],
          eligibleLeaderReplicas: [...(reg.elr ?? [])],
          lastKnownElr: [...(reg.lastKnownElr ?? [])],
          offlineReplicas: clustered ? offlineReplicas(broker.image.cluster, reg.replicas, ctx.listenerName) : [],
        });
      }
      topics.push({ errorCode: ErrorCode.NONE, name, topicId: t.topicId, isInternal: isInternalTopic(name), partitions, topicAuthorizedOperations: ALL_TOPIC_OPERATIONS });
      if (p < t.partitions) {
        nextCursor = { topicName: name, partitionIndex: p };
        break;
      }
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
});
