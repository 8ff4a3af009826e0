// __transaction_state on the broker's own storage: created on first use with Kafka's settings
// (compacted, uncompressed, transaction.state.log.* sizes), one record per write appended to the
// id's partition in order, answered once replicated in a cluster, and read back from the log
// start when this broker becomes a partition's coordinator.
import type { CoordinatorHost, StoredRecord } from '../group/offsets-topic.js';
import type { PartitionLeadership } from '../group/leadership.js';
import { isControl, readBatchHeader, batchSize, BATCH_HEADER_SIZE } from '../../protocol/records/batch.js';
import { buildBatch, decodeRecords } from '../../protocol/records/records.js';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError, type PartitionLog } from '../../storage/types.js';
import { TRANSACTION_STATE_TOPIC } from './records.js';

export class TransactionStateTopic {
  private readonly tails = new Map<number, Promise<unknown>>();
  numPartitions: number;
  /** Cluster mode: writes are answered once the high watermark passed them. */
  leadership: PartitionLeadership | null = null;

  constructor(private readonly host: CoordinatorHost) {
    this.numPartitions = host.config.number('transaction.state.log.num.partitions');
  }

  exists(): boolean {
    const info = this.host.topics.get(TRANSACTION_STATE_TOPIC);
    if (info) this.numPartitions = info.partitions;
    return info !== undefined;
  }

  async ensureCreated(): Promise<void> {
    const c = this.host.config;
    const info =
      this.host.topics.get(TRANSACTION_STATE_TOPIC) ??
      (await this.host.createTopic(
        TRANSACTION_STATE_TOPIC,
        this.numPartitions,
        {
          'cleanup.policy': 'compact',
          'compression.type': 'uncompressed',
          'unclean.leader.election.enable': 'false',
          'segment.bytes': String(c.number('transaction.state.log.segment.bytes')),
          // A lone node has one replica whatever the setting says; a cluster asks for Kafka's.
          ...(this.leadership ? { 'min.insync.replicas': String(c.number('transaction.state.log.min.isr')) } : {}),
        },
        this.leadership ? c.number('transaction.state.log.replication.factor') : undefined,
      ));
    this.numPartitions = info.partitions;
  }

  private log(partition: number): PartitionLog {
    const log = this.host.partitionLog(TRANSACTION_STATE_TOPIC, partition);
    if (!log) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `${TRANSACTION_STATE_TOPIC}-${partition} has no log on this broker`);
    return log;
  }

  /** Appends one batch to the partition after the writes before it; resolves once written (and replicated). */
  append(partition: number, records: StoredRecord[], now: number, timeoutMs: number): Promise<void> {
    const prev = this.tails.get(partition) ?? Promise.resolve();
    const run = () => this.doAppend(partition, records, now, timeoutMs);
    const next = prev.then(run, run);
    const tail = next.catch(() => {});
    this.tails.set(partition, tail);
    void tail.then(() => {
      if (this.tails.get(partition) === tail) this.tails.delete(partition);
    });
    return next;
  }

  private async doAppend(partition: number, records: StoredRecord[], now: number, timeoutMs: number): Promise<void> {
    const batch = buildBatch({ records: records.map((r) => ({ key: r.key, value: r.value, timestamp: now })) });
    const l = this.log(partition);
    const appended = await l.append(batch, { now });
    if (!this.leadership || !l.replicated) return;
    const errorCode = await this.leadership.awaitReplication(TRANSACTION_STATE_TOPIC, partition, appended.lastOffset + 1, timeoutMs);
    if (errorCode !== ErrorCode.NONE) throw new KafkaError(errorCode, `${TRANSACTION_STATE_TOPIC}-${partition}: write not replicated (error ${errorCode})`);
  }

  /** Every record of the partition from its log start to its log end, in offset order. */
  async read(partition: number, maxBytes: number, onRecord: (r: StoredRecord) => void, stillWanted: () => boolean): Promise<void> {
    const log = this.log(partition);
    let offset = log.logStartOffset;
    while (offset < log.logEndOffset && stillWanted()) {
      const res = await log.read(offset, maxBytes, true, false, 'logEnd');
      let advanced = false;
      for (const chunk of res.records) {
        for (let pos = 0; pos + BATCH_HEADER_SIZE <= chunk.length; pos += batchSize(chunk, pos)) {
          const h = readBatchHeader(chunk, pos);
          const next = h.baseOffset + h.lastOffsetDelta + 1;
          if (next <= offset) continue;
          if (!isControl(h.attributes)) {
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
