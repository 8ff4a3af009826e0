// A ConsumerGroupManager on a ManualClock with an in-memory group registry and log: what the
// coordinator gives it, without sockets or files. Every written batch is kept so a test can
// replay the log into a fresh manager and compare, or make the next write fail.
import { ManualClock } from '../../helpers/manual-clock.js';
import { Timers } from '../../../src/coordinator/group/timers.js';
import { OffsetStore } from '../../../src/coordinator/group/offset-store.js';
import { PendingTxnOffsets } from '../../../src/coordinator/group/txn-offsets.js';
import type { CoordinatorContext, GroupSettings } from '../../../src/coordinator/group/context.js';
import type { Group } from '../../../src/coordinator/group/group.js';
import type { StoredRecord } from '../../../src/coordinator/group/offsets-topic.js';
import { ConsumerGroupManager, type ConsumerGroupSettings } from '../../../src/coordinator/group/consumer/manager.js';
import { ConsumerGroup } from '../../../src/coordinator/group/consumer/group.js';
import { assignorByName } from '../../../src/coordinator/group/assignor/index.js';
import type { ConsumerGroupHeartbeatRequest } from '../../../src/protocol/generated/consumer-group-heartbeat-request.js';
import { KafkaError } from '../../../src/storage/types.js';
import { ErrorCode } from '../../../src/protocol/errors.js';

export const TOPIC_A = 'AAAAAAAAAAAAAAAAAAAAAQ';
export const TOPIC_B = 'AAAAAAAAAAAAAAAAAAAAAg';

export class Harness implements CoordinatorContext {
  readonly clock = new ManualClock();
  readonly timers = new Timers(this.clock);
  readonly settings = { offsetsRetentionMs: 7 * 24 * 3600_000 } as GroupSettings;
  readonly offsets = new OffsetStore();
  readonly pendingTxnOffsets = new PendingTxnOffsets();
  readonly groups = new Map<string, Group>();
  readonly log: StoredRecord[] = [];
  failNextAppend = false;
  /** The error the next failing append throws (default: NOT_LEADER_OR_FOLLOWER). */
  failWith: Error | null = null;
  /** Runs while the failing append is in flight (e.g. the partition is unloaded meanwhile). */
  duringFailingAppend: (() => void) | null = null;
  readonly topics = new Map<string, { topicId: string; partitions: number }>([
    ['a', { topicId: TOPIC_A, partitions: 6 }],
    ['b', { topicId: TOPIC_B, partitions: 3 }],
  ]);
  readonly manager: ConsumerGroupManager;

  constructor(settings: Partial<ConsumerGroupSettings> = {}) {
    this.manager = new ConsumerGroupManager(
      this,
      { sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5_000, maxSize: 100, assignors: ['uniform', 'range'], ...settings },
      {
        get: (name) => this.topics.get(name),
        getById: (id) => {
          for (const [name, t] of this.topics) if (t.topicId === id) return { name, partitions: t.partitions };
          return undefined;
        },
        names: () => this.topics.keys(),
      },
      assignorByName,
    );
  }

  now = (): number => this.clock.now();
  group(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }
  addGroup(g: Group): void {
    this.groups.set(g.groupId, g);
  }
  removeGroup(groupId: string): void {
    const g = this.groups.get(groupId);
    this.groups.delete(groupId);
    if (g) this.manager.unload(g);
  }
  async append(_groupId: string, records: StoredRecord[]): Promise<number> {
    if (this.failNextAppend) {
      this.failNextAppend = false;
      this.duringFailingAppend?.();
      throw this.failWith ?? new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'not leader');
    }
    const base = this.log.length;
    this.log.push(...records);
    return base;
  }

  consumer(groupId = 'g'): ConsumerGroup {
    const g = this.groups.get(groupId);
    if (!(g instanceof ConsumerGroup)) throw new Error(`no consumer group ${groupId}`);
    return g;
  }

  hb(req: Partial<ConsumerGroupHeartbeatRequest> & { memberId: string; memberEpoch: number }, version = 1) {
    return this.manager.heartbeat(
      {
        groupId: 'g',
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: -1,
        subscribedTopicNames: null,
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: null,
        ...req,
      },
      { clientId: 'client', clientHost: '/127.0.0.1', apiVersion: version },
    );
  }

  join(memberId: string, topics: string[] = ['a'], extra: Partial<ConsumerGroupHeartbeatRequest> = {}) {
    return this.hb({ memberId, memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: topics, topicPartitions: [], ...extra });
  }

  /** A fresh manager that replays everything written so far. */
  replayed(): Harness {
    const h = new Harness();
    for (const r of this.log) h.manager.replay(r.key.readInt16BE(0), r.key, r.value);
    h.manager.onLoaded([...h.groups.values()]);
    return h;
  }
}

/** Partitions of a heartbeat assignment as "topicId:p" strings, sorted. */
export function flat(a: { topicPartitions: { topicId: string; partitions: number[] }[] } | null | undefined): string[] {
  if (!a) return [];
  return a.topicPartitions.flatMap((t) => t.partitions.map((p) => `${t.topicId === TOPIC_A ? 'a' : t.topicId === TOPIC_B ? 'b' : t.topicId}-${p}`)).sort();
}

export function owned(list: string[]): { topicId: string; partitions: number[] }[] {
  const by = new Map<string, number[]>();
  for (const s of list) {
    const [t, p] = s.split('-');
    const id = t === 'a' ? TOPIC_A : TOPIC_B;
    by.set(id, [...(by.get(id) ?? []), Number(p)]);
  }
  return [...by].map(([topicId, partitions]) => ({ topicId, partitions }));
}
