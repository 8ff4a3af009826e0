// BeginQuorumEpoch (key 53), v0-1, on the controller listener: a newly elected leader tells this
// voter of its epoch (v1 with its endpoints). Kafka's checks (cluster id, the one partition, v1's
// voter key), then the raft core follows the leader.
import { BeginQuorumEpochRequest } from '../../protocol/generated/begin-quorum-epoch-request.js';
import { BeginQuorumEpochResponse } from '../../protocol/generated/begin-quorum-epoch-response.js';
import type { BeginQuorumEpochResponse as CoreResponse } from '../../raft/messages.js';
import { beginQuorumEpochFromWire, beginQuorumEpochToWire } from '../../raft/wire-inbound.js';
import { defineHandler } from '../handler.js';
import { askQuorum, type ControllerRequestContext } from './context.js';

export default defineHandler<BeginQuorumEpochRequest, BeginQuorumEpochResponse, ControllerRequestContext>({
  apiKey: 53,
  minVersion: 0,
  maxVersion: 1,
  request: BeginQuorumEpochRequest,
  response: BeginQuorumEpochResponse,
  async handle(ctx, req) {
    const inbound = beginQuorumEpochFromWire(req, ctx.apiVersion, ctx.raft.wire);
    if ('response' in inbound) return inbound.response;
    const answer = await askQuorum(ctx, inbound.message);
    if (answer === undefined) return undefined;
    return beginQuorumEpochToWire(answer.message as CoreResponse, ctx.apiVersion, ctx.raft.wire);
  },
});
