// Heartbeat (key 12), v0-4: keeps a classic group member's session alive and tells it when a
// rebalance is under way (REBALANCE_IN_PROGRESS). v3+ carries group.instance.id.
import { HeartbeatRequest } from '../protocol/generated/heartbeat-request.js';
import { HeartbeatResponse } from '../protocol/generated/heartbeat-response.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';
import { ErrorCode } from '../protocol/errors.js';

export default defineHandler<HeartbeatRequest, HeartbeatResponse>({
  apiKey: 12,
  minVersion: 0,
  maxVersion: 4,
  request: HeartbeatRequest,
  response: HeartbeatResponse,
  handle(ctx, req) {
    if (!authorized(ctx, Op.READ, Resource.GROUP, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    return { throttleTimeMs: 0, errorCode: ctx.broker.groups.heartbeat(req) };
  },
});
