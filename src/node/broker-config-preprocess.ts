// What a broker answers itself before forwarding IncrementalAlterConfigs / AlterConfigs to the
// active controller (Kafka's ConfigAdminManager.preprocess): a BROKER resource naming another
// broker (or no integer) is refused here, the controller taking any broker's resource. A refused
// resource with duplicate keys or null values gets that error first, as Kafka checks those before
// the id. The other resources are forwarded; the answer keeps the request's order.
import type { RequestInfo, ServedApi } from '../network/api.js';
import { ResourceType } from '../metadata/records.js';
import { ErrorCode } from '../protocol/errors.js';

interface Resource {
  resourceType: number;
  resourceName: string;
  configs: { name: string; value: string | null; configOperation?: number }[];
}

interface ResourceAnswer {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

const DELETE = 1;

/** Kafka's validateResourceNameIsCurrentNodeId for a named BROKER resource; null when it may be forwarded. */
export function brokerIdError(r: Resource, nodeId: number): string | null {
  if (r.resourceType !== ResourceType.BROKER || r.resourceName === '') return null;
  if (!/^-?\d+$/.test(r.resourceName)) return `Node id must be an integer, but it is: ${r.resourceName}`;
  if (Number(r.resourceName) !== nodeId) return `Unexpected broker id, expected ${nodeId}, but received ${r.resourceName}`;
  return null;
}

function requestError(r: Resource): string | null {
  if (new Set(r.configs.map((c) => c.name)).size !== r.configs.length) return 'Error due to duplicate config keys';
  const nulls = r.configs.filter((c) => c.configOperation !== DELETE && c.value === null).map((c) => c.name);
  return nulls.length > 0 ? `Null value not supported for : ${nulls.join(', ')}` : null;
}

/** `api` (forwarding) with the resources this broker refuses answered here. */
export function withBrokerPreprocess<Ctx extends RequestInfo>(api: ServedApi<Ctx>, nodeId: number): ServedApi<Ctx> {
  return {
    ...api,
    handle: async (ctx: Ctx, req: { resources: Resource[] }) => {
      const local = new Map<number, ResourceAnswer>();
      req.resources.forEach((r, i) => {
        const id = brokerIdError(r, nodeId);
        if (id) local.set(i, { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: requestError(r) ?? id, resourceType: r.resourceType, resourceName: r.resourceName });
      });
      if (local.size === 0) return api.handle(ctx, req);
      const remaining = req.resources.filter((_, i) => !local.has(i));
      const forwarded = (remaining.length > 0 ? await api.handle(ctx, { ...req, resources: remaining }) : { throttleTimeMs: 0, responses: [] }) as { responses: ResourceAnswer[] } | undefined;
      if (!forwarded) return undefined;
      const pool = [...forwarded.responses];
      const responses: ResourceAnswer[] = [];
      req.resources.forEach((r, i) => {
        const mine = local.get(i);
        if (mine) return void responses.push(mine);
        const at = pool.findIndex((a) => a.resourceType === r.resourceType && a.resourceName === r.resourceName);
        if (at >= 0) responses.push(...pool.splice(at, 1));
      });
      return { ...forwarded, responses };
    },
  };
}
