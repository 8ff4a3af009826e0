// ListOffsets (key 2), v1-10. Special timestamps: -1 latest (high watermark, or last stable offset
// under read_committed), -2 earliest, -3 max timestamp (v7+), -4 earliest local (v8+, same as
// earliest without tiered storage), -5 latest tiered (v9+, none without tiered storage).
// Any other timestamp: the first offset whose record timestamp is at or after it.
import { ListOffsetsRequest } from '../protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse } from '../protocol/generated/list-offsets-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { RecordValidationError } from '../protocol/records/errors.js';
import { KafkaError, type PartitionLog } from '../storage/types.js';
import { defineHandler } from './handler.js';
import { leaderEpochError } from './leader-epoch.js';

type PartitionResponse = ListOffsetsResponse['topics'][number]['partitions'][number];

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const LATEST_TIERED = -5;

export default defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: 2,
  minVersion: 1,
  maxVersion: 10,
  request: ListOffsetsRequest,
  response: ListOffsetsResponse,
  async handle(ctx, req) {
    const topics = await Promise.all(
      req.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p): Promise<PartitionResponse> => {
            const base = { partitionIndex: p.partitionIndex, timestamp: -1, offset: -1, leaderEpoch: -1 };
            const l = ctx.broker.partitionLog(t.name, p.partitionIndex);
            if (!l) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
            const epochError = leaderEpochError(l, p.currentLeaderEpoch);
            if (epochError !== ErrorCode.NONE) return { ...base, errorCode: epochError };
            try {
              return { ...base, errorCode: ErrorCode.NONE, ...(await offsetFor(l, p.timestamp, req.isolationLevel === 1)) };
            } catch (e) {
              if (e instanceof KafkaError) return { ...base, errorCode: e.errorCode };
              // A search by timestamp decodes batches: one that does not decompress is this
              // partition's error (CORRUPT_MESSAGE), as Kafka answers, not a dropped connection.
              if (e instanceof RecordValidationError) return { ...base, errorCode: e.errorCode };
              throw e;
            }
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});

async function offsetFor(l: PartitionLog, timestamp: number, _readCommitted: boolean) {
  switch (timestamp) {
    case LATEST:
      // Without transactions the last stable offset is the high watermark.
      return { timestamp: -1, offset: l.highWatermark, leaderEpoch: l.leaderEpoch };
    case EARLIEST:
    case EARLIEST_LOCAL:
      return { timestamp: -1, offset: l.logStartOffset, leaderEpoch: l.leaderEpoch };
    case LATEST_TIERED:
      return { timestamp: -1, offset: -1, leaderEpoch: -1 };
    case MAX_TIMESTAMP: {
      const found = await l.maxTimestamp();
      return found ? { timestamp: found.timestamp, offset: found.offset, leaderEpoch: found.leaderEpoch } : { timestamp: -1, offset: -1, leaderEpoch: -1 };
    }
    default: {
      const found = await l.offsetForTimestamp(timestamp);
      return found ? { timestamp: found.timestamp, offset: found.offset, leaderEpoch: found.leaderEpoch } : { timestamp: -1, offset: -1, leaderEpoch: -1 };
    }
  }
}
