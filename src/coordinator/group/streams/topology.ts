// The topology a streams group runs (KIP-1071), as its first member declares it, and its
// configuration against the cluster's topics: partition counts of repartition topics (derived from the
// subtopologies writing to them) and changelog topics (one partition per task), copartitioning,
// and the internal topics the coordinator still has to create. Statuses and messages as Kafka 4.4's
// InternalTopicManager gives them in the heartbeat.
import type { StreamsGroupTopologyValue, StreamsGroupTopologyValueSubtopology, StreamsGroupTopologyValueTopicInfo } from '../../../protocol/generated/streams-group-topology-value.js';

export type StreamsTopology = StreamsGroupTopologyValue;
export type Subtopology = StreamsGroupTopologyValueSubtopology;
export type TopicInfo = StreamsGroupTopologyValueTopicInfo;

/** The heartbeat's status codes (StreamsGroupHeartbeatResponse.Status). */
export const Status = {
  STALE_TOPOLOGY: 0,
  MISSING_SOURCE_TOPICS: 1,
  INCORRECTLY_PARTITIONED_TOPICS: 2,
  MISSING_INTERNAL_TOPICS: 3,
  SHUTDOWN_APPLICATION: 4,
  ASSIGNMENT_DELAYED: 5,
  MISSING_CLIENT_TAGS: 6,
} as const;

export interface GroupStatus {
  statusCode: number;
  statusDetail: string;
}

export interface ConfiguredSubtopology {
  numberOfTasks: number;
  sourceTopics: string[];
  repartitionSourceTopics: Map<string, number>;
  stateChangelogTopics: Map<string, number>;
}

export interface InternalTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface ConfiguredTopology {
  topologyEpoch: number;
  /** Partition counts known (null when source topics are missing or partitioning is wrong). */
  subtopologies: Map<string, ConfiguredSubtopology> | null;
  /** Internal topics still to create, by name. */
  toCreate: Map<string, InternalTopic>;
  /** What keeps the topology from being ready, or null: ready. */
  status: GroupStatus | null;
}

/** Partition counts of the cluster's topics (undefined: no such topic). */
export type PartitionCounts = (topic: string) => number | undefined;

class TopicConfigurationError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

/** Kafka's summary of a topic list in a status: at most three names, then how many more. */
export function summarizeTopics(topics: Iterable<string>): string {
  const all = [...topics];
  if (all.length === 0) return '<none>';
  const head = all.slice(0, 3).join(', ');
  return all.length > 3 ? `${head} and ${all.length - 3} additional topics` : head;
}

export function configureTopology(topology: StreamsTopology, partitionsOf: PartitionCounts): ConfiguredTopology {
  try {
    const missing = new Set<string>();
    for (const s of topology.subtopologies) for (const t of s.sourceTopics) if (partitionsOf(t) === undefined) missing.add(t);
    if (missing.size > 0) {
      throw new TopicConfigurationError(Status.MISSING_SOURCE_TOPICS, `Source topics ${summarizeTopics([...missing].sort())} are missing.`);
    }
    const counts = decidePartitionCounts(topology, partitionsOf);
    const subtopologies = new Map<string, ConfiguredSubtopology>();
    const internal = new Map<string, InternalTopic>();
    for (const s of topology.subtopologies) {
      const sourceCounts = [...s.sourceTopics.map((t) => partitionsOf(t)!), ...s.repartitionSourceTopics.map((t) => counts.get(t.name)!)];
      const numberOfTasks = sourceCounts.length === 0 ? 0 : Math.max(...sourceCounts);
      const repartition = new Map(s.repartitionSourceTopics.map((t) => [t.name, counts.get(t.name)!]));
      const changelog = new Map(s.stateChangelogTopics.map((t) => [t.name, numberOfTasks]));
      subtopologies.set(s.subtopologyId, { numberOfTasks, sourceTopics: s.sourceTopics, repartitionSourceTopics: repartition, stateChangelogTopics: changelog });
      for (const t of s.repartitionSourceTopics) internal.set(t.name, internalTopic(t, repartition.get(t.name)!));
      for (const t of s.stateChangelogTopics) internal.set(t.name, internalTopic(t, numberOfTasks));
    }
    const toCreate = new Map<string, InternalTopic>();
    for (const t of internal.values()) {
      const existing = partitionsOf(t.name);
      if (existing === undefined) toCreate.set(t.name, t);
      else if (existing !== t.partitions) {
        throw new TopicConfigurationError(Status.INCORRECTLY_PARTITIONED_TOPICS, `Existing topic ${t.name} has different number of partitions: expected ${t.partitions}, found ${existing}`);
      }
    }
    const status = toCreate.size > 0 ? { statusCode: Status.MISSING_INTERNAL_TOPICS, statusDetail: `Internal topics are missing: ${summarizeTopics([...toCreate.keys()].sort())}` } : null;
    return { topologyEpoch: topology.epoch, subtopologies, toCreate, status };
  } catch (e) {
    if (!(e instanceof TopicConfigurationError)) throw e;
    return { topologyEpoch: topology.epoch, subtopologies: null, toCreate: new Map(), status: { statusCode: e.statusCode, statusDetail: e.message } };
  }
}

function internalTopic(t: TopicInfo, partitions: number): InternalTopic {
  return { name: t.name, partitions, replicationFactor: t.replicationFactor, configs: Object.fromEntries(t.topicConfigs.map((c) => [c.key, c.value])) };
}

/**
 * Repartition topics without a fixed count take the largest source count of the subtopologies
 * writing to them (repeated until every count is known, as sinks may read repartition topics
 * themselves); then copartition groups are enforced.
 */
function decidePartitionCounts(topology: StreamsTopology, partitionsOf: PartitionCounts): Map<string, number> {
  const counts = new Map<string, number>();
  const repartition = new Map<string, TopicInfo>();
  for (const s of topology.subtopologies) {
    for (const t of s.repartitionSourceTopics) {
      repartition.set(t.name, t);
      if (t.partitions > 0) counts.set(t.name, t.partitions);
    }
  }
  for (const name of repartition.keys()) {
    if (!topology.subtopologies.some((s) => s.repartitionSinkTopics.includes(name)) && !counts.has(name)) {
      throw new TopicConfigurationError(Status.INCORRECTLY_PARTITIONED_TOPICS, 'Failed to compute number of partitions for all repartition topics, because a repartition source topic is never used as a sink topic.');
    }
  }
  let progress = true;
  while (progress && counts.size < repartition.size) {
    progress = false;
    for (const name of repartition.keys()) {
      if (counts.has(name)) continue;
      let max = 0;
      let known = true;
      for (const s of topology.subtopologies) {
        if (!s.repartitionSinkTopics.includes(name)) continue;
        for (const t of s.sourceTopics) max = Math.max(max, partitionsOf(t) ?? 0);
        for (const t of s.repartitionSourceTopics) {
          const n = counts.get(t.name);
          if (n === undefined) known = false;
          else max = Math.max(max, n);
        }
      }
      if (known && max > 0) {
        counts.set(name, max);
        progress = true;
      }
    }
  }
  if (counts.size < repartition.size) {
    throw new TopicConfigurationError(Status.INCORRECTLY_PARTITIONED_TOPICS, 'Failed to compute number of partitions for all repartition topics. There may be loops in the topology that cannot be resolved.');
  }
  for (const s of topology.subtopologies) {
    for (const g of s.copartitionGroups) {
      const external = g.sourceTopics.map((i) => s.sourceTopics[i]!);
      const internal = g.repartitionSourceTopics.map((i) => s.repartitionSourceTopics[i]!);
      enforceCopartitioning(external, internal, partitionsOf, counts);
    }
  }
  return counts;
}

function enforceCopartitioning(external: string[], internal: TopicInfo[], partitionsOf: PartitionCounts, counts: Map<string, number>): void {
  let target: number;
  if (external.length > 0) {
    const ns = new Set(external.map((t) => partitionsOf(t)!));
    if (ns.size > 1) {
      const list = [...external].sort().map((t) => `${t}:${partitionsOf(t)}`);
      throw new TopicConfigurationError(Status.INCORRECTLY_PARTITIONED_TOPICS, `Following topics do not have the same number of partitions: [${list.join(', ')}]`);
    }
    target = [...ns][0]!;
  } else {
    // Only repartition topics: fixed counts win, else the largest.
    const fixed = internal.filter((t) => t.partitions > 0).map((t) => t.partitions);
    target = fixed.length > 0 ? fixed[0]! : Math.max(...internal.map((t) => counts.get(t.name) ?? 0));
  }
  for (const t of internal) {
    if (t.partitions > 0 && t.partitions !== target) {
      throw new TopicConfigurationError(
        Status.INCORRECTLY_PARTITIONED_TOPICS,
        `Number of partitions [${t.partitions}] of repartition topic [${t.name}] doesn't match number of partitions [${target}] of the source topic.`,
      );
    }
    counts.set(t.name, target);
  }
}

/** The topics whose partition counts the configured topology depends on (its metadata hash covers them). */
export function topologyTopics(topology: StreamsTopology): string[] {
  const names = new Set<string>();
  for (const s of topology.subtopologies) {
    for (const t of s.sourceTopics) names.add(t);
    for (const t of s.repartitionSourceTopics) names.add(t.name);
    for (const t of s.stateChangelogTopics) names.add(t.name);
  }
  return [...names].sort();
}
