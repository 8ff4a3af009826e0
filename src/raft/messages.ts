// The KRaft core's messages and outputs, in the core's own terms (epochs, offsets, node ids, Kafka
// error codes): the contract between the sans-IO core (src/raft/core/), the real-I/O driver and
// the simulation. One partition (__cluster_metadata-0) and one cluster id are implied, so neither
// appears here; the driver checks them on the wire. Offsets are JS numbers, as in the storage layer.
//
// Correlation: every request the core sends carries a core-chosen `correlationId`; the driver hands
// the response back with the same id (or `requestFailed(id)` if none came). Every request the core
// receives carries a driver-chosen id, and the core's response to it (possibly much later: a parked
// Fetch) carries that id back. The two id spaces never mix: one tags requests out, the other in.
import type { ErrorCode } from '../protocol/errors.js';

export type NodeId = number;
/** A Kafka error code (ErrorCode in src/protocol/errors.ts). */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** "No leader" / "no vote" as Kafka writes them. */
export const NO_NODE = -1;

/** A point in the log: the offset just past a record and the epoch of that record (a snapshot id). */
export interface OffsetAndEpoch {
  offset: number;
  epoch: number;
}

/**
 * A batch of the replicated log. The core never looks inside `data`: for proposals it is what
 * `propose` was given; for a follower it is what the driver read from the leader's log. The one
 * exception is the epoch-start entry the leader writes, whose data is a `LeaderChangeData`.
 */
export interface RaftBatch {
  baseOffset: number;
  /** Inclusive: the batch holds lastOffset - baseOffset + 1 offsets. */
  lastOffset: number;
  epoch: number;
  data: unknown;
}

/** The epoch-start control entry (Kafka's LeaderChangeMessage control record). */
export interface LeaderChangeData {
  type: 'LeaderChange';
  leaderId: NodeId;
  voters: NodeId[];
  /** The voters whose votes elected this leader. */
  grantingVoters: NodeId[];
}

export function isLeaderChange(data: unknown): data is LeaderChangeData {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'LeaderChange';
}

// ---- Requests and responses ------------------------------------------------------------------

/** Vote (52). A candidate sends the epoch it bumped to; a pre-vote (KIP-996) the prospective's current epoch, unbumped, as Kafka 4.x does. */
export interface VoteRequest {
  type: 'VoteRequest';
  candidateEpoch: number;
  candidateId: NodeId;
  /** Epoch of the candidate's last log entry (its last snapshot's if the log is empty). */
  lastOffsetEpoch: number;
  /** The candidate's log end offset. */
  lastOffset: number;
  preVote: boolean;
}

export interface VoteResponse {
  type: 'VoteResponse';
  errorCode: ErrorCodeValue;
  leaderId: NodeId;
  leaderEpoch: number;
  voteGranted: boolean;
  /** Not on the wire: the driver copies it from the request it answers, so a late pre-vote reply is never counted as a vote. */
  preVote: boolean;
}

/** BeginQuorumEpoch (53): the new leader tells each voter. */
export interface BeginQuorumEpochRequest {
  type: 'BeginQuorumEpochRequest';
  leaderId: NodeId;
  leaderEpoch: number;
}

export interface BeginQuorumEpochResponse {
  type: 'BeginQuorumEpochResponse';
  errorCode: ErrorCodeValue;
  leaderId: NodeId;
  leaderEpoch: number;
}

/** EndQuorumEpoch (54): a resigning leader, preferred successors first (most caught up first). */
export interface EndQuorumEpochRequest {
  type: 'EndQuorumEpochRequest';
  leaderId: NodeId;
  leaderEpoch: number;
  preferredSuccessors: NodeId[];
}

export interface EndQuorumEpochResponse {
  type: 'EndQuorumEpochResponse';
  errorCode: ErrorCodeValue;
  leaderId: NodeId;
  leaderEpoch: number;
}

/** Fetch (1) of __cluster_metadata-0 from a voter or an observer. */
export interface FetchRequest {
  type: 'FetchRequest';
  /** ReplicaState.ReplicaId. */
  replicaId: NodeId;
  currentLeaderEpoch: number;
  /** The fetcher's durable log end offset. */
  fetchOffset: number;
  /** Epoch of the entry just before fetchOffset. */
  lastFetchedEpoch: number;
  /** How long the leader may park the fetch waiting for new data. */
  maxWaitMs: number;
  /**
   * The high watermark the fetcher knows (KIP-1166, Fetch v18): -1 unknown; absent when the fetcher
   * does not send it. A leader whose high watermark is ahead answers at once instead of parking.
   */
  highWatermark?: number;
}

export interface FetchResponse {
  type: 'FetchResponse';
  errorCode: ErrorCodeValue;
  leaderId: NodeId;
  leaderEpoch: number;
  /** -1 when unknown (or on errors). */
  highWatermark: number;
  logStartOffset: number;
  /** Set when the fetcher's log is not a prefix of the leader's: truncate to this point, then fetch again. */
  divergingEpoch?: { epoch: number; endOffset: number };
  /** Set when the fetch offset is below the leader's log start: fetch this snapshot with FetchSnapshot. */
  snapshotId?: OffsetAndEpoch;
  /** Leader -> driver: fill `batches` with the leader's log from this offset (up to the driver's byte limit). */
  readFrom?: number;
  /** Driver -> follower core: the batches read, in offset order, starting at the request's fetchOffset. */
  batches?: RaftBatch[];
}

/** FetchSnapshot (59). */
export interface FetchSnapshotRequest {
  type: 'FetchSnapshotRequest';
  replicaId: NodeId;
  currentLeaderEpoch: number;
  snapshotId: OffsetAndEpoch;
  /** Byte position in the snapshot. */
  position: number;
  maxBytes: number;
}

/** A piece of a snapshot, opaque to the core. */
export interface SnapshotChunk {
  /** The snapshot's total size in bytes. */
  size: number;
  position: number;
  /** Length of `bytes` in bytes. */
  length: number;
  bytes: unknown;
}

export interface FetchSnapshotResponse {
  type: 'FetchSnapshotResponse';
  errorCode: ErrorCodeValue;
  leaderId: NodeId;
  leaderEpoch: number;
  snapshotId: OffsetAndEpoch;
  /** Leader -> driver: fill `chunk` from this snapshot (or answer SNAPSHOT_NOT_FOUND / POSITION_OUT_OF_RANGE). */
  read?: { snapshotId: OffsetAndEpoch; position: number; maxBytes: number };
  /** Driver -> follower core. */
  chunk?: SnapshotChunk;
}

export type RaftRequest = VoteRequest | BeginQuorumEpochRequest | EndQuorumEpochRequest | FetchRequest | FetchSnapshotRequest;
export type RaftResponse = VoteResponse | BeginQuorumEpochResponse | EndQuorumEpochResponse | FetchResponse | FetchSnapshotResponse;
export type RaftMessage = RaftRequest | RaftResponse;

export function isRequest(m: RaftMessage): m is RaftRequest {
  return m.type.endsWith('Request');
}

/** A message the core wants sent. */
export interface OutboundMessage {
  to: NodeId;
  /** For a request: the core's id (expect a response with it). For a response: the inbound request's id. */
  correlationId: number;
  message: RaftMessage;
}

// ---- State the driver persists and restores ---------------------------------------------------

/** What the `quorum-state` file holds (QuorumStateData: LeaderEpoch, LeaderId, VotedId). */
export interface QuorumStateRecord {
  leaderEpoch: number;
  leaderId: NodeId;
  votedId: NodeId;
}

/** One entry of the leader-epoch cache: `epoch` starts at `startOffset`. */
export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/** The log's shape, as the driver recovered it from disk on start. */
export interface LogShape {
  logStartOffset: number;
  /** Log end offset (everything below it survived recovery, so it is durable). */
  endOffset: number;
  /** The leader-epoch cache, ascending; entries below logStartOffset may be omitted. */
  epochs: EpochEntry[];
  /** The latest snapshot (its offset is the log start offset after a snapshot install or cleaning). */
  latestSnapshotId?: OffsetAndEpoch;
}

// ---- Outputs ------------------------------------------------------------------------------------

/**
 * What the core asks the driver to do. THE ORDER OF THE FIELDS IS THE ORDER OF THE WORK, and each
 * step completes before the next starts:
 *   1. quorumState     persist (atomically, fsynced) before any message is sent: votes and
 *                      candidacies in `messages` depend on it.
 *   2. truncateTo      cut the log's tail to this end offset;
 *      snapshotWrites  write fetched snapshot chunks to the pending snapshot;
 *      installSnapshot the pending snapshot is complete: fsync it, make it the latest snapshot and
 *                      reset the log to start (and end) at its offset.
 *   3. append          append these batches (offsets and epochs as given); fsync in the background
 *                      and call `appended(endOffset)` when durable. Only durable data counts.
 *   4. messages        send (fill `readFrom` / `read` placeholders from the log / snapshot now).
 *   5. highWatermark   the new high watermark: only now may the state machine apply records below it.
 */
export interface Ready {
  quorumState?: QuorumStateRecord;
  truncateTo?: number;
  snapshotWrites: { snapshotId: OffsetAndEpoch; chunk: SnapshotChunk }[];
  installSnapshot?: OffsetAndEpoch;
  append: RaftBatch[];
  messages: OutboundMessage[];
  highWatermark?: number;
}

// ---- Introspection ------------------------------------------------------------------------------

export type RaftRole = 'Unattached' | 'Prospective' | 'Candidate' | 'Leader' | 'Follower' | 'Resigned';

/** One replica's row of DescribeQuorum, as the leader computes it (-1 when unknown). */
export interface ReplicaDescription {
  replicaId: NodeId;
  logEndOffset: number;
  lastFetchTimestamp: number;
  lastCaughtUpTimestamp: number;
}

/** DescribeQuorum's partition data (only meaningful on the leader; others answer NOT_LEADER_OR_FOLLOWER). */
export interface QuorumDescription {
  leaderId: NodeId;
  leaderEpoch: number;
  highWatermark: number;
  currentVoters: ReplicaDescription[];
  observers: ReplicaDescription[];
}

/** A view of the core's state for others (the controller, metrics, tests). */
export interface RaftStatus {
  nodeId: NodeId;
  role: RaftRole;
  epoch: number;
  leaderId: NodeId;
  votedId: NodeId;
  isVoter: boolean;
  /** -1 until known in this node's life. */
  highWatermark: number;
  logStartOffset: number;
  endOffset: number;
  durableEndOffset: number;
  /** The leader's epoch start offset (the LeaderChange entry); -1 elsewhere. */
  epochStartOffset: number;
}
