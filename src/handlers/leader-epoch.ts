// Kafka's check of a client's currentLeaderEpoch against the partition's (KIP-320).
import { ErrorCode } from '../protocol/errors.js';
import type { PartitionLog } from '../storage/types.js';

export function leaderEpochError(log: PartitionLog, currentLeaderEpoch: number | undefined): number {
  if (currentLeaderEpoch === undefined || currentLeaderEpoch < 0) return ErrorCode.NONE;
  if (currentLeaderEpoch < log.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (currentLeaderEpoch > log.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  return ErrorCode.NONE;
}
