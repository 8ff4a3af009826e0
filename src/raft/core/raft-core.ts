// The KRaft core: a pure state machine (no sockets, timers, files, clock or Math.random inside),
// shaped like etcd's raft. The driver feeds it time, messages, proposals and disk completions,
// and after each input takes a `Ready` and performs it in the order written on `Ready`.
import { ErrorCode } from '../../protocol/errors.js';
import {
  NO_NODE,
  type ErrorCodeValue,
  type LogShape,
  type NodeId,
  type OffsetAndEpoch,
  type QuorumDescription,
  type QuorumStateRecord,
  type RaftMessage,
  type RaftResponse,
  type RaftStatus,
  type Ready,
} from '../messages.js';
import type { RaftCoreConfig } from './config.js';
import type { CoreContext } from './core-context.js';
import { CHECK_QUORUM_TIMEOUT_FACTOR, LeaderState } from './leader-state.js';
import { LogState } from './log-state.js';
import { Outbox, type PendingRequest } from './outbox.js';
import { nextDeadline, pollState } from './poll.js';
import { handleRequest } from './requests.js';
import { handleResponse } from './responses.js';
import type { EpochState, FollowerState } from './states.js';
import { randomElectionTimeoutMs } from './timing.js';
import { singleChange, VoterHistory } from './voters.js';

/** Where a proposal landed in the log. */
export interface ProposalPosition {
  baseOffset: number;
  lastOffset: number;
  epoch: number;
}

export class RaftCore implements CoreContext {
  readonly cfg: RaftCoreConfig;
  readonly log: LogState;
  readonly out = new Outbox();
  /** The voter set over the log: the configured/bootstrap set, then VotersRecords (cfg.voters is its latest). */
  private readonly voterHistory: VoterHistory;
  state: EpochState;
  /** Bumped on every transition: responses to an earlier role's requests are stale. */
  generation = 0;
  /** The node's high watermark: never moves back within one life. */
  highWatermark: number;
  /** Per peer: no request of this role to it before then (after a failure). */
  readonly peerRetryAt = new Map<NodeId, number>();
  shuttingDown = false;
  now: number;
  private persisted: QuorumStateRecord;

  /**
   * Restores a node from what it persisted: the quorum-state file (absent on a fresh node: pass
   * undefined) and the log's recovered shape. A node that was leader comes back Resigned; one that
   * followed a leader comes back following it; otherwise Unattached (with its vote, if any).
   */
  constructor(config: RaftCoreConfig, quorumState: QuorumStateRecord | undefined, log: LogShape, nowMs: number) {
    this.cfg = { ...config };
    this.voterHistory = new VoterHistory(config.voters);
    this.now = nowMs;
    this.log = new LogState(log);
    this.highWatermark = log.latestSnapshotId?.offset ?? -1;
    const q = quorumState ?? { leaderEpoch: 0, leaderId: NO_NODE, votedId: NO_NODE };
    this.persisted = { ...q };
    const self = config.nodeId;
    if (q.leaderId === self) {
      this.state = { role: 'Resigned', epoch: q.leaderEpoch, unacknowledged: new Set(this.otherVoters()), preferredSuccessors: [], electionDeadline: nowMs + randomElectionTimeoutMs(config) };
    } else if (q.leaderId >= 0) {
      this.state = this.followerState(q.leaderEpoch, q.leaderId, q.votedId);
    } else {
      this.state = { role: 'Unattached', epoch: q.leaderEpoch, votedId: q.votedId, electionDeadline: this.unattachedDeadline() };
    }
    this.poll();
  }

  /** In the current voter set: only voters stand for election and vote. */
  get isVoter(): boolean {
    return this.cfg.voters.includes(this.cfg.nodeId);
  }

  // ---- Inputs ------------------------------------------------------------------------------

  /**
   * The log holds a VotersRecord at `offset` (a fetched batch, read by the driver): from now on,
   * committed or not, it is the voter set (KIP-853).
   */
  votersChanged(offset: number, voters: readonly NodeId[], nowMs: number): void {
    this.now = Math.max(this.now, nowMs);
    if (offset >= this.log.endOffset || !this.voterHistory.add(offset, voters)) return;
    this.applyVoters();
    this.poll();
  }

  /**
   * Leader only: appends a voter set that adds or removes one voter (AddRaftVoter / RemoveRaftVoter).
   * Refused, with Kafka's error, unless this epoch has committed an entry, no earlier change is
   * still uncommitted and an added voter is caught up. The data is the driver's VotersRecord batch.
   */
  changeVoters(voters: readonly NodeId[], data: unknown, nowMs: number, sameVoters = false): ProposalPosition | { error: ErrorCodeValue; message: string } {
    this.now = Math.max(this.now, nowMs);
    const s = this.state;
    if (s.role !== 'Leader' || this.shuttingDown) return { error: ErrorCode.NOT_LEADER_OR_FOLLOWER, message: 'not the leader' };
    // UpdateRaftVoter rewrites a voter's endpoints: the same ids, nothing added or removed.
    const same = voters.length === this.cfg.voters.length && voters.every((v) => this.cfg.voters.includes(v));
    const change = sameVoters ? (same ? {} : null) : singleChange(this.cfg.voters, voters);
    if (change === null) return { error: ErrorCode.INVALID_REQUEST, message: 'a voter change adds or removes exactly one voter' };
    if (this.highWatermark <= s.state.epochStartOffset) return { error: ErrorCode.REQUEST_TIMED_OUT, message: 'the leader has not committed an entry in its epoch yet' };
    if (this.voterHistory.latestOffset() >= this.highWatermark) return { error: ErrorCode.REQUEST_TIMED_OUT, message: 'an earlier voter change is not committed yet' };
    if ('removed' in change && change.removed === this.cfg.nodeId) return { error: ErrorCode.INVALID_REQUEST, message: 'removing the leader itself is not supported' };
    if ('added' in change && change.added !== undefined && !s.state.isCaughtUp(change.added, this.now, this.cfg.fetchTimeoutMs)) {
      return { error: ErrorCode.REQUEST_TIMED_OUT, message: `the new voter ${change.added} is not caught up with the leader` };
    }
    const batch = { baseOffset: this.log.endOffset, lastOffset: this.log.endOffset, epoch: s.epoch, data };
    this.log.append(batch);
    this.out.append(batch);
    this.voterHistory.add(batch.baseOffset, voters);
    this.applyVoters();
    this.completeParkedFetches(false);
    this.poll();
    return { baseOffset: batch.baseOffset, lastOffset: batch.lastOffset, epoch: batch.epoch };
  }

  /** The log was truncated to `offset`: a VotersRecord cut off no longer applies. */
  logTruncated(offset: number): void {
    if (this.voterHistory.truncateTo(offset)) this.applyVoters();
  }

  private applyVoters(): void {
    this.cfg.voters = [...this.voterHistory.latest()];
    const s = this.state;
    if (s.role === 'Leader' && s.state.setVoters(this.cfg.voters)) this.onLeaderHighWatermark();
  }

  /** Advances time: election and fetch timeouts, backoffs, request timeouts, parked fetches. */
  tick(nowMs: number): void {
    this.now = Math.max(this.now, nowMs);
    for (const [id, p] of this.out.pending) {
      if (p.timeoutAt <= this.now) {
        this.out.pending.delete(id);
        this.onRequestFailed(p);
      }
    }
    this.poll();
  }

  /**
   * A message from a peer. For a request, `correlationId` is the driver's id for it (the response
   * will carry it back); for a response, the id of the core's request it answers (unknown or
   * already-answered ids are ignored, so duplicated or late responses are harmless).
   */
  receive(from: NodeId, message: RaftMessage, correlationId: number, nowMs: number): void {
    this.now = Math.max(this.now, nowMs);
    if (message.type.endsWith('Request')) {
      handleRequest(this, from, message as Exclude<RaftMessage, RaftResponse>, correlationId);
    } else {
      const pending = this.out.pending.get(correlationId);
      if (pending === undefined || pending.to !== from) return;
      this.out.pending.delete(correlationId);
      handleResponse(this, from, message as RaftResponse, pending);
    }
    this.poll();
  }

  /** The driver could not send the core's request `correlationId` (no connection): treated as a timeout now. */
  requestFailed(correlationId: number, nowMs: number): void {
    this.now = Math.max(this.now, nowMs);
    const p = this.out.pending.get(correlationId);
    if (p === undefined) return;
    this.out.pending.delete(correlationId);
    this.onRequestFailed(p);
    this.poll();
  }

  /**
   * Appends `data` (`recordCount` offsets) at the end of the leader's log in the current epoch.
   * Returns where, or undefined when this node is not an active leader (NOT_CONTROLLER).
   */
  propose(data: unknown, recordCount: number, nowMs: number): ProposalPosition | undefined {
    this.now = Math.max(this.now, nowMs);
    if (this.state.role !== 'Leader' || this.shuttingDown || recordCount < 1) return undefined;
    const batch = { baseOffset: this.log.endOffset, lastOffset: this.log.endOffset + recordCount - 1, epoch: this.state.epoch, data };
    this.log.append(batch);
    this.out.append(batch);
    this.completeParkedFetches(false);
    return { baseOffset: batch.baseOffset, lastOffset: batch.lastOffset, epoch: batch.epoch };
  }

  /**
   * The log is durable (fsynced) up to `endOffset`. A flush that began before a truncation the
   * driver performed must not be reported after it (it may describe bytes that are gone).
   */
  appended(endOffset: number, nowMs: number): void {
    this.now = Math.max(this.now, nowMs);
    this.log.markDurable(endOffset);
    const s = this.state;
    if (s.role === 'Leader') {
      if (s.state.updateLocal(this.log.durableEndOffset)) this.onLeaderHighWatermark();
    } else if (s.role === 'Follower' && s.awaitingDurable && this.log.durableEndOffset >= this.log.endOffset) {
      s.awaitingDurable = false;
    }
    this.poll();
  }

  /** The local state machine wrote a snapshot (at or below the high watermark). */
  snapshotCreated(snapshotId: OffsetAndEpoch): void {
    const latest = this.log.latestSnapshotId;
    if (latest === undefined || snapshotId.offset > latest.offset) this.log.latestSnapshotId = { ...snapshotId };
  }

  /** The driver deleted the log below `logStartOffset` (at most the latest snapshot's offset). */
  logStartMoved(logStartOffset: number): void {
    this.log.moveLogStart(Math.min(logStartOffset, this.log.latestSnapshotId?.offset ?? 0));
  }

  /** Graceful shutdown: a leader resigns (EndQuorumEpoch to the voters); others stop standing for election. */
  resign(nowMs: number): void {
    this.now = Math.max(this.now, nowMs);
    this.shuttingDown = true;
    if (this.state.role === 'Leader') this.becomeResigned();
    this.poll();
  }

  /** Takes (and clears) what the driver must do now. Call it after every input above. */
  takeReady(): Ready {
    return this.out.take();
  }

  // ---- Views -------------------------------------------------------------------------------

  /** The earliest time `tick` has something to do (a timer for the driver, no polling). */
  nextDeadline(): number {
    return nextDeadline(this);
  }

  /** The node's role, epoch, leader, vote and log positions. */
  status(): RaftStatus {
    const s = this.state;
    return {
      nodeId: this.cfg.nodeId,
      role: s.role,
      epoch: s.epoch,
      leaderId: this.leaderId(),
      votedId: this.votedId(),
      isVoter: this.isVoter,
      highWatermark: this.highWatermark,
      logStartOffset: this.log.logStartOffset,
      endOffset: this.log.endOffset,
      durableEndOffset: this.log.durableEndOffset,
      epochStartOffset: s.role === 'Leader' ? s.state.epochStartOffset : -1,
    };
  }

  /** DescribeQuorum's answer; undefined when this node is not the leader (NOT_LEADER_OR_FOLLOWER). */
  describeQuorum(nowMs: number): QuorumDescription | undefined {
    if (this.state.role !== 'Leader') return undefined;
    return this.state.state.describe(this.state.epoch, this.log.durableEndOffset, nowMs);
  }

  // ---- Helpers shared with requests.ts / responses.ts -----------------------------------------

  get epoch(): number {
    return this.state.epoch;
  }

  leaderId(): NodeId {
    const s = this.state;
    if (s.role === 'Leader' || s.role === 'Resigned') return this.cfg.nodeId;
    if (s.role === 'Follower') return s.leaderId;
    return NO_NODE;
  }

  votedId(): NodeId {
    const s = this.state;
    if (s.role === 'Unattached' || s.role === 'Prospective' || s.role === 'Follower') return s.votedId;
    // A candidate voted for itself, and so did every leader, resigned or not, in its epoch.
    if (s.role === 'Candidate' || s.role === 'Leader' || s.role === 'Resigned') return this.cfg.nodeId;
    return NO_NODE;
  }

  otherVoters(): NodeId[] {
    return this.cfg.voters.filter((v) => v !== this.cfg.nodeId);
  }

  majority(): number {
    return Math.floor(this.cfg.voters.length / 2) + 1;
  }

  respondError(to: NodeId, correlationId: number, type: RaftResponse['type'], errorCode: ErrorCodeValue, extra: Partial<RaftResponse> = {}): void {
    const base = { errorCode, leaderId: this.leaderId(), leaderEpoch: this.epoch };
    let m: RaftResponse;
    switch (type) {
      case 'VoteResponse':
        m = { type, ...base, voteGranted: false, preVote: false, ...(extra as object) };
        break;
      case 'FetchResponse':
        m = { type, ...base, highWatermark: -1, logStartOffset: this.log.logStartOffset, ...(extra as object) };
        break;
      case 'FetchSnapshotResponse':
        m = { type, ...base, snapshotId: { offset: -1, epoch: -1 }, ...(extra as object) };
        break;
      default:
        m = { type, ...base } as RaftResponse;
    }
    this.out.respond(to, correlationId, m);
  }

  // ---- Transitions -------------------------------------------------------------------------

  private transition(next: EpochState): void {
    const prev = this.state;
    if (prev.role === 'Leader' && next.role !== 'Leader') this.stopLeading(prev.state, next);
    this.state = next;
    this.generation++;
    this.peerRetryAt.clear();
    const q = { leaderEpoch: next.epoch, leaderId: this.leaderId(), votedId: this.votedId() };
    // Prospective persists nothing (KIP-996): it keeps the file of the state it came from.
    if (next.role !== 'Prospective' && (q.leaderEpoch !== this.persisted.leaderEpoch || q.leaderId !== this.persisted.leaderId || q.votedId !== this.persisted.votedId)) {
      this.persisted = q;
      this.out.persist(q);
    }
  }

  /** Parked fetches learn of the new epoch; queued log reads are withdrawn (the log may be truncated next). */
  private stopLeading(state: LeaderState, next: EpochState): void {
    const leaderId = next.role === 'Follower' ? next.leaderId : NO_NODE;
    for (const p of state.parked.values()) {
      this.out.respond(p.from, p.correlationId, { type: 'FetchResponse', errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, leaderId, leaderEpoch: next.epoch, highWatermark: -1, logStartOffset: this.log.logStartOffset });
    }
    state.parked.clear();
    this.out.withdrawLogReads((m) => {
      if (m.type === 'FetchResponse') return { ...m, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, readFrom: undefined, leaderId, leaderEpoch: next.epoch, highWatermark: -1 };
      if (m.type === 'FetchSnapshotResponse') return { ...m, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, read: undefined, leaderId, leaderEpoch: next.epoch };
      return m;
    });
  }

  private unattachedDeadline(): number {
    // Observers never stand: their "deadline" is the next look for the leader.
    return this.now + (this.isVoter ? randomElectionTimeoutMs(this.cfg) : 0);
  }

  followerState(epoch: number, leaderId: NodeId, votedId: NodeId): FollowerState {
    return {
      role: 'Follower', epoch, leaderId, votedId, fetchDeadline: this.now + this.cfg.fetchTimeoutMs, retryAt: 0, inFlight: -1,
      awaitingDurable: this.log.durableEndOffset < this.log.endOffset, snapshot: undefined,
    };
  }

  becomeUnattached(epoch: number, votedId: NodeId = NO_NODE): void {
    this.transition({ role: 'Unattached', epoch, votedId, electionDeadline: this.unattachedDeadline() });
  }

  becomeFollower(epoch: number, leaderId: NodeId): void {
    // The vote cast in this epoch stays on file: it still binds this node.
    this.transition(this.followerState(epoch, leaderId, epoch === this.epoch ? this.votedId() : NO_NODE));
  }

  /** A message says epoch `epoch` (with `leaderId`, if known) exists: catch up with it. */
  observeEpoch(epoch: number, leaderId: NodeId, from: NodeId): void {
    if (epoch > this.epoch) {
      if (leaderId >= 0 && leaderId !== this.cfg.nodeId) this.becomeFollower(epoch, leaderId);
      else this.becomeUnattached(epoch);
    } else if (epoch === this.epoch && leaderId >= 0 && leaderId !== this.cfg.nodeId) {
      const s = this.state;
      // A Prospective goes back to the leader it lost touch with only on word from that leader, not because others still name it.
      if (s.role === 'Prospective' && s.leaderId === leaderId && from !== leaderId) return;
      if (s.role === 'Unattached' || s.role === 'Prospective' || s.role === 'Candidate') this.becomeFollower(epoch, leaderId);
    }
  }

  becomeProspective(): void {
    const s = this.state;
    // The vote of this epoch carries over: a failed candidate has still voted for itself.
    const votedId = this.votedId();
    const leaderId = s.role === 'Follower' ? s.leaderId : s.role === 'Prospective' ? s.leaderId : NO_NODE;
    this.transition({ role: 'Prospective', epoch: s.epoch, votedId, leaderId, granted: new Set([this.cfg.nodeId]), rejected: new Set(), electionDeadline: this.now + randomElectionTimeoutMs(this.cfg), backoffUntil: 0 });
    if (this.majority() <= 1) this.becomeCandidate();
  }

  becomeCandidate(retries = 0): void {
    this.transition({ role: 'Candidate', epoch: this.epoch + 1, granted: new Set([this.cfg.nodeId]), rejected: new Set(), electionDeadline: this.now + randomElectionTimeoutMs(this.cfg), backoffUntil: 0, retries });
    if (this.majority() <= 1) this.becomeLeader();
  }

  becomeLeader(): void {
    const s = this.state;
    if (s.role !== 'Candidate') return;
    const granted = [...s.granted].sort((a, b) => a - b);
    const checkQuorumMs = Math.floor(this.cfg.fetchTimeoutMs * CHECK_QUORUM_TIMEOUT_FACTOR);
    const state = new LeaderState(this.cfg.nodeId, this.cfg.voters, this.log.endOffset, granted, checkQuorumMs, this.now, this.cfg.unsafe?.ignoreEpochStartForHighWatermark === true);
    this.transition({ role: 'Leader', epoch: s.epoch, state });
    // The epoch-start entry: the HW waits for a majority to hold it.
    const batch = { baseOffset: this.log.endOffset, lastOffset: this.log.endOffset, epoch: s.epoch, data: { type: 'LeaderChange', leaderId: this.cfg.nodeId, voters: [...this.cfg.voters], grantingVoters: granted } };
    this.log.append(batch);
    this.out.append(batch);
    if (state.updateLocal(this.log.durableEndOffset)) this.onLeaderHighWatermark();
  }

  becomeResigned(): void {
    const s = this.state;
    const preferredSuccessors = s.role === 'Leader' ? s.state.followersByDescendingOffset() : [];
    this.transition({ role: 'Resigned', epoch: s.epoch, unacknowledged: new Set(this.otherVoters()), preferredSuccessors, electionDeadline: this.now + randomElectionTimeoutMs(this.cfg) });
  }

  // ---- Leader ------------------------------------------------------------------------------

  /** The leader's HW moved: tell the state machine and wake parked fetches (they carry the HW). */
  onLeaderHighWatermark(): void {
    if (this.state.role !== 'Leader') return;
    const hw = this.state.state.highWatermark;
    if (hw > this.highWatermark) {
      this.highWatermark = hw;
      this.out.highWatermark(hw);
    }
    this.completeParkedFetches(true);
  }

  /** Answers parked fetches that now have data (or all of them, when the HW moved). */
  completeParkedFetches(all: boolean): void {
    if (this.state.role !== 'Leader') return;
    for (const p of [...this.state.state.parked.values()]) {
      const hasData = p.fetchOffset < this.log.endOffset;
      if (!all && !hasData) continue;
      this.state.state.parked.delete(p.from);
      // Completed by an event, the fetch counts as made now (Kafka re-runs it): fetch and caught-up times move.
      this.state.state.updateReplica(p.from, p.fetchOffset, this.log.durableEndOffset, this.now);
      this.answerFetch(p.from, p.correlationId, p.fetchOffset);
    }
  }

  answerFetch(to: NodeId, correlationId: number, fetchOffset: number): void {
    if (this.state.role !== 'Leader') return;
    this.out.respond(to, correlationId, {
      type: 'FetchResponse', errorCode: ErrorCode.NONE, leaderId: this.cfg.nodeId, leaderEpoch: this.epoch,
      highWatermark: this.state.state.highWatermark, logStartOffset: this.log.logStartOffset,
      ...(fetchOffset < this.log.endOffset ? { readFrom: fetchOffset } : {}),
    });
  }

  // ---- Polling: what time and state call for -----------------------------------------------

  private onRequestFailed(p: PendingRequest): void {
    if (p.generation !== this.generation) return;
    this.peerRetryAt.set(p.to, this.now + this.cfg.retryBackoffMs);
    const s = this.state;
    if (s.role === 'Follower' && p.request.type.startsWith('Fetch')) {
      s.inFlight = -1;
      s.retryAt = this.now + this.cfg.retryBackoffMs;
    }
  }

  /** Can a request of this role go to `to` now (none in flight, not backing off)? */
  canSendTo(to: NodeId, type: PendingRequest['request']['type']): boolean {
    return !this.out.inFlightTo(to, type, this.generation) && (this.peerRetryAt.get(to) ?? 0) <= this.now;
  }

  request(to: NodeId, req: PendingRequest['request']): number {
    return this.out.request(to, req, this.generation, this.now + this.cfg.requestTimeoutMs);
  }

  /** Runs every timer that has fired and sends what the state owes its peers. Loops while the role changes. */
  private poll(): void {
    for (let guard = 0; guard < 8; guard++) {
      const gen = this.generation;
      pollState(this);
      if (gen === this.generation) return;
    }
  }

  /** A follower's HW: the leader's, but never past its own log and never backwards. */
  advanceHighWatermark(hw: number): void {
    const capped = Math.min(hw, this.log.endOffset);
    if (capped > this.highWatermark) {
      this.highWatermark = capped;
      this.out.highWatermark(capped);
    }
  }
}
