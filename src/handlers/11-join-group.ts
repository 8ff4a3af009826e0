// JoinGroup (key 11), v0-9: the classic group protocol's join phase, served by the group
// coordinator. v0 has no rebalance timeout (the session timeout stands in), v4+ gets
// MEMBER_ID_REQUIRED on a first join, v5+ carries group.instance.id, v9 may skip assignment.
// Before v7 the protocol name is not nullable ("" when none); from v7 "" is sent as null.
import { JoinGroupRequest } from '../protocol/generated/join-group-request.js';
import { JoinGroupResponse } from '../protocol/generated/join-group-response.js';
import { defineHandler } from './handler.js';
import { clientHostOf } from '../coordinator/group/client-host.js';
import { authorized, Op, Resource } from './authorize.js';
import { ErrorCode } from '../protocol/errors.js';

export default defineHandler<JoinGroupRequest, JoinGroupResponse>({
  apiKey: 11,
  minVersion: 0,
  maxVersion: 9,
  request: JoinGroupRequest,
  response: JoinGroupResponse,
  async handle(ctx, req) {
    if (!authorized(ctx, Op.READ, Resource.GROUP, req.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, generationId: -1, protocolType: null, protocolName: ctx.apiVersion < 7 ? '' : null, leader: '', skipAssignment: false, memberId: '', members: [] };
    }
    if (ctx.apiVersion === 0) req.rebalanceTimeoutMs = req.sessionTimeoutMs;
    const res = await ctx.broker.groups.joinGroup(req, {
      clientId: ctx.clientId ?? '',
      clientHost: clientHostOf(ctx.peer),
      apiVersion: ctx.apiVersion,
    });
    if (ctx.apiVersion < 7) res.protocolName ??= '';
    else if (res.protocolName === '') res.protocolName = null;
    return { throttleTimeMs: 0, ...res };
  },
});
