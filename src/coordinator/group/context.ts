// What the protocol managers (classic today, KIP-848 consumer later) and the offset manager share:
// the group registry, the clock, timers, settings and the append path to __consumer_offsets.
import type { BrokerConfig } from '../../config.js';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../../storage/types.js';
import type { Group } from './group.js';
import type { OffsetStore } from './offset-store.js';
import type { StoredRecord, TxnProducer } from './offsets-topic.js';
import type { PendingTxnOffsets } from './txn-offsets.js';
import type { Timers } from './timers.js';

export interface GroupSettings {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  initialRebalanceDelayMs: number;
  maxGroupSize: number;
  /** How long a JoinGroup of a member that never received a response may stay parked. */
  newMemberJoinTimeoutMs: number;
  offsetsRetentionMs: number;
  offsetMetadataMaxBytes: number;
  retentionCheckIntervalMs: number;
  loadBufferBytes: number;
}

/** Kafka's JoinGroup timeout for new members (GroupCoordinatorConfig's 5 minutes). */
const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

export function groupSettings(config: BrokerConfig): GroupSettings {
  return {
    minSessionTimeoutMs: config.number('group.min.session.timeout.ms'),
    maxSessionTimeoutMs: config.number('group.max.session.timeout.ms'),
    initialRebalanceDelayMs: config.number('group.initial.rebalance.delay.ms'),
    maxGroupSize: config.number('group.max.size'),
    newMemberJoinTimeoutMs: NEW_MEMBER_JOIN_TIMEOUT_MS,
    offsetsRetentionMs: config.number('offsets.retention.minutes') * 60_000,
    offsetMetadataMaxBytes: config.number('offset.metadata.max.bytes'),
    retentionCheckIntervalMs: config.number('offsets.retention.check.interval.ms'),
    loadBufferBytes: config.number('offsets.load.buffer.size'),
  };
}

export interface CoordinatorContext {
  readonly timers: Timers;
  readonly settings: GroupSettings;
  readonly offsets: OffsetStore;
  /** Offsets of open transactions, until their markers. */
  readonly pendingTxnOffsets: PendingTxnOffsets;
  now(): number;
  group(groupId: string): Group | undefined;
  addGroup(group: Group): void;
  /** Forgets the group (its state becomes Dead) and cancels its timers. */
  removeGroup(groupId: string): void;
  /**
   * Appends records to the group's __consumer_offsets partition as one batch (a transactional one
   * of `txn`'s producer); resolves with its base offset. `onAppended` runs once it is in the log.
   */
  append(groupId: string, records: StoredRecord[], txn?: TxnProducer, onAppended?: (baseOffset: number) => void): Promise<number>;
}

/** Kafka's mapping of a failed append to the error a group API returns. */
export function appendErrorCode(e: unknown): number {
  const code = e instanceof KafkaError ? e.errorCode : ErrorCode.KAFKA_STORAGE_ERROR;
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}
