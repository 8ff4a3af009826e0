// A StreamsGroupManager on a ManualClock with an in-memory group registry, topic table and log: what
// the group coordinator and the broker give it, without sockets or files. Written batches are kept so
// a test can replay them into a fresh manager; internal topics the manager creates land in the table.
import { ManualClock } from '../../helpers/manual-clock.js';
import { Timers } from '../../../src/coordinator/group/timers.js';
import { OffsetStore } from '../../../src/coordinator/group/offset-store.js';
import { PendingTxnOffsets } from '../../../src/coordinator/group/txn-offsets.js';
import type { CoordinatorContext, GroupSettings } from '../../../src/coordinator/group/context.js';
import type { Group } from '../../../src/coordinator/group/group.js';
import type { StoredRecord } from '../../../src/coordinator/group/offsets-topic.js';
import { StreamsGroupManager } from '../../../src/coordinator/group/streams/manager.js';
import { StreamsGroup } from '../../../src/coordinator/group/streams/group.js';
import type { StreamsGroupHeartbeatRequest, StreamsGroupHeartbeatRequestTopology } from '../../../src/protocol/generated/streams-group-heartbeat-request.js';
import { BrokerConfig } from '../../../src/config.js';
import { KafkaError } from '../../../src/storage/types.js';
import { ErrorCode } from '../../../src/protocol/errors.js';

/** Word count's topology as Kafka Streams 4.4 declares it: subtopology 0 reads the input and writes the repartition topic, 1 counts. */
export function wordCount(epoch = 0): StreamsGroupHeartbeatRequestTopology {
  return {
    epoch,
    subtopologies: [
      { subtopologyId: '0', sourceTopics: ['input'], sourceTopicRegex: [], stateChangelogTopics: [], repartitionSinkTopics: ['app-by-word-repartition'], repartitionSourceTopics: [], copartitionGroups: [] },
      {
        subtopologyId: '1',
        sourceTopics: [],
        sourceTopicRegex: [],
        stateChangelogTopics: [{ name: 'app-counts-changelog', partitions: 0, replicationFactor: 0, topicConfigs: [{ key: 'cleanup.policy', value: 'compact' }] }],
        repartitionSinkTopics: [],
        repartitionSourceTopics: [{ name: 'app-by-word-repartition', partitions: 0, replicationFactor: 0, topicConfigs: [{ key: 'cleanup.policy', value: 'delete' }] }],
        copartitionGroups: [],
      },
    ],
  };
}

let ids = 0;

export class Harness implements CoordinatorContext {
  readonly clock = new ManualClock();
  readonly timers = new Timers(this.clock);
  readonly settings = { offsetsRetentionMs: 7 * 24 * 3600_000 } as GroupSettings;
  readonly offsets = new OffsetStore();
  readonly pendingTxnOffsets = new PendingTxnOffsets();
  readonly groups = new Map<string, Group>();
  readonly log: StoredRecord[] = [];
  readonly created: { name: string; partitions: number; configs: Record<string, string> }[] = [];
  failNextAppend = false;
  coordinatorStatus: number = ErrorCode.NONE;
  /** GROUP config overrides (streams.*), as kafka-configs --entity-type groups sets them. */
  readonly groupOverrides = new Map<string, number>();
  readonly topics = new Map<string, { topicId: string; partitions: number }>([['input', { topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: 3 }]]);
  readonly manager: StreamsGroupManager;

  constructor(readonly config: Record<string, string> = {}) {
    const brokerConfig = new BrokerConfig({ 'group.streams.initial.rebalance.delay.ms': '0', 'group.streams.assignment.interval.ms': '0', ...config });
    this.manager = new StreamsGroupManager(this, {
      config: brokerConfig,
      status: () => this.coordinatorStatus,
      topic: (name) => this.topics.get(name),
      createTopic: async (name, partitions, configs) => {
        this.created.push({ name, partitions, configs });
        this.topics.set(name, { topicId: `topic-${++ids}`, partitions });
      },
      groupNumber: (_groupId, name) => this.groupOverrides.get(name),
    });
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
      throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'not leader');
    }
    const base = this.log.length;
    this.log.push(...records);
    return base;
  }

  streams(groupId = 'app'): StreamsGroup {
    const g = this.groups.get(groupId);
    if (!(g instanceof StreamsGroup)) throw new Error(`no streams group ${groupId}`);
    return g;
  }

  hb(req: Partial<StreamsGroupHeartbeatRequest> & { memberId: string; memberEpoch: number }, version = 1) {
    return this.manager.heartbeat(
      {
        groupId: 'app',
        endpointInformationEpoch: 0,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: -1,
        topology: null,
        activeTasks: null,
        standbyTasks: null,
        warmupTasks: null,
        processId: null,
        userEndpoint: null,
        clientTags: null,
        taskOffsets: null,
        taskEndOffsets: null,
        shutdownApplication: false,
        ...req,
      },
      { clientId: `client-${req.instanceId ?? req.memberId}`, clientHost: '/127.0.0.1', apiVersion: version },
    );
  }

  /** A join as a stream thread sends it: epoch 0, the topology, its process, no tasks. */
  join(memberId: string, processId = 'p1', extra: Partial<StreamsGroupHeartbeatRequest> = {}) {
    return this.hb({ memberId, memberEpoch: 0, rebalanceTimeoutMs: 30_000, topology: wordCount(), processId, activeTasks: [], standbyTasks: [], warmupTasks: [], ...extra });
  }

  /** Lets the coordinator's asynchronous topic creation finish. */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }

  /** A fresh manager that replays everything written so far. */
  replayed(): Harness {
    const h = new Harness(this.config);
    for (const [k, v] of this.topics) h.topics.set(k, v);
    for (const r of this.log) h.manager.replay(r.key.readInt16BE(0), r.key, r.value);
    h.manager.onLoaded([...h.groups.values()]);
    return h;
  }
}

/** Tasks of a heartbeat response as "subtopology-partition" strings, sorted. */
export function tasks(list: { subtopologyId: string; partitions: number[] }[] | null | undefined): string[] {
  return (list ?? []).flatMap((t) => t.partitions.map((p) => `${t.subtopologyId}-${p}`)).sort();
}

export function taskIds(list: string[]): { subtopologyId: string; partitions: number[] }[] {
  const by = new Map<string, number[]>();
  for (const s of list) {
    const [id, p] = s.split('-');
    by.set(id!, [...(by.get(id!) ?? []), Number(p)]);
  }
  return [...by].map(([subtopologyId, partitions]) => ({ subtopologyId, partitions }));
}
