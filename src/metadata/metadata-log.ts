// The metadata log: partition 0 of __cluster_metadata on the broker's own storage engine. Each
// commit is one record batch (so it lands whole or not at all) of framed metadata records, and
// is fsynced before it counts, as KRaft commits are. A batch whose write failed is not in the log
// (the storage engine gives its offsets back); one written whose fsync failed is, and a restart
// replays it, so the caller must treat it as committed though not known to be durable.
import type { LogConfig } from '../config.js';
import { BATCH_HEADER_SIZE, batchSize, isControl, readBatchHeader } from '../protocol/records/batch.js';
import { buildBatch, decodeRecords } from '../protocol/records/records.js';
import type { PartitionLog, StorageEngine } from '../storage/types.js';
import { decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord } from './records.js';

export const METADATA_TOPIC = '__cluster_metadata';
const READ_BYTES = 1 << 20;

/** A batch of records read back, with the offset of each. */
export interface MetadataBatch {
  baseOffset: number;
  lastOffset: number;
  epoch: number;
  /** The batch's max timestamp (its append time). */
  timestamp: number;
  records: MetadataRecord[];
  /** Encoded size of the records (what snapshot scheduling counts). */
  numBytes: number;
}

/** Settings for the metadata log: never deleted by retention, large records allowed. */
export function metadataLogConfig(base: LogConfig, segmentBytes: number): LogConfig {
  return {
    ...base,
    segmentBytes,
    segmentMs: Number.MAX_SAFE_INTEGER,
    maxMessageBytes: 8 * 1024 * 1024,
    timestampType: 'CreateTime',
    retentionMs: -1,
    retentionBytes: -1,
    cleanupPolicy: ['delete'],
    compressionType: 'producer',
  };
}

/** The batch is in the log (a restart replays it) but its fsync failed. */
export class UnflushedBatchError extends Error {
  constructor(
    readonly batch: MetadataBatch,
    cause: unknown,
  ) {
    super(`the metadata log's fsync failed: ${(cause as Error)?.message ?? cause}`, { cause });
  }
}

export class MetadataLog {
  constructor(readonly log: PartitionLog) {}

  static async open(storage: StorageEngine, config: LogConfig): Promise<MetadataLog> {
    const existing = storage.get(METADATA_TOPIC, 0);
    if (existing) {
      existing.config = config;
      return new MetadataLog(existing);
    }
    return new MetadataLog(await storage.create(METADATA_TOPIC, 0, config));
  }

  /** The offset the next record will get. */
  get endOffset(): number {
    return this.log.logEndOffset;
  }

  get startOffset(): number {
    return this.log.logStartOffset;
  }

  get epoch(): number {
    return this.log.leaderEpoch;
  }

  /**
   * Appends the records as one batch and fsyncs it. Rejects with the append's error when the batch
   * is not in the log, with UnflushedBatchError when it is but its fsync failed.
   */
  async append(records: MetadataRecord[], now = Date.now()): Promise<MetadataBatch> {
    const values = records.map(encodeMetadataRecord);
    let numBytes = 0;
    for (const v of values) numBytes += v.length;
    const batch = buildBatch({
      records: values.map((value) => ({ key: null, value, timestamp: now })),
      partitionLeaderEpoch: this.log.leaderEpoch,
    });
    const res = await this.log.append(batch, { now });
    const written = { baseOffset: res.baseOffset, lastOffset: res.lastOffset, epoch: this.log.leaderEpoch, timestamp: now, records, numBytes };
    try {
      await this.log.flush();
    } catch (e) {
      throw new UnflushedBatchError(written, e);
    }
    return written;
  }

  /** Reads every data batch from `from` (inclusive) to the high watermark, in order. */
  async read(from: number, onBatch: (b: MetadataBatch) => void): Promise<void> {
    let offset = Math.max(from, this.log.logStartOffset);
    while (offset < this.log.highWatermark) {
      const res = await this.log.read(offset, READ_BYTES, true);
      let advanced = false;
      for (const chunk of res.records) {
        for (let pos = 0; pos + BATCH_HEADER_SIZE <= chunk.length; pos += batchSize(chunk, pos)) {
          const h = readBatchHeader(chunk, pos);
          const next = h.baseOffset + h.lastOffsetDelta + 1;
          if (next <= offset) continue;
          if (!isControl(h.attributes)) {
            const records: MetadataRecord[] = [];
            let numBytes = 0;
            for (const rec of decodeRecords(chunk, pos)) {
              if (rec.offset < offset || rec.value === null) continue;
              records.push(decodeMetadataRecord(rec.value));
              numBytes += rec.value.length;
            }
            onBatch({ baseOffset: h.baseOffset, lastOffset: next - 1, epoch: h.partitionLeaderEpoch, timestamp: h.maxTimestamp, records, numBytes });
          }
          offset = next;
          advanced = true;
        }
      }
      if (!advanced) break;
    }
  }
}
