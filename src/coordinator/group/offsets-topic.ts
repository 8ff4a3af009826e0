// The coordinator's durable state lives in __consumer_offsets, a compacted topic on the broker's
// own storage engine: writes are record batches appended to a group's partition, and loading reads
// a partition back from its log start. Appends to one partition are issued in order.
import type { BrokerConfig } from '../../config.js';
import type { TopicInfo } from '../../metadata/topic-store.js';
import { isControl, isTransactional, readBatchHeader, batchSize, BATCH_HEADER_SIZE } from '../../protocol/records/batch.js';
import { buildBatch, decodeRecords } from '../../protocol/records/records.js';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError, type PartitionLog } from '../../storage/types.js';
import type { PartitionLeadership } from './leadership.js';
import { OFFSETS_TOPIC } from './records.js';

/** What the coordinator needs of the broker it runs in. */
export interface CoordinatorHost {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly topics: { get(name: string): TopicInfo | undefined };
  partitionLog(topic: string, partition: number): PartitionLog | undefined;
  createTopic(name: string, partitions: number, configs: Record<string, string>, replicationFactor?: number): Promise<TopicInfo>;
}

/**
 * A write that is in the leader's log but was not replicated in time (or leadership moved first):
 * the state it changed stays (the log has it and may still commit it), only the answer is an error.
 */
export class UnreplicatedWrite extends KafkaError {}

export interface StoredRecord {
  key: Buffer;
  /** null: a tombstone. */
  value: Buffer | null;
}

export class OffsetsTopic {
  private readonly tails = new Map<number, Promise<unknown>>();
  numPartitions: number;
  /** Cluster mode: writes are answered once replicated (the high watermark passed them). */
  leadership: PartitionLeadership | null = null;

  constructor(private readonly host: CoordinatorHost) {
    this.numPartitions = host.config.number('offsets.topic.num.partitions');
  }

  exists(): boolean {
    const info = this.host.topics.get(OFFSETS_TOPIC);
    if (info) this.numPartitions = info.partitions;
    return info !== undefined;
  }

  /** Creates __consumer_offsets when missing; an existing topic keeps its partition count. */
  async ensureCreated(): Promise<void> {
    const existing = this.host.topics.get(OFFSETS_TOPIC);
    const info =
      existing ??
      (await this.host.createTopic(OFFSETS_TOPIC, this.numPartitions, {
        'cleanup.policy': 'compact',
        'segment.bytes': this.host.config.get('offsets.topic.segment.bytes') ?? '104857600',
        'compression.type': 'producer',
        // A lone node keeps its default (one replica); a cluster asks for Kafka's factor, refused
        // with INVALID_REPLICATION_FACTOR while fewer brokers are up, as Kafka's controller does.
      }, this.leadership ? this.host.config.number('offsets.topic.replication.factor') : undefined));
    this.numPartitions = info.partitions;
  }

  private log(partition: number): PartitionLog {
    const log = this.host.partitionLog(OFFSETS_TOPIC, partition);
    if (!log) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `${OFFSETS_TOPIC}-${partition} has no log on this broker`);
    return log;
  }

  /** Appends the records as one batch (so they land atomically); resolves once written. */
  append(partition: number, records: StoredRecord[], now: number): Promise<void> {
    const prev = this.tails.get(partition) ?? Promise.resolve();
    const next = prev.then(
      () => this.doAppend(partition, records, now),
      () => this.doAppend(partition, records, now),
    );
    const tail = next.catch(() => {});
    this.tails.set(partition, tail);
    void tail.then(() => {
      if (this.tails.get(partition) === tail) this.tails.delete(partition);
    });
    return next;
  }

  private async doAppend(partition: number, records: StoredRecord[], now: number): Promise<void> {
    const batch = buildBatch({ records: records.map((r) => ({ key: r.key, value: r.value, timestamp: now })) });
    const l = this.log(partition);
    const appended = await l.append(batch, { now });
    // Kafka's coordinator runtime answers a write once the high watermark passed it.
    if (!this.leadership || !l.replicated) return;
    const errorCode = await this.leadership.awaitReplication(OFFSETS_TOPIC, partition, appended.lastOffset + 1, this.host.config.number('offsets.commit.timeout.ms'));
    if (errorCode !== ErrorCode.NONE) throw new UnreplicatedWrite(errorCode, `${OFFSETS_TOPIC}-${partition}: write not replicated (error ${errorCode})`);
  }

  /**
   * Every record of the partition from its log start to its log end, in offset order (a new
   * leader's high watermark may still lag what the previous one committed; Kafka's loader reads to
   * the log end too).
   */
  async read(partition: number, maxBytes: number, onRecord: (r: StoredRecord) => void): Promise<void> {
    const log = this.log(partition);
    let offset = log.logStartOffset;
    while (offset < log.logEndOffset) {
      const res = await log.read(offset, maxBytes, true, false, 'logEnd');
      let advanced = false;
      for (const chunk of res.records) {
        for (let pos = 0; pos + BATCH_HEADER_SIZE <= chunk.length; pos += batchSize(chunk, pos)) {
          const h = readBatchHeader(chunk, pos);
          const next = h.baseOffset + h.lastOffsetDelta + 1;
          if (next <= offset) continue;
          // Transactional offset commits belong to the transaction coordinator (not served yet).
          if (!isControl(h.attributes) && !isTransactional(h.attributes)) {
            for (const rec of decodeRecords(chunk, pos)) {
              if (rec.offset >= offset && rec.key !== null) onRecord({ key: rec.key, value: rec.value });
            }
          }
          offset = next;
          advanced = true;
        }
      }
      if (!advanced) break;
    }
  }
}
