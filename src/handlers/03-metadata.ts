// Metadata (key 3), v0-13. Describes this single broker and the requested topics (all when
// the topic list is null), creating unknown topics when both the request (v4+) and
// auto.create.topics.enable allow it. v12+ may name topics by id; v10-11 carry the id field but
// a request using it (or a null name) fails as a whole with INVALID_REQUEST, as in Kafka. v13
// adds a top-level error code, which Kafka sets (beside each topic's) only when the whole
// request fails.
import type { BrokerContext } from './context.js';
import { MetadataRequest } from '../protocol/generated/metadata-request.js';
import { MetadataResponse } from '../protocol/generated/metadata-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { invalidTopicNameReason, isInternalTopic } from '../metadata/topic-name.js';
import type { TopicInfo } from '../metadata/topic-store.js';
import { ZERO_UUID } from '../metadata/uuid.js';
import { KafkaError } from '../storage/types.js';
import { defineHandler } from './handler.js';
import { authorized, authorizedOperations, clusterAuthorized, CLUSTER_OPERATIONS, Op, Resource, TOPIC_OPERATIONS } from './authorize.js';

type TopicResult = MetadataResponse['topics'][number];
const NO_OPERATIONS = -2147483648;
const ALL_TOPIC_OPERATIONS = 3576;
const ALL_CLUSTER_OPERATIONS = 8096;

export default defineHandler<MetadataRequest, MetadataResponse>({
  apiKey: 3,
  minVersion: 0,
  maxVersion: 13,
  request: MetadataRequest,
  response: MetadataResponse,
  async handle(ctx, req) {
    const broker = ctx.broker;
    const topics: TopicResult[] = [];
    if (req.topics === null || (ctx.apiVersion === 0 && req.topics.length === 0)) {
      // Topics the principal may not describe are left out of an all-topics answer.
      for (const t of broker.topics.all()) if (authorized(ctx, Op.DESCRIBE, Resource.TOPIC, t.name)) topics.push(describe(broker, t));
    } else if (ctx.apiVersion < 12 && req.topics.some((t) => t.name === null || (t.topicId ?? ZERO_UUID) !== ZERO_UUID)) {
      return failedRequest(req, ErrorCode.INVALID_REQUEST);
    } else {
      const autoCreate = (req.allowAutoTopicCreation ?? true) && broker.config.bool('auto.create.topics.enable');
      for (const wanted of req.topics) {
        const name = wanted.name ?? broker.topics.getById(wanted.topicId ?? ZERO_UUID)?.name;
        if (name && !authorized(ctx, Op.DESCRIBE, Resource.TOPIC, name)) {
          topics.push(failed(wanted.name, wanted.name ? ZERO_UUID : (wanted.topicId ?? ZERO_UUID), ErrorCode.TOPIC_AUTHORIZATION_FAILED));
          continue;
        }
        // Auto-creation needs CREATE on the cluster or the topic.
        const mayCreate = autoCreate && !!name && (clusterAuthorized(ctx, Op.CREATE) || authorized(ctx, Op.CREATE, Resource.TOPIC, name));
        if (autoCreate && !mayCreate && name && !broker.topics.get(name) && !invalidTopicNameReason(name)) {
          topics.push(failed(name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
          continue;
        }
        topics.push(await lookup(broker, wanted.name, wanted.topicId ?? ZERO_UUID, mayCreate));
      }
    }
    // Without an authorizer Kafka reports every operation as allowed when asked (v8+).
    if (req.includeTopicAuthorizedOperations) {
      for (const t of topics) {
        if (!broker.authorizer) t.topicAuthorizedOperations = ALL_TOPIC_OPERATIONS;
        else if (t.errorCode === ErrorCode.NONE) t.topicAuthorizedOperations = authorizedOperations(ctx, Resource.TOPIC, t.name!, TOPIC_OPERATIONS);
      }
    }
    const brokers = broker.replicas ? clusterBrokers(broker, ctx.listenerName) : [{ nodeId: broker.nodeId, ...ownEndpoint(broker, ctx.listenerName), rack: null }];
    return {
      throttleTimeMs: 0,
      brokers,
      clusterId: broker.clusterId,
      // KRaft's Metadata names an alive broker as controller (clients send admin requests there).
      controllerId: brokers.some((b) => b.nodeId === broker.nodeId) ? broker.nodeId : (brokers[0]?.nodeId ?? -1),
      topics,
      clusterAuthorizedOperations: !req.includeClusterAuthorizedOperations ? NO_OPERATIONS : broker.authorizer ? authorizedOperations(ctx, Resource.CLUSTER, 'kafka-cluster', CLUSTER_OPERATIONS) : ALL_CLUSTER_OPERATIONS,
      errorCode: ErrorCode.NONE,
    };
  },
});

/** Kafka's answer to a request that fails as a whole: every requested topic with the error, no brokers. */
function failedRequest(req: MetadataRequest, errorCode: number): MetadataResponse {
  return {
    throttleTimeMs: 0,
    brokers: [],
    clusterId: null,
    controllerId: -1,
    topics: (req.topics ?? []).map((t) => failed(t.name ?? '', t.topicId ?? ZERO_UUID, errorCode)),
    clusterAuthorizedOperations: NO_OPERATIONS,
    errorCode,
  };
}

async function lookup(broker: BrokerContext, name: string | null, topicId: string, autoCreate: boolean): Promise<TopicResult> {
  if (name === null || name === '') {
    const byId = topicId !== ZERO_UUID ? broker.topics.getById(topicId) : undefined;
    if (byId) return describe(broker, byId);
    return failed(name, topicId, ErrorCode.UNKNOWN_TOPIC_ID);
  }
  const existing = broker.topics.get(name);
  if (existing) return describe(broker, existing);
  if (invalidTopicNameReason(name)) return failed(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION);
  if (!autoCreate || isInternalTopic(name)) return failed(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  try {
    return describe(broker, await broker.createTopic(name, broker.config.number('num.partitions'), {}));
  } catch (e) {
    // The controller refused it (e.g. default.replication.factor above the broker count).
    if (e instanceof KafkaError) return failed(name, ZERO_UUID, e.errorCode);
    throw e;
  }
}

function failed(name: string | null, topicId: string, errorCode: number): TopicResult {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: NO_OPERATIONS,
  };
}

/** Cluster mode: the unfenced brokers with an endpoint on this listener, as Kafka's metadata cache lists them. */
/** A lone broker's endpoint on the request's listener. */
function ownEndpoint(broker: BrokerContext, listenerName: string): { host: string; port: number } {
  return broker.advertisedEndpointOf?.(listenerName) ?? { host: broker.advertisedHost, port: broker.advertisedPort };
}

function clusterBrokers(broker: BrokerContext, listenerName: string): MetadataResponse['brokers'] {
  const out: MetadataResponse['brokers'] = [];
  for (const b of broker.image.cluster.brokers.values()) {
    const e = b.fenced ? undefined : b.endpoints.find((x) => x.name === listenerName);
    if (e) out.push({ nodeId: b.id, host: e.host, port: e.port, rack: b.rack });
  }
  return out.sort((a, b) => a.nodeId - b.nodeId);
}

function describe(broker: BrokerContext, t: TopicInfo): TopicResult {
  const partitions: TopicResult['partitions'] = [];
  // Cluster mode: leaders, replicas and ISR as the controller placed them.
  const registrations = broker.replicas ? broker.image.topics.get(t.name)?.registrations : undefined;
  for (let p = 0; p < t.partitions; p++) {
    const reg = registrations?.get(p);
    if (reg) {
      partitions.push({
        errorCode: reg.leader >= 0 ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
        partitionIndex: p,
        leaderId: reg.leader,
        leaderEpoch: reg.leaderEpoch,
        replicaNodes: [...reg.replicas],
        isrNodes: [...reg.isr],
        offlineReplicas: [],
      });
      continue;
    }
    const log = broker.partitionLog(t.name, p);
    partitions.push({
      errorCode: log ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
      partitionIndex: p,
      leaderId: log ? broker.nodeId : -1,
      leaderEpoch: log?.leaderEpoch ?? -1,
      replicaNodes: [broker.nodeId],
      isrNodes: [broker.nodeId],
      offlineReplicas: [],
    });
  }
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: isInternalTopic(t.name),
    partitions,
    topicAuthorizedOperations: NO_OPERATIONS,
  };
}
