// CreateTopics (key 19), v2-7. Validates names, partition counts, replication factor (one broker),
// explicit assignments and config names/values as Kafka does, honours validate_only, and from v5
// returns the created topic's configs with their sources.
import type { Broker } from '../broker.js';
import { CreateTopicsRequest } from '../protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../protocol/generated/create-topics-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { TOPIC_CONFIGS, checkValue, topicConfigDef } from '../config.js';
import { invalidTopicNameReason, isInternalTopic } from '../metadata/topic-name.js';
import { ZERO_UUID } from '../metadata/uuid.js';
import { defineHandler } from './handler.js';

type Creatable = CreateTopicsRequest['topics'][number];
type Result = CreateTopicsResponse['topics'][number];

/** Kafka's ConfigSource ids as they appear on the wire. */
export const ConfigSource = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

export default defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: 19,
  minVersion: 2,
  maxVersion: 7,
  request: CreateTopicsRequest,
  response: CreateTopicsResponse,
  async handle(ctx, req) {
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const topics: Result[] = [];
    for (const t of req.topics) {
      if (counts.get(t.name)! > 1) {
        topics.push(failed(t.name, ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.'));
        continue;
      }
      topics.push(await createOne(ctx.broker, t, req.validateOnly ?? false));
    }
    return { throttleTimeMs: 0, topics };
  },
});

async function createOne(broker: Broker, t: Creatable, validateOnly: boolean): Promise<Result> {
  const problem = validate(broker, t);
  if (problem) return failed(t.name, problem[0], problem[1]);
  const partitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? broker.config.number('num.partitions') : t.numPartitions;
  const configs: Record<string, string> = {};
  for (const c of t.configs) if (c.value !== null) configs[c.name] = c.value;
  let topicId = ZERO_UUID;
  if (!validateOnly) {
    if (broker.topics.get(t.name)) return failed(t.name, ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
    topicId = (await broker.createTopic(t.name, partitions, configs)).topicId;
  }
  return {
    name: t.name,
    topicId,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    numPartitions: partitions,
    replicationFactor: 1,
    configs: TOPIC_CONFIGS.map((def) => {
      const explicit = configs[def.name];
      const brokerValue = def.brokerSynonym ? broker.config.explicit(def.brokerSynonym) : undefined;
      return {
        name: def.name,
        value: explicit ?? broker.config.topicDefault(def.name),
        readOnly: false,
        configSource:
          explicit !== undefined
            ? ConfigSource.DYNAMIC_TOPIC_CONFIG
            : brokerValue !== undefined
              ? ConfigSource.STATIC_BROKER_CONFIG
              : ConfigSource.DEFAULT_CONFIG,
        isSensitive: false,
      };
    }),
  };
}

/** [errorCode, message] for the first thing Kafka would reject, or null. */
function validate(broker: Broker, t: Creatable): [number, string] | null {
  const nameProblem = invalidTopicNameReason(t.name);
  if (nameProblem) return [ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem];
  if (isInternalTopic(t.name)) return [ErrorCode.INVALID_REQUEST, `Creation of internal topic ${t.name} is prohibited.`];
  if (broker.topics.get(t.name)) return [ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`];
  if (t.assignments.length > 0) {
    if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
      return [ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.'];
    }
    const seen = new Set<number>();
    for (const a of t.assignments) {
      if (seen.has(a.partitionIndex) || a.partitionIndex < 0 || a.partitionIndex >= t.assignments.length) {
        return [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be a consecutive 0-based integer sequence'];
      }
      seen.add(a.partitionIndex);
      if (a.brokerIds.length === 0) return [ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Empty replica assignment for partition ${a.partitionIndex}`];
      for (const id of a.brokerIds) {
        if (id !== broker.nodeId) return [ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${id}, but no such broker is registered.`];
      }
      if (new Set(a.brokerIds).size !== a.brokerIds.length) {
        return [ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Duplicate brokers not allowed in replica assignment: ${a.brokerIds.join(', ')} for partition id ${a.partitionIndex}.`];
      }
    }
  } else {
    if (t.numPartitions === 0 || t.numPartitions < -1) return [ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.'];
    if (t.replicationFactor === 0 || t.replicationFactor < -1) return [ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.'];
    const rf = t.replicationFactor === -1 ? broker.config.number('default.replication.factor') : t.replicationFactor;
    if (rf > 1) {
      return [ErrorCode.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only 1 broker(s) are registered.`];
    }
  }
  for (const c of t.configs) {
    const def = topicConfigDef(c.name);
    if (!def) return [ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${c.name}`];
    if (c.value === null) return [ErrorCode.INVALID_REQUEST, `Null value not supported for topic configs: ${c.name}`];
    try {
      checkValue(def, c.value);
    } catch (e) {
      return [ErrorCode.INVALID_CONFIG, (e as Error).message];
    }
  }
  return null;
}

function failed(name: string, errorCode: number, errorMessage: string): Result {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: null };
}
