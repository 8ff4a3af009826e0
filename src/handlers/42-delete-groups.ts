// DeleteGroups (key 42), v0-3: deletes Empty groups with all their offsets (NON_EMPTY_GROUP
// while members remain, GROUP_ID_NOT_FOUND for unknown groups). The results are keyed by group:
// one per group however often it is named. v3 adds a per-group error message, which Kafka 4.4
// leaves null for these errors.
import { DeleteGroupsRequest } from '../protocol/generated/delete-groups-request.js';
import { DeleteGroupsResponse } from '../protocol/generated/delete-groups-response.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';
import { ErrorCode } from '../protocol/errors.js';

export default defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  minVersion: 0,
  maxVersion: 3,
  request: DeleteGroupsRequest,
  response: DeleteGroupsResponse,
  async handle(ctx, req) {
    const names = [...new Set(req.groupsNames)];
    // DELETE on each group; the others are GROUP_AUTHORIZATION_FAILED.
    const denied = names.filter((g) => !authorized(ctx, Op.DELETE, Resource.GROUP, g));
    const results = await ctx.broker.groups.deleteGroups(names.filter((g) => !denied.includes(g)));
    const refused = denied.map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null }));
    return { throttleTimeMs: 0, results: [...refused, ...results.map((r) => ({ ...r, errorMessage: null }))] };
  },
});
