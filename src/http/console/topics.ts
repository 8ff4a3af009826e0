// Topic data for the console: partitions and replicas from the metadata image, offsets from this
// broker's partition logs, sizes from DescribeLogDirs, configs from DescribeConfigs, config edits
// through IncrementalAlterConfigs and produce through Produce (the broker's own handlers).
import type { MetadataImage, TopicImage } from '../../metadata/image.js';
import { ErrorCode, errorName } from '../../protocol/errors.js';
import { buildBatch } from '../../protocol/records/records.js';
import type { DescribeConfigsResponse } from '../../protocol/generated/describe-configs-response.js';
import type { DescribeLogDirsResponse } from '../../protocol/generated/describe-log-dirs-response.js';
import type { IncrementalAlterConfigsResponse } from '../../protocol/generated/incremental-alter-configs-response.js';
import type { ProduceResponse } from '../../protocol/generated/produce-response.js';
import { requestOn, type ConsoleSource } from './source.js';
import { partitionSource } from './partitions.js';

export interface PartitionRow {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: readonly number[];
  isr: readonly number[];
  /** -1 when neither this broker nor the leader answered. */
  logStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
  /** Bytes on this broker's disk, -1 when unknown (memory mode, or no replica here). */
  size: number;
}

export interface TopicSummary {
  name: string;
  topicId: string;
  internal: boolean;
  partitions: number;
  /** High watermark minus log start, summed over the partitions (from their leaders when not held here). */
  messages: number;
  size: number;
}

export interface ConfigRow {
  name: string;
  value: string | null;
  source: string;
  readOnly: boolean;
  sensitive: boolean;
}

const SOURCES: Record<number, string> = {
  1: 'topic',
  2: 'broker',
  3: 'cluster default',
  4: 'static broker',
  5: 'default',
};

export function isInternal(name: string): boolean {
  return name.startsWith('__');
}

export function sortedTopics(image: MetadataImage): TopicImage[] {
  return [...image.topics.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Partition sizes on this broker's disks, by topic and partition (empty in memory mode). */
async function sizes(src: ConsoleSource, topics: TopicImage[]): Promise<Map<string, number>> {
  const res = await src.request<DescribeLogDirsResponse>(35, 4, {
    topics: topics.map((t) => ({ topic: t.name, partitions: [...t.registrations.keys()] })),
  });
  const out = new Map<string, number>();
  for (const dir of res.results) {
    for (const t of dir.topics) for (const p of t.partitions) if (!p.isFutureKey) out.set(`${t.name}\0${p.partitionIndex}`, p.partitionSize);
  }
  return out;
}

export async function partitionRows(src: ConsoleSource, topic: TopicImage, sizeOf?: Map<string, number>): Promise<PartitionRow[]> {
  const known = sizeOf ?? (await sizes(src, [topic]));
  const regs = [...topic.registrations].sort(([a], [b]) => a - b);
  return Promise.all(
    regs.map(async ([p, reg]) => {
      const log = src.partitionLog(topic.name, p);
      // Offsets of a partition with no replica here come from its leader (ListOffsets).
      const remote = log ? null : await partitionSource(src, topic, p);
      return {
        partition: p,
        leader: reg.leader,
        leaderEpoch: reg.leaderEpoch,
        replicas: reg.replicas,
        isr: reg.isr,
        logStartOffset: log?.logStartOffset ?? remote?.logStartOffset ?? -1,
        highWatermark: log?.highWatermark ?? remote?.highWatermark ?? -1,
        logEndOffset: log?.logEndOffset ?? remote?.highWatermark ?? -1,
        size: known.get(`${topic.name}\0${p}`) ?? -1,
      };
    }),
  );
}

export async function topicSummaries(src: ConsoleSource, image: MetadataImage): Promise<TopicSummary[]> {
  const topics = sortedTopics(image);
  const known = await sizes(src, topics);
  const out: TopicSummary[] = [];
  for (const t of topics) {
    const rows = await partitionRows(src, t, known);
    const held = rows.filter((r) => r.highWatermark >= 0);
    out.push({
      name: t.name,
      topicId: t.topicId,
      internal: isInternal(t.name),
      partitions: t.partitions,
      messages: held.reduce((n, r) => n + (r.highWatermark - r.logStartOffset), 0),
      size: rows.some((r) => r.size >= 0) ? rows.reduce((n, r) => n + Math.max(r.size, 0), 0) : -1,
    });
  }
  return out;
}

/** DescribeConfigs of a topic (resource type 2) or broker (4), every config with its source. */
export async function describeConfigs(src: ConsoleSource, resourceType: 2 | 4, name: string): Promise<ConfigRow[]> {
  const res = await src.request<DescribeConfigsResponse>(32, 4, {
    resources: [{ resourceType, resourceName: name, configurationKeys: null }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  const r = res.results[0];
  if (r.errorCode !== ErrorCode.NONE) throw new Error(r.errorMessage ?? errorName(r.errorCode));
  return r.configs
    .map((c) => ({ name: c.name, value: c.value, source: SOURCES[c.configSource] ?? String(c.configSource), readOnly: c.readOnly, sensitive: c.isSensitive }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Sets (value) or deletes (null) topic config overrides; resolves with Kafka's error, if any. */
export async function alterTopicConfigs(src: ConsoleSource, topic: string, changes: Record<string, string | null>): Promise<{ errorCode: number; error: string | null }> {
  const res = await src.request<IncrementalAlterConfigsResponse>(44, 1, {
    resources: [
      {
        resourceType: 2,
        resourceName: topic,
        configs: Object.entries(changes).map(([name, value]) => ({ name, configOperation: value === null ? 1 : 0, value })),
      },
    ],
    validateOnly: false,
  });
  const r = res.responses[0];
  return { errorCode: r.errorCode, error: r.errorCode === ErrorCode.NONE ? null : (r.errorMessage ?? errorName(r.errorCode)) };
}

export interface ProduceInput {
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

export interface ProduceOutcome {
  partition: number;
  errorCode: number;
  error: string | null;
  offset: number;
}

/** One record produced with acks=all through the Produce handler of the partition's leader (its validation and append). */
export async function produceRecord(src: ConsoleSource, topic: string, leader: number, input: ProduceInput): Promise<ProduceOutcome> {
  const records = buildBatch({ records: [{ key: input.key, value: input.value, headers: input.headers, timestamp: Date.now() }] });
  const res = await requestOn<ProduceResponse>(src, leader, 0, 12, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30_000,
    topicData: [{ name: topic, partitionData: [{ index: input.partition, records }] }],
  });
  const p = res.responses[0].partitionResponses[0];
  const error = p.errorCode === ErrorCode.NONE ? null : `${errorName(p.errorCode)}${p.errorMessage ? `: ${p.errorMessage}` : ''}`;
  return { partition: p.index, errorCode: p.errorCode, error, offset: p.baseOffset };
}
