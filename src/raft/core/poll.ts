// What time and the current role call for: elections and their timeouts, fetches, reminders to
// voters, parked fetches expiring, resignations; and when that next happens (the driver's only timer).
import type { CoreContext } from './core-context.js';
import type { FollowerState } from './states.js';

/** How often an observer without a leader asks a voter who leads. */
const DISCOVERY_BACKOFF_MS = 100;

/** The earliest time `tick` has something to do (a timer for the driver, no polling). */
export function nextDeadline(core: CoreContext): number {
  let t = Number.POSITIVE_INFINITY;
  for (const p of core.out.pending.values()) t = Math.min(t, p.timeoutAt);
  for (const r of core.peerRetryAt.values()) if (r > core.now) t = Math.min(t, r);
  const s = core.state;
  switch (s.role) {
    case 'Unattached':
      // A voter shutting down stands for nothing: no timer to wait for.
      if (!(core.shuttingDown && core.isVoter)) t = Math.min(t, s.electionDeadline);
      break;
    case 'Prospective':
    case 'Candidate':
      t = Math.min(t, s.backoffUntil > 0 ? s.backoffUntil : s.electionDeadline);
      break;
    case 'Follower':
      if (!core.shuttingDown) t = Math.min(t, s.fetchDeadline);
      if (s.retryAt > core.now) t = Math.min(t, s.retryAt);
      break;
    case 'Resigned':
      if (!core.shuttingDown) t = Math.min(t, s.electionDeadline);
      break;
    case 'Leader':
      t = Math.min(t, s.state.checkQuorumDeadline, s.state.beginQuorumEpochAt);
      for (const p of s.state.parked.values()) t = Math.min(t, p.deadline);
      break;
  }
  return t;
}

/** Runs the current role's timers and sends what it owes its peers. */
export function pollState(core: CoreContext): void {
  const s = core.state;
  const now = core.now;
  switch (s.role) {
    case 'Unattached':
      if (now < s.electionDeadline) return;
      if (core.isVoter) {
        if (!core.shuttingDown) core.becomeProspective();
      } else {
        discoverLeader(core);
        s.electionDeadline = now + DISCOVERY_BACKOFF_MS;
      }
      return;
    case 'Prospective':
    case 'Candidate':
      if (s.backoffUntil > 0) {
        if (now >= s.backoffUntil) core.becomeProspective();
        return;
      }
      if (now >= s.electionDeadline) {
        // As Kafka 4.x: a candidate not elected in time asks for pre-votes again; a prospective
        // goes back to the leader it knew (or to waiting) and stands again after its fetch/election timeout.
        if (s.role === 'Candidate') core.becomeProspective();
        else if (s.leaderId >= 0) core.becomeFollower(s.epoch, s.leaderId);
        else core.becomeUnattached(s.epoch, s.votedId);
        return;
      }
      for (const v of core.otherVoters()) {
        if (s.granted.has(v) || s.rejected.has(v) || !core.canSendTo(v, 'VoteRequest')) continue;
        core.request(v, { type: 'VoteRequest', candidateEpoch: s.epoch, candidateId: core.cfg.nodeId, lastOffsetEpoch: core.log.lastEpoch(), lastOffset: core.log.endOffset, preVote: s.role === 'Prospective' });
      }
      return;
    case 'Follower':
      if (now >= s.fetchDeadline) {
        if (core.shuttingDown) return;
        if (core.isVoter) core.becomeProspective();
        else core.becomeUnattached(s.epoch, s.votedId);
        return;
      }
      maybeFetch(core, s);
      return;
    case 'Leader': {
      const ls = s.state;
      if (ls.checkQuorumExpired(now)) {
        core.becomeResigned();
        return;
      }
      for (const p of [...ls.parked.values()]) {
        if (p.deadline <= now) {
          ls.parked.delete(p.from);
          core.answerFetch(p.from, p.correlationId, p.fetchOffset);
        }
      }
      if (now >= ls.beginQuorumEpochAt) {
        for (const v of ls.votersToRemind(now)) {
          if (core.canSendTo(v, 'BeginQuorumEpochRequest')) core.request(v, { type: 'BeginQuorumEpochRequest', leaderId: core.cfg.nodeId, leaderEpoch: s.epoch });
        }
        ls.beginQuorumEpochAt = now + ls.beginQuorumEpochTimeoutMs;
      }
      return;
    }
    case 'Resigned':
      if (now >= s.electionDeadline && !core.shuttingDown && core.isVoter) {
        core.becomeProspective();
        return;
      }
      for (const v of s.unacknowledged) {
        if (core.canSendTo(v, 'EndQuorumEpochRequest')) core.request(v, { type: 'EndQuorumEpochRequest', leaderId: core.cfg.nodeId, leaderEpoch: s.epoch, preferredSuccessors: s.preferredSuccessors });
      }
      return;
  }
}

/** An observer without a leader asks a bootstrap server, else a voter (any Fetch answer names the leader it knows). */
function discoverLeader(core: CoreContext): void {
  const pool = core.cfg.bootstrapServers?.length ? core.cfg.bootstrapServers : core.cfg.voters;
  if (pool.length === 0) return;
  const to = pool[Math.floor(core.cfg.random() * pool.length)];
  if (!core.canSendTo(to, 'FetchRequest')) return;
  core.request(to, { type: 'FetchRequest', replicaId: core.cfg.nodeId, currentLeaderEpoch: core.epoch, fetchOffset: core.log.endOffset, lastFetchedEpoch: core.log.lastEpoch(), maxWaitMs: 0 });
}

/** One Fetch (or FetchSnapshot) in flight at a time, from durable data only. */
function maybeFetch(core: CoreContext, s: FollowerState): void {
  if (s.inFlight >= 0 || s.awaitingDurable || core.now < s.retryAt) return;
  if (s.snapshot !== undefined) {
    s.inFlight = core.request(s.leaderId, { type: 'FetchSnapshotRequest', replicaId: core.cfg.nodeId, currentLeaderEpoch: s.epoch, snapshotId: s.snapshot.id, position: s.snapshot.position, maxBytes: core.cfg.fetchSnapshotMaxBytes });
    return;
  }
  if (core.log.durableEndOffset < core.log.endOffset) {
    s.awaitingDurable = true;
    return;
  }
  s.inFlight = core.request(s.leaderId, { type: 'FetchRequest', replicaId: core.cfg.nodeId, currentLeaderEpoch: s.epoch, fetchOffset: core.log.endOffset, lastFetchedEpoch: core.log.lastEpoch(), maxWaitMs: core.cfg.fetchMaxWaitMs, highWatermark: core.highWatermark });
}
