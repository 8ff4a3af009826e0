// LeaveGroup (key 13), v0-5. v0-2 name one member and carry one error code (the top-level
// error, else the member's); v3+ remove a batch of members, static ones also by instance id alone.
import { LeaveGroupRequest } from '../protocol/generated/leave-group-request.js';
import { LeaveGroupResponse } from '../protocol/generated/leave-group-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';

export default defineHandler<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: 13,
  minVersion: 0,
  maxVersion: 5,
  request: LeaveGroupRequest,
  response: LeaveGroupResponse,
  handle(ctx, req) {
    if (!authorized(ctx, Op.READ, Resource.GROUP, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    const leaving =
      ctx.apiVersion >= 3
        ? (req.members ?? []).map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, reason: m.reason ?? null }))
        : [{ memberId: req.memberId ?? '', groupInstanceId: null }];
    const result = ctx.broker.groups.leaveGroup(req.groupId, leaving);
    if (ctx.apiVersion >= 3) return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
    const memberError = result.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
    return { throttleTimeMs: 0, errorCode: result.errorCode !== ErrorCode.NONE ? result.errorCode : memberError };
  },
});
