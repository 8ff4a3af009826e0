// The Fetch response from the partitions a context keeps: consecutive partitions of one topic share
// a topic entry (as Kafka builds it), and from v16 a partition refused for NOT_LEADER_OR_FOLLOWER or
// FENCED_LEADER_EPOCH names the current leader, whose endpoint the response carries (KIP-951).
import type { FetchResponse } from '../../protocol/generated/fetch-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { RequestContext } from '../handler.js';
import type { ContextResponse } from './context.js';
import type { PartitionData, Wanted } from './read.js';

type TopicResponse = FetchResponse['responses'][number];

/** Partition data with the log it came from, for the leader hint. */
export interface Answered {
  data: PartitionData;
  wanted: Wanted;
}

export function buildResponse(ctx: RequestContext, usesTopicIds: boolean, out: ContextResponse<Answered>): FetchResponse {
  const responses: TopicResponse[] = [];
  let current: TopicResponse | undefined;
  let currentKey: string | null = null;
  let hinted = false;
  const replicas = ctx.broker.replicas ?? null;
  const leaders = new Map<number, NonNullable<FetchResponse['nodeEndpoints']>[number]>();
  for (const p of out.partitions) {
    const key = usesTopicIds ? p.partition.topicId : p.partition.topic;
    if (current === undefined || key !== currentKey) {
      current = { topic: p.partition.topic ?? '', topicId: p.partition.topicId, partitions: [] };
      currentKey = key;
      responses.push(current);
    }
    if (ctx.apiVersion >= 16 && (p.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || p.errorCode === ErrorCode.FENCED_LEADER_EPOCH)) {
      const log = p.data.wanted.log;
      if (replicas) {
        // Cluster mode: the leader the image names, and its endpoint on this listener.
        const topic = p.partition.topic ?? log?.topic;
        const c = topic ? replicas.checkFetch(topic, p.partition.partition) : { leaderId: -1, leaderEpoch: -1 };
        p.data.data.currentLeader = { leaderId: c.leaderId, leaderEpoch: c.leaderEpoch };
        const e = c.leaderId >= 0 ? replicas.endpoint(c.leaderId, ctx.listenerName) : null;
        if (e) leaders.set(e.nodeId, e);
      } else {
        p.data.data.currentLeader = { leaderId: log ? ctx.broker.nodeId : -1, leaderEpoch: log ? log.leaderEpoch : -1 };
        if (log) hinted = true;
      }
    }
    current.partitions.push(p.data.data);
  }
  const b = ctx.broker;
  return {
    throttleTimeMs: 0,
    errorCode: out.errorCode,
    sessionId: out.sessionId,
    responses,
    nodeEndpoints: replicas ? [...leaders.values()] : hinted ? [{ nodeId: b.nodeId, host: b.advertisedHost, port: b.advertisedPort, rack: null }] : [],
  };
}
