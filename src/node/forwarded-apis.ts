// The admin APIs a broker in a cluster forwards to the active controller (Kafka's KafkaApis
// maybeForwardToController / forwardToControllerOrFail), each at the versions the broker's own
// handler serves, with the error response Kafka's AbstractRequest.getErrorResponse builds when the
// controller could not answer (REQUEST_TIMED_OUT after the request timeout, UNKNOWN_SERVER_ERROR).
import type { Handler } from '../handlers/handler.js';
import type { ApiRegistry, RequestInfo, ServedApi } from '../network/api.js';
import type { ForwardedApi, ForwardingManager } from '../network/forwarding.js';
import { ZERO_UUID } from '../metadata/uuid.js';
import createTopics from '../handlers/19-create-topics.js';
import deleteTopics from '../handlers/20-delete-topics.js';
import alterConfigs from '../handlers/33-alter-configs.js';
import createPartitions from '../handlers/37-create-partitions.js';
import electLeaders from '../handlers/43-elect-leaders.js';
import incrementalAlterConfigs from '../handlers/44-incremental-alter-configs.js';
import alterPartitionReassignments from '../handlers/45-alter-partition-reassignments.js';
import listPartitionReassignments from '../handlers/46-list-partition-reassignments.js';
import describeQuorum from '../handlers/55-describe-quorum.js';
import updateFeatures from '../handlers/57-update-features.js';
import alterUserScramCredentials from '../handlers/51-alter-user-scram-credentials.js';
import alterClientQuotas from '../handlers/49-alter-client-quotas.js';
import createAcls from '../handlers/30-create-acls.js';
import deleteAcls from '../handlers/31-delete-acls.js';
import createDelegationToken from '../handlers/38-create-delegation-token.js';
import renewDelegationToken from '../handlers/39-renew-delegation-token.js';
import expireDelegationToken from '../handlers/40-expire-delegation-token.js';
import { allowTokenRequests } from '../security/tokens/token-control.js';
import { withBrokerPreprocess } from './broker-config-preprocess.js';
import { UnregisterBrokerRequest } from '../protocol/generated/unregister-broker-request.js';
import { UnregisterBrokerResponse } from '../protocol/generated/unregister-broker-response.js';

function forwarded<Req, Res>(h: Handler<Req, Res, any>, errorResponse: (req: Req, errorCode: number, version: number) => Res): ForwardedApi<Req, Res> {
  return {
    apiKey: h.apiKey,
    minVersion: h.minVersion,
    maxVersion: h.maxVersion,
    advertisedMinVersion: h.advertisedMinVersion,
    request: h.request as ForwardedApi<Req, Res>['request'],
    response: h.response as ForwardedApi<Req, Res>['response'],
    errorResponse,
  };
}

export const FORWARDED_APIS: readonly ForwardedApi[] = [
  forwarded(createTopics, (req, errorCode) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, topicId: ZERO_UUID, errorCode, errorMessage: null, numPartitions: -1, replicationFactor: -1, configs: null })),
  })),
  forwarded(deleteTopics, (req, errorCode) => ({
    throttleTimeMs: 0,
    responses: req.topics
      ? req.topics.map((t) => ({ name: t.name, topicId: t.topicId, errorCode, errorMessage: null }))
      : (req.topicNames ?? []).map((name) => ({ name, topicId: ZERO_UUID, errorCode, errorMessage: null })),
  })),
  forwarded(alterConfigs, (req, errorCode) => ({
    throttleTimeMs: 0,
    responses: req.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })),
  })),
  forwarded(createPartitions, (req, errorCode) => ({
    throttleTimeMs: 0,
    results: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
  })),
  forwarded(electLeaders, (req, errorCode, version) => ({
    throttleTimeMs: 0,
    ...(version >= 1 ? { errorCode } : {}),
    replicaElectionResults: (req.topicPartitions ?? []).map((t) => ({
      topic: t.topic,
      partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode, errorMessage: null })),
    })),
  })),
  forwarded(incrementalAlterConfigs, (req, errorCode) => ({
    throttleTimeMs: 0,
    responses: req.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })),
  })),
  forwarded(alterPartitionReassignments, (req, errorCode) => ({
    throttleTimeMs: 0,
    allowReplicationFactorChange: req.allowReplicationFactorChange ?? true,
    errorCode,
    errorMessage: null,
    responses: [],
  })),
  forwarded(listPartitionReassignments, (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, topics: [] })),
  forwarded(describeQuorum, (_req, errorCode) => ({ errorCode, errorMessage: null, topics: [], nodes: [] })),
  forwarded(updateFeatures, (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, results: [] })),
  forwarded(alterUserScramCredentials, (req, errorCode) => ({
    throttleTimeMs: 0,
    results: [...new Set([...req.deletions, ...req.upsertions].map((c) => c.name))].map((user) => ({ user, errorCode, errorMessage: null })),
  })),
  forwarded(alterClientQuotas, (req, errorCode) => ({
    throttleTimeMs: 0,
    entries: req.entries.map((e) => ({ errorCode, errorMessage: null, entity: e.entity.map((x) => ({ entityType: x.entityType, entityName: x.entityName })) })),
  })),
  forwarded(createAcls, (req, errorCode) => ({ throttleTimeMs: 0, results: req.creations.map(() => ({ errorCode, errorMessage: null })) })),
  forwarded(deleteAcls, (req, errorCode) => ({ throttleTimeMs: 0, filterResults: req.filters.map(() => ({ errorCode, errorMessage: null, matchingAcls: [] })) })),
  forwarded(createDelegationToken, (req, errorCode) => ({
    errorCode,
    principalType: req.ownerPrincipalType ?? '',
    principalName: req.ownerPrincipalName ?? '',
    tokenRequesterPrincipalType: '',
    tokenRequesterPrincipalName: '',
    issueTimestampMs: -1,
    expiryTimestampMs: -1,
    maxTimestampMs: -1,
    tokenId: '',
    hmac: Buffer.alloc(0),
    throttleTimeMs: 0,
  })),
  forwarded(renewDelegationToken, (_req, errorCode) => ({ errorCode, expiryTimestampMs: -1, throttleTimeMs: 0 })),
  forwarded(expireDelegationToken, (_req, errorCode) => ({ errorCode, expiryTimestampMs: -1, throttleTimeMs: 0 })),
  // A broker serves UnregisterBroker only by forwarding it (Kafka's forwardToControllerOrFail).
  {
    apiKey: 64,
    minVersion: 0,
    maxVersion: 0,
    request: UnregisterBrokerRequest,
    response: UnregisterBrokerResponse,
    errorResponse: (_req: UnregisterBrokerRequest, errorCode: number): UnregisterBrokerResponse => ({ throttleTimeMs: 0, errorCode, errorMessage: null }),
  },
];

/**
 * A broker listener's registry in a cluster: the same APIs, but those Kafka forwards go to the
 * active controller through `forwarding` (UnregisterBroker added: a broker serves it only so).
 */
export function withForwarding<Ctx extends RequestInfo>(registry: ApiRegistry<Ctx>, forwarding: ForwardingManager, nodeId?: number): ApiRegistry<Ctx> {
  const out = new Map<number, ServedApi<Ctx>>(registry);
  for (const api of FORWARDED_APIS) {
    const served = forwarding.served<Ctx, unknown, unknown>(api);
    // Config changes naming another broker are refused here, before forwarding (the controller takes any).
    const preprocess = nodeId !== undefined && (api.apiKey === incrementalAlterConfigs.apiKey || api.apiKey === alterConfigs.apiKey);
    const tokens = TOKEN_HANDLERS.get(api.apiKey);
    out.set(api.apiKey, preprocess ? withBrokerPreprocess(served, nodeId) : tokens ? withTokenPrecheck(served, tokens) : served);
  }
  return out;
}

const TOKEN_HANDLERS = new Map<number, Handler<any, any, any>>([createDelegationToken, renewDelegationToken, expireDelegationToken].map((h) => [h.apiKey, h]));

/**
 * Token requests from a connection that may not ask for tokens (PLAINTEXT, one-way SSL) are refused by
 * the broker itself, as Kafka's KafkaApis does before forwarding: the controller sees only the listener
 * the forward came on. The broker's own handler answers the refusal (it touches no controller then).
 */
function withTokenPrecheck<Ctx extends RequestInfo>(served: ServedApi<Ctx>, local: Handler<any, any, any>): ServedApi<Ctx> {
  return {
    ...served,
    handle: (ctx: Ctx, req: unknown) => (allowTokenRequests(ctx.securityProtocol, ctx.principal) ? served.handle(ctx, req) : local.handle(ctx as never, req)),
  };
}
