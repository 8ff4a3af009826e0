// The roles a node can be in, one record each (Kafka's EpochState family). Pure data: the
// transitions live in the core. Every state knows its epoch; `votedId`/`leaderId` are what the
// quorum-state file holds for it.
import type { NodeId, OffsetAndEpoch } from '../messages.js';
import type { LeaderState } from './leader-state.js';

export interface UnattachedState {
  role: 'Unattached';
  epoch: number;
  votedId: NodeId;
  /** Voters stand for election (become Prospective) at this time; observers never do. */
  electionDeadline: number;
}

/** KIP-996: asks for pre-votes before bumping the epoch, so a partitioned node cannot disturb a healthy leader. */
export interface ProspectiveState {
  role: 'Prospective';
  epoch: number;
  votedId: NodeId;
  /** The leader it followed before its fetch timeout, if any (it rejoins it if the pre-vote fails that way). */
  leaderId: NodeId;
  granted: Set<NodeId>;
  rejected: Set<NodeId>;
  electionDeadline: number;
  /** After a majority rejects: wait until then, then ask again. */
  backoffUntil: number;
}

export interface CandidateState {
  role: 'Candidate';
  epoch: number;
  granted: Set<NodeId>;
  rejected: Set<NodeId>;
  electionDeadline: number;
  /** After losing (rejected or timed out): wait until then, then go Prospective. */
  backoffUntil: number;
  retries: number;
}

export interface FollowerState {
  role: 'Follower';
  epoch: number;
  leaderId: NodeId;
  votedId: NodeId;
  /** No successful fetch by then: stand for election (voter) or look for the leader again (observer). */
  fetchDeadline: number;
  /** Don't send the next fetch before this (after a failed one). */
  retryAt: number;
  /** Correlation id of the Fetch or FetchSnapshot in flight, or -1. */
  inFlight: number;
  /** Appended batches not yet durable: the next Fetch waits for them. */
  awaitingDurable: boolean;
  /** A snapshot being fetched (the leader's log starts past our end). */
  snapshot: { id: OffsetAndEpoch; position: number } | undefined;
}

export interface LeaderRole {
  role: 'Leader';
  epoch: number;
  state: LeaderState;
}

export interface ResignedState {
  role: 'Resigned';
  epoch: number;
  /** Voters that have not answered EndQuorumEpoch yet. */
  unacknowledged: Set<NodeId>;
  preferredSuccessors: NodeId[];
  electionDeadline: number;
}

export type EpochState = UnattachedState | ProspectiveState | CandidateState | FollowerState | LeaderRole | ResignedState;
