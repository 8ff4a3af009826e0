// The core's settings: Kafka's quorum configs (controller.quorum.*) with Kafka's defaults, the
// static voter set (kraft.version 0), and the injected randomness that keeps the core pure.
import type { NodeId } from '../messages.js';

export interface RaftCoreConfig {
  nodeId: NodeId;
  /** controller.quorum.voters' ids. A node not in it is an observer: it only fetches. */
  voters: readonly NodeId[];
  /** controller.quorum.bootstrap.servers as ids (Kafka's -2, -3, ...): where an observer of a dynamic quorum looks for the leader. */
  bootstrapServers?: readonly NodeId[];
  /** controller.quorum.election.timeout.ms: elections time out after a random [T, 2T). */
  electionTimeoutMs: number;
  /** controller.quorum.fetch.timeout.ms: a follower that has not fetched for this long stands for election. */
  fetchTimeoutMs: number;
  /** controller.quorum.election.backoff.max.ms. */
  electionBackoffMaxMs: number;
  /** controller.quorum.request.timeout.ms: an unanswered request counts as failed after this. */
  requestTimeoutMs: number;
  /** controller.quorum.retry.backoff.ms. */
  retryBackoffMs: number;
  /** How long a caught-up Fetch may wait on the leader (Kafka's raft client uses 500). */
  fetchMaxWaitMs: number;
  /** Bytes asked for per FetchSnapshot. */
  fetchSnapshotMaxBytes: number;
  /** Uniform in [0, 1): Math.random in production, a seeded PRNG in the simulation. */
  random: () => number;
  /** Test-only switches that break one rule, to prove the simulation's checker notices. Never set in production. */
  unsafe?: UnsafeSwitches;
}

export interface UnsafeSwitches {
  /** Grant a vote in an epoch even after voting for someone else in it. */
  grantTwoVotesPerEpoch?: boolean;
  /** Let the high watermark advance before a majority has the leader's epoch-start entry. */
  ignoreEpochStartForHighWatermark?: boolean;
  /** Grant votes without comparing logs. */
  skipLogCheckOnVote?: boolean;
}

export const RAFT_DEFAULTS = {
  electionTimeoutMs: 1000,
  fetchTimeoutMs: 2000,
  electionBackoffMaxMs: 1000,
  requestTimeoutMs: 2000,
  retryBackoffMs: 20,
  fetchMaxWaitMs: 500,
  fetchSnapshotMaxBytes: 8 * 1024 * 1024,
} as const;

/** A config from the node's id, its voters and randomness, the rest at Kafka's defaults. */
export function raftCoreConfig(c: Pick<RaftCoreConfig, 'nodeId' | 'voters' | 'random'> & Partial<RaftCoreConfig>): RaftCoreConfig {
  return { ...RAFT_DEFAULTS, ...c };
}
