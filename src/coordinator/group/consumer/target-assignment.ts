// Kafka's TargetAssignmentBuilder: the group's members (with the heartbeating member's update, or
// without a departing one) handed to the partition assignor, and the records of the members whose
// target changed, followed by the new assignment epoch.
import type { StoredRecord } from '../offsets-topic.js';
import type { GroupSpec, MemberSubscriptionSpec, PartitionAssignor, SubscribedTopicDescriber, TopicPartitions } from '../assignor/types.js';
import type { ConsumerGroup, ResolvedRegex } from './group.js';
import { samePartitions, type ConsumerGroupMember } from './member.js';
import { targetAssignmentMetadataRecord, targetAssignmentRecord } from './records.js';

/** What the target assignment needs of the metadata image. */
export interface TopicsView {
  get(name: string): { topicId: string; partitions: number } | undefined;
  getById(topicId: string): { name: string; partitions: number } | undefined;
  /** Every topic name (regular expressions are resolved against them). */
  names(): Iterable<string>;
}

export interface TargetAssignmentResult {
  records: StoredRecord[];
  targets: Map<string, TopicPartitions>;
}

export function buildTargetAssignment(opts: {
  group: ConsumerGroup;
  groupEpoch: number;
  assignor: PartitionAssignor;
  topics: TopicsView;
  now: number;
  /** The heartbeating member as it will be (added or updated). */
  updated?: ConsumerGroupMember;
  /** Members leaving with this change. */
  removed?: ReadonlySet<string>;
  /** The regular expressions as resolved with this change (default: the group's). */
  regexes?: ReadonlyMap<string, ResolvedRegex>;
}): TargetAssignmentResult {
  const { group, topics } = opts;
  const members = new Map<string, ConsumerGroupMember>();
  for (const m of group.members.values()) if (!opts.removed?.has(m.memberId)) members.set(m.memberId, m);
  if (opts.updated) {
    const u = opts.updated;
    // A static member rejoining under a new member id replaces its previous incarnation.
    const previous = u.instanceId !== null ? group.staticMembers.get(u.instanceId) : undefined;
    if (previous !== undefined && previous !== u.memberId) members.delete(previous);
    members.set(u.memberId, u);
  }
  const specs = new Map<string, MemberSubscriptionSpec>();
  const subscriptions: string[] = [];
  for (const m of members.values()) {
    const ids = new Set<string>();
    for (const name of subscribedNames(opts.regexes ?? group.resolvedRegexes, m)) {
      const t = topics.get(name);
      if (t) ids.add(t.topicId);
    }
    subscriptions.push([...ids].sort().join(','));
    const previousId = m.instanceId !== null ? group.staticMembers.get(m.instanceId) : undefined;
    const current = group.targetAssignment.get(m.memberId) ?? (previousId !== undefined ? group.targetAssignment.get(previousId) : undefined);
    specs.set(m.memberId, { rackId: m.rackId, instanceId: m.instanceId, subscribedTopicIds: ids, assignedPartitions: current ?? new Map() });
  }
  const spec: GroupSpec = { members: specs, subscriptionType: new Set(subscriptions).size <= 1 ? 'homogeneous' : 'heterogeneous' };
  const describer: SubscribedTopicDescriber = {
    numPartitions: (topicId) => topics.getById(topicId)?.partitions ?? -1,
    racksForPartition: () => new Set(),
  };
  const assigned = opts.assignor.assign(spec, describer);
  const records: StoredRecord[] = [];
  const targets = new Map<string, TopicPartitions>();
  for (const memberId of members.keys()) {
    const target = assigned.get(memberId) ?? new Map();
    targets.set(memberId, target);
    const old = group.targetAssignment.get(memberId);
    if (!old || !samePartitions(old, target)) records.push(targetAssignmentRecord(group.groupId, memberId, target));
  }
  records.push(targetAssignmentMetadataRecord(group.groupId, opts.groupEpoch, opts.now));
  return { records, targets };
}

/** The names a member subscribes to: its list and its regular expression's resolved topics. */
export function subscribedNames(regexes: ReadonlyMap<string, ResolvedRegex>, m: ConsumerGroupMember): string[] {
  const names = new Set(m.subscribedTopicNames);
  if (m.subscribedTopicRegex !== null) for (const t of regexes.get(m.subscribedTopicRegex)?.topics ?? []) names.add(t);
  return [...names];
}
