// CreatePartitions (key 37), v0-3. Adds partitions to existing topics, optionally with explicit
// replica assignments (validated against the registered brokers); validate_only stops before the
// controller writes the PartitionRecords. A topic named twice is INVALID_REQUEST. More than
// 10,000 new partitions in one request fails every topic named in it (Kafka's POLICY_VIOLATION).
import { CreatePartitionsRequest } from '../protocol/generated/create-partitions-request.js';
import { CreatePartitionsResponse } from '../protocol/generated/create-partitions-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';
import { mutationQuota } from '../quota/throttled-handlers.js';

type Result = CreatePartitionsResponse['results'][number];

export default defineHandler<CreatePartitionsRequest, CreatePartitionsResponse>({
  apiKey: 37,
  minVersion: 0,
  maxVersion: 3,
  request: CreatePartitionsRequest,
  response: CreatePartitionsResponse,
  async handle(ctx, req) {
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results: Result[] = [];
    for (const [name, n] of counts) if (n > 1) results.push({ name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' });
    // ALTER on each topic (Kafka's CreatePartitions authorization).
    for (const t of req.topics) if (counts.get(t.name) === 1 && !authorized(ctx, Op.ALTER, Resource.TOPIC, t.name)) results.push({ name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null });
    const unique = req.topics.filter((t) => counts.get(t.name) === 1 && authorized(ctx, Op.ALTER, Resource.TOPIC, t.name));
    const quota = mutationQuota(ctx, 3);
    try {
      results.push(...(await ctx.broker.controller.createPartitions(unique, req.validateOnly, quota.record)));
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return { throttleTimeMs: 0, results: req.topics.map((t) => ({ name: t.name, errorCode: e.errorCode, errorMessage: e.message })) };
    }
    return quota.finish({ throttleTimeMs: 0, results });
  },
});
