// CreateTopics (key 19), v2-7. The controller validates names, partition counts, replication
// factor, explicit assignments and config names/values as Kafka does and writes the topic's
// records; validate_only stops before the write. From v5 the response lists the topic's configs
// with their sources. A limit on the request as a whole (more than 10,000 partitions, or records,
// in one request) fails every topic named in it with the controller's error, as Kafka answers.
import { CreateTopicsRequest } from '../protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../protocol/generated/create-topics-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { ZERO_UUID } from '../metadata/uuid.js';
import { KafkaError } from '../storage/types.js';
import { defineHandler } from './handler.js';
import { authorized, clusterAuthorized, Op, Resource } from './authorize.js';
import { mutationQuota } from '../quota/throttled-handlers.js';

type Result = CreateTopicsResponse['topics'][number];

export default defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: 19,
  minVersion: 2,
  maxVersion: 7,
  request: CreateTopicsRequest,
  response: CreateTopicsResponse,
  async handle(ctx, req) {
    const broker = ctx.broker;
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const topics: Result[] = [];
    // Kafka answers a name given twice once, with INVALID_REQUEST, and creates the rest.
    for (const [name, n] of counts) if (n > 1) topics.push(failed(name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'));
    // CREATE on the cluster or on the topic (Kafka's CreateTopics authorization).
    const mayCreate = (name: string) => clusterAuthorized(ctx, Op.CREATE) || authorized(ctx, Op.CREATE, Resource.TOPIC, name);
    for (const t of req.topics) if (counts.get(t.name) === 1 && !mayCreate(t.name)) topics.push(failed(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'));
    const unique = req.topics.filter((t) => counts.get(t.name) === 1 && mayCreate(t.name));
    const validateOnly = req.validateOnly ?? false;
    let created;
    const quota = mutationQuota(ctx, 6);
    try {
      created = await broker.controller.createTopics(unique, validateOnly, quota.record);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      return { throttleTimeMs: 0, topics: req.topics.map((t) => failed(t.name, e.errorCode, e.message)) };
    }
    const image = broker.image;
    for (const r of created) {
      if (r.errorCode !== ErrorCode.NONE) {
        topics.push(failed(r.name, r.errorCode, r.errorMessage ?? ''));
        continue;
      }
      topics.push({
        name: r.name,
        topicId: validateOnly ? ZERO_UUID : r.topicId,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        topicConfigErrorCode: ErrorCode.NONE,
        numPartitions: r.numPartitions,
        replicationFactor: r.replicationFactor,
        configs: broker.describer.topic(image, r.name, r.configs).map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          configSource: c.configSource,
          isSensitive: c.isSensitive,
        })),
      });
    }
    return quota.finish({ throttleTimeMs: 0, topics });
  },
});

function failed(name: string, errorCode: number, errorMessage: string): Result {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, topicConfigErrorCode: ErrorCode.NONE, numPartitions: -1, replicationFactor: -1, configs: [] };
}
