// IncrementalAlterConfigs (key 44), v0-1 (KIP-339): per config SET, DELETE, APPEND or SUBTRACT
// (the last two for list configs, starting from the default when unset). Topics and this broker
// (or "" for cluster-wide defaults); a resource named twice gets INVALID_REQUEST for each entry;
// validate_only checks without writing.
import { IncrementalAlterConfigsRequest } from '../protocol/generated/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../protocol/generated/incremental-alter-configs-response.js';
import { duplicateResources } from '../metadata/config-resources.js';
import { defineHandler } from './handler.js';
import { configResourceError, Op } from './authorize.js';
import { ErrorCode } from '../protocol/errors.js';

export default defineHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>({
  apiKey: 44,
  minVersion: 0,
  maxVersion: 1,
  request: IncrementalAlterConfigsRequest,
  response: IncrementalAlterConfigsResponse,
  async handle(ctx, req) {
    const { unique: requested, duplicates } = duplicateResources(req.resources);
    // ALTER_CONFIGS on the topic or group, or on the cluster for broker and client-metrics resources (Kafka's ConfigHelper).
    const denied: { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }[] = [];
    const unique = requested.filter((r) => {
      const errorCode = configResourceError(ctx, Op.ALTER_CONFIGS, r.resourceType, r.resourceName);
      if (errorCode !== ErrorCode.NONE) denied.push({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName });
      return errorCode === ErrorCode.NONE;
    });
    const changes = unique.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })),
    }));
    const done = await ctx.broker.controller.incrementalAlterConfigs(changes, req.validateOnly);
    return { throttleTimeMs: 0, responses: [...duplicates, ...denied, ...done] };
  },
});
