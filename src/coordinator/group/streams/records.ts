// The __consumer_offsets records of streams groups (Kafka's StreamsCoordinatorRecordHelpers):
// StreamsGroupMetadata (17), MemberMetadata (19), TargetAssignmentMetadata (20),
// TargetAssignmentMember (21), CurrentMemberAssignment (22) and Topology (23), and their replay.
import { StreamsGroupMetadataKey } from '../../../protocol/generated/streams-group-metadata-key.js';
import { StreamsGroupMetadataValue } from '../../../protocol/generated/streams-group-metadata-value.js';
import { StreamsGroupMemberMetadataKey } from '../../../protocol/generated/streams-group-member-metadata-key.js';
import { StreamsGroupMemberMetadataValue } from '../../../protocol/generated/streams-group-member-metadata-value.js';
import { StreamsGroupTargetAssignmentMetadataKey } from '../../../protocol/generated/streams-group-target-assignment-metadata-key.js';
import { StreamsGroupTargetAssignmentMetadataValue } from '../../../protocol/generated/streams-group-target-assignment-metadata-value.js';
import { StreamsGroupTargetAssignmentMemberKey } from '../../../protocol/generated/streams-group-target-assignment-member-key.js';
import { StreamsGroupTargetAssignmentMemberValue } from '../../../protocol/generated/streams-group-target-assignment-member-value.js';
import { StreamsGroupCurrentMemberAssignmentKey } from '../../../protocol/generated/streams-group-current-member-assignment-key.js';
import { StreamsGroupCurrentMemberAssignmentValue } from '../../../protocol/generated/streams-group-current-member-assignment-value.js';
import { StreamsGroupTopologyKey } from '../../../protocol/generated/streams-group-topology-key.js';
import { StreamsGroupTopologyValue } from '../../../protocol/generated/streams-group-topology-value.js';
import { Reader } from '../../../protocol/reader.js';
import { Writer } from '../../../protocol/writer.js';
import { coordinatorRecord, decodeRecordKey, decodeRecordValue } from '../coordinator-record.js';
import type { StoredRecord } from '../offsets-topic.js';
import { StreamsGroup } from './group.js';
import { newMember, type MemberStateCode, type StreamsGroupMember } from './member.js';
import { fromTaskIds, fromTaskIdsWithEpochs, toTaskIds, toTaskIdsWithEpochs, type TasksTuple } from './tasks.js';
import type { StreamsTopology } from './topology.js';

export const STREAMS_RECORD_TYPES = [17, 19, 20, 21, 22, 23] as const;

export function groupMetadataRecord(g: StreamsGroup): StoredRecord {
  return coordinatorRecord(StreamsGroupMetadataKey, { groupId: g.groupId }, StreamsGroupMetadataValue, {
    epoch: g.groupEpoch,
    metadataHash: g.metadataHash,
    validatedTopologyEpoch: g.validatedTopologyEpoch,
    storedDescriptionTopologyEpoch: -1,
    failedDescriptionTopologyEpoch: -1,
    // LastAssignmentConfigs is tagged field 1, which the generated codec does not know: written raw.
    _tagged: g.lastAssignmentConfigs.size > 0 ? [{ tag: LAST_ASSIGNMENT_CONFIGS_TAG, data: encodeKeyValues(g.lastAssignmentConfigs) }] : undefined,
  });
}

const LAST_ASSIGNMENT_CONFIGS_TAG = 1;

/** A compact array of {Key, Value} structs (compact strings, no tagged fields), as Kafka writes LastAssignmentConfigs. */
function encodeKeyValues(m: ReadonlyMap<string, string>): Buffer {
  const w = new Writer(64);
  w.uvarint(m.size + 1);
  for (const [k, v] of m) {
    w.compactString(k);
    w.compactString(v);
    w.uvarint(0);
  }
  return w.toBuffer();
}

function decodeKeyValues(data: Buffer): Map<string, string> {
  const r = new Reader(data);
  const n = r.uvarint() - 1;
  const m = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const k = r.compactString();
    const v = r.compactString();
    m.set(k, v);
    // Tagged fields of the struct: none are defined (a later version's would end the list here).
    if (r.uvarint() !== 0) break;
  }
  return m;
}

export function memberMetadataRecord(groupId: string, m: StreamsGroupMember): StoredRecord {
  return coordinatorRecord(StreamsGroupMemberMetadataKey, { groupId, memberId: m.memberId }, StreamsGroupMemberMetadataValue, {
    instanceId: m.instanceId,
    rackId: m.rackId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    rebalanceTimeoutMs: m.rebalanceTimeoutMs,
    topologyEpoch: m.topologyEpoch,
    processId: m.processId,
    userEndpoint: m.userEndpoint,
    clientTags: [...m.clientTags].map(([key, value]) => ({ key, value })),
  });
}

export function targetAssignmentMetadataRecord(g: StreamsGroup): StoredRecord {
  return coordinatorRecord(StreamsGroupTargetAssignmentMetadataKey, { groupId: g.groupId }, StreamsGroupTargetAssignmentMetadataValue, {
    assignmentEpoch: g.assignmentEpoch,
    assignmentTimestamp: g.assignmentTimestamp,
  });
}

export function targetAssignmentRecord(groupId: string, memberId: string, t: TasksTuple): StoredRecord {
  return coordinatorRecord(StreamsGroupTargetAssignmentMemberKey, { groupId, memberId }, StreamsGroupTargetAssignmentMemberValue, {
    activeTasks: toTaskIds(t.active),
    standbyTasks: toTaskIds(t.standby),
    warmupTasks: toTaskIds(t.warmup),
  });
}

export function currentAssignmentRecord(groupId: string, m: StreamsGroupMember): StoredRecord {
  return coordinatorRecord(StreamsGroupCurrentMemberAssignmentKey, { groupId, memberId: m.memberId }, StreamsGroupCurrentMemberAssignmentValue, {
    memberEpoch: m.memberEpoch,
    previousMemberEpoch: m.previousMemberEpoch,
    state: m.state,
    activeTasks: toTaskIdsWithEpochs(m.assigned.active),
    standbyTasks: toTaskIds(m.assigned.standby),
    warmupTasks: toTaskIds(m.assigned.warmup),
    activeTasksPendingRevocation: toTaskIdsWithEpochs(m.pendingRevocation.active),
    standbyTasksPendingRevocation: toTaskIds(m.pendingRevocation.standby),
    warmupTasksPendingRevocation: toTaskIds(m.pendingRevocation.warmup),
  });
}

export function topologyRecord(groupId: string, t: StreamsTopology): StoredRecord {
  return coordinatorRecord(StreamsGroupTopologyKey, { groupId }, StreamsGroupTopologyValue, t);
}

/** The three tombstones of a member leaving, in Kafka's order. */
export function memberTombstones(groupId: string, memberId: string): StoredRecord[] {
  return [
    coordinatorRecord(StreamsGroupCurrentMemberAssignmentKey, { groupId, memberId }, StreamsGroupCurrentMemberAssignmentValue, null),
    coordinatorRecord(StreamsGroupTargetAssignmentMemberKey, { groupId, memberId }, StreamsGroupTargetAssignmentMemberValue, null),
    coordinatorRecord(StreamsGroupMemberMetadataKey, { groupId, memberId }, StreamsGroupMemberMetadataValue, null),
  ];
}

/** Every record of the group deleted (DeleteGroups, expiry): members first, the group metadata last. */
export function groupTombstones(g: StreamsGroup): StoredRecord[] {
  const records: StoredRecord[] = [];
  for (const memberId of g.members.keys()) records.push(...memberTombstones(g.groupId, memberId));
  records.push(
    coordinatorRecord(StreamsGroupTargetAssignmentMetadataKey, { groupId: g.groupId }, StreamsGroupTargetAssignmentMetadataValue, null),
    coordinatorRecord(StreamsGroupTopologyKey, { groupId: g.groupId }, StreamsGroupTopologyValue, null),
    coordinatorRecord(StreamsGroupMetadataKey, { groupId: g.groupId }, StreamsGroupMetadataValue, null),
  );
  return records;
}

export interface ReplayTarget {
  get(groupId: string): StreamsGroup | undefined;
  /** The group, created (and registered) when a record of a new group comes. */
  getOrCreate(groupId: string): StreamsGroup;
  remove(groupId: string): void;
}

/** Applies one streams record while loading (Kafka's GroupMetadataManager.replay for types 17-23). */
export function replayStreamsRecord(keyVersion: number, key: Buffer, value: Buffer | null, groups: ReplayTarget): void {
  switch (keyVersion) {
    case 17: {
      const k = decodeRecordKey(StreamsGroupMetadataKey, key);
      if (value === null) return groups.remove(k.groupId);
      const v = decodeRecordValue(StreamsGroupMetadataValue, value);
      const g = groups.getOrCreate(k.groupId);
      g.groupEpoch = v.epoch;
      g.metadataHash = v.metadataHash;
      g.validatedTopologyEpoch = v.validatedTopologyEpoch ?? -1;
      const tagged = v._tagged?.find((t) => t.tag === LAST_ASSIGNMENT_CONFIGS_TAG);
      g.lastAssignmentConfigs = tagged ? decodeKeyValues(tagged.data) : new Map((v.lastAssignmentConfigs ?? []).map((c) => [c.key, c.value]));
      // The topics may have changed meanwhile: configured again at the next heartbeat.
      g.configured = null;
      return;
    }
    case 19: {
      const k = decodeRecordKey(StreamsGroupMemberMetadataKey, key);
      const g = value === null ? groups.get(k.groupId) : groups.getOrCreate(k.groupId);
      if (!g) return;
      if (value === null) return void g.members.delete(k.memberId);
      const v = decodeRecordValue(StreamsGroupMemberMetadataValue, value);
      const m = g.members.get(k.memberId) ?? newMember(k.memberId);
      Object.assign(m, {
        instanceId: v.instanceId,
        rackId: v.rackId,
        clientId: v.clientId,
        clientHost: v.clientHost,
        rebalanceTimeoutMs: v.rebalanceTimeoutMs,
        topologyEpoch: v.topologyEpoch,
        processId: v.processId,
        userEndpoint: v.userEndpoint,
        clientTags: new Map(v.clientTags.map((t) => [t.key, t.value])),
      });
      g.members.set(k.memberId, m);
      return;
    }
    case 20: {
      const k = decodeRecordKey(StreamsGroupTargetAssignmentMetadataKey, key);
      const g = value === null ? groups.get(k.groupId) : groups.getOrCreate(k.groupId);
      if (!g) return;
      if (value === null) {
        g.assignmentEpoch = -1;
        return;
      }
      const v = decodeRecordValue(StreamsGroupTargetAssignmentMetadataValue, value);
      g.assignmentEpoch = v.assignmentEpoch;
      g.assignmentTimestamp = v.assignmentTimestamp ?? 0;
      return;
    }
    case 21: {
      const k = decodeRecordKey(StreamsGroupTargetAssignmentMemberKey, key);
      const g = value === null ? groups.get(k.groupId) : groups.getOrCreate(k.groupId);
      if (!g) return;
      if (value === null) return void g.targetAssignment.delete(k.memberId);
      const v = decodeRecordValue(StreamsGroupTargetAssignmentMemberValue, value);
      g.targetAssignment.set(k.memberId, { active: fromTaskIds(v.activeTasks), standby: fromTaskIds(v.standbyTasks), warmup: fromTaskIds(v.warmupTasks) });
      return;
    }
    case 22: {
      const k = decodeRecordKey(StreamsGroupCurrentMemberAssignmentKey, key);
      const g = value === null ? groups.get(k.groupId) : groups.getOrCreate(k.groupId);
      if (!g) return;
      const m = g.members.get(k.memberId);
      if (value === null) {
        if (m) m.memberEpoch = -1;
        return;
      }
      const v = decodeRecordValue(StreamsGroupCurrentMemberAssignmentValue, value);
      const member = m ?? newMember(k.memberId);
      member.memberEpoch = v.memberEpoch;
      member.previousMemberEpoch = v.previousMemberEpoch;
      member.state = v.state as MemberStateCode;
      member.assigned = { active: fromTaskIdsWithEpochs(v.activeTasks, v.memberEpoch), standby: fromTaskIds(v.standbyTasks), warmup: fromTaskIds(v.warmupTasks) };
      member.pendingRevocation = {
        active: fromTaskIdsWithEpochs(v.activeTasksPendingRevocation, v.memberEpoch),
        standby: fromTaskIds(v.standbyTasksPendingRevocation),
        warmup: fromTaskIds(v.warmupTasksPendingRevocation),
      };
      g.members.set(k.memberId, member);
      return;
    }
    case 23: {
      const k = decodeRecordKey(StreamsGroupTopologyKey, key);
      const g = value === null ? groups.get(k.groupId) : groups.getOrCreate(k.groupId);
      if (!g) return;
      g.topology = value === null ? null : decodeRecordValue(StreamsGroupTopologyValue, value);
      g.configured = null;
      return;
    }
  }
}
