// Whether to grant a vote or a pre-vote, as Kafka's epoch states decide it (KIP-595, KIP-996).
import type { NodeId, VoteRequest } from '../messages.js';
import type { UnsafeSwitches } from './config.js';
import type { LogState } from './log-state.js';
import type { EpochState } from './states.js';

/** A candidate's log is at least as up to date as ours: (last epoch, end offset) compared in that order. */
export function candidateLogIsUpToDate(req: VoteRequest, log: LogState): boolean {
  const ours = log.lastEpoch();
  return req.lastOffsetEpoch > ours || (req.lastOffsetEpoch === ours && req.lastOffset >= log.endOffset);
}

/** A real vote in the state's own epoch (the caller has moved to the candidate's epoch first). */
export function canGrantVote(state: EpochState, req: VoteRequest, log: LogState, unsafe: UnsafeSwitches): boolean {
  const logOk = unsafe.skipLogCheckOnVote === true || candidateLogIsUpToDate(req, log);
  switch (state.role) {
    case 'Unattached':
    case 'Prospective': {
      if (state.votedId === req.candidateId) return true;
      // One vote per epoch: the rule that makes a leader per epoch unique.
      if (state.votedId >= 0 && unsafe.grantTwoVotesPerEpoch !== true) return false;
      return logOk;
    }
    case 'Candidate':
      return unsafe.grantTwoVotesPerEpoch === true && logOk;
    case 'Follower':
    case 'Leader':
    case 'Resigned':
      return false;
  }
}

/**
 * A pre-vote changes nothing here. It is refused while this node hears from a leader (a Follower
 * before its fetch timeout, or the leader itself), so a node cut off and back cannot unseat it.
 */
export function canGrantPreVote(state: EpochState, req: VoteRequest, log: LogState, nowMs: number, self: NodeId, unsafe: UnsafeSwitches): boolean {
  if (req.candidateId === self) return false;
  if (state.role === 'Leader') return false;
  if (state.role === 'Follower' && nowMs < state.fetchDeadline) return false;
  return unsafe.skipLogCheckOnVote === true || candidateLogIsUpToDate(req, log);
}
