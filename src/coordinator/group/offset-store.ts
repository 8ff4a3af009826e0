// Committed offsets in memory: group -> topic -> partition -> offset and metadata. The log is
// the source of truth; this is what replaying it yields.
import type { OffsetAndMetadata } from './records.js';

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: OffsetAndMetadata;
}

export class OffsetStore {
  private readonly byGroup = new Map<string, Map<string, Map<number, OffsetAndMetadata>>>();

  get(group: string, topic: string, partition: number): OffsetAndMetadata | undefined {
    return this.byGroup.get(group)?.get(topic)?.get(partition);
  }

  /** Stores the offset and returns the one it replaces. */
  put(group: string, topic: string, partition: number, offset: OffsetAndMetadata): OffsetAndMetadata | undefined {
    let topics = this.byGroup.get(group);
    if (!topics) this.byGroup.set(group, (topics = new Map()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map()));
    const previous = partitions.get(partition);
    partitions.set(partition, offset);
    return previous;
  }

  /** Removes the offset and returns it. */
  delete(group: string, topic: string, partition: number): OffsetAndMetadata | undefined {
    const topics = this.byGroup.get(group);
    const partitions = topics?.get(topic);
    const previous = partitions?.get(partition);
    if (previous === undefined) return undefined;
    partitions!.delete(partition);
    if (partitions!.size === 0) topics!.delete(topic);
    if (topics!.size === 0) this.byGroup.delete(group);
    return previous;
  }

  hasOffsets(group: string): boolean {
    return this.byGroup.has(group);
  }

  /** Every offset of the group, topic by topic in commit order. */
  all(group: string): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    const topics = this.byGroup.get(group);
    if (!topics) return out;
    for (const [topic, partitions] of topics) {
      for (const [partition, offset] of partitions) out.push({ topic, partition, offset });
    }
    return out;
  }

  groups(): IterableIterator<string> {
    return this.byGroup.keys();
  }
}
