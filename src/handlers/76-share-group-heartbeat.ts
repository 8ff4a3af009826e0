// ShareGroupHeartbeat (key 76), v1 (KIP-932): a share group member joins (epoch 0), heartbeats or
// leaves (epoch -1) and receives its assignment; served by the group coordinator's share groups.
import { ShareGroupHeartbeatRequest } from '../protocol/generated/share-group-heartbeat-request.js';
import { ShareGroupHeartbeatResponse } from '../protocol/generated/share-group-heartbeat-response.js';
import { clientHostOf } from '../coordinator/group/client-host.js';
import { defineHandler } from './handler.js';

export default defineHandler<ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse>({
  apiKey: 76,
  minVersion: 1,
  maxVersion: 1,
  request: ShareGroupHeartbeatRequest,
  response: ShareGroupHeartbeatResponse,
  handle(ctx, req) {
    return ctx.broker.groups.shareGroups.heartbeat(req, { clientId: ctx.clientId ?? '', clientHost: clientHostOf(ctx.peer) });
  },
});
