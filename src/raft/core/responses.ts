// How the core acts on the answers to its own requests. Every answer first teaches the node the
// epoch and leader it names; answers to an earlier role's requests stop there.
import { ErrorCode } from '../../protocol/errors.js';
import type { FetchResponse, FetchSnapshotResponse, NodeId, RaftResponse, VoteResponse } from '../messages.js';
import type { PendingRequest } from './outbox.js';
import type { CoreContext } from './core-context.js';
import type { FollowerState } from './states.js';
import { binaryExponentialElectionBackoffMs } from './timing.js';

export function handleResponse(core: CoreContext, from: NodeId, resp: RaftResponse, pending: PendingRequest): void {
  const generation = core.generation;
  core.observeEpoch(resp.leaderEpoch, resp.leaderId, from);
  if (core.generation !== generation || pending.generation !== generation) return;
  if (resp.errorCode !== ErrorCode.NONE) {
    core.peerRetryAt.set(from, core.now + core.cfg.retryBackoffMs);
    const s = core.state;
    if (s.role === 'Follower' && (resp.type === 'FetchResponse' || resp.type === 'FetchSnapshotResponse')) {
      s.inFlight = -1;
      s.retryAt = core.now + core.cfg.retryBackoffMs;
      if (resp.type === 'FetchSnapshotResponse' && (resp.errorCode === ErrorCode.SNAPSHOT_NOT_FOUND || resp.errorCode === ErrorCode.POSITION_OUT_OF_RANGE)) {
        // The leader has a newer snapshot: a plain Fetch will name it.
        s.snapshot = undefined;
        s.retryAt = 0;
      }
    }
    return;
  }
  switch (resp.type) {
    case 'VoteResponse':
      return onVoteResponse(core, from, resp, pending);
    case 'BeginQuorumEpochResponse':
      if (core.state.role === 'Leader') core.state.state.acknowledge(from);
      return;
    case 'EndQuorumEpochResponse':
      if (core.state.role === 'Resigned') core.state.unacknowledged.delete(from);
      return;
    case 'FetchResponse':
      if (core.state.role === 'Follower' && core.state.leaderId === from) onFetchResponse(core, core.state, resp);
      return;
    case 'FetchSnapshotResponse':
      if (core.state.role === 'Follower' && core.state.leaderId === from) onFetchSnapshotResponse(core, core.state, resp);
      return;
  }
}

function onVoteResponse(core: CoreContext, from: NodeId, resp: VoteResponse, pending: PendingRequest): void {
  const s = core.state;
  if (pending.request.type !== 'VoteRequest') return;
  const wasPreVote = pending.request.preVote;
  if (!((s.role === 'Prospective' && wasPreVote) || (s.role === 'Candidate' && !wasPreVote && pending.request.candidateEpoch === s.epoch))) return;
  if (resp.voteGranted) {
    s.granted.add(from);
    if (s.granted.size >= core.majority()) {
      if (s.role === 'Prospective') core.becomeCandidate();
      else core.becomeLeader();
    }
    return;
  }
  s.rejected.add(from);
  // Lost for sure: back off at random rather than wait out the election timeout.
  if (core.cfg.voters.length - s.rejected.size < core.majority() && s.backoffUntil === 0) {
    const retries = s.role === 'Candidate' ? s.retries + 1 : 1;
    if (s.role === 'Candidate') s.retries = retries;
    s.backoffUntil = core.now + Math.max(1, binaryExponentialElectionBackoffMs(core.cfg, retries));
  }
}

function onFetchResponse(core: CoreContext, s: FollowerState, resp: FetchResponse): void {
  s.inFlight = -1;
  s.fetchDeadline = core.now + core.cfg.fetchTimeoutMs;
  if (resp.divergingEpoch !== undefined) {
    const to = core.log.truncationOffset(resp.divergingEpoch);
    core.log.truncateTo(to);
    core.logTruncated(to);
    core.out.truncate(to);
    return;
  }
  if (resp.snapshotId !== undefined) {
    s.snapshot = { id: { ...resp.snapshotId }, position: 0 };
    return;
  }
  let appended = false;
  for (const b of resp.batches ?? []) {
    if (b.lastOffset < core.log.endOffset) continue;
    // Anything but the next batch means this answer is not for the log we have now.
    if (b.baseOffset !== core.log.endOffset || b.epoch < core.log.lastEpoch() || b.epoch > s.epoch) break;
    core.log.append(b);
    core.out.append(b);
    appended = true;
  }
  if (resp.highWatermark >= 0) core.advanceHighWatermark(resp.highWatermark);
  if (appended) s.awaitingDurable = true;
}

function onFetchSnapshotResponse(core: CoreContext, s: FollowerState, resp: FetchSnapshotResponse): void {
  s.inFlight = -1;
  s.fetchDeadline = core.now + core.cfg.fetchTimeoutMs;
  const snap = s.snapshot;
  const chunk = resp.chunk;
  if (snap === undefined || chunk === undefined || resp.snapshotId.offset !== snap.id.offset || resp.snapshotId.epoch !== snap.id.epoch || chunk.position !== snap.position) return;
  core.out.writeSnapshot(snap.id, chunk);
  snap.position += chunk.length;
  if (snap.position < chunk.size) return;
  // Whole: the snapshot replaces the log; its contents are committed by construction.
  core.out.installSnapshot(snap.id);
  core.log.resetToSnapshot(snap.id);
  s.snapshot = undefined;
  core.advanceHighWatermark(snap.id.offset);
}
