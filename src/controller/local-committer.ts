// The lone node's committer: the controller writes its own metadata log directly (no quorum),
// each batch fsynced before it counts, then replayed by the loader.
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import { log } from '../log.js';
import type { MetadataLoader } from '../metadata/loader.js';
import { UnflushedBatchError, type MetadataLog } from '../metadata/metadata-log.js';
import type { MetadataRecord } from '../metadata/records.js';
import type { CommittedBatch, MetadataCommitter } from './metadata-committer.js';

export class LocalCommitter implements MetadataCommitter {
  constructor(
    private readonly metadataLog: MetadataLog,
    private readonly loader: MetadataLoader,
  ) {}

  nextOffset(): number {
    return this.metadataLog.endOffset;
  }

  /**
   * A failed write leaves the image as it was and fails with KAFKA_STORAGE_ERROR (retriable: the
   * log dir recovers once it takes writes again). A batch written whose fsync failed is in the
   * log, and a restart would replay it: the image takes it too, so the two never disagree, and
   * the operation still fails, since its durability is unknown (as a timed-out one in Kafka).
   */
  async commit(records: MetadataRecord[]): Promise<CommittedBatch> {
    let batch;
    try {
      batch = await this.metadataLog.append(records);
    } catch (e) {
      if (e instanceof UnflushedBatchError) await this.loader.commit(e.batch);
      const message = (e as Error)?.message ?? String(e);
      // A dir already offline refuses at once: said when it went offline, not per request.
      if (e instanceof KafkaError) log.debug(`metadata log append refused: ${message}`);
      else log.error(`metadata log append failed: ${message}`);
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `The metadata log could not be written: ${message}`);
    }
    await this.loader.commit(batch);
    return { baseOffset: batch.baseOffset, lastOffset: batch.lastOffset };
  }
}
