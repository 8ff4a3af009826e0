// BrokerHeartbeat (key 63), v0-2, on the controller listener: keeps a broker's session, reports
// how far it replayed the metadata log, and asks to be unfenced, fenced or shut down. The answer
// says whether it caught up with its registration, is fenced, and may shut down now.
import { BrokerHeartbeatRequest } from '../../protocol/generated/broker-heartbeat-request.js';
import { BrokerHeartbeatResponse } from '../../protocol/generated/broker-heartbeat-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { clusterControl, errorCodeOf, type ClusterRequestContext } from './cluster-context.js';

export default defineHandler<BrokerHeartbeatRequest, BrokerHeartbeatResponse, ClusterRequestContext>({
  apiKey: 63,
  minVersion: 0,
  maxVersion: 2,
  request: BrokerHeartbeatRequest,
  response: BrokerHeartbeatResponse,
  async handle(ctx, req) {
    try {
      const r = await clusterControl(ctx).brokerHeartbeat(req);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, isCaughtUp: r.isCaughtUp, isFenced: r.isFenced, shouldShutDown: r.shouldShutDown };
    } catch (e) {
      // The schema's defaults: not caught up, fenced.
      return { throttleTimeMs: 0, errorCode: errorCodeOf(e), isCaughtUp: false, isFenced: true, shouldShutDown: false };
    }
  },
});
