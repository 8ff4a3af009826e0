// UpdateRaftVoter (key 82), v0, on the controller listener (KIP-853): a voter tells the leader its
// current endpoints and supported kraft.version; the leader rewrites that voter's entry in a new
// VotersRecord (same voters) and answers, naming the leader, once it committed.
import { UpdateRaftVoterRequest } from '../../protocol/generated/update-raft-voter-request.js';
import { UpdateRaftVoterResponse } from '../../protocol/generated/update-raft-voter-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import type { ControllerRequestContext } from './context.js';

export default defineHandler<UpdateRaftVoterRequest, UpdateRaftVoterResponse, ControllerRequestContext>({
  apiKey: 82,
  minVersion: 0,
  maxVersion: 0,
  request: UpdateRaftVoterRequest,
  response: UpdateRaftVoterResponse,
  async handle(ctx, req) {
    const answer = (errorCode: number): UpdateRaftVoterResponse => {
      const s = ctx.raft.status();
      const e = s.leaderId >= 0 ? ctx.raft.wire.endpointOf(s.leaderId) : undefined;
      return { throttleTimeMs: 0, errorCode, currentLeader: { leaderId: s.leaderId, leaderEpoch: s.epoch, host: e?.host ?? '', port: e?.port ?? -1 } };
    };
    if (req.clusterId !== null && req.clusterId !== ctx.raft.clusterId) return answer(ErrorCode.INCONSISTENT_CLUSTER_ID);
    if (req.currentLeaderEpoch !== ctx.raft.status().epoch) return answer(req.currentLeaderEpoch < ctx.raft.status().epoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH);
    if (req.listeners.length === 0) return answer(ErrorCode.INVALID_REQUEST);
    const r = await ctx.raft.changeVoter({
      update: {
        voterId: req.voterId,
        voterDirectoryId: req.voterDirectoryId,
        endpoints: req.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port })),
        kRaftVersionFeature: { minSupportedVersion: req.kRaftVersionFeature.minSupportedVersion, maxSupportedVersion: req.kRaftVersionFeature.maxSupportedVersion },
      },
    });
    return answer(r.errorCode);
  },
});
