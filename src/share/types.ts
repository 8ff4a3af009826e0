// The vocabulary of share partitions (KIP-932): record states, acknowledgement types, acquire
// modes, a group's share settings, the ranges requests and responses carry, and Kafka's errors for
// them (ShareError, the persister's errors as the share partition reports them).
import { ErrorCode } from '../protocol/errors.js';

/** Kafka's RecordState ids (ACQUIRED is never persisted). */
export const RecordState = { AVAILABLE: 0, ACQUIRED: 1, ACKNOWLEDGED: 2, ARCHIVED: 4 } as const;
export type RecordStateId = (typeof RecordState)[keyof typeof RecordState];

/** AcknowledgementBatch.AcknowledgeTypes. */
export const AcknowledgeType = { GAP: 0, ACCEPT: 1, RELEASE: 2, REJECT: 3, RENEW: 4 } as const;

/** ShareFetch v2's ShareAcquireMode (KIP-1206). */
export const ShareAcquireMode = { BATCH_OPTIMIZED: 0, RECORD_LIMIT: 1 } as const;

/** What a share group's configs say about its partitions (the group's override, else the broker default). */
export interface ShareSettings {
  recordLockDurationMs: number;
  deliveryCountLimit: number;
  maxRecordLocks: number;
  renewEnabled: boolean;
  /** share.auto.offset.reset: earliest, latest or by_duration:<ISO-8601 duration>. */
  autoOffsetReset: string;
  /** share.isolation.level. */
  isolationLevel: 'read_uncommitted' | 'read_committed';
}

export interface AcquiredRecords {
  firstOffset: number;
  lastOffset: number;
  deliveryCount: number;
}

/** A log batch of what the caller read: its first and last offsets. */
export interface FetchedBatch {
  baseOffset: number;
  lastOffset: number;
}

export interface AcknowledgementBatch {
  firstOffset: number;
  lastOffset: number;
  acknowledgeTypes: number[];
}

/** A Kafka error for the partition (or its acknowledgement), with Kafka's message. */
export class ShareError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Kafka 4.4's fetchPersisterError: what a persister error means to the share partition's callers. */
export function persisterError(errorCode: number, message: string | null): ShareError {
  const m = message ?? '';
  switch (errorCode) {
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
      return new ShareError(ErrorCode.COORDINATOR_NOT_AVAILABLE, m);
    case ErrorCode.GROUP_ID_NOT_FOUND:
      return new ShareError(ErrorCode.GROUP_ID_NOT_FOUND, m);
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      return new ShareError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, m);
    case ErrorCode.FENCED_LEADER_EPOCH:
    case ErrorCode.FENCED_STATE_EPOCH:
      return new ShareError(ErrorCode.NOT_LEADER_OR_FOLLOWER, m);
    case ErrorCode.SASL_AUTHENTICATION_FAILED:
    case ErrorCode.UNSUPPORTED_VERSION:
      return new ShareError(ErrorCode.UNKNOWN_SERVER_ERROR, 'Unable to complete operation due to server error.');
    default:
      return new ShareError(ErrorCode.UNKNOWN_SERVER_ERROR, m);
  }
}
