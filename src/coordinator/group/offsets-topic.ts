// The coordinator's durable state lives in __consumer_offsets, a compacted topic on the broker's
// own storage engine: writes are record batches appended to a group's partition, and loading reads
// a partition back from its log start. Appends to one partition are issued in order. Transactional
// offset commits are transactional batches of the producer (its id, epoch and next sequence) that
// the transaction's COMMIT/ABORT marker, appended here too, completes.
import type { BrokerConfig } from '../../config.js';
import type { TopicInfo } from '../../metadata/topic-store.js';
import { isControl, isTransactional, readBatchHeader, batchSize, BATCH_HEADER_SIZE } from '../../protocol/records/batch.js';
import { buildBatch, decodeRecords } from '../../protocol/records/records.js';
import { readEndTxnMarker } from '../../protocol/records/control-batch.js';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError, type PartitionLog, type TxnMarker } from '../../storage/types.js';
import type { PartitionLeadership } from './leadership.js';
import { OFFSETS_TOPIC } from './records.js';

/** What the coordinator needs of the broker it runs in. */
export interface CoordinatorHost {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly topics: { get(name: string): TopicInfo | undefined; getById?(topicId: string): TopicInfo | undefined; all?(): Iterable<TopicInfo> };
  partitionLog(topic: string, partition: number): PartitionLog | undefined;
  createTopic(name: string, partitions: number, configs: Record<string, string>, replicationFactor?: number): Promise<TopicInfo>;
  /** Group-level settings (GROUP config resources, else the broker's group.* value); absent: the broker's config alone. */
  readonly groupConfigs?: { number(groupId: string, name: string): number };
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

/** A record read back while loading: where it sits, and the producer of its transaction (-1: none). */
export interface LoadedRecord extends StoredRecord {
  offset: number;
  producerId: number;
}

/** The producer whose transaction a write belongs to (TxnOffsetCommit). */
export interface TxnProducer {
  producerId: number;
  producerEpoch: number;
}

const INT32_MAX = 2147483647;

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

  /** Appends the records as one batch (so they land atomically); resolves with its base offset once written. */
  /** `onAppended` runs once the batch is in the log, before replication is awaited (state follows the log's order). */
  append(partition: number, records: StoredRecord[], now: number, txn?: TxnProducer, onAppended?: (baseOffset: number) => void): Promise<number> {
    return this.inOrder(partition, () => this.doAppend(partition, records, now, txn, onAppended));
  }

  /** Appends a transaction's COMMIT/ABORT marker; resolves once written (and replicated in a cluster). */
  appendMarker(partition: number, marker: TxnMarker, onAppended: () => void): Promise<void> {
    return this.inOrder(partition, async () => {
      const l = this.log(partition);
      const appended = await l.appendMarker(marker);
      onAppended();
      await this.awaitReplication(l, partition, appended.lastOffset + 1);
    });
  }

  private inOrder<T>(partition: number, op: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(partition) ?? Promise.resolve();
    const next = prev.then(op, op);
    const tail = next.catch(() => {});
    this.tails.set(partition, tail);
    void tail.then(() => {
      if (this.tails.get(partition) === tail) this.tails.delete(partition);
    });
    return next;
  }

  private async doAppend(partition: number, records: StoredRecord[], now: number, txn?: TxnProducer, onAppended?: (baseOffset: number) => void): Promise<number> {
    const l = this.log(partition);
    const batch = buildBatch({
      records: records.map((r) => ({ key: r.key, value: r.value, timestamp: now })),
      ...(txn && { producerId: txn.producerId, producerEpoch: txn.producerEpoch, baseSequence: nextSequence(l, txn), transactional: true }),
    });
    const appended = await l.append(batch, { now });
    onAppended?.(appended.baseOffset);
    await this.awaitReplication(l, partition, appended.lastOffset + 1);
    return appended.baseOffset;
  }

  private async awaitReplication(l: PartitionLog, partition: number, endOffset: number): Promise<void> {
    // Kafka's coordinator runtime answers a write once the high watermark passed it.
    if (!this.leadership || !l.replicated) return;
    const errorCode = await this.leadership.awaitReplication(OFFSETS_TOPIC, partition, endOffset, this.host.config.number('offsets.commit.timeout.ms'));
    if (errorCode !== ErrorCode.NONE) throw new UnreplicatedWrite(errorCode, `${OFFSETS_TOPIC}-${partition}: write not replicated (error ${errorCode})`);
  }

  /**
   * Every record of the partition from its log start to its log end, in offset order (a new
   * leader's high watermark may still lag what the previous one committed; Kafka's loader reads to
   * the log end too).
   */
  async read(partition: number, maxBytes: number, onRecord: (r: LoadedRecord) => void, onMarker: (producerId: number, commit: boolean) => void = () => {}): Promise<void> {
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
          if (isControl(h.attributes)) {
            const marker = readEndTxnMarker(chunk, pos);
            if (marker) onMarker(h.producerId, marker.commit);
          } else {
            // A transactional batch's offsets stay pending until its producer's marker.
            const producerId = isTransactional(h.attributes) ? h.producerId : -1;
            for (const rec of decodeRecords(chunk, pos)) {
              if (rec.offset >= offset && rec.key !== null) onRecord({ key: rec.key, value: rec.value, offset: rec.offset, producerId });
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

/**
 * The producer's next sequence on this partition (0 in a new epoch): the coordinator's writes for a
 * producer follow each other here, so they pass the log's idempotence checks as a client's would.
 */
function nextSequence(l: PartitionLog, txn: TxnProducer): number {
  const p = l.activeProducers().find((a) => a.producerId === txn.producerId);
  if (!p || p.producerEpoch !== txn.producerEpoch || p.lastSequence < 0) return 0;
  return p.lastSequence === INT32_MAX ? 0 : p.lastSequence + 1;
}
