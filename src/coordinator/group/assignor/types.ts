// The server-side assignor's view of a group (Kafka's GroupSpec, SubscribedTopicDescriber and
// PartitionAssignor, KIP-848): members with their subscriptions, racks and current assignments in,
// a new target assignment out. Topics are named by id, as in the records and the heartbeat.

/** Partitions by topic id. */
export type TopicPartitions = Map<string, Set<number>>;

export interface MemberSubscriptionSpec {
  rackId: string | null;
  instanceId: string | null;
  /** Topic ids the member subscribes to (regular expressions already resolved). */
  subscribedTopicIds: ReadonlySet<string>;
  /** The member's current target assignment, which a sticky assignor keeps where it can. */
  assignedPartitions: TopicPartitions;
}

export interface GroupSpec {
  members: ReadonlyMap<string, MemberSubscriptionSpec>;
  /** Homogeneous when every member subscribes to the same topics. */
  subscriptionType: 'homogeneous' | 'heterogeneous';
}

export interface SubscribedTopicDescriber {
  /** The topic's partition count, -1 when it does not exist. */
  numPartitions(topicId: string): number;
  /** The racks of the partition's replicas (empty when unknown). */
  racksForPartition(topicId: string, partition: number): ReadonlySet<string>;
}

export interface PartitionAssignor {
  /** The name clients ask for (ConsumerGroupHeartbeat's ServerAssignor, group.consumer.assignors). */
  readonly name: string;
  /** Every member of the spec gets an entry (empty when it gets nothing). */
  assign(group: GroupSpec, topics: SubscribedTopicDescriber): Map<string, TopicPartitions>;
}
