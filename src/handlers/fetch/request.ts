// A Fetch request's partitions as the session layer sees them (keyed, topic resolved: by id from
// v13, by name before) and each fetched partition's log, or the error known before reading.
import type { FetchRequest } from '../../protocol/generated/fetch-request.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ZERO_UUID } from '../../metadata/uuid.js';
import type { RequestContext } from '../handler.js';
import type { BrokerContext } from '../context.js';
import type { TopicImage } from '../../metadata/image.js';
import { leaderEpochError } from '../leader-epoch.js';
import { partitionKey, type FetchPartition } from './session.js';
import type { Wanted } from './read.js';
import { authorized, clusterAuthorized, Op, Resource } from '../authorize.js';

/** The request's partitions in order; one named twice counts once, with its last parameters (as in Kafka). */
export function fetchData(ctx: RequestContext, req: FetchRequest, usesTopicIds: boolean): Map<string, FetchPartition> {
  const topics = ctx.broker.topics;
  const map = new Map<string, FetchPartition>();
  for (const t of req.topics) {
    const topicId = usesTopicIds ? (t.topicId ?? ZERO_UUID) : ZERO_UUID;
    const topic = usesTopicIds ? (topics.getById(topicId)?.name ?? null) : (t.topic ?? '');
    for (const p of t.partitions) {
      const fp: FetchPartition = {
        topic,
        topicId,
        partition: p.partition,
        fetchOffset: p.fetchOffset,
        maxBytes: p.partitionMaxBytes,
        currentLeaderEpoch: p.currentLeaderEpoch ?? -1,
        lastFetchedEpoch: p.lastFetchedEpoch ?? -1,
        logStartOffset: p.logStartOffset ?? -1,
      };
      map.set(partitionKey(usesTopicIds, fp), fp);
    }
  }
  return map;
}

/** Keys of the partitions an incremental fetch removes from its session (v7+; by topic id from v13). */
export function forgotten(req: FetchRequest, usesTopicIds: boolean): string[] {
  const keys: string[] = [];
  for (const t of req.forgottenTopicsData ?? []) {
    const id = { topic: t.topic ?? '', topicId: t.topicId ?? ZERO_UUID, partition: 0 };
    for (const partition of t.partitions) {
      id.partition = partition;
      keys.push(partitionKey(usesTopicIds, id));
    }
  }
  return keys;
}

/** The fetching follower (replica id >= 0) and its broker epoch. */
export interface FollowerReplica {
  replicaId: number;
  brokerEpoch: number;
}

/** A fetched partition with its log; `erroneous` ones (no such topic or partition) are never read. */
export interface ResolvedPartition extends Wanted {
  erroneous: boolean;
}

/** Topic lookups for one request, remembering the last topic found: partitions come topic by topic. */
export interface TopicLookup {
  byId(topicId: string): TopicImage | undefined;
  byName(name: string): TopicImage | undefined;
}

export function topicLookup(broker: BrokerContext): TopicLookup {
  const topics = broker.topics;
  let lastId: string | undefined;
  let lastById: TopicImage | undefined;
  return {
    byId(topicId) {
      if (topicId !== lastId) {
        lastId = topicId;
        lastById = topics.getById(topicId);
      }
      return lastById;
    },
    byName: (name) => topics.get(name),
  };
}

/**
 * Finds `p`'s log. A session's partition keeps the name it was first resolved to, so a topic deleted
 * since is UNKNOWN_TOPIC_OR_PARTITION and one re-created under the name is INCONSISTENT_TOPIC_ID.
 */
export function resolvePartition(ctx: RequestContext, topics: TopicLookup, p: FetchPartition, usesTopicIds: boolean, replica?: FollowerReplica, rackId = ''): ResolvedPartition {
  const out: ResolvedPartition = { partition: p.partition, fetchOffset: p.fetchOffset, maxBytes: p.maxBytes, log: undefined, errorCode: ErrorCode.NONE, erroneous: false };
  let name = p.topic;
  if (usesTopicIds) {
    const info = topics.byId(p.topicId);
    if (info) {
      if (p.topic === null) p.topic = info.name;
      name = info.name;
    } else if (p.topic === null) {
      return { ...out, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, erroneous: true };
    } else if (topics.byName(p.topic)) {
      return { ...out, errorCode: ErrorCode.INCONSISTENT_TOPIC_ID };
    } else {
      return { ...out, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, erroneous: true };
    }
  }
  // A follower needs CLUSTER_ACTION, a consumer READ on the topic (Kafka answers both TOPIC_AUTHORIZATION_FAILED).
  if (name !== null && !(replica ? clusterAuthorized(ctx, Op.CLUSTER_ACTION) : authorized(ctx, Op.READ, Resource.TOPIC, name))) {
    return { ...out, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, erroneous: true };
  }
  const log = name === null ? undefined : ctx.broker.partitionLog(name, p.partition);
  if (!log) {
    // Kafka: a partition the image has on other brokers only is NOT_LEADER_OR_FOLLOWER (refresh metadata).
    const known = name !== null && ctx.broker.replicas && ctx.broker.image.topics.get(name)?.registrations.has(p.partition);
    if (known) return { ...out, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
    return { ...out, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, erroneous: true };
  }
  out.log = log;
  const replicas = ctx.broker.replicas;
  if (!replicas || replica) out.errorCode = leaderEpochError(log, p.currentLeaderEpoch);
  if (!replicas || out.errorCode !== ErrorCode.NONE) return out;
  if (replica) {
    // A follower reads up to the log end; its fetch offset is how far its log got.
    const f = replicas.followerFetch(log.topic, p.partition, replica.replicaId, replica.brokerEpoch, p.fetchOffset, p.lastFetchedEpoch ?? -1, p.logStartOffset ?? -1);
    out.errorCode = f.errorCode;
    out.divergingEpoch = f.divergingEpoch;
    out.throttle = f.throttle;
    out.isolation = 'logEnd';
  } else {
    // Cluster mode: the epoch is the partition's (a follower's log may not have seen it yet);
    // from v11 a follower serves consumers too, up to its high watermark (Kafka's FetchParams).
    out.errorCode = replicas.checkFetch(log.topic, p.partition, p.currentLeaderEpoch, ctx.apiVersion >= 11).errorCode;
    if (out.errorCode === ErrorCode.NONE && ctx.apiVersion >= 11 && replicas.preferredReadReplica) {
      const preferred = replicas.preferredReadReplica(log.topic, p.partition, rackId, ctx.listenerName, p.fetchOffset);
      if (preferred >= 0) out.preferredReadReplica = preferred;
    }
  }
  return out;
}
