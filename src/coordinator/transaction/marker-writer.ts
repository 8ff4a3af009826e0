/**
 * How the transaction coordinator gets COMMIT/ABORT markers into the partitions of a transaction
 * (Kafka's TransactionMarkerChannelManager role). The coordinator depends only on this interface;
 * the implementation (local appends, WriteTxnMarkers to remote leaders) lives in marker-channel.ts.
 */
export interface TxnMarkerWriter {
  /** Writes the marker to every partition's leader; resolves per partition with an error code
   *  (NONE, or a non-retriable one such as UNKNOWN_TOPIC_OR_PARTITION for a deleted topic);
   *  retriable failures (NOT_LEADER_OR_FOLLOWER, not available, timeouts) are retried inside. */
  write(req: {
    producerId: number;
    producerEpoch: number;
    commit: boolean;
    coordinatorEpoch: number;
    transactionVersion: number;
    partitions: { topic: string; partition: number }[];
    /** Checked before each retry: true when the coordinator lost the transaction (the rest answer NOT_COORDINATOR). */
    cancelled?: () => boolean;
  }): Promise<{ topic: string; partition: number; errorCode: number }[]>;
}
