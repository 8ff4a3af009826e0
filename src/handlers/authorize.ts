// The one check handlers make before serving a resource (Kafka's AuthHelper.authorize): true with
// no authorizer configured; otherwise the StandardAuthorizer's answer for the request's principal
// and client host, remembered for the rest of the request (one lookup per topic per request).
import { AclOperation, AclResourceType, CLUSTER_NAME } from '../security/acl/acl.js';
import type { StandardAuthorizer } from '../security/acl/authorizer.js';
import { principalString } from '../security/principal.js';
import type { RequestContext } from './handler.js';

export { AclOperation as Op, AclResourceType as Resource } from '../security/acl/acl.js';

const memo = new WeakMap<object, Map<string, boolean>>();

function hostOf(peer: string): string {
  return peer.slice(0, peer.lastIndexOf(':')).replace(/^\[|\]$/g, '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}

/** Whether the request's principal may do `operation` on the resource. */
export function authorized(ctx: RequestContext, operation: number, resourceType: number, name: string): boolean {
  const authorizer: StandardAuthorizer | null | undefined = ctx.broker.authorizer;
  if (!authorizer) return true;
  let seen = memo.get(ctx);
  if (!seen) memo.set(ctx, (seen = new Map()));
  const key = `${operation}\0${resourceType}\0${name}`;
  let ok = seen.get(key);
  if (ok === undefined) {
    ok = authorizer.authorize(principalString(ctx.principal), hostOf(ctx.peer), operation, resourceType, name);
    seen.set(key, ok);
  }
  return ok;
}

export function clusterAuthorized(ctx: RequestContext, operation: number): boolean {
  return authorized(ctx, operation, AclResourceType.CLUSTER, CLUSTER_NAME);
}

/** Kafka's authorizeByResourceType (e.g. TRANSACTIONAL_ID WRITE anywhere for idempotent producers). */
export function authorizedByResourceType(ctx: RequestContext, operation: number, resourceType: number): boolean {
  const authorizer = ctx.broker.authorizer;
  if (!authorizer) return true;
  return authorizer.authorizeByResourceType(principalString(ctx.principal), hostOf(ctx.peer), operation, resourceType);
}

/** Kafka's authorized operations bit field (-2147483648 when not asked for) for one resource. */
export function authorizedOperations(ctx: RequestContext, resourceType: number, name: string, operations: readonly number[]): number {
  let bits = 0;
  for (const op of operations) if (authorized(ctx, op, resourceType, name)) bits |= 1 << op;
  return bits;
}

export const TOPIC_OPERATIONS = [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS];
export const GROUP_OPERATIONS = [AclOperation.READ, AclOperation.DELETE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS];
export const CLUSTER_OPERATIONS = [AclOperation.CREATE, AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE];

/** An inter-broker share-state request refused whole: every partition CLUSTER_AUTHORIZATION_FAILED (CLUSTER_ACTION missing). */
export function shareStateDenied<P extends object>(req: { topics: { topicId: string; partitions: { partition: number }[] }[] }, extra: P) {
  return {
    results: req.topics.map((t) => ({
      topicId: t.topicId,
      partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', ...extra })),
    })),
  };
}

const CLUSTER_AUTHORIZATION_FAILED = 31;

/** A topic named by id: authorized when the principal may, or when no such topic exists (its UNKNOWN_TOPIC_ID comes later). */
export function topicIdAuthorized(ctx: RequestContext, operation: number, topicId: string): boolean {
  if (!ctx.broker.authorizer) return true;
  const name = ctx.broker.topics.getById(topicId)?.name;
  return name === undefined || authorized(ctx, operation, AclResourceType.TOPIC, name);
}

/** A group refused `operation`: Kafka's GROUP_AUTHORIZATION_FAILED (30). */
export function groupDenied(ctx: RequestContext, operation: number, groupId: string): boolean {
  return !authorized(ctx, operation, AclResourceType.GROUP, groupId);
}

/**
 * Kafka's config authorization by resource type: TOPIC on the topic, GROUP on the group, BROKER,
 * BROKER_LOGGER and CLIENT_METRICS on the cluster. NONE when allowed, else the type's error code.
 */
export function configResourceError(ctx: RequestContext, operation: number, resourceType: number, resourceName: string): number {
  switch (resourceType) {
    case 2:
      return authorized(ctx, operation, AclResourceType.TOPIC, resourceName) ? 0 : 29;
    case 32:
      return authorized(ctx, operation, AclResourceType.GROUP, resourceName) ? 0 : 30;
    case 4:
    case 8:
    case 16:
      return clusterAuthorized(ctx, operation) ? 0 : CLUSTER_AUTHORIZATION_FAILED;
    default:
      return 0;
  }
}
