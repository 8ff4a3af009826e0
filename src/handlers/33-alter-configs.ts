// AlterConfigs (key 33), v0-2: the legacy form, where the configs given replace every dynamic
// override of the resource. Topics and this broker (or "" for cluster-wide defaults); a resource
// named twice gets INVALID_REQUEST for each entry; validate_only checks without writing.
import { AlterConfigsRequest } from '../protocol/generated/alter-configs-request.js';
import { AlterConfigsResponse } from '../protocol/generated/alter-configs-response.js';
import { duplicateResources } from '../metadata/config-resources.js';
import { defineHandler } from './handler.js';
import { configResourceError, Op } from './authorize.js';
import { ErrorCode } from '../protocol/errors.js';

export default defineHandler<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: 33,
  minVersion: 0,
  maxVersion: 2,
  request: AlterConfigsRequest,
  response: AlterConfigsResponse,
  async handle(ctx, req) {
    const { unique: requested, duplicates } = duplicateResources(req.resources);
    // ALTER_CONFIGS on the topic or group, or on the cluster for broker and client-metrics resources (Kafka's ConfigHelper).
    const denied: { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }[] = [];
    const unique = requested.filter((r) => {
      const errorCode = configResourceError(ctx, Op.ALTER_CONFIGS, r.resourceType, r.resourceName);
      if (errorCode !== ErrorCode.NONE) denied.push({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName });
      return errorCode === ErrorCode.NONE;
    });
    const done = await ctx.broker.controller.legacyAlterConfigs(unique, req.validateOnly);
    return { throttleTimeMs: 0, responses: [...duplicates, ...denied, ...done] };
  },
});
