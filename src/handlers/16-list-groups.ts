// ListGroups (key 16), v0-5: every group this broker coordinates, v4+ filtered by state and
// v5+ by type (both case-insensitive; an empty filter matches all).
import { ListGroupsRequest } from '../protocol/generated/list-groups-request.js';
import { ListGroupsResponse } from '../protocol/generated/list-groups-response.js';
import { defineHandler } from './handler.js';
import { authorized, clusterAuthorized, Op, Resource } from './authorize.js';

export default defineHandler<ListGroupsRequest, ListGroupsResponse>({
  apiKey: 16,
  minVersion: 0,
  maxVersion: 5,
  request: ListGroupsRequest,
  response: ListGroupsResponse,
  handle(ctx, req) {
    const states = ctx.apiVersion >= 4 ? (req.statesFilter ?? []) : [];
    const types = ctx.apiVersion >= 5 ? (req.typesFilter ?? []) : [];
    const listed = ctx.broker.groups.listGroups(states, types);
    // Without CLUSTER DESCRIBE only the groups the principal may describe are listed.
    if (!clusterAuthorized(ctx, Op.DESCRIBE)) listed.groups = listed.groups.filter((g) => authorized(ctx, Op.DESCRIBE, Resource.GROUP, g.groupId));
    return { throttleTimeMs: 0, ...listed };
  },
});
