// RemoveRaftVoter (key 81), v0, on the controller listener (KIP-853; what `kafka-metadata-quorum
// remove-controller` sends): the leader removes one voter (id and directory id must match) with a
// VotersRecord and answers once it committed.
import { RemoveRaftVoterRequest } from '../../protocol/generated/remove-raft-voter-request.js';
import { RemoveRaftVoterResponse } from '../../protocol/generated/remove-raft-voter-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import type { ControllerRequestContext } from './context.js';

export default defineHandler<RemoveRaftVoterRequest, RemoveRaftVoterResponse, ControllerRequestContext>({
  apiKey: 81,
  minVersion: 0,
  maxVersion: 0,
  request: RemoveRaftVoterRequest,
  response: RemoveRaftVoterResponse,
  async handle(ctx, req) {
    if (req.clusterId !== null && req.clusterId !== ctx.raft.clusterId) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, errorMessage: null };
    }
    const r = await ctx.raft.changeVoter({ remove: { voterId: req.voterId, voterDirectoryId: req.voterDirectoryId } });
    return { throttleTimeMs: 0, errorCode: r.errorCode, errorMessage: r.errorMessage };
  },
});
