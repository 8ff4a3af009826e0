// How the core answers each request (Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch, FetchSnapshot),
// with Kafka's validation order and error codes.
import { ErrorCode } from '../../protocol/errors.js';
import type { BeginQuorumEpochRequest, EndQuorumEpochRequest, ErrorCodeValue, FetchRequest, FetchSnapshotRequest, NodeId, RaftRequest, VoteRequest } from '../messages.js';
import type { CoreContext } from './core-context.js';
import { strictExponentialElectionBackoffMs } from './timing.js';
import { canGrantPreVote, canGrantVote } from './vote-rules.js';

export function handleRequest(core: CoreContext, from: NodeId, req: RaftRequest, correlationId: number): void {
  switch (req.type) {
    case 'VoteRequest':
      return onVote(core, from, req, correlationId);
    case 'BeginQuorumEpochRequest':
      return onBeginQuorumEpoch(core, from, req, correlationId);
    case 'EndQuorumEpochRequest':
      return onEndQuorumEpoch(core, from, req, correlationId);
    case 'FetchRequest':
      return onFetch(core, from, req, correlationId);
    case 'FetchSnapshotRequest':
      return onFetchSnapshot(core, from, req, correlationId);
  }
}

function onVote(core: CoreContext, from: NodeId, req: VoteRequest, correlationId: number): void {
  const respond = (voteGranted: boolean, errorCode: ErrorCodeValue = ErrorCode.NONE) =>
    core.out.respond(from, correlationId, { type: 'VoteResponse', errorCode, leaderId: core.leaderId(), leaderEpoch: core.epoch, voteGranted, preVote: req.preVote });
  // A candidate has bumped its epoch past its log's last; a prospective has not (KIP-996).
  const illegalEpoch = req.preVote ? req.lastOffsetEpoch > req.candidateEpoch : req.lastOffsetEpoch >= req.candidateEpoch;
  if (illegalEpoch || req.lastOffset < 0 || req.lastOffsetEpoch < 0 || req.candidateId < 0) return respond(false, ErrorCode.INVALID_REQUEST);
  if (req.candidateEpoch < core.epoch) return respond(false, ErrorCode.FENCED_LEADER_EPOCH);
  // The epoch exists (even a prospective is in it), so this node joins it, as Kafka's does.
  if (req.candidateEpoch > core.epoch) core.becomeUnattached(req.candidateEpoch);
  if (!core.isVoter || !core.cfg.voters.includes(req.candidateId) || req.candidateId === core.cfg.nodeId) return respond(false);
  if (req.preVote) return respond(canGrantPreVote(core.state, req, core.log, core.now, core.cfg.nodeId, core.cfg.unsafe ?? {}));
  const granted = canGrantVote(core.state, req, core.log, core.cfg.unsafe ?? {});
  // The vote is on file (Ready step 1) before this grant is sent (step 4).
  if (granted) core.becomeUnattached(core.epoch, req.candidateId);
  respond(granted);
}

function onBeginQuorumEpoch(core: CoreContext, from: NodeId, req: BeginQuorumEpochRequest, correlationId: number): void {
  if (req.leaderEpoch < core.epoch) return core.respondError(from, correlationId, 'BeginQuorumEpochResponse', ErrorCode.FENCED_LEADER_EPOCH);
  core.observeEpoch(req.leaderEpoch, req.leaderId, from);
  core.respondError(from, correlationId, 'BeginQuorumEpochResponse', ErrorCode.NONE);
}

function onEndQuorumEpoch(core: CoreContext, from: NodeId, req: EndQuorumEpochRequest, correlationId: number): void {
  if (req.leaderEpoch < core.epoch) return core.respondError(from, correlationId, 'EndQuorumEpochResponse', ErrorCode.FENCED_LEADER_EPOCH);
  core.observeEpoch(req.leaderEpoch, req.leaderId, from);
  const s = core.state;
  if (s.role === 'Follower' && s.leaderId === req.leaderId && core.isVoter) {
    // The most caught-up successor stands first; the others give it a head start.
    const position = req.preferredSuccessors.indexOf(core.cfg.nodeId);
    const backoff = strictExponentialElectionBackoffMs(core.cfg, position, req.preferredSuccessors.length);
    s.fetchDeadline = Math.min(s.fetchDeadline, core.now + backoff);
  }
  core.respondError(from, correlationId, 'EndQuorumEpochResponse', ErrorCode.NONE);
}

/** Kafka's validateLeaderOnlyRequest. */
function leaderOnlyError(core: CoreContext, requestEpoch: number): ErrorCodeValue | undefined {
  if (requestEpoch < core.epoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (requestEpoch > core.epoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  if (core.state.role !== 'Leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (core.shuttingDown) return ErrorCode.BROKER_NOT_AVAILABLE;
  return undefined;
}

function onFetch(core: CoreContext, from: NodeId, req: FetchRequest, correlationId: number): void {
  if (req.maxWaitMs < 0 || req.fetchOffset < 0 || req.lastFetchedEpoch < 0 || req.lastFetchedEpoch > req.currentLeaderEpoch) {
    return core.respondError(from, correlationId, 'FetchResponse', ErrorCode.INVALID_REQUEST);
  }
  const error = leaderOnlyError(core, req.currentLeaderEpoch);
  const s = core.state;
  if (error !== undefined || s.role !== 'Leader') return core.respondError(from, correlationId, 'FetchResponse', error ?? ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const ls = s.state;
  const base = { type: 'FetchResponse', errorCode: ErrorCode.NONE, leaderId: core.cfg.nodeId, leaderEpoch: s.epoch, logStartOffset: core.log.logStartOffset } as const;
  const position = core.log.validateFetch(req.fetchOffset, req.lastFetchedEpoch);
  if (position.kind === 'diverging') {
    return core.out.respond(from, correlationId, { ...base, highWatermark: ls.highWatermark, divergingEpoch: { epoch: position.epoch, endOffset: position.endOffset } });
  }
  if (position.kind === 'snapshot') {
    return core.out.respond(from, correlationId, { ...base, highWatermark: ls.highWatermark, snapshotId: position.snapshotId });
  }
  // A newer fetch from the same replica supersedes its parked one (which gets an empty answer).
  const older = ls.parked.get(from);
  if (older !== undefined) {
    ls.parked.delete(from);
    core.answerFetch(older.from, older.correlationId, older.fetchOffset);
  }
  if (ls.updateReplica(from, req.fetchOffset, core.log.durableEndOffset, core.now)) core.onLeaderHighWatermark();
  // KIP-1166: a fetcher behind on the high watermark (this very fetch may have moved it) hears at once.
  const hwBehind = req.highWatermark !== undefined && ls.highWatermark >= 0 && req.highWatermark < ls.highWatermark;
  if (req.fetchOffset < core.log.endOffset || req.maxWaitMs <= 0 || hwBehind) return core.answerFetch(from, correlationId, req.fetchOffset);
  // Caught up: park until new data, a new HW or maxWait (no polling by the follower).
  ls.parked.set(from, { from, correlationId, fetchOffset: req.fetchOffset, deadline: core.now + req.maxWaitMs });
}

function onFetchSnapshot(core: CoreContext, from: NodeId, req: FetchSnapshotRequest, correlationId: number): void {
  const error = leaderOnlyError(core, req.currentLeaderEpoch);
  if (error !== undefined) return core.respondError(from, correlationId, 'FetchSnapshotResponse', error, { snapshotId: req.snapshotId });
  // The bootstrap checkpoint (0, 0) is never sent; any other snapshot the driver still holds is
  // (it answers SNAPSHOT_NOT_FOUND or POSITION_OUT_OF_RANGE from its files).
  if (core.log.latestSnapshotId === undefined || (req.snapshotId.offset === 0 && req.snapshotId.epoch === 0)) {
    return core.respondError(from, correlationId, 'FetchSnapshotResponse', ErrorCode.SNAPSHOT_NOT_FOUND, { snapshotId: req.snapshotId });
  }
  if (req.position < 0) return core.respondError(from, correlationId, 'FetchSnapshotResponse', ErrorCode.POSITION_OUT_OF_RANGE, { snapshotId: req.snapshotId });
  if (core.state.role === 'Leader') core.state.state.noteFetchSnapshot(from, core.now);
  const snapshotId = { ...req.snapshotId };
  core.out.respond(from, correlationId, {
    type: 'FetchSnapshotResponse', errorCode: ErrorCode.NONE, leaderId: core.cfg.nodeId, leaderEpoch: core.epoch, snapshotId,
    read: { snapshotId, position: req.position, maxBytes: req.maxBytes },
  });
}
