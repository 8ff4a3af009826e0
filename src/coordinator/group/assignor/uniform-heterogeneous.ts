// The uniform assignor for members with different subscriptions (Kafka's
// UniformHeterogeneousAssignmentBuilder): keep every owned partition of a still-subscribed topic, hand
// the free partitions topic by topic to the least loaded subscribers, then move partitions from the
// most to the least loaded subscribers of each topic until no topic can improve (at most 16 rounds).
// Topics go in Kafka's order (partitions per subscriber descending, subscribers ascending, topic id),
// members by load then by their position in the spec, so the result is Kafka's for the same input.
import { PartitionAssignorError, copyAssignment, emptyAssignments } from './assignor-error.js';
import { compareTopicIds } from './java-order.js';
import type { GroupSpec, SubscribedTopicDescriber, TopicPartitions } from './types.js';

const MAX_ITERATION_COUNT = 16;

export function assignHeterogeneous(group: GroupSpec, topics: SubscribedTopicDescriber): Map<string, TopicPartitions> {
  return new HeterogeneousBuilder(group, topics).build();
}

class HeterogeneousBuilder {
  private readonly memberIds: string[];
  /** Subscribers of each topic, as member indexes ascending. */
  private readonly topicSubscribers = new Map<string, number[]>();
  private readonly numPartitions = new Map<string, number>();
  private readonly target = new Map<string, TopicPartitions>();
  /** Members whose target map is already a private copy. */
  private readonly copied = new Set<number>();
  readonly sizes: Int32Array;
  /** Owner member index of each partition, -1 when unassigned. */
  private readonly owners = new Map<string, Int32Array>();
  readonly memberOrder = (a: number, b: number): number => this.sizes[a]! - this.sizes[b]! || a - b;

  constructor(
    private readonly group: GroupSpec,
    topics: SubscribedTopicDescriber,
  ) {
    this.memberIds = [...group.members.keys()];
    this.sizes = new Int32Array(this.memberIds.length);
    this.memberIds.forEach((memberId, index) => {
      for (const t of group.members.get(memberId)!.subscribedTopicIds) {
        const n = topics.numPartitions(t);
        if (n === -1) {
          throw new PartitionAssignorError(`Members are subscribed to topic ${t} which doesn't exist in the topic metadata.`);
        }
        this.numPartitions.set(t, n);
        let subs = this.topicSubscribers.get(t);
        if (!subs) this.topicSubscribers.set(t, (subs = []));
        subs.push(index);
      }
    });
    for (const [t, n] of this.numPartitions) this.owners.set(t, new Int32Array(n).fill(-1));
  }

  build(): Map<string, TopicPartitions> {
    if (this.numPartitions.size === 0) return emptyAssignments(this.memberIds);
    this.keepSubscribedPartitions();
    this.assignFreePartitions();
    this.balance();
    return this.target;
  }

  private topicOrder = (a: string, b: string): number => {
    const sa = this.topicSubscribers.get(a)!.length;
    const sb = this.topicSubscribers.get(b)!.length;
    const pa = this.numPartitions.get(a)! / sa;
    const pb = this.numPartitions.get(b)! / sb;
    if (pa !== pb) return pb > pa ? 1 : -1;
    return sa - sb || compareTopicIds(a, b);
  };

  private keepSubscribedPartitions(): void {
    this.memberIds.forEach((memberId, index) => {
      const spec = this.group.members.get(memberId)!;
      let next: TopicPartitions | null = null;
      for (const [t, ps] of spec.assignedPartitions) {
        const owners = spec.subscribedTopicIds.has(t) ? this.owners.get(t) : undefined;
        if (!owners) {
          next ??= copyAssignment(spec.assignedPartitions);
          next.delete(t);
          continue;
        }
        for (const p of ps) {
          if (p < owners.length) {
            owners[p] = index;
            this.sizes[index]!++;
          } else {
            // A partition the topic no longer has (cannot happen in Kafka: partitions only grow).
            next ??= copyAssignment(spec.assignedPartitions);
            next.get(t)!.delete(p);
            if (next.get(t)!.size === 0) next.delete(t);
          }
        }
      }
      if (next) this.copied.add(index);
      this.target.set(memberId, next ?? spec.assignedPartitions);
    });
  }

  private assignFreePartitions(): void {
    const free = new Map<string, number[]>();
    for (const [t, owners] of this.owners) {
      const ps: number[] = [];
      for (let p = 0; p < owners.length; p++) if (owners[p] === -1) ps.push(p);
      if (ps.length > 0) free.set(t, ps);
    }
    const balancer = new MemberBalancer(this);
    for (const t of [...free.keys()].sort(this.topicOrder)) {
      balancer.initialize(this.topicSubscribers.get(t)!);
      for (const p of free.get(t)!) this.assignPartition(t, p, balancer.nextLeastLoadedMember());
    }
  }

  private balance(): void {
    const movable = [...this.topicSubscribers.keys()].filter((t) => this.topicSubscribers.get(t)!.length >= 2);
    if (movable.length === 0) return;
    const sorted = movable.sort(this.topicOrder);
    const balancer = new MemberBalancer(this);
    let lastRebalanced = -1;
    for (let round = 0; round < MAX_ITERATION_COUNT; round++) {
      for (let i = 0; i < sorted.length; i++) {
        // A full lap since the last topic that moved anything: nothing more to gain.
        if (i === lastRebalanced) return;
        const moved = this.balanceTopic(sorted[i]!, balancer);
        if (moved > 0 || lastRebalanced === -1) lastRebalanced = i;
      }
    }
  }

  /** Moves the topic's partitions from its most to its least loaded subscribers; returns how many. */
  private balanceTopic(t: string, balancer: MemberBalancer): number {
    if (balancer.initialize(this.topicSubscribers.get(t)!) <= 1) return 0;
    const owners = this.owners.get(t)!;
    // Partitions grouped by owner (then by number), so each owner's are a contiguous range.
    const partitions = Array.from(owners.keys()).sort((a, b) => owners[a]! - owners[b]! || a - b);
    const start = new Map<number, number>();
    const end = new Map<number, number>();
    partitions.forEach((p, i) => {
      const owner = owners[p]!;
      if (!start.has(owner)) start.set(owner, i);
      end.set(owner, i + 1);
    });

    let moved = 0;
    while (!balancer.isBalanced()) {
      let from = -1;
      for (;;) {
        from = balancer.nextMostLoadedMember();
        if (from === -1) break;
        const e = end.get(from);
        if (e === undefined || e - start.get(from)! <= 0) {
          balancer.excludeMostLoadedMember();
          continue;
        }
        break;
      }
      if (from === -1) break;
      const e = end.get(from)!;
      const p = partitions[e - 1]!;
      end.set(from, e - 1);
      const to = balancer.nextLeastLoadedMember();
      if (balancer.isBalanced()) break;
      this.assignPartition(t, p, to);
      moved++;
    }
    return moved;
  }

  private assignPartition(t: string, p: number, memberIndex: number): void {
    const owners = this.owners.get(t)!;
    const old = owners[p]!;
    if (old !== -1) {
      const a = this.writable(old);
      const ps = a.get(t);
      if (ps) {
        ps.delete(p);
        if (ps.size === 0) a.delete(t);
      }
      this.sizes[old]!--;
    }
    const a = this.writable(memberIndex);
    let ps = a.get(t);
    if (!ps) a.set(t, (ps = new Set()));
    ps.add(p);
    owners[p] = memberIndex;
    this.sizes[memberIndex]!++;
  }

  private writable(memberIndex: number): TopicPartitions {
    const memberId = this.memberIds[memberIndex]!;
    if (!this.copied.has(memberIndex)) {
      this.target.set(memberId, copyAssignment(this.target.get(memberId)!));
      this.copied.add(memberIndex);
    }
    return this.target.get(memberId)!;
  }
}

/**
 * Kafka's MemberAssignmentBalancer: the subscribers sorted by load, with a least loaded range growing
 * rightwards (where partitions go) and a most loaded range growing leftwards (where they come from).
 * Balanced once the two ranges' partition counts differ by at most one.
 */
class MemberBalancer {
  private sorted: number[] = [];
  private leastEnd = 0;
  private leastCount = -1;
  private nextLeast = 0;
  private mostStart = 0;
  private mostEnd = 0;
  private mostCount = 1;
  private nextMost = -1;

  constructor(private readonly b: { readonly sizes: Int32Array; readonly memberOrder: (a: number, b: number) => number }) {}

  /** Returns the spread between the most and least loaded members. */
  initialize(members: number[]): number {
    const sizes = this.b.sizes;
    this.sorted = [...members].sort(this.b.memberOrder);
    const n = this.sorted.length;
    this.leastEnd = 0;
    this.leastCount = sizes[this.sorted[0]!]! - 1;
    this.nextLeast = 0;
    this.mostStart = n;
    this.mostEnd = n;
    this.mostCount = sizes[this.sorted[n - 1]!]! + 1;
    this.nextMost = n - 1;
    return sizes[this.sorted[n - 1]!]! - sizes[this.sorted[0]!]!;
  }

  nextLeastLoadedMember(): number {
    const sizes = this.b.sizes;
    if (this.nextLeast >= this.leastEnd) {
      this.leastCount++;
      while (this.leastEnd < this.sorted.length && sizes[this.sorted[this.leastEnd]!] === this.leastCount) this.leastEnd++;
      this.nextLeast = 0;
    }
    return this.sorted[this.nextLeast++]!;
  }

  /** The next member to take a partition from, or -1 when none is left. */
  nextMostLoadedMember(): number {
    const sizes = this.b.sizes;
    if (this.nextMost < this.mostStart) {
      if (this.mostEnd <= this.mostStart && this.mostStart > 0) {
        // Exclusions emptied the range: restart its count from the next member down so it expands.
        this.mostCount = sizes[this.sorted[this.mostStart - 1]!]!;
      } else {
        this.mostCount--;
      }
      while (this.mostStart > 0 && sizes[this.sorted[this.mostStart - 1]!] === this.mostCount) this.mostStart--;
      this.nextMost = this.mostEnd - 1;
    }
    if (this.nextMost < 0) return -1;
    return this.sorted[this.nextMost--]!;
  }

  /** Drops the member nextMostLoadedMember last returned from the most loaded range. */
  excludeMostLoadedMember(): void {
    const i = this.nextMost + 1;
    const m = this.sorted[i]!;
    this.sorted[i] = this.sorted[this.mostEnd - 1]!;
    this.sorted[this.mostEnd - 1] = m;
    this.mostEnd--;
  }

  isBalanced(): boolean {
    return this.mostCount - this.leastCount <= 1;
  }
}
