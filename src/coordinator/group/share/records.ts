// The share group records of __consumer_offsets (Kafka's record types 10-15) and their replay.
// Every change is made by writing these records and replaying them into memory, at run time
// as at load, so what a coordinator rebuilds after a restart is what it served before.
import { ShareGroupCurrentMemberAssignmentKey } from '../../../protocol/generated/share-group-current-member-assignment-key.js';
import { ShareGroupCurrentMemberAssignmentValue } from '../../../protocol/generated/share-group-current-member-assignment-value.js';
import { ShareGroupMemberMetadataKey } from '../../../protocol/generated/share-group-member-metadata-key.js';
import { ShareGroupMemberMetadataValue } from '../../../protocol/generated/share-group-member-metadata-value.js';
import { ShareGroupMetadataKey } from '../../../protocol/generated/share-group-metadata-key.js';
import { ShareGroupMetadataValue } from '../../../protocol/generated/share-group-metadata-value.js';
import { ShareGroupStatePartitionMetadataKey } from '../../../protocol/generated/share-group-state-partition-metadata-key.js';
import { ShareGroupStatePartitionMetadataValue } from '../../../protocol/generated/share-group-state-partition-metadata-value.js';
import { ShareGroupTargetAssignmentMemberKey } from '../../../protocol/generated/share-group-target-assignment-member-key.js';
import { ShareGroupTargetAssignmentMemberValue } from '../../../protocol/generated/share-group-target-assignment-member-value.js';
import { ShareGroupTargetAssignmentMetadataKey } from '../../../protocol/generated/share-group-target-assignment-metadata-key.js';
import { ShareGroupTargetAssignmentMetadataValue } from '../../../protocol/generated/share-group-target-assignment-metadata-value.js';
import type { TopicPartitions } from '../assignor/types.js';
import { coordinatorRecord, decodeRecordKey, decodeRecordValue } from '../coordinator-record.js';
import type { StoredRecord } from '../offsets-topic.js';
import { ShareGroup, type InitTopic, type StatePartitionMetadata } from './group.js';
import { fromTopicPartitionList, newMember, toTopicPartitionList, type ShareGroupMember } from './member.js';

export const SHARE_RECORD_TYPES = [10, 11, 12, 13, 14, 15] as const;
const MEMBER_METADATA = 10;
const GROUP_METADATA = 11;
const TARGET_METADATA = 12;
const TARGET_MEMBER = 13;
const CURRENT_ASSIGNMENT = 14;
const STATE_PARTITION_METADATA = 15;

export function memberRecord(groupId: string, m: ShareGroupMember): StoredRecord {
  return coordinatorRecord(ShareGroupMemberMetadataKey, { groupId, memberId: m.memberId }, ShareGroupMemberMetadataValue, {
    rackId: m.rackId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    subscribedTopicNames: [...m.subscribedTopicNames].sort(),
  });
}

export function memberTombstone(groupId: string, memberId: string): StoredRecord {
  return coordinatorRecord(ShareGroupMemberMetadataKey, { groupId, memberId }, ShareGroupMemberMetadataValue, null);
}

export function epochRecord(groupId: string, epoch: number, metadataHash: number): StoredRecord {
  return coordinatorRecord(ShareGroupMetadataKey, { groupId }, ShareGroupMetadataValue, { epoch, metadataHash });
}

export function epochTombstone(groupId: string): StoredRecord {
  return coordinatorRecord(ShareGroupMetadataKey, { groupId }, ShareGroupMetadataValue, null);
}

export function targetMetadataRecord(groupId: string, assignmentEpoch: number, assignmentTimestamp: number): StoredRecord {
  return coordinatorRecord(ShareGroupTargetAssignmentMetadataKey, { groupId }, ShareGroupTargetAssignmentMetadataValue, { assignmentEpoch, assignmentTimestamp });
}

export function targetMetadataTombstone(groupId: string): StoredRecord {
  return coordinatorRecord(ShareGroupTargetAssignmentMetadataKey, { groupId }, ShareGroupTargetAssignmentMetadataValue, null);
}

export function targetMemberRecord(groupId: string, memberId: string, tps: TopicPartitions): StoredRecord {
  return coordinatorRecord(ShareGroupTargetAssignmentMemberKey, { groupId, memberId }, ShareGroupTargetAssignmentMemberValue, { topicPartitions: toTopicPartitionList(tps) });
}

export function targetMemberTombstone(groupId: string, memberId: string): StoredRecord {
  return coordinatorRecord(ShareGroupTargetAssignmentMemberKey, { groupId, memberId }, ShareGroupTargetAssignmentMemberValue, null);
}

export function currentAssignmentRecord(groupId: string, m: ShareGroupMember): StoredRecord {
  return coordinatorRecord(ShareGroupCurrentMemberAssignmentKey, { groupId, memberId: m.memberId }, ShareGroupCurrentMemberAssignmentValue, {
    memberEpoch: m.memberEpoch,
    previousMemberEpoch: m.previousMemberEpoch,
    state: m.state,
    assignedPartitions: toTopicPartitionList(m.assignedPartitions),
  });
}

export function currentAssignmentTombstone(groupId: string, memberId: string): StoredRecord {
  return coordinatorRecord(ShareGroupCurrentMemberAssignmentKey, { groupId, memberId }, ShareGroupCurrentMemberAssignmentValue, null);
}

export function statePartitionsRecord(groupId: string, s: StatePartitionMetadata): StoredRecord {
  const infos = (m: Map<string, InitTopic>) =>
    [...m].filter(([, v]) => v.partitions.size > 0).map(([topicId, v]) => ({ topicId, topicName: v.name, partitions: [...v.partitions].sort((a, b) => a - b) }));
  return coordinatorRecord(ShareGroupStatePartitionMetadataKey, { groupId }, ShareGroupStatePartitionMetadataValue, {
    initializingTopics: infos(s.initializing),
    initializedTopics: infos(s.initialized),
    deletingTopics: [...s.deleting].map(([topicId, topicName]) => ({ topicId, topicName })),
  });
}

export function statePartitionsTombstone(groupId: string): StoredRecord {
  return coordinatorRecord(ShareGroupStatePartitionMetadataKey, { groupId }, ShareGroupStatePartitionMetadataValue, null);
}

/** The tombstones of every record of the group (Kafka's createGroupTombstoneRecords). */
export function groupTombstones(g: ShareGroup): StoredRecord[] {
  const out: StoredRecord[] = [];
  for (const id of g.members.keys()) out.push(currentAssignmentTombstone(g.groupId, id));
  for (const id of g.targetAssignment.keys()) out.push(targetMemberTombstone(g.groupId, id));
  out.push(targetMetadataTombstone(g.groupId));
  for (const id of g.members.keys()) out.push(memberTombstone(g.groupId, id));
  out.push(statePartitionsTombstone(g.groupId), epochTombstone(g.groupId));
  return out;
}

/** Where replay finds and keeps share groups. */
export interface ShareGroupRegistry {
  shareGroup(groupId: string): ShareGroup | undefined;
  createShareGroup(groupId: string): ShareGroup;
  deleteShareGroup(groupId: string): void;
  /** The timestamp an initializing topic read back gets (the record keeps none: it is retried after the interval). */
  now(): number;
}

/** Applies one share group record (`value` null: a tombstone), as Kafka's replay does. */
export function replayShareRecord(reg: ShareGroupRegistry, keyVersion: number, key: Buffer, value: Buffer | null): void {
  switch (keyVersion) {
    case MEMBER_METADATA: {
      const k = decodeRecordKey(ShareGroupMemberMetadataKey, key);
      const g = value ? (reg.shareGroup(k.groupId) ?? reg.createShareGroup(k.groupId)) : reg.shareGroup(k.groupId);
      if (!g) return;
      if (!value) {
        g.members.delete(k.memberId);
        return;
      }
      const v = decodeRecordValue(ShareGroupMemberMetadataValue, value);
      const m = g.members.get(k.memberId) ?? newMember(k.memberId);
      m.rackId = v.rackId;
      m.clientId = v.clientId;
      m.clientHost = v.clientHost;
      m.subscribedTopicNames = new Set(v.subscribedTopicNames);
      g.members.set(k.memberId, m);
      return;
    }
    case GROUP_METADATA: {
      const k = decodeRecordKey(ShareGroupMetadataKey, key);
      if (!value) {
        reg.deleteShareGroup(k.groupId);
        return;
      }
      const v = decodeRecordValue(ShareGroupMetadataValue, value);
      const g = reg.shareGroup(k.groupId) ?? reg.createShareGroup(k.groupId);
      g.groupEpoch = v.epoch;
      g.metadataHash = v.metadataHash;
      return;
    }
    case TARGET_METADATA: {
      const k = decodeRecordKey(ShareGroupTargetAssignmentMetadataKey, key);
      const g = value ? (reg.shareGroup(k.groupId) ?? reg.createShareGroup(k.groupId)) : reg.shareGroup(k.groupId);
      if (!g) return;
      const v = value ? decodeRecordValue(ShareGroupTargetAssignmentMetadataValue, value) : null;
      g.assignmentEpoch = v?.assignmentEpoch ?? 0;
      g.assignmentTimestamp = v?.assignmentTimestamp ?? 0;
      return;
    }
    case TARGET_MEMBER: {
      const k = decodeRecordKey(ShareGroupTargetAssignmentMemberKey, key);
      const g = value ? (reg.shareGroup(k.groupId) ?? reg.createShareGroup(k.groupId)) : reg.shareGroup(k.groupId);
      if (!g) return;
      if (!value) g.targetAssignment.delete(k.memberId);
      else g.targetAssignment.set(k.memberId, fromTopicPartitionList(decodeRecordValue(ShareGroupTargetAssignmentMemberValue, value).topicPartitions));
      return;
    }
    case CURRENT_ASSIGNMENT: {
      const k = decodeRecordKey(ShareGroupCurrentMemberAssignmentKey, key);
      const g = value ? (reg.shareGroup(k.groupId) ?? reg.createShareGroup(k.groupId)) : reg.shareGroup(k.groupId);
      if (!g) return;
      const m = g.members.get(k.memberId) ?? (value ? newMember(k.memberId) : undefined);
      if (!m) return;
      if (!value) {
        // The member's assignment is reset; its metadata tombstone removes it.
        m.memberEpoch = 0;
        m.previousMemberEpoch = -1;
        m.assignedPartitions = new Map();
        return;
      }
      const v = decodeRecordValue(ShareGroupCurrentMemberAssignmentValue, value);
      m.memberEpoch = v.memberEpoch;
      m.previousMemberEpoch = v.previousMemberEpoch;
      m.state = v.state;
      m.assignedPartitions = fromTopicPartitionList(v.assignedPartitions);
      g.members.set(k.memberId, m);
      return;
    }
    case STATE_PARTITION_METADATA: {
      const k = decodeRecordKey(ShareGroupStatePartitionMetadataKey, key);
      const g = value ? (reg.shareGroup(k.groupId) ?? reg.createShareGroup(k.groupId)) : reg.shareGroup(k.groupId);
      if (!g) return;
      if (!value) {
        g.statePartitions = null;
        return;
      }
      const v = decodeRecordValue(ShareGroupStatePartitionMetadataValue, value);
      // An initializing topic's original request time is not stored: it may be retried a retry interval from now.
      const prev = g.statePartitions?.initializing;
      const init = (list: typeof v.initializedTopics, ts: (id: string) => number) =>
        new Map(list.map((t) => [t.topicId, { name: t.topicName, partitions: new Set(t.partitions), timestamp: ts(t.topicId) }]));
      g.statePartitions = {
        initializing: init(v.initializingTopics, (id) => prev?.get(id)?.timestamp ?? reg.now()),
        initialized: init(v.initializedTopics, () => -1),
        deleting: new Map(v.deletingTopics.map((t) => [t.topicId, t.topicName])),
      };
      return;
    }
  }
}
