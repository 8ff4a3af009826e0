// Kafka's BrokerTopicMetrics (kafka.server:type=BrokerTopicMetrics,name=...PerSec[,topic=T]): per
// topic and for all topics, counted from Produce and Fetch requests and their responses once per
// partition (records from batch headers, never per record).
import type { ProduceRequest } from '../protocol/generated/produce-request.js';
import type { ProduceResponse } from '../protocol/generated/produce-response.js';
import type { FetchRequest } from '../protocol/generated/fetch-request.js';
import type { FetchResponse } from '../protocol/generated/fetch-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { recordCount } from './record-batches.js';

export interface TopicCounters {
  messagesIn: number;
  bytesIn: number;
  bytesOut: number;
  totalProduceRequests: number;
  failedProduceRequests: number;
  totalFetchRequests: number;
  failedFetchRequests: number;
}

function zero(): TopicCounters {
  return { messagesIn: 0, bytesIn: 0, bytesOut: 0, totalProduceRequests: 0, failedProduceRequests: 0, totalFetchRequests: 0, failedFetchRequests: 0 };
}

/** Produce errors Kafka's ReplicaManager does not count as failed produce requests (appendToLocalLog). */
const PRODUCE_NOT_FAILED = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.MESSAGE_TOO_LARGE,
  ErrorCode.RECORD_LIST_TOO_LARGE, ErrorCode.CORRUPT_MESSAGE, ErrorCode.KAFKA_STORAGE_ERROR,
]);

/** Fetch errors Kafka's ReplicaManager does not count as failed fetch requests (readFromLocalLog). */
const FETCH_NOT_FAILED = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.REPLICA_NOT_AVAILABLE, ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.INCONSISTENT_TOPIC_ID, ErrorCode.UNKNOWN_TOPIC_ID,
]);

/** Authorization failures never reach the log: not produce or fetch requests to a topic for Kafka. */
const NOT_COUNTED = ErrorCode.TOPIC_AUTHORIZATION_FAILED;

export class BrokerTopicMetrics {
  /** All topics together (the MBean without a topic tag). */
  readonly all: TopicCounters = zero();
  private readonly byTopic = new Map<string, TopicCounters>();

  constructor(private readonly topicName: (topicId: string) => string | undefined) {}

  topic(name: string): TopicCounters {
    let c = this.byTopic.get(name);
    if (c === undefined) this.byTopic.set(name, (c = zero()));
    return c;
  }

  topics(): IterableIterator<[string, TopicCounters]> {
    return this.byTopic.entries();
  }

  /** Deleted topics' counters go (Kafka removes a topic's metrics with it). */
  retain(live: (name: string) => boolean): void {
    for (const name of this.byTopic.keys()) if (!live(name)) this.byTopic.delete(name);
  }

  /** A produce request answered (response undefined: acks=0, every partition counted as appended). */
  produce(apiVersion: number, req: ProduceRequest, res: ProduceResponse | undefined): void {
    for (let t = 0; t < req.topicData.length; t++) {
      const topic = req.topicData[t];
      const name = apiVersion >= 13 ? this.topicName(topic.topicId!) : topic.name;
      if (name === undefined) continue;
      const answers = res?.responses[t]?.partitionResponses;
      const c = this.topic(name);
      for (let p = 0; p < topic.partitionData.length; p++) {
        const pd = topic.partitionData[p];
        const errorCode = answers?.[p]?.index === pd.index ? answers[p].errorCode : ErrorCode.NONE;
        if (errorCode === NOT_COUNTED) continue;
        c.totalProduceRequests++;
        this.all.totalProduceRequests++;
        if (errorCode !== ErrorCode.NONE) {
          if (!PRODUCE_NOT_FAILED.has(errorCode)) {
            c.failedProduceRequests++;
            this.all.failedProduceRequests++;
          }
          continue;
        }
        const records = pd.records;
        if (records === null) continue;
        const n = recordCount(records);
        c.messagesIn += n;
        this.all.messagesIn += n;
        c.bytesIn += records.length;
        this.all.bytesIn += records.length;
      }
    }
  }

  /** A fetch answered: each partition in the response; bytes out for consumers only (Kafka counts followers' as replication bytes). */
  fetch(apiVersion: number, req: FetchRequest, res: FetchResponse | undefined): void {
    if (res === undefined) return;
    const replicaId = apiVersion >= 15 ? (req.replicaState?.replicaId ?? -1) : (req.replicaId ?? -1);
    const follower = replicaId >= 0;
    for (const topic of res.responses) {
      const name = apiVersion >= 13 ? this.topicName(topic.topicId!) : topic.topic;
      if (name === undefined) continue;
      const c = this.topic(name);
      for (const p of topic.partitions) {
        if (p.errorCode === NOT_COUNTED) continue;
        c.totalFetchRequests++;
        this.all.totalFetchRequests++;
        if (p.errorCode !== ErrorCode.NONE && !FETCH_NOT_FAILED.has(p.errorCode)) {
          c.failedFetchRequests++;
          this.all.failedFetchRequests++;
        }
        if (follower || p.records === null) continue;
        const bytes = Array.isArray(p.records) ? p.records.reduce((s, b) => s + b.length, 0) : p.records.length;
        c.bytesOut += bytes;
        this.all.bytesOut += bytes;
      }
    }
  }
}
