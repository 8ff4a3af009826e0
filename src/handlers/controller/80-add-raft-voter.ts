// AddRaftVoter (key 80), v0-1, on the controller listener (KIP-853; what `kafka-metadata-quorum
// add-controller` sends): the leader adds one caught-up observer to the voter set with a
// VotersRecord and answers once it committed; kraft.version 0, a pending change, a lagging or
// unknown voter and a non-leader are refused with Kafka's errors.
import { AddRaftVoterRequest } from '../../protocol/generated/add-raft-voter-request.js';
import { AddRaftVoterResponse } from '../../protocol/generated/add-raft-voter-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import type { ControllerRequestContext } from './context.js';

export default defineHandler<AddRaftVoterRequest, AddRaftVoterResponse, ControllerRequestContext>({
  apiKey: 80,
  minVersion: 0,
  maxVersion: 1,
  request: AddRaftVoterRequest,
  response: AddRaftVoterResponse,
  async handle(ctx, req) {
    if (req.clusterId !== null && req.clusterId !== ctx.raft.clusterId) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, errorMessage: null };
    }
    if (req.listeners.length === 0) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'The new voter has no listeners' };
    const r = await ctx.raft.changeVoter({
      add: {
        voterId: req.voterId,
        voterDirectoryId: req.voterDirectoryId,
        endpoints: req.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port })),
        kRaftVersionFeature: { minSupportedVersion: 0, maxSupportedVersion: 1 },
      },
    });
    return { throttleTimeMs: 0, errorCode: r.errorCode, errorMessage: r.errorMessage };
  },
});
