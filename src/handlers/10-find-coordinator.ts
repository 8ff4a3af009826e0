// FindCoordinator (key 10), v0-6. A lone broker coordinates every group and transactional id; in
// a cluster a group's coordinator is the leader of its __consumer_offsets partition, a
// transactional id's the leader of its __transaction_state partition, a share-partition key's
// (key type 2, v6+, "groupId:topicId:partition") the leader of its __share_group_state partition
// (COORDINATOR_NOT_AVAILABLE while there is none); v4+ answers a batch of keys. The first lookup of each kind creates its
// topic, as in Kafka; samsa waits for that (milliseconds) instead of answering
// COORDINATOR_NOT_AVAILABLE meanwhile, which clients would only retry.
// Kafka fills errorMessage with the error's message, "NONE" on success.
import type { RequestContext } from './handler.js';
import { FindCoordinatorRequest } from '../protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../protocol/generated/find-coordinator-response.js';
import { ErrorCode, errorMessage, errorName } from '../protocol/errors.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;
const KEY_TYPE_SHARE = 2;

interface Coordinator {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

export default defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: 10,
  minVersion: 0,
  maxVersion: 6,
  request: FindCoordinatorRequest,
  response: FindCoordinatorResponse,
  async handle(ctx, req) {
    const keyType = req.keyType ?? KEY_TYPE_GROUP;
    if (keyType === KEY_TYPE_GROUP) await ctx.broker.groups.activate().catch(() => {});
    if (keyType === KEY_TYPE_TRANSACTION) await ctx.broker.transactions.activate().catch(() => {});
    if (keyType === KEY_TYPE_SHARE) await ctx.broker.shareCoordinator.activate().catch(() => {});
    if (ctx.apiVersion >= 4) {
      return {
        throttleTimeMs: 0,
        coordinators: (req.coordinatorKeys ?? []).map((key) => ({ key, ...coordinatorFor(ctx, keyType, key) })),
      };
    }
    return { throttleTimeMs: 0, ...coordinatorFor(ctx, keyType, req.key ?? '') };
  },
});

function coordinatorFor(ctx: RequestContext, keyType: number, key: string): Coordinator {
  const broker = ctx.broker;
  // DESCRIBE on the group or transactional id (Kafka's FindCoordinator authorization).
  if (keyType === KEY_TYPE_GROUP && !authorized(ctx, Op.DESCRIBE, Resource.GROUP, key)) return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage(ErrorCode.GROUP_AUTHORIZATION_FAILED));
  if (keyType === KEY_TYPE_TRANSACTION && !authorized(ctx, Op.DESCRIBE, Resource.TRANSACTIONAL_ID, key)) return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, errorMessage(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
  if (keyType !== KEY_TYPE_GROUP && keyType !== KEY_TYPE_TRANSACTION && keyType !== KEY_TYPE_SHARE) {
    return failed(ErrorCode.INVALID_REQUEST, `Unknown coordinator type: ${keyType}`);
  }
  if (keyType === KEY_TYPE_SHARE) {
    // Share keys need v6+; a key is "groupId:topicId:partition" (Kafka's SharePartitionKey).
    const shareKey = ctx.apiVersion >= 6 ? parseShareKey(key) : null;
    if (shareKey === null) return failed(ErrorCode.INVALID_REQUEST, errorMessage(ErrorCode.INVALID_REQUEST));
    key = shareKey;
  }
  const internalTopic = keyType === KEY_TYPE_GROUP ? '__consumer_offsets' : keyType === KEY_TYPE_TRANSACTION ? '__transaction_state' : '__share_group_state';
  if (!broker.topics.get(internalTopic)) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  const leaderId =
    keyType === KEY_TYPE_GROUP ? broker.groups.coordinatorId(key) : keyType === KEY_TYPE_TRANSACTION ? broker.transactions.coordinatorId(key) : broker.shareCoordinator.coordinatorId(key);
  if (leaderId !== null) return leaderEndpoint(ctx, leaderId);
  const own = broker.advertisedEndpointOf?.(ctx.listenerName) ?? { host: broker.advertisedHost, port: broker.advertisedPort };
  return { errorCode: ErrorCode.NONE, errorMessage: errorName(ErrorCode.NONE), nodeId: broker.nodeId, host: own.host, port: own.port };
}

function failed(errorCode: number, errorMessage: string): Coordinator {
  return { errorCode, errorMessage, nodeId: -1, host: '', port: -1 };
}

/** The group's partition leader on the listener the request came in on (Kafka answers with that listener's endpoint). */
function leaderEndpoint(ctx: RequestContext, leaderId: number): Coordinator {
  const e = leaderId >= 0 ? ctx.broker.replicas?.endpoint(leaderId, ctx.listenerName) : null;
  if (!e) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  return { errorCode: ErrorCode.NONE, errorMessage: errorName(ErrorCode.NONE), nodeId: e.nodeId, host: e.host, port: e.port };
}

/** A share key as Kafka reformats it ("%s:%s:%d"), or null when SharePartitionKey.getInstance would refuse it. */
function parseShareKey(key: string): string | null {
  const parts = key.split(':');
  if (parts.length < 3) return null;
  const groupId = parts.slice(0, -2).join(':');
  const topicId = parts[parts.length - 2];
  const partition = parts[parts.length - 1];
  if (groupId.trim() === '') return null;
  if (!/^[A-Za-z0-9_-]{22}$/.test(topicId) || Buffer.from(topicId, 'base64url').length !== 16) return null;
  if (!/^[-+]?\d+$/.test(partition) || !Number.isSafeInteger(Number(partition)) || Math.abs(Number(partition)) > 2147483647) return null;
  return `${groupId}:${topicId}:${Number(partition)}`;
}
