// ListOffsets (key 2), v1-11. Special timestamps: -1 latest (high watermark, or last stable offset
// under read_committed), -2 earliest, -3 max timestamp (v7+), -4 earliest local (v8+, same as
// earliest without tiered storage), -5 latest tiered (v9+), -6 earliest pending upload (v11+,
// KIP-1023); without tiered storage the last two find no offset. Any other negative timestamp, or
// one below its version, is UNSUPPORTED_VERSION, and a partition named twice INVALID_REQUEST (one
// answer for it), as Kafka's ReplicaManager decides. Any other timestamp: the first offset whose
// record timestamp is at or after it.
import { ListOffsetsRequest } from '../protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse } from '../protocol/generated/list-offsets-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { RecordValidationError } from '../protocol/records/errors.js';
import { KafkaError, type PartitionLog } from '../storage/types.js';
import { defineHandler } from './handler.js';
import { leaderEpochError } from './leader-epoch.js';
import { authorized, Op, Resource } from './authorize.js';

type PartitionResponse = ListOffsetsResponse['topics'][number]['partitions'][number];

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const LATEST_TIERED = -5;
const EARLIEST_PENDING_UPLOAD = -6;

/** The first version that may ask for each special timestamp. */
const MIN_VERSION = new Map([
  [LATEST, 1],
  [EARLIEST, 1],
  [MAX_TIMESTAMP, 7],
  [EARLIEST_LOCAL, 8],
  [LATEST_TIERED, 9],
  [EARLIEST_PENDING_UPLOAD, 11],
]);

export default defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: 2,
  minVersion: 1,
  maxVersion: 11,
  request: ListOffsetsRequest,
  response: ListOffsetsResponse,
  async handle(ctx, req) {
    // Partitions named more than once in the request (under any of its topic entries).
    const seen = new Set<string>();
    const duplicated = new Set<string>();
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const key = `${p.partitionIndex}:${t.name}`;
        if (seen.has(key)) duplicated.add(key);
        seen.add(key);
      }
    }
    const answer = async (name: string, p: ListOffsetsRequest['topics'][number]['partitions'][number]): Promise<PartitionResponse> => {
      const base = { partitionIndex: p.partitionIndex, timestamp: -1, offset: -1, leaderEpoch: -1 };
      if (!authorized(ctx, Op.DESCRIBE, Resource.TOPIC, name)) return { ...base, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
      if (duplicated.has(`${p.partitionIndex}:${name}`)) return { ...base, errorCode: ErrorCode.INVALID_REQUEST };
      if (p.timestamp < 0 && !(ctx.apiVersion >= (MIN_VERSION.get(p.timestamp) ?? Infinity))) return { ...base, errorCode: ErrorCode.UNSUPPORTED_VERSION };
      const l = ctx.broker.partitionLog(name, p.partitionIndex);
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
    };
    // Kafka answers by partition: one entry per topic name, one answer per partition.
    const byName = new Map<string, Promise<PartitionResponse>[]>();
    const answered = new Set<string>();
    for (const t of req.topics) {
      let partitions = byName.get(t.name);
      if (!partitions) byName.set(t.name, (partitions = []));
      for (const p of t.partitions) {
        const key = `${p.partitionIndex}:${t.name}`;
        if (answered.has(key)) continue;
        answered.add(key);
        partitions.push(answer(t.name, p));
      }
    }
    const topics = await Promise.all([...byName].map(async ([name, partitions]) => ({ name, partitions: await Promise.all(partitions) })));
    return { throttleTimeMs: 0, topics };
  },
});

async function offsetFor(l: PartitionLog, timestamp: number, readCommitted: boolean) {
  const none = { timestamp: -1, offset: -1, leaderEpoch: -1 };
  // Kafka's lastFetchableOffset: what a consumer of this isolation level may read up to.
  const lastFetchable = readCommitted ? l.lastStableOffset : l.highWatermark;
  switch (timestamp) {
    case LATEST:
      return { timestamp: -1, offset: lastFetchable, leaderEpoch: l.leaderEpoch };
    case EARLIEST:
    case EARLIEST_LOCAL:
      return { timestamp: -1, offset: l.logStartOffset, leaderEpoch: l.leaderEpoch };
    case LATEST_TIERED:
    case EARLIEST_PENDING_UPLOAD:
      return none;
    default: {
      // A record found at or past the last fetchable offset is not reported (Kafka's ReplicaManager).
      const found = timestamp === MAX_TIMESTAMP ? await l.maxTimestamp() : await l.offsetForTimestamp(timestamp);
      return found && found.offset < lastFetchable ? { timestamp: found.timestamp, offset: found.offset, leaderEpoch: found.leaderEpoch } : none;
    }
  }
}
