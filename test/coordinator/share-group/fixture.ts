// A group coordinator on a ManualClock over a real (in-memory) broker's __consumer_offsets, with an
// in-memory Persister test double standing in for the share coordinator (part 4 of issue #16).
import { GroupCoordinator } from '../../../src/coordinator/group/coordinator.js';
import { ShareGroup } from '../../../src/coordinator/group/share/group.js';
import type { ShareGroupHeartbeatRequest } from '../../../src/protocol/generated/share-group-heartbeat-request.js';
import type { Persister, ReadStateResult, ShareStateKey, WriteState } from '../../../src/share/persister.js';
import { startBroker, type RunningBroker } from '../../../src/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface StoredState {
  stateEpoch: number;
  startOffset: number;
  deliveryCompleteCount: number;
}

/** Share-partition state in memory; every call is recorded; `failWith` makes initializeState/deleteState answer that error. */
export class MemoryPersister implements Persister {
  readonly states = new Map<string, StoredState>();
  readonly calls: { op: string; key: string; stateEpoch?: number; startOffset?: number }[] = [];
  failWith = 0;

  static key(k: ShareStateKey): string {
    return `${k.groupId}:${k.topicId}:${k.partition}`;
  }

  async initializeState(key: ShareStateKey, stateEpoch: number, startOffset: number) {
    this.calls.push({ op: 'initialize', key: MemoryPersister.key(key), stateEpoch, startOffset });
    if (this.failWith) return { errorCode: this.failWith, errorMessage: 'failed' };
    this.states.set(MemoryPersister.key(key), { stateEpoch, startOffset, deliveryCompleteCount: 0 });
    return { errorCode: 0, errorMessage: null };
  }

  async readState(key: ShareStateKey): Promise<ReadStateResult> {
    const s = this.states.get(MemoryPersister.key(key));
    if (!s) return { errorCode: 3, errorMessage: 'unknown', stateEpoch: 0, startOffset: -1, deliveryCompleteCount: 0, stateBatches: [] };
    return { errorCode: 0, errorMessage: null, stateEpoch: s.stateEpoch, startOffset: s.startOffset, deliveryCompleteCount: s.deliveryCompleteCount, stateBatches: [] };
  }

  async writeState(key: ShareStateKey, state: WriteState) {
    this.states.set(MemoryPersister.key(key), { stateEpoch: state.stateEpoch, startOffset: state.startOffset, deliveryCompleteCount: state.deliveryCompleteCount });
    return { errorCode: 0, errorMessage: null };
  }

  async deleteState(key: ShareStateKey) {
    this.calls.push({ op: 'delete', key: MemoryPersister.key(key) });
    if (this.failWith) return { errorCode: this.failWith, errorMessage: 'failed' };
    this.states.delete(MemoryPersister.key(key));
    return { errorCode: 0, errorMessage: null };
  }

  async readSummary(key: ShareStateKey) {
    const s = this.states.get(MemoryPersister.key(key));
    if (!s) return { errorCode: 3, errorMessage: 'unknown', stateEpoch: 0, startOffset: -1, leaderEpoch: 0, deliveryCompleteCount: -1 };
    return { errorCode: 0, errorMessage: null, stateEpoch: s.stateEpoch, startOffset: s.startOffset, leaderEpoch: 0, deliveryCompleteCount: s.deliveryCompleteCount };
  }
}

export interface Fixture {
  broker: RunningBroker;
  clock: ManualClock;
  coordinator: GroupCoordinator;
  persister: MemoryPersister;
  /** A second coordinator loading the same __consumer_offsets (what a restart rebuilds). */
  reload(): Promise<GroupCoordinator>;
}

export async function shareFixture(t: Teardown, config: Record<string, string> = {}): Promise<Fixture> {
  const broker = await startBroker({ port: 0, memory: true, config: { 'offsets.topic.num.partitions': '1', ...config } });
  t.teardown(() => broker.close());
  await broker.broker.groups.whenLoaded();
  const clock = new ManualClock();
  const persister = new MemoryPersister();
  const make = async () => {
    const c = new GroupCoordinator(broker.broker, { now: clock.now, scheduler: clock });
    c.share.persister = persister;
    t.teardown(() => c.close());
    await c.start();
    await c.whenLoaded();
    return c;
  };
  const coordinator = await make();
  return { broker, clock, coordinator, persister, reload: make };
}

export function hb(groupId: string, memberId: string, memberEpoch: number, subscribedTopicNames: string[] | null = null, rackId: string | null = null): ShareGroupHeartbeatRequest {
  return { groupId, memberId, memberEpoch, rackId, subscribedTopicNames };
}

export const CLIENT = { clientId: 'share-client', clientHost: '/127.0.0.1' };

export function shareGroupOf(c: GroupCoordinator, groupId: string): ShareGroup {
  const g = c.group(groupId);
  if (!(g instanceof ShareGroup)) throw new Error(`no share group ${groupId}`);
  return g;
}

/** Waits (real time) until `cond` holds: the Persister calls run after the heartbeat's answer. */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Partitions by topic name from a heartbeat's assignment. */
export function byName(b: RunningBroker, a: { topicPartitions: { topicId: string; partitions: number[] }[] } | null): Record<string, number[]> | null {
  if (!a) return null;
  const out: Record<string, number[]> = {};
  for (const tp of a.topicPartitions) out[b.broker.topics.getById(tp.topicId)?.name ?? tp.topicId] = [...tp.partitions].sort((x, y) => x - y);
  return out;
}
