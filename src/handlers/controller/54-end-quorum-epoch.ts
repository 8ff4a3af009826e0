// EndQuorumEpoch (key 54), v0-1, on the controller listener: a resigning leader hands over, its
// preferred successors first (v0 ids, v1 candidates with directory ids). Kafka's checks (cluster
// id, the one partition), then the raft core shortens its election timeout by its rank.
import { EndQuorumEpochRequest } from '../../protocol/generated/end-quorum-epoch-request.js';
import { EndQuorumEpochResponse } from '../../protocol/generated/end-quorum-epoch-response.js';
import type { EndQuorumEpochResponse as CoreResponse } from '../../raft/messages.js';
import { endQuorumEpochFromWire, endQuorumEpochToWire } from '../../raft/wire-inbound.js';
import { defineHandler } from '../handler.js';
import { askQuorum, type ControllerRequestContext } from './context.js';

export default defineHandler<EndQuorumEpochRequest, EndQuorumEpochResponse, ControllerRequestContext>({
  apiKey: 54,
  minVersion: 0,
  maxVersion: 1,
  request: EndQuorumEpochRequest,
  response: EndQuorumEpochResponse,
  async handle(ctx, req) {
    const inbound = endQuorumEpochFromWire(req, ctx.apiVersion, ctx.raft.wire);
    if ('response' in inbound) return inbound.response;
    const answer = await askQuorum(ctx, inbound.message);
    if (answer === undefined) return undefined;
    return endQuorumEpochToWire(answer.message as CoreResponse, ctx.apiVersion, ctx.raft.wire);
  },
});
