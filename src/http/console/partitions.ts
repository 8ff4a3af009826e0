// A partition as the message browser reads it: this broker's log when it holds a replica, else
// the leader's answers to ListOffsets and Fetch (a cluster whose partitions live on other brokers).
import type { TopicImage } from '../../metadata/image.js';
import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { FetchResponse } from '../../protocol/generated/fetch-response.js';
import type { ListOffsetsResponse } from '../../protocol/generated/list-offsets-response.js';
import type { PartitionLog } from '../../storage/types.js';
import { requestOn, type ConsoleSource } from './source.js';

export interface PartitionSource {
  readonly logStartOffset: number;
  readonly highWatermark: number;
  /** Whole batches from the one holding `offset`, about `maxBytes` of them (at least one). */
  read(offset: number, maxBytes: number): Promise<Buffer[]>;
  /** The first offset with a timestamp at or after `ts`; the high watermark when none. */
  offsetForTimestamp(ts: number): Promise<number>;
}

export function localPartition(log: PartitionLog): PartitionSource {
  return {
    logStartOffset: log.logStartOffset,
    highWatermark: log.highWatermark,
    read: async (offset, maxBytes) => (await log.read(offset, maxBytes, true)).records,
    offsetForTimestamp: async (ts) => (await log.offsetForTimestamp(ts))?.offset ?? log.highWatermark,
  };
}

const EARLIEST = -2;
const LATEST = -1;

async function listOffset(src: ConsoleSource, leader: number, topic: string, partition: number, timestamp: number): Promise<number> {
  const res = await requestOn<ListOffsetsResponse>(src, leader, 2, 8, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp }] }],
  });
  const p = res.topics[0]?.partitions[0];
  if (!p || p.errorCode !== ErrorCode.NONE) throw new Error(`ListOffsets ${topic}-${partition} at broker ${leader}: ${errorName(p?.errorCode ?? -1)}`);
  return p.offset;
}

function remotePartition(src: ConsoleSource, leader: number, topic: string, partition: number, logStartOffset: number, highWatermark: number): PartitionSource {
  return {
    logStartOffset,
    highWatermark,
    read: async (offset, maxBytes) => {
      const res = await requestOn<FetchResponse>(src, leader, 1, 12, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: maxBytes }] }],
        forgottenTopicsData: [],
        rackId: '',
      });
      const p = res.responses[0]?.partitions[0];
      if (!p || p.errorCode !== ErrorCode.NONE) throw new Error(`Fetch ${topic}-${partition} at broker ${leader}: ${errorName(p?.errorCode ?? res.errorCode ?? -1)}`);
      return p.records === null ? [] : Array.isArray(p.records) ? p.records : [p.records];
    },
    offsetForTimestamp: async (ts) => {
      const o = await listOffset(src, leader, topic, partition, ts);
      return o < 0 ? highWatermark : o;
    },
  };
}

/** The partition from this broker's replica, else from its leader; null when neither is reachable. */
export async function partitionSource(src: ConsoleSource, topic: TopicImage, partition: number): Promise<PartitionSource | null> {
  const log = src.partitionLog(topic.name, partition);
  if (log) return localPartition(log);
  const leader = topic.registrations.get(partition)?.leader ?? -1;
  if (leader < 0) return null;
  try {
    const [start, end] = await Promise.all([listOffset(src, leader, topic.name, partition, EARLIEST), listOffset(src, leader, topic.name, partition, LATEST)]);
    return remotePartition(src, leader, topic.name, partition, start, end);
  } catch {
    return null;
  }
}
