// DeleteGroups (key 42), v0-2: deletes Empty groups with all their offsets (NON_EMPTY_GROUP
// while members remain, GROUP_ID_NOT_FOUND for unknown groups).
import { DeleteGroupsRequest } from '../protocol/generated/delete-groups-request.js';
import { DeleteGroupsResponse } from '../protocol/generated/delete-groups-response.js';
import { defineHandler } from './handler.js';

export default defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  minVersion: 0,
  maxVersion: 2,
  request: DeleteGroupsRequest,
  response: DeleteGroupsResponse,
  async handle(ctx, req) {
    // A group named twice is deleted once; both entries report that result.
    const unique = [...new Set(req.groupsNames)];
    const byId = new Map((await ctx.broker.groups.deleteGroups(unique)).map((r) => [r.groupId, r.errorCode]));
    return { throttleTimeMs: 0, results: req.groupsNames.map((groupId) => ({ groupId, errorCode: byId.get(groupId)! })) };
  },
});
