// SyncGroup (key 14), v0-5: the leader hands in the generation's assignment (opaque bytes per
// member) and every member receives its own. v3+ carries group.instance.id; v5+ must name the
// protocol type and name, else INCONSISTENT_GROUP_PROTOCOL (KIP-559).
import { SyncGroupRequest } from '../protocol/generated/sync-group-request.js';
import { SyncGroupResponse } from '../protocol/generated/sync-group-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';

export default defineHandler<SyncGroupRequest, SyncGroupResponse>({
  apiKey: 14,
  minVersion: 0,
  maxVersion: 5,
  request: SyncGroupRequest,
  response: SyncGroupResponse,
  async handle(ctx, req) {
    if (!authorized(ctx, Op.READ, Resource.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    }
    if (ctx.apiVersion >= 5 && (req.protocolType == null || req.protocolName == null)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    }
    return { throttleTimeMs: 0, ...(await ctx.broker.groups.syncGroup(req)) };
  },
});
