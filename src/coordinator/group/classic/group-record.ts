// A classic group to and from its GroupMetadata record in __consumer_offsets.
import type { StoredRecord } from '../offsets-topic.js';
import { decodeGroupMetadataValue, encodeGroupMetadataValue, encodeKey } from '../records.js';
import { ClassicGroup } from './group.js';
import { ClassicMember, EMPTY_ASSIGNMENT } from './member.js';

/** The group as Kafka records it: members with their subscription for the chosen protocol. */
export function groupMetadataRecord(group: ClassicGroup, assignment: Map<string, Buffer>): StoredRecord {
  const protocol = group.protocolName;
  return {
    key: encodeKey({ type: 'group', group: group.groupId }),
    value: encodeGroupMetadataValue({
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol,
      leader: group.leaderId,
      currentStateTimestamp: group.currentStateTimestamp ?? -1,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol !== null ? m.metadata(protocol) : EMPTY_ASSIGNMENT,
        assignment: assignment.get(m.memberId) ?? EMPTY_ASSIGNMENT,
      })),
    }),
  };
}

/** A group as Kafka records it on creation: generation 0, no protocol, no members. */
export function newGroupRecord(group: ClassicGroup): StoredRecord {
  return {
    key: encodeKey({ type: 'group', group: group.groupId }),
    value: encodeGroupMetadataValue({
      protocolType: '',
      generation: 0,
      protocol: null,
      leader: null,
      currentStateTimestamp: group.currentStateTimestamp ?? -1,
      members: [],
    }),
  };
}

export function groupTombstone(groupId: string): StoredRecord {
  return { key: encodeKey({ type: 'group', group: groupId }), value: null };
}

/** Replays a GroupMetadata value: a group with members is Stable, one without is Empty. */
export function groupFromRecord(groupId: string, value: Buffer): ClassicGroup {
  const v = decodeGroupMetadataValue(value);
  const group = new ClassicGroup(groupId, v.members.length > 0 ? 'Stable' : 'Empty', v.currentStateTimestamp === -1 ? null : v.currentStateTimestamp, {
    generationId: v.generation,
    protocolType: v.protocolType === '' ? null : v.protocolType,
    protocolName: v.protocol,
    leaderId: v.leader,
  });
  for (const m of v.members) {
    const member = new ClassicMember(
      m.memberId,
      m.groupInstanceId,
      m.clientId,
      m.clientHost,
      m.rebalanceTimeout === -1 ? m.sessionTimeout : m.rebalanceTimeout,
      m.sessionTimeout,
      v.protocolType,
      [{ name: v.protocol ?? '', metadata: m.subscription }],
    );
    member.assignment = m.assignment;
    group.add(member, null);
  }
  group.subscribedTopics = group.computeSubscribedTopics();
  return group;
}
