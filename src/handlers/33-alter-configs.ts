// AlterConfigs (key 33), v0-2: the legacy form, where the configs given replace every dynamic
// override of the resource. Topics and this broker (or "" for cluster-wide defaults); a resource
// named twice gets INVALID_REQUEST for each entry; validate_only checks without writing.
import { AlterConfigsRequest } from '../protocol/generated/alter-configs-request.js';
import { AlterConfigsResponse } from '../protocol/generated/alter-configs-response.js';
import { duplicateResources } from '../metadata/config-resources.js';
import { defineHandler } from './handler.js';

export default defineHandler<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: 33,
  minVersion: 0,
  maxVersion: 2,
  request: AlterConfigsRequest,
  response: AlterConfigsResponse,
  async handle(ctx, req) {
    const { unique, duplicates } = duplicateResources(req.resources);
    const done = await ctx.broker.controller.legacyAlterConfigs(unique, req.validateOnly);
    return { throttleTimeMs: 0, responses: [...duplicates, ...done] };
  },
});
