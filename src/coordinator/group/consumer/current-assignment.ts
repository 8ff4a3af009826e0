// Kafka's CurrentAssignmentBuilder: moves a member one step from what it owns toward its target.
// Partitions leave before new ones arrive (the epoch only moves on once the member has revoked),
// and a partition still owned by another member (its partition epoch set) is held back until released.
import { FencedMemberEpochError } from './errors.js';
import { MemberState, type ConsumerGroupMember } from './member.js';
import type { TopicPartitions } from '../assignor/types.js';

export interface ReconcileInput {
  targetEpoch: number;
  target: TopicPartitions;
  /** The epoch of the member currently owning the partition, -1 when free. */
  partitionEpoch(topicId: string, partition: number): number;
  /** What the member says it owns (null: not sent in this heartbeat). */
  owned: TopicPartitions | null;
}

export function reconcile(member: ConsumerGroupMember, input: ReconcileInput): ConsumerGroupMember {
  switch (member.state) {
    case MemberState.STABLE:
      return member.memberEpoch !== input.targetEpoch ? next(member, input, member.memberEpoch) : member;
    case MemberState.UNREVOKED_PARTITIONS:
      // The epoch waits until the member confirms the revocation.
      if (ownsAny(input.owned, member.partitionsPendingRevocation)) return member;
      return next(member, input, member.memberEpoch + 1);
    case MemberState.UNRELEASED_PARTITIONS:
      return next(member, input, member.memberEpoch);
    default:
      if (input.owned === null || input.owned.size > 0) {
        throw new FencedMemberEpochError('The consumer group member is in a unknown state. The member must abandon all its partitions and rejoin.');
      }
      return next(member, input, input.targetEpoch);
  }
}

/** True when the member still reports one of `partitions` (or reported nothing, so may still own them). */
function ownsAny(owned: TopicPartitions | null, partitions: TopicPartitions): boolean {
  if (owned === null) return true;
  for (const [topicId, ps] of owned) {
    const pending = partitions.get(topicId);
    if (!pending) continue;
    for (const p of ps) if (pending.has(p)) return true;
  }
  return false;
}

function next(member: ConsumerGroupMember, input: ReconcileInput, memberEpoch: number): ConsumerGroupMember {
  let unreleased = false;
  const assigned: TopicPartitions = new Map();
  const revoking: TopicPartitions = new Map();
  const pendingAssignment: TopicPartitions = new Map();
  const topicIds = new Set([...input.target.keys(), ...member.assignedPartitions.keys()]);
  for (const topicId of topicIds) {
    const target = input.target.get(topicId) ?? new Set<number>();
    const current = member.assignedPartitions.get(topicId) ?? new Set<number>();
    const keep = new Set([...current].filter((p) => target.has(p)));
    const revoke = new Set([...current].filter((p) => !keep.has(p)));
    const add = new Set<number>();
    for (const p of target) {
      if (keep.has(p)) continue;
      if (input.partitionEpoch(topicId, p) !== -1) unreleased = true;
      else add.add(p);
    }
    if (keep.size > 0) assigned.set(topicId, keep);
    if (revoke.size > 0) revoking.set(topicId, revoke);
    if (add.size > 0) pendingAssignment.set(topicId, add);
  }
  // Partitions it keeps or still has to revoke keep the epoch they were given at; new ones get the new epoch.
  const withEpoch = (epoch: number, state: number, a: TopicPartitions, r: TopicPartitions): ConsumerGroupMember => {
    const epochs = new Map<string, Map<number, number>>();
    for (const tp of [a, r]) {
      for (const [topicId, ps] of tp) {
        const byPartition = epochs.get(topicId) ?? new Map<number, number>();
        for (const p of ps) byPartition.set(p, member.assignmentEpochs.get(topicId)?.get(p) ?? (member.assignedPartitions.get(topicId)?.has(p) ? member.memberEpoch : epoch));
        epochs.set(topicId, byPartition);
      }
    }
    return { ...member, state, previousMemberEpoch: member.memberEpoch, memberEpoch: epoch, assignedPartitions: a, partitionsPendingRevocation: r, assignmentEpochs: epochs };
  };
  if (revoking.size > 0 && ownsAny(input.owned, revoking)) return withEpoch(memberEpoch, MemberState.UNREVOKED_PARTITIONS, assigned, revoking);
  for (const [topicId, ps] of pendingAssignment) {
    const set = assigned.get(topicId) ?? new Set<number>();
    for (const p of ps) set.add(p);
    assigned.set(topicId, set);
  }
  return withEpoch(input.targetEpoch, unreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE, assigned, new Map());
}
