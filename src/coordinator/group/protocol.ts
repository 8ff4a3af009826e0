// What each group protocol beside the classic one (KIP-848 consumer, KIP-932 share, KIP-1071 streams)
// gives the coordinator: the __consumer_offsets record types it owns and replays, and how its groups
// are armed after a load and disarmed on unload, deletion or close. Offsets, the group registry,
// DescribeGroups/ListGroups/DeleteGroups and expiration stay shared in coordinator.ts.
import type { Group, GroupType } from './group.js';
import type { StoredRecord } from './offsets-topic.js';

export interface GroupProtocolManager {
  readonly type: GroupType;
  /** The record key versions (Kafka's coordinator record api keys, e.g. 3-8 and 16 for consumer groups) this protocol replays. */
  readonly recordKeyVersions: readonly number[];
  /** Applies one of those records while a partition loads; `value` null is a tombstone. Buffers hold the int16 version. */
  replay(keyVersion: number, key: Buffer, value: Buffer | null): void;
  /** A __consumer_offsets partition finished loading; `groups` are this protocol's groups in it (arm session timers). */
  onLoaded(groups: Group[]): void;
  /** The group leaves this coordinator (partition unloaded, group deleted, coordinator closing): cancel its timers, answer parked requests. */
  unload(group: Group): void;
  /** The tombstones that delete the group's own records (DeleteGroups and expiry add the offsets' and write them in one batch). */
  deleteRecords(group: Group): StoredRecord[];
  /** DeleteGroups, before the records: work outside __consumer_offsets (a share group's state); NONE, or the error that keeps the group. */
  prepareDelete?(group: Group): Promise<number>;
}
