// The ConsumerGroup* records of __consumer_offsets (Kafka's record types 3-8 and 16) built from a
// group's state, and read back into plain values for replay. Type 4 (partition metadata) is no
// longer written since Kafka 4.1 (the group record's metadata hash replaced it); it is only deleted.
import { coordinatorRecord, decodeRecordKey, decodeRecordValue } from '../coordinator-record.js';
import type { StoredRecord } from '../offsets-topic.js';
import type { TopicPartitions } from '../assignor/types.js';
import { ConsumerGroupMetadataKey } from '../../../protocol/generated/consumer-group-metadata-key.js';
import { ConsumerGroupMetadataValue } from '../../../protocol/generated/consumer-group-metadata-value.js';
import { ConsumerGroupPartitionMetadataKey } from '../../../protocol/generated/consumer-group-partition-metadata-key.js';
import { ConsumerGroupPartitionMetadataValue } from '../../../protocol/generated/consumer-group-partition-metadata-value.js';
import { ConsumerGroupMemberMetadataKey } from '../../../protocol/generated/consumer-group-member-metadata-key.js';
import { ConsumerGroupMemberMetadataValue } from '../../../protocol/generated/consumer-group-member-metadata-value.js';
import { ConsumerGroupTargetAssignmentMetadataKey } from '../../../protocol/generated/consumer-group-target-assignment-metadata-key.js';
import { ConsumerGroupTargetAssignmentMetadataValue } from '../../../protocol/generated/consumer-group-target-assignment-metadata-value.js';
import { ConsumerGroupTargetAssignmentMemberKey } from '../../../protocol/generated/consumer-group-target-assignment-member-key.js';
import { ConsumerGroupTargetAssignmentMemberValue } from '../../../protocol/generated/consumer-group-target-assignment-member-value.js';
import { ConsumerGroupCurrentMemberAssignmentKey } from '../../../protocol/generated/consumer-group-current-member-assignment-key.js';
import { ConsumerGroupCurrentMemberAssignmentValue } from '../../../protocol/generated/consumer-group-current-member-assignment-value.js';
import { ConsumerGroupRegularExpressionKey } from '../../../protocol/generated/consumer-group-regular-expression-key.js';
import { ConsumerGroupRegularExpressionValue } from '../../../protocol/generated/consumer-group-regular-expression-value.js';
import { fromTopicPartitions, toTopicPartitions, type AssignmentEpochs, type ConsumerGroupMember } from './member.js';

export const RecordType = {
  GROUP_METADATA: 3,
  PARTITION_METADATA: 4,
  MEMBER_METADATA: 5,
  TARGET_ASSIGNMENT_METADATA: 6,
  TARGET_ASSIGNMENT_MEMBER: 7,
  CURRENT_MEMBER_ASSIGNMENT: 8,
  REGULAR_EXPRESSION: 16,
} as const;

export const CONSUMER_RECORD_TYPES: readonly number[] = Object.values(RecordType);

export function groupEpochRecord(groupId: string, epoch: number, metadataHash: number): StoredRecord {
  return coordinatorRecord(ConsumerGroupMetadataKey, { groupId }, ConsumerGroupMetadataValue, { epoch, metadataHash });
}

export function groupEpochTombstone(groupId: string): StoredRecord {
  return coordinatorRecord(ConsumerGroupMetadataKey, { groupId }, ConsumerGroupMetadataValue, null);
}

export function partitionMetadataTombstone(groupId: string): StoredRecord {
  return coordinatorRecord(ConsumerGroupPartitionMetadataKey, { groupId }, ConsumerGroupPartitionMetadataValue, null);
}

export function memberMetadataRecord(groupId: string, m: ConsumerGroupMember): StoredRecord {
  return coordinatorRecord(ConsumerGroupMemberMetadataKey, { groupId, memberId: m.memberId }, ConsumerGroupMemberMetadataValue, {
    instanceId: m.instanceId,
    rackId: m.rackId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    subscribedTopicNames: [...m.subscribedTopicNames],
    subscribedTopicRegex: m.subscribedTopicRegex,
    rebalanceTimeoutMs: m.rebalanceTimeoutMs,
    serverAssignor: m.serverAssignor,
    classicMemberMetadata:
      m.classic === null ? null : { sessionTimeoutMs: m.classic.sessionTimeoutMs, supportedProtocols: m.classic.supportedProtocols.map((p) => ({ name: p.name, metadata: p.metadata })) },
  });
}

export function memberMetadataTombstone(groupId: string, memberId: string): StoredRecord {
  return coordinatorRecord(ConsumerGroupMemberMetadataKey, { groupId, memberId }, ConsumerGroupMemberMetadataValue, null);
}

export function targetAssignmentMetadataRecord(groupId: string, assignmentEpoch: number, assignmentTimestamp: number): StoredRecord {
  return coordinatorRecord(ConsumerGroupTargetAssignmentMetadataKey, { groupId }, ConsumerGroupTargetAssignmentMetadataValue, { assignmentEpoch, assignmentTimestamp });
}

export function targetAssignmentMetadataTombstone(groupId: string): StoredRecord {
  return coordinatorRecord(ConsumerGroupTargetAssignmentMetadataKey, { groupId }, ConsumerGroupTargetAssignmentMetadataValue, null);
}

export function targetAssignmentRecord(groupId: string, memberId: string, partitions: TopicPartitions): StoredRecord {
  return coordinatorRecord(ConsumerGroupTargetAssignmentMemberKey, { groupId, memberId }, ConsumerGroupTargetAssignmentMemberValue, {
    topicPartitions: fromTopicPartitions(partitions),
  });
}

export function targetAssignmentTombstone(groupId: string, memberId: string): StoredRecord {
  return coordinatorRecord(ConsumerGroupTargetAssignmentMemberKey, { groupId, memberId }, ConsumerGroupTargetAssignmentMemberValue, null);
}

export function currentAssignmentRecord(groupId: string, m: ConsumerGroupMember): StoredRecord {
  return coordinatorRecord(ConsumerGroupCurrentMemberAssignmentKey, { groupId, memberId: m.memberId }, ConsumerGroupCurrentMemberAssignmentValue, {
    memberEpoch: m.memberEpoch,
    previousMemberEpoch: m.previousMemberEpoch,
    state: m.state,
    assignedPartitions: withEpochs(m.assignedPartitions, m),
    partitionsPendingRevocation: withEpochs(m.partitionsPendingRevocation, m),
  });
}

/** The topic partitions with their assignment epochs (the record's tagged AssignmentEpochs, as Kafka 4.4 writes them). */
function withEpochs(tp: TopicPartitions, m: ConsumerGroupMember): { topicId: string; partitions: number[]; assignmentEpochs: number[] }[] {
  return fromTopicPartitions(tp).map((t) => ({ ...t, assignmentEpochs: t.partitions.map((p) => m.assignmentEpochs.get(t.topicId)?.get(p) ?? m.memberEpoch) }));
}

/** Epochs from a record's lists; a list without them (written before Kafka 4.4) counts from the member epoch. */
function readEpochs(lists: { topicId: string; partitions: number[]; assignmentEpochs?: number[] | null }[][], memberEpoch: number): AssignmentEpochs {
  const out = new Map<string, Map<number, number>>();
  for (const list of lists) {
    for (const t of list) {
      const m = out.get(t.topicId) ?? new Map<number, number>();
      t.partitions.forEach((p, i) => m.set(p, t.assignmentEpochs?.[i] ?? memberEpoch));
      out.set(t.topicId, m);
    }
  }
  return out;
}

export function currentAssignmentTombstone(groupId: string, memberId: string): StoredRecord {
  return coordinatorRecord(ConsumerGroupCurrentMemberAssignmentKey, { groupId, memberId }, ConsumerGroupCurrentMemberAssignmentValue, null);
}

export function regexRecord(groupId: string, regularExpression: string, topics: string[], version: number, timestamp: number): StoredRecord {
  return coordinatorRecord(ConsumerGroupRegularExpressionKey, { groupId, regularExpression }, ConsumerGroupRegularExpressionValue, { topics, version, timestamp });
}

export function regexTombstone(groupId: string, regularExpression: string): StoredRecord {
  return coordinatorRecord(ConsumerGroupRegularExpressionKey, { groupId, regularExpression }, ConsumerGroupRegularExpressionValue, null);
}

/** One decoded record, as replay applies it (`value` null: a tombstone). */
export type ConsumerRecord =
  | { type: 3; groupId: string; value: { epoch: number; metadataHash: number } | null }
  | { type: 4; groupId: string }
  | { type: 5; groupId: string; memberId: string; value: ReturnType<typeof ConsumerGroupMemberMetadataValue.decode> | null }
  | { type: 6; groupId: string; value: { assignmentEpoch: number } | null }
  | { type: 7; groupId: string; memberId: string; value: TopicPartitions | null }
  | {
      type: 8;
      groupId: string;
      memberId: string;
      value: { memberEpoch: number; previousMemberEpoch: number; state: number; assigned: TopicPartitions; pendingRevocation: TopicPartitions; epochs: AssignmentEpochs } | null;
    }
  | { type: 16; groupId: string; regex: string; value: { topics: string[]; version: number; timestamp: number } | null };

export function decodeConsumerRecord(type: number, key: Buffer, value: Buffer | null): ConsumerRecord | null {
  switch (type) {
    case RecordType.GROUP_METADATA: {
      const k = decodeRecordKey(ConsumerGroupMetadataKey, key);
      const v = value && decodeRecordValue(ConsumerGroupMetadataValue, value);
      return { type: 3, groupId: k.groupId, value: v && { epoch: v.epoch, metadataHash: v.metadataHash ?? 0 } };
    }
    case RecordType.PARTITION_METADATA:
      return { type: 4, groupId: decodeRecordKey(ConsumerGroupPartitionMetadataKey, key).groupId };
    case RecordType.MEMBER_METADATA: {
      const k = decodeRecordKey(ConsumerGroupMemberMetadataKey, key);
      return { type: 5, groupId: k.groupId, memberId: k.memberId, value: value && decodeRecordValue(ConsumerGroupMemberMetadataValue, value) };
    }
    case RecordType.TARGET_ASSIGNMENT_METADATA: {
      const k = decodeRecordKey(ConsumerGroupTargetAssignmentMetadataKey, key);
      const v = value && decodeRecordValue(ConsumerGroupTargetAssignmentMetadataValue, value);
      return { type: 6, groupId: k.groupId, value: v && { assignmentEpoch: v.assignmentEpoch } };
    }
    case RecordType.TARGET_ASSIGNMENT_MEMBER: {
      const k = decodeRecordKey(ConsumerGroupTargetAssignmentMemberKey, key);
      const v = value && decodeRecordValue(ConsumerGroupTargetAssignmentMemberValue, value);
      return { type: 7, groupId: k.groupId, memberId: k.memberId, value: v && toTopicPartitions(v.topicPartitions) };
    }
    case RecordType.CURRENT_MEMBER_ASSIGNMENT: {
      const k = decodeRecordKey(ConsumerGroupCurrentMemberAssignmentKey, key);
      const v = value && decodeRecordValue(ConsumerGroupCurrentMemberAssignmentValue, value);
      return {
        type: 8,
        groupId: k.groupId,
        memberId: k.memberId,
        value: v && {
          memberEpoch: v.memberEpoch,
          previousMemberEpoch: v.previousMemberEpoch,
          state: v.state,
          assigned: toTopicPartitions(v.assignedPartitions),
          pendingRevocation: toTopicPartitions(v.partitionsPendingRevocation),
          epochs: readEpochs([v.assignedPartitions, v.partitionsPendingRevocation], v.memberEpoch),
        },
      };
    }
    case RecordType.REGULAR_EXPRESSION: {
      const k = decodeRecordKey(ConsumerGroupRegularExpressionKey, key);
      const v = value && decodeRecordValue(ConsumerGroupRegularExpressionValue, value);
      return { type: 16, groupId: k.groupId, regex: k.regularExpression, value: v && { topics: v.topics, version: v.version, timestamp: v.timestamp } };
    }
    default:
      return null;
  }
}
