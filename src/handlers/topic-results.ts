// Kafka's per-partition response builder: a topic appears where its first result lands.
export interface TopicPartitionErrors {
  name: string;
  partitions: { partitionIndex: number; errorCode: number }[];
}

export function topicResults(): { topics: TopicPartitionErrors[]; add(name: string, partitionIndex: number, errorCode: number): void } {
  const topics: TopicPartitionErrors[] = [];
  const byName = new Map<string, TopicPartitionErrors>();
  return {
    topics,
    add(name, partitionIndex, errorCode) {
      let t = byName.get(name);
      if (!t) {
        t = { name, partitions: [] };
        byName.set(name, t);
        topics.push(t);
      }
      t.partitions.push({ partitionIndex, errorCode });
    },
  };
}
