// Vote (key 52), v0-2, on the controller listener. A candidate (or, v2, a pre-vote prospective,
// KIP-996) asks for this voter's vote; Kafka's checks first (cluster id: INCONSISTENT_CLUSTER_ID;
// not exactly __cluster_metadata-0: INVALID_REQUEST; v1+ addressed to another voter:
// INVALID_VOTER_KEY), then the raft core decides (one vote per epoch, logs compared).
import { VoteRequest } from '../../protocol/generated/vote-request.js';
import { VoteResponse } from '../../protocol/generated/vote-response.js';
import type { VoteResponse as CoreVoteResponse } from '../../raft/messages.js';
import { voteFromWire, voteToWire } from '../../raft/wire-inbound.js';
import { defineHandler } from '../handler.js';
import { askQuorum, type ControllerRequestContext } from './context.js';

export default defineHandler<VoteRequest, VoteResponse, ControllerRequestContext>({
  apiKey: 52,
  minVersion: 0,
  maxVersion: 2,
  request: VoteRequest,
  response: VoteResponse,
  async handle(ctx, req) {
    const inbound = voteFromWire(req, ctx.apiVersion, ctx.raft.wire);
    if ('response' in inbound) return inbound.response;
    const answer = await askQuorum(ctx, inbound.message);
    if (answer === undefined) return undefined;
    return voteToWire(answer.message as CoreVoteResponse, ctx.apiVersion, ctx.raft.wire);
  },
});
