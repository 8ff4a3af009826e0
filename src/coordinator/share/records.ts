// The records of __share_group_state in Kafka's framing (int16 record type + key; int16 value
// version + value): ShareSnapshot (type 0) holds a share-partition's whole state, ShareUpdate
// (type 1) the batches changed since; a ShareSnapshot tombstone removes the state. A key's
// partition is Kafka's: abs(javaHash("groupId:topicId:partition")) % partitions.
import { ShareSnapshotKey } from '../../protocol/generated/share-snapshot-key.js';
import { ShareSnapshotValue } from '../../protocol/generated/share-snapshot-value.js';
import { ShareUpdateKey } from '../../protocol/generated/share-update-key.js';
import { ShareUpdateValue } from '../../protocol/generated/share-update-value.js';
import type { PersisterStateBatch, ShareStateKey } from '../../share/persister.js';
import { coordinatorRecord, decodeRecordKey, decodeRecordValue, recordKeyVersion } from '../group/coordinator-record.js';
import type { StoredRecord } from '../group/offsets-topic.js';
import { partitionFor } from '../group/records.js';

export const SHARE_GROUP_STATE_TOPIC = '__share_group_state';
export const SHARE_SNAPSHOT_RECORD_TYPE = 0;
export const SHARE_UPDATE_RECORD_TYPE = 1;

/** A share-partition's state as the coordinator keeps it (Kafka's ShareGroupOffset). */
export interface ShareGroupOffset {
  snapshotEpoch: number;
  stateEpoch: number;
  leaderEpoch: number;
  startOffset: number;
  deliveryCompleteCount: number;
  stateBatches: PersisterStateBatch[];
  createTimestamp: number;
  writeTimestamp: number;
}

/** Kafka's SharePartitionKey.asCoordinatorKey. */
export function coordinatorKey(k: ShareStateKey): string {
  return `${k.groupId}:${k.topicId}:${k.partition}`;
}

/** The __share_group_state partition holding the key's state (ShareCoordinatorService.partitionFor). */
export function shareStatePartitionFor(k: ShareStateKey, partitions: number): number {
  return partitionFor(coordinatorKey(k), partitions);
}

const batches = (b: PersisterStateBatch[]) => b.map((x) => ({ firstOffset: x.firstOffset, lastOffset: x.lastOffset, deliveryState: x.deliveryState, deliveryCount: x.deliveryCount }));

export function snapshotRecord(k: ShareStateKey, s: ShareGroupOffset): StoredRecord {
  return coordinatorRecord(ShareSnapshotKey, { groupId: k.groupId, topicId: k.topicId, partition: k.partition }, ShareSnapshotValue, {
    snapshotEpoch: s.snapshotEpoch,
    stateEpoch: s.stateEpoch,
    leaderEpoch: s.leaderEpoch,
    startOffset: s.startOffset,
    deliveryCompleteCount: s.deliveryCompleteCount,
    createTimestamp: s.createTimestamp,
    writeTimestamp: s.writeTimestamp,
    stateBatches: batches(s.stateBatches),
  });
}

export function updateRecord(k: ShareStateKey, s: Pick<ShareGroupOffset, 'snapshotEpoch' | 'leaderEpoch' | 'startOffset' | 'deliveryCompleteCount' | 'stateBatches'>): StoredRecord {
  return coordinatorRecord(ShareUpdateKey, { groupId: k.groupId, topicId: k.topicId, partition: k.partition }, ShareUpdateValue, {
    snapshotEpoch: s.snapshotEpoch,
    leaderEpoch: s.leaderEpoch,
    startOffset: s.startOffset,
    deliveryCompleteCount: s.deliveryCompleteCount,
    stateBatches: batches(s.stateBatches),
  });
}

export function tombstoneRecord(k: ShareStateKey): StoredRecord {
  return coordinatorRecord(ShareSnapshotKey, { groupId: k.groupId, topicId: k.topicId, partition: k.partition }, ShareSnapshotValue, null);
}

export type DecodedShareRecord =
  | { type: 'snapshot'; key: ShareStateKey; value: ShareSnapshotValue | null }
  | { type: 'update'; key: ShareStateKey; value: ShareUpdateValue | null };

/** A stored record of __share_group_state, or null for a record type this broker does not know. */
export function decodeShareRecord(r: StoredRecord): DecodedShareRecord | null {
  const type = recordKeyVersion(r.key);
  if (type === SHARE_SNAPSHOT_RECORD_TYPE) {
    const k = decodeRecordKey(ShareSnapshotKey, r.key);
    return { type: 'snapshot', key: { groupId: k.groupId, topicId: k.topicId, partition: k.partition }, value: r.value === null ? null : decodeRecordValue(ShareSnapshotValue, r.value) };
  }
  if (type === SHARE_UPDATE_RECORD_TYPE) {
    const k = decodeRecordKey(ShareUpdateKey, r.key);
    return { type: 'update', key: { groupId: k.groupId, topicId: k.topicId, partition: k.partition }, value: r.value === null ? null : decodeRecordValue(ShareUpdateValue, r.value) };
  }
  return null;
}
