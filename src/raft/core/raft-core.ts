// The KRaft core: a pure state machine (no sockets, timers, files, clock or Math.random inside),
// shaped like etcd's raft. The driver feeds it time, messages, proposals and disk completions,
// and after each input takes a `Ready` and performs it in the order written on `Ready`.
import type {
  LogShape,
  NodeId,
  OffsetAndEpoch,
  QuorumDescription,
  QuorumStateRecord,
  RaftMessage,
  RaftStatus,
  Ready,
} from '../messages.js';
import type { RaftCoreConfig } from './config.js';

/** Where a proposal landed in the log. */
export interface ProposalPosition {
  baseOffset: number;
  lastOffset: number;
  epoch: number;
}

export class RaftCore {
  /**
   * Restores a node from what it persisted: the quorum-state file (absent on a fresh node: pass
   * undefined) and the log's recovered shape. A node that was leader comes back Resigned; one that
   * followed a leader comes back following it; otherwise Unattached (with its vote, if any).
   */
  constructor(config: RaftCoreConfig, quorumState: QuorumStateRecord | undefined, log: LogShape, nowMs: number) {
    void config;
    void quorumState;
    void log;
    void nowMs;
    throw new Error('RaftCore: skeleton, implementation follows');
  }

  /** Advances time: election and fetch timeouts, backoffs, request timeouts, parked fetches. */
  tick(nowMs: number): void {
    void nowMs;
  }

  /**
   * A message from a peer. For a request, `correlationId` is the driver's id for it (the response
   * will carry it back); for a response, the id of the core's request it answers (unknown or
   * already-answered ids are ignored, so duplicated or late responses are harmless).
   */
  receive(from: NodeId, message: RaftMessage, correlationId: number, nowMs: number): void {
    void from;
    void message;
    void correlationId;
    void nowMs;
  }

  /** The driver could not send the core's request `correlationId` (no connection): treated as a timeout now. */
  requestFailed(correlationId: number, nowMs: number): void {
    void correlationId;
    void nowMs;
  }

  /**
   * Appends `data` (`recordCount` offsets) at the end of the leader's log in the current epoch.
   * Returns where, or undefined when this node is not an active leader (NOT_CONTROLLER).
   */
  propose(data: unknown, recordCount: number, nowMs: number): ProposalPosition | undefined {
    void data;
    void recordCount;
    void nowMs;
    return undefined;
  }

  /**
   * The log is durable (fsynced) up to `endOffset`. A flush that began before a truncation the
   * driver performed must not be reported after it (it may describe bytes that are gone).
   */
  appended(endOffset: number, nowMs: number): void {
    void endOffset;
    void nowMs;
  }

  /** The local state machine wrote a snapshot (at or below the high watermark). */
  snapshotCreated(snapshotId: OffsetAndEpoch): void {
    void snapshotId;
  }

  /** The driver deleted the log below `logStartOffset` (at most the latest snapshot's offset). */
  logStartMoved(logStartOffset: number): void {
    void logStartOffset;
  }

  /** Graceful shutdown: a leader resigns (EndQuorumEpoch to the voters); others stop standing for election. */
  resign(nowMs: number): void {
    void nowMs;
  }

  /** Takes (and clears) what the driver must do now. Call it after every input above. */
  takeReady(): Ready {
    return { snapshotWrites: [], append: [], messages: [] };
  }

  /** The earliest time `tick` has something to do (a timer for the driver, no polling). */
  nextDeadline(): number {
    return Number.POSITIVE_INFINITY;
  }

  /** The node's role, epoch, leader, vote and log positions. */
  status(): RaftStatus {
    throw new Error('RaftCore: skeleton');
  }

  /** DescribeQuorum's answer; undefined when this node is not the leader (NOT_LEADER_OR_FOLLOWER). */
  describeQuorum(nowMs: number): QuorumDescription | undefined {
    void nowMs;
    return undefined;
  }
}
