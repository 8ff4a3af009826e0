// Offsets committed inside a transaction (TxnOffsetCommit), as Kafka's OffsetMetadataManager keeps
// them: pending per producer id until the transaction's marker lands in __consumer_offsets; COMMIT
// moves them into the committed offsets, ABORT drops them. While pending, OffsetFetch with
// require_stable answers UNSTABLE_OFFSET_COMMIT for their partitions.
import type { OffsetStore } from './offset-store.js';
import type { OffsetAndMetadata } from './records.js';

export class PendingTxnOffsets {
  /** producer id -> group -> "topic\0partition" -> offset. */
  private readonly byProducer = new Map<number, Map<string, Map<string, { topic: string; partition: number; offset: OffsetAndMetadata }>>>();
  /** group -> producer ids with pending offsets for it (Kafka's openTransactionsByGroup). */
  private readonly openByGroup = new Map<string, Set<number>>();

  put(producerId: number, group: string, topic: string, partition: number, offset: OffsetAndMetadata): void {
    let groups = this.byProducer.get(producerId);
    if (!groups) this.byProducer.set(producerId, (groups = new Map()));
    let entries = groups.get(group);
    if (!entries) groups.set(group, (entries = new Map()));
    entries.set(`${topic}\0${partition}`, { topic, partition, offset });
    let open = this.openByGroup.get(group);
    if (!open) this.openByGroup.set(group, (open = new Set()));
    open.add(producerId);
  }

  /** Whether any open transaction holds an offset of the group for the partition. */
  has(group: string, topic: string, partition: number): boolean {
    const open = this.openByGroup.get(group);
    if (!open) return false;
    const key = `${topic}\0${partition}`;
    for (const pid of open) if (this.byProducer.get(pid)?.get(group)?.has(key)) return true;
    return false;
  }

  hasGroup(group: string): boolean {
    return this.openByGroup.has(group);
  }

  /** The pending offsets of the group as (topic, partition) pairs, deduplicated. */
  partitionsOf(group: string): { topic: string; partition: number }[] {
    const seen = new Map<string, { topic: string; partition: number }>();
    for (const pid of this.openByGroup.get(group) ?? []) {
      for (const [key, e] of this.byProducer.get(pid)?.get(group) ?? []) seen.set(key, { topic: e.topic, partition: e.partition });
    }
    return [...seen.values()];
  }

  /** A tombstone for the key removes the pending offsets for it too. */
  remove(group: string, topic: string, partition: number): void {
    const key = `${topic}\0${partition}`;
    for (const pid of this.openByGroup.get(group) ?? []) this.byProducer.get(pid)?.get(group)?.delete(key);
  }

  /**
   * The transaction's marker on a __consumer_offsets partition, for the groups of that partition
   * (`inPartition`): COMMIT makes its offsets the committed ones (unless a regular commit was
   * written after them), ABORT drops them.
   */
  complete(producerId: number, commit: boolean, store: OffsetStore, inPartition: (group: string) => boolean): void {
    const groups = this.byProducer.get(producerId);
    if (!groups) return;
    for (const [group, entries] of [...groups]) {
      if (!inPartition(group)) continue;
      groups.delete(group);
      const open = this.openByGroup.get(group);
      open?.delete(producerId);
      if (open?.size === 0) this.openByGroup.delete(group);
      if (!commit) continue;
      for (const { topic, partition, offset } of entries.values()) {
        const existing = store.get(group, topic, partition);
        const newer = existing?.recordOffset === undefined || offset.recordOffset === undefined || offset.recordOffset > existing.recordOffset;
        if (newer) store.put(group, topic, partition, offset);
      }
    }
    if (groups.size === 0) this.byProducer.delete(producerId);
  }

  /** Forgets every pending offset of the groups `belongs` picks (a partition unloaded). */
  forgetGroups(belongs: (group: string) => boolean): void {
    for (const group of [...this.openByGroup.keys()]) {
      if (!belongs(group)) continue;
      for (const pid of this.openByGroup.get(group)!) {
        const groups = this.byProducer.get(pid);
        groups?.delete(group);
        if (groups?.size === 0) this.byProducer.delete(pid);
      }
      this.openByGroup.delete(group);
    }
  }
}
