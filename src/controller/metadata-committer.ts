// How the controller makes its records durable and visible: a committer takes one operation's
// records as one batch and resolves once they are committed and replayed into the image. A lone
// node appends to its own metadata log; a cluster's active controller proposes to the quorum.
import type { MetadataRecord } from '../metadata/records.js';

/** Where a committed batch landed in the metadata log. */
export interface CommittedBatch {
  baseOffset: number;
  lastOffset: number;
}

export interface MetadataCommitter {
  /**
   * The offset the next committed batch will start at (Kafka's nextWriteOffset: a new broker
   * epoch is the offset of its registration). Only meaningful between operations.
   */
  nextOffset(): number;
  /**
   * Commits the records as one batch; resolves once committed and replayed into the image. Rejects
   * with a KafkaError: KAFKA_STORAGE_ERROR (lone node, the log refused the write) or NOT_CONTROLLER
   * (cluster, this node is not, or no longer, the active controller).
   */
  commit(records: MetadataRecord[]): Promise<CommittedBatch>;
}
