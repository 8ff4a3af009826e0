// ElectLeaders (key 43), v0-2 (v1+ carry the election type). On one broker every partition's
// leader is its preferred (only) replica, so each existing partition answers
// ELECTION_NOT_NEEDED, preferred or unclean alike, and unknown ones UNKNOWN_TOPIC_OR_PARTITION
// with Kafka's messages. A null partition list names every topic, each with an empty result.
import { ElectLeadersRequest } from '../protocol/generated/elect-leaders-request.js';
import { ElectLeadersResponse } from '../protocol/generated/elect-leaders-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';

type TopicResult = ElectLeadersResponse['replicaElectionResults'][number];

export default defineHandler<ElectLeadersRequest, ElectLeadersResponse>({
  apiKey: 43,
  minVersion: 0,
  maxVersion: 2,
  request: ElectLeadersRequest,
  response: ElectLeadersResponse,
  handle(ctx, req) {
    const topics = ctx.broker.image.topics;
    let results: TopicResult[];
    if (req.topicPartitions === null) {
      results = [...topics.all()].map((t) => ({ topic: t.name, partitionResult: [] }));
    } else {
      results = req.topicPartitions.map((tp) => {
        const t = topics.get(tp.topic);
        return {
          topic: tp.topic,
          partitionResult: tp.partitions.map((p) => {
            if (!t) return { partitionId: p, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such topic as ${tp.topic}` };
            const reg = t.registrations.get(p);
            if (!reg) return { partitionId: p, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such partition as ${tp.topic}-${p}` };
            if (reg.leader === reg.replicas[0]) return { partitionId: p, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.' };
            return { partitionId: p, errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: 'Failed to elect leader for partition.' };
          }),
        };
      });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: results };
  },
});
