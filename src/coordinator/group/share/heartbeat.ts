// ShareGroupHeartbeat's decisions (Kafka's GroupMetadataManager.shareGroupHeartbeat), sans IO: from
// the group, the request and the topics, the records to write, the response and the share
// partitions to initialize. The group epoch moves when a subscription or the subscribed topics
// change, or when newly initialized partitions wait to be assigned; the target assignment is then
// computed with the simple assignor (at most once per group.share.assignment.interval.ms) and each
// member moves to it at its next heartbeat.
import { ErrorCode } from '../../../protocol/errors.js';
import type { ShareGroupHeartbeatRequest } from '../../../protocol/generated/share-group-heartbeat-request.js';
import type { ShareGroupHeartbeatResponse } from '../../../protocol/generated/share-group-heartbeat-response.js';
import { SimpleAssignor, type ShareGroupSpec } from '../assignor/simple.js';
import type { MemberSubscriptionSpec, TopicPartitions } from '../assignor/types.js';
import type { StoredRecord } from '../offsets-topic.js';
import { ShareGroupError, shareGroupNotFound, unknownMember } from './errors.js';
import type { ShareGroup } from './group.js';
import { MEMBER_STATE_STABLE, newMember, sameNames, sameTopicPartitions, toTopicPartitionList, type ShareGroupMember } from './member.js';
import { currentAssignmentRecord, currentAssignmentTombstone, epochRecord, memberRecord, memberTombstone, targetMemberRecord, targetMemberTombstone, targetMetadataRecord } from './records.js';
import { partitionsToInitialize, withInitializing, withoutDeletedTopics, type InitMap, type TopicLookup } from './state-partitions.js';
import { statePartitionsRecord } from './records.js';

export interface ShareTopics extends TopicLookup {
  byId(topicId: string): { name: string; partitions: number } | undefined;
}

export interface HeartbeatEnv {
  now: number;
  topics: ShareTopics;
  /** group.share.max.size */
  maxSize: number;
  /** The group's share.assignment.interval.ms. */
  assignmentIntervalMs: number;
  assignor: SimpleAssignor;
}

/** Share partitions to initialize through the Persister, with the start offset each topic gets. */
export interface InitRequest {
  groupId: string;
  groupEpoch: number;
  topics: InitMap;
  /** -1 (share.auto.offset.reset decides) for a topic new to the group; 0 for new partitions of a known topic. */
  startOffset(topicId: string): number;
}

export interface HeartbeatResult {
  records: StoredRecord[];
  response: ShareGroupHeartbeatResponse;
  init: InitRequest | null;
}

/** Kafka's check: the share group is full for a member it does not know yet. */
function throwIfFull(group: ShareGroup, memberId: string, maxSize: number): void {
  if (group.members.size >= maxSize && (memberId === '' || !group.members.has(memberId))) {
    throw new ShareGroupError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The share group has reached its maximum capacity of ${maxSize} members.`);
  }
}

function throwIfEpochInvalid(m: ShareGroupMember, received: number): void {
  if (received > m.memberEpoch) {
    throw new ShareGroupError(
      ErrorCode.FENCED_MEMBER_EPOCH,
      `The share group member has a greater member epoch (${received}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    );
  }
  if (received < m.memberEpoch && received !== m.previousMemberEpoch) {
    throw new ShareGroupError(
      ErrorCode.FENCED_MEMBER_EPOCH,
      `The share group member has a smaller member epoch (${received}) than the one known by the group coordinator (${m.memberEpoch}), and it does not match the previous member epoch (${m.previousMemberEpoch}). The member must abandon all its partitions and rejoin.`,
    );
  }
}

/** Subscribed topic names with their member counts, with `updated` in place of `old` (or without it, `updated` null). */
function subscriptionsWith(group: ShareGroup, old: ShareGroupMember | undefined, updated: ShareGroupMember | null): Map<string, number> {
  const counts = group.subscribedTopicNames();
  const dec = (n: string) => {
    const c = (counts.get(n) ?? 0) - 1;
    if (c <= 0) counts.delete(n);
    else counts.set(n, c);
  };
  if (old && group.members.has(old.memberId)) for (const n of old.subscribedTopicNames) dec(n);
  if (updated) for (const n of updated.subscribedTopicNames) counts.set(n, (counts.get(n) ?? 0) + 1);
  return counts;
}

/**
 * A hash of the subscribed topics' ids, names and partition counts (0 when none exists), so the epoch
 * moves when one is created, deleted or grows. Kafka hashes the same facts with XXH3; the value is only compared here.
 */
export function metadataHash(subscribed: Iterable<string>, topics: ShareTopics): number {
  const parts: string[] = [];
  for (const name of [...subscribed].sort()) {
    const t = topics.byName(name);
    if (t) parts.push(`${t.topicId}/${name}/${t.partitions}`);
  }
  if (parts.length === 0) return 0;
  // FNV-1a over 52 bits: an exact safe integer for the int64 field.
  let h = 0xcbf29ce484222n;
  const mask = (1n << 52n) - 1n;
  for (const ch of Buffer.from(parts.join('|'))) h = ((h ^ BigInt(ch)) * 0x100000001b3n) & mask;
  return Number(h);
}

/**
 * Kafka's initializedAssignmentPending: initialized partitions of a subscribed topic that the target
 * assignment lacks. Topics deleted since (their id gone from the metadata) are not waited for.
 */
function initializedAssignmentPending(group: ShareGroup, topics: ShareTopics): boolean {
  if (group.isEmpty() || !group.statePartitions || group.statePartitions.initialized.size === 0) return false;
  const subscribed = group.subscribedTopicNames();
  if (subscribed.size === 0) return false;
  const assigned = new Map<string, Set<number>>();
  for (const a of group.targetAssignment.values()) {
    for (const [t, ps] of a) {
      let s = assigned.get(t);
      if (!s) assigned.set(t, (s = new Set()));
      for (const p of ps) s.add(p);
    }
  }
  for (const [topicId, v] of group.statePartitions.initialized) {
    if (!subscribed.has(v.name) || !topics.byId(topicId)) continue;
    const cur = assigned.get(topicId);
    if (!cur || cur.size !== v.partitions.size || [...v.partitions].some((p) => !cur.has(p))) return true;
  }
  return false;
}

function subscribedIds(names: Iterable<string>, topics: ShareTopics): Set<string> {
  const ids = new Set<string>();
  for (const n of names) {
    const t = topics.byName(n);
    if (t) ids.add(t.topicId);
  }
  return ids;
}

/** The member's assignment without topics it no longer subscribes to. */
function filterSubscribed(tps: TopicPartitions, names: ReadonlySet<string>, topics: ShareTopics): TopicPartitions {
  const ids = subscribedIds(names, topics);
  const out: TopicPartitions = new Map();
  for (const [t, ps] of tps) if (ids.has(t)) out.set(t, new Set(ps));
  return out;
}

/** Computes the new target assignment of every member (`updated` included) and the records of what changed. */
function computeTargetAssignment(group: ShareGroup, epoch: number, updated: ShareGroupMember, homogeneous: boolean, env: HeartbeatEnv, records: StoredRecord[]): TopicPartitions {
  const members = new Map<string, MemberSubscriptionSpec>();
  const all = new Map(group.members);
  all.set(updated.memberId, updated);
  for (const [id, m] of all) {
    members.set(id, { rackId: m.rackId, instanceId: null, subscribedTopicIds: subscribedIds(m.subscribedTopicNames, env.topics), assignedPartitions: group.targetAssignment.get(id) ?? new Map() });
  }
  const initialized = group.statePartitions?.initialized;
  const spec: ShareGroupSpec = {
    members,
    subscriptionType: homogeneous ? 'homogeneous' : 'heterogeneous',
    isPartitionAssignable: (topicId, p) => initialized?.get(topicId)?.partitions.has(p) ?? false,
  };
  let result: Map<string, TopicPartitions>;
  try {
    result = env.assignor.assign(spec, {
      numPartitions: (id) => env.topics.byId(id)?.partitions ?? -1,
      racksForPartition: () => new Set(),
    });
  } catch (e) {
    throw new ShareGroupError(ErrorCode.UNKNOWN_SERVER_ERROR, `Failed to compute a new target assignment for epoch ${epoch}: ${(e as Error).message}`);
  }
  for (const [id, a] of result) {
    const old = group.targetAssignment.get(id);
    if (!old || !sameTopicPartitions(old, a)) records.push(targetMemberRecord(group.groupId, id, a));
  }
  records.push(targetMetadataRecord(group.groupId, epoch, env.now));
  return result.get(updated.memberId) ?? new Map();
}

/** A regular heartbeat (epoch 0 joins). `group` undefined: no group of that id yet. */
export function heartbeat(
  groupId: string,
  group: ShareGroup | undefined,
  create: () => ShareGroup,
  req: ShareGroupHeartbeatRequest,
  client: { clientId: string; clientHost: string },
  env: HeartbeatEnv,
  heartbeatIntervalMs: number,
): HeartbeatResult {
  const joining = req.memberEpoch === 0;
  if (!group && !joining) throw shareGroupNotFound(groupId);
  const g = group ?? create();
  throwIfFull(g, req.memberId, env.maxSize);
  const existing = g.members.get(req.memberId);
  if (!existing && !joining) throw unknownMember(groupId, req.memberId);
  const member = existing ?? newMember(req.memberId);
  throwIfEpochInvalid(member, req.memberEpoch);

  const records: StoredRecord[] = [];
  let updated: ShareGroupMember = {
    ...member,
    rackId: req.rackId ?? member.rackId,
    subscribedTopicNames: req.subscribedTopicNames ? new Set(req.subscribedTopicNames) : member.subscribedTopicNames,
    clientId: client.clientId,
    clientHost: client.clientHost,
  };
  const subscriptionChanged = !sameNames(member.subscribedTopicNames, updated.subscribedTopicNames);
  if (!existing || subscriptionChanged || updated.rackId !== member.rackId || updated.clientId !== member.clientId || updated.clientHost !== member.clientHost) {
    records.push(memberRecord(groupId, updated));
  }
  let bump = subscriptionChanged || initializedAssignmentPending(g, env.topics);

  // 1. The group epoch, bumped when the subscriptions or the subscribed topics changed.
  let groupEpoch = g.groupEpoch;
  const subscribed = subscriptionsWith(g, existing, updated);
  const numMembers = g.members.size + (existing ? 0 : 1);
  const homogeneous = [...subscribed.values()].every((c) => c === numMembers);
  const hash = metadataHash(subscribed.keys(), env.topics);
  if (hash !== g.metadataHash) bump = true;
  if (bump) {
    groupEpoch += 1;
    records.push(epochRecord(groupId, groupEpoch, hash));
  }

  // 2. The target assignment, recomputed for a new group epoch unless one was computed within the interval.
  let targetEpoch = g.assignmentEpoch;
  let target = g.targetAssignment.get(updated.memberId) ?? new Map<string, Set<number>>();
  const intervalOver = g.assignmentTimestamp === 0 || env.assignmentIntervalMs === 0 || env.now >= g.assignmentTimestamp + env.assignmentIntervalMs;
  if (groupEpoch > g.assignmentEpoch && intervalOver) {
    target = computeTargetAssignment(g, groupEpoch, updated, homogeneous, env, records);
    targetEpoch = groupEpoch;
  }

  // 3. The member moves to the target assignment at once (share members have nothing to revoke).
  if (bump || updated.memberEpoch !== targetEpoch) {
    let next = updated;
    if (targetEpoch !== updated.memberEpoch) {
      next = { ...updated, state: MEMBER_STATE_STABLE, assignedPartitions: filterSubscribed(target, updated.subscribedTopicNames, env.topics), previousMemberEpoch: updated.memberEpoch, memberEpoch: targetEpoch };
    } else if (bump) {
      next = { ...updated, assignedPartitions: filterSubscribed(target, updated.subscribedTopicNames, env.topics) };
    }
    const changed = next.memberEpoch !== member.memberEpoch || next.previousMemberEpoch !== member.previousMemberEpoch || !sameTopicPartitions(next.assignedPartitions, member.assignedPartitions);
    if (changed || !existing) records.push(currentAssignmentRecord(groupId, next));
    updated = next;
  }

  const response: ShareGroupHeartbeatResponse = {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    memberId: updated.memberId,
    memberEpoch: updated.memberEpoch,
    heartbeatIntervalMs,
    assignment: null,
  };
  // The assignment goes to a joining member, a full request (subscription set) and on any change.
  if (joining || req.subscribedTopicNames !== null || !sameTopicPartitions(member.assignedPartitions, updated.assignedPartitions)) {
    response.assignment = { topicPartitions: toTopicPartitionList(updated.assignedPartitions) };
  }

  // 4. Share partitions of subscribed topics not yet initialized: recorded as initializing, then asked of the Persister.
  // Deleted topics leave the share-state metadata first.
  let init: InitRequest | null = null;
  const cleaned = withoutDeletedTopics(g.statePartitions, (id) => env.topics.byId(id) !== undefined);
  const base = cleaned ?? g.statePartitions;
  const todo = subscribed.size > 0 ? partitionsToInitialize(base, subscribed.keys(), env.topics, env.now) : new Map();
  if (todo.size > 0) {
    const known = new Set([...(base?.initialized.keys() ?? []), ...(base?.initializing.keys() ?? [])]);
    records.push(statePartitionsRecord(groupId, withInitializing(base, todo)));
    init = { groupId, groupEpoch, topics: todo, startOffset: (id) => (known.has(id) ? 0 : -1) };
  } else if (cleaned) {
    records.push(statePartitionsRecord(groupId, cleaned));
  }
  return { records, response, init };
}

/** The records removing a member (leave or session expiry): its records' tombstones and a new group epoch. */
export function fenceMember(group: ShareGroup, memberId: string, topics: ShareTopics): StoredRecord[] {
  const m = group.members.get(memberId);
  const without = subscriptionsWith(group, m, null);
  return [
    currentAssignmentTombstone(group.groupId, memberId),
    targetMemberTombstone(group.groupId, memberId),
    memberTombstone(group.groupId, memberId),
    epochRecord(group.groupId, group.groupEpoch + 1, metadataHash(without.keys(), topics)),
  ];
}
