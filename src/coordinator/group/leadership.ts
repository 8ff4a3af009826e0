// In a cluster the group coordinator of a __consumer_offsets partition lives on that partition's
// leader (Kafka's CoordinatorRuntime follows the replica layer's become-leader/follower): this is
// what it needs of the replica layer. A lone node has none and coordinates every partition.
export interface PartitionLeadership {
  /** `leaderEpoch` >= 0: this broker now leads the partition; -1: it no longer does. */
  onLeadershipChange(listener: (topic: string, partition: number, leaderEpoch: number) => void): () => void;
  /** Resolves with the partition's error code once the high watermark passed `endOffset`, or at `timeoutMs`. */
  awaitReplication(topic: string, partition: number, endOffset: number, timeoutMs: number): Promise<number>;
  /** Leadership of a partition per the current image (leaderId -1: none). */
  checkFetch(topic: string, partition: number): { errorCode: number; leaderId: number; leaderEpoch: number };
}
