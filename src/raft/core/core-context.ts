// What the role logic (requests.ts, responses.ts, poll.ts) may see and do of the core: RaftCore
// implements it, so those files depend on this shape and not on the class (no import cycle).
import type { ErrorCodeValue, NodeId, RaftResponse } from '../messages.js';
import type { RaftCoreConfig } from './config.js';
import type { LogState } from './log-state.js';
import type { Outbox, PendingRequest } from './outbox.js';
import type { EpochState } from './states.js';

export interface CoreContext {
  readonly cfg: RaftCoreConfig;
  readonly log: LogState;
  readonly out: Outbox;
  readonly isVoter: boolean;
  readonly state: EpochState;
  readonly generation: number;
  readonly now: number;
  readonly shuttingDown: boolean;
  readonly peerRetryAt: Map<NodeId, number>;
  readonly epoch: number;
  /** The high watermark this node knows (-1 unknown). */
  readonly highWatermark: number;
  leaderId(): NodeId;
  votedId(): NodeId;
  otherVoters(): NodeId[];
  majority(): number;
  respondError(to: NodeId, correlationId: number, type: RaftResponse['type'], errorCode: ErrorCodeValue, extra?: Partial<RaftResponse>): void;
  becomeUnattached(epoch: number, votedId?: NodeId): void;
  becomeFollower(epoch: number, leaderId: NodeId): void;
  becomeProspective(): void;
  becomeCandidate(): void;
  becomeLeader(): void;
  becomeResigned(): void;
  /** A message says epoch `epoch` (with `leaderId`, if known, heard from `from`) exists. */
  observeEpoch(epoch: number, leaderId: NodeId, from: NodeId): void;
  onLeaderHighWatermark(): void;
  answerFetch(to: NodeId, correlationId: number, fetchOffset: number): void;
  canSendTo(to: NodeId, type: PendingRequest['request']['type']): boolean;
  request(to: NodeId, req: PendingRequest['request']): number;
  advanceHighWatermark(hw: number): void;
  /** The log was truncated to `offset` (voter changes above it no longer apply). */
  logTruncated(offset: number): void;
}
