// __share_group_state on the broker's own storage: created on first need with Kafka 4.4's
// settings (ShareCoordinatorService.shareGroupStateTopicConfigs: cleanup.policy=delete with
// retention.ms=-1, as the coordinator prunes it itself, compression.type=producer,
// share.coordinator.state.topic.segment.bytes, min.insync.replicas from
// share.coordinator.state.topic.min.isr), appended to per partition in order, answered once
// replicated in a cluster, read back from the log start when this broker becomes a partition's leader.
// Writes are compressed with share.coordinator.state.topic.compression.codec, as Kafka's runtime does.
import type { CoordinatorHost, StoredRecord } from '../group/offsets-topic.js';
import { UnreplicatedWrite } from '../group/offsets-topic.js';
import type { PartitionLeadership } from '../group/leadership.js';
import { isControl, readBatchHeader, batchSize, BATCH_HEADER_SIZE, type Codec } from '../../protocol/records/batch.js';
import { buildBatch, decodeRecords } from '../../protocol/records/records.js';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError, type PartitionLog } from '../../storage/types.js';
import { SHARE_GROUP_STATE_TOPIC } from './records.js';

/** share.coordinator.state.topic.compression.codec: Kafka's CompressionType ids. */
const CODECS: readonly Codec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export class ShareStateTopic {
  private readonly tails = new Map<number, Promise<unknown>>();
  numPartitions: number;
  /** Cluster mode: writes are answered once the high watermark passed them. */
  leadership: PartitionLeadership | null = null;

  constructor(private readonly host: CoordinatorHost) {
    this.numPartitions = host.config.number('share.coordinator.state.topic.num.partitions');
  }

  exists(): boolean {
    const info = this.host.topics.get(SHARE_GROUP_STATE_TOPIC);
    if (info) this.numPartitions = info.partitions;
    return info !== undefined;
  }

  async ensureCreated(): Promise<void> {
    const c = this.host.config;
    const info =
      this.host.topics.get(SHARE_GROUP_STATE_TOPIC) ??
      (await this.host.createTopic(
        SHARE_GROUP_STATE_TOPIC,
        this.numPartitions,
        {
          'cleanup.policy': 'delete',
          'retention.ms': '-1',
          'compression.type': 'producer',
          'segment.bytes': String(c.number('share.coordinator.state.topic.segment.bytes')),
          // A lone node has one replica whatever the setting says; a cluster asks for Kafka's.
          ...(this.leadership ? { 'min.insync.replicas': String(c.number('share.coordinator.state.topic.min.isr')) } : {}),
        },
        this.leadership ? c.number('share.coordinator.state.topic.replication.factor') : undefined,
      ));
    this.numPartitions = info.partitions;
  }

  private log(partition: number): PartitionLog {
    const log = this.host.partitionLog(SHARE_GROUP_STATE_TOPIC, partition);
    if (!log) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `${SHARE_GROUP_STATE_TOPIC}-${partition} has no log on this broker`);
    return log;
  }

  /**
   * Appends the records as one batch after the partition's earlier appends; `appended` resolves
   * with its base offset once it is in the log, `written` once it is also replicated (in a
   * cluster). The next append does not wait for this one's replication, as Kafka's coordinator
   * runtime applies a write at once and answers it when committed. A batch in the log but not
   * replicated in time fails `written` with UnreplicatedWrite.
   */
  append(partition: number, records: StoredRecord[], now: number): { appended: Promise<number>; written: Promise<void> } {
    const prev = this.tails.get(partition) ?? Promise.resolve();
    const compression = CODECS[this.host.config.number('share.coordinator.state.topic.compression.codec')] ?? 'none';
    const run = () => this.log(partition).append(buildBatch({ records: records.map((r) => ({ key: r.key, value: r.value, timestamp: now })), compression }), { now });
    const appending = prev.then(run, run);
    const tail = appending.catch(() => {});
    this.tails.set(partition, tail);
    void tail.then(() => {
      if (this.tails.get(partition) === tail) this.tails.delete(partition);
    });
    const written = appending.then(async (a) => {
      const l = this.log(partition);
      if (!this.leadership || !l.replicated) return;
      const timeoutMs = this.host.config.number('share.coordinator.write.timeout.ms');
      const errorCode = await this.leadership.awaitReplication(SHARE_GROUP_STATE_TOPIC, partition, a.lastOffset + 1, timeoutMs);
      if (errorCode !== ErrorCode.NONE) throw new UnreplicatedWrite(errorCode, `${SHARE_GROUP_STATE_TOPIC}-${partition}: write not replicated (error ${errorCode})`);
    });
    written.catch(() => {});
    return { appended: appending.then((a) => a.baseOffset), written };
  }

  /** Every record of the partition from its log start to its log end, in offset order, with its offset. */
  async read(partition: number, maxBytes: number, onRecord: (r: StoredRecord, offset: number) => void, stillWanted: () => boolean): Promise<void> {
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
              if (rec.offset >= offset && rec.key !== null) onRecord({ key: rec.key, value: rec.value }, rec.offset);
            }
          }
          offset = next;
          advanced = true;
        }
      }
      if (!advanced) break;
    }
  }

  /** Deletes the partition's records below `offset` (pruning records no state needs any more). */
  async deleteBefore(partition: number, offset: number): Promise<void> {
    const l = this.host.partitionLog(SHARE_GROUP_STATE_TOPIC, partition);
    if (l && offset > l.logStartOffset) await l.deleteRecordsBefore(Math.min(offset, l.highWatermark));
  }
}
