// DeleteRecords (key 21), v0-2 (v2 flexible). Moves each partition's log start offset (low
// watermark) up to the requested offset, -1 meaning the high watermark; fetches below it then
// get OFFSET_OUT_OF_RANGE and the segments wholly below it go at the next retention check.
// As Kafka: internal topics are refused (INVALID_TOPIC_EXCEPTION), a topic whose cleanup.policy
// lacks `delete` gets POLICY_VIOLATION, an offset past the high watermark OFFSET_OUT_OF_RANGE.
// One replica, so the response does not wait for followers (timeout_ms is not needed).
import { DeleteRecordsRequest } from '../protocol/generated/delete-records-request.js';
import { DeleteRecordsResponse } from '../protocol/generated/delete-records-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import { log } from '../log.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';

type PartitionResult = DeleteRecordsResponse['topics'][number]['partitions'][number];

/** Kafka's Topic.isInternal. */
const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);
const HIGH_WATERMARK = -1;

export default defineHandler<DeleteRecordsRequest, DeleteRecordsResponse>({
  apiKey: 21,
  minVersion: 0,
  maxVersion: 2,
  request: DeleteRecordsRequest,
  response: DeleteRecordsResponse,
  async handle(ctx, req) {
    const topics = await Promise.all(
      req.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async (p): Promise<PartitionResult> => {
            const failed = (errorCode: number) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode });
            if (!authorized(ctx, Op.DELETE, Resource.TOPIC, t.name)) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
            const l = ctx.broker.partitionLog(t.name, p.partitionIndex);
            if (!l) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            if (INTERNAL_TOPICS.has(t.name)) return failed(ErrorCode.INVALID_TOPIC_EXCEPTION);
            if (!l.config.cleanupPolicy.includes('delete')) return failed(ErrorCode.POLICY_VIOLATION);
            const offset = p.offset === HIGH_WATERMARK ? l.highWatermark : p.offset;
            if (offset < 0) return failed(ErrorCode.OFFSET_OUT_OF_RANGE);
            try {
              const before = l.logStartOffset;
              const lowWatermark = await l.deleteRecordsBefore(offset);
              if (lowWatermark > before) {
                log.info(`Incremented log start offset of ${t.name}-${p.partitionIndex} to ${lowWatermark} due to client delete records request`);
              }
              return { partitionIndex: p.partitionIndex, lowWatermark, errorCode: ErrorCode.NONE };
            } catch (e) {
              if (e instanceof KafkaError) return failed(e.errorCode);
              log.error(`delete records on ${t.name}-${p.partitionIndex} failed: ${(e as Error)?.message ?? e}`);
              return failed(ErrorCode.KAFKA_STORAGE_ERROR);
            }
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});
