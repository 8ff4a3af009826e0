// DescribeProducers (key 61), v0 (KIP-664): the idempotent producers a partition remembers, with
// their epoch, last sequence and last timestamp, the epoch of the coordinator that wrote their
// last marker and the first offset of their open transaction (-1: none). Unknown partitions get
// UNKNOWN_TOPIC_OR_PARTITION, with Kafka's message when the whole topic is unknown.
import { DescribeProducersRequest } from '../protocol/generated/describe-producers-request.js';
import { DescribeProducersResponse } from '../protocol/generated/describe-producers-response.js';
import { ErrorCode } from '../protocol/errors.js';
import type { PartitionLog } from '../storage/types.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';

type Producer = DescribeProducersResponse['topics'][number]['partitions'][number]['activeProducers'][number];

export default defineHandler<DescribeProducersRequest, DescribeProducersResponse>({
  apiKey: 61,
  minVersion: 0,
  maxVersion: 0,
  request: DescribeProducersRequest,
  response: DescribeProducersResponse,
  handle(ctx, req) {
    const broker = ctx.broker;
    const topics = req.topics.map((t) => {
      const known = broker.topics.get(t.name) !== undefined;
      return {
        name: t.name,
        partitions: t.partitionIndexes.map((p) => {
          if (!authorized(ctx, Op.READ, Resource.TOPIC, t.name)) return { partitionIndex: p, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, activeProducers: [] };
          const log = known ? broker.partitionLog(t.name, p) : undefined;
          if (!log) {
            return {
              partitionIndex: p,
              errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
              errorMessage: known ? null : 'This server does not host this topic-partition.',
              activeProducers: [],
            };
          }
          return { partitionIndex: p, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers: activeProducers(log) };
        }),
      };
    });
    return { throttleTimeMs: 0, topics };
  },
});

function activeProducers(log: PartitionLog): Producer[] {
  return log.activeProducers().map((p) => ({ ...p }));
}
