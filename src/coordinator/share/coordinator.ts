// The share coordinator of this broker (Kafka's ShareCoordinatorService and its runtime): the
// share-partition states of every __share_group_state partition it leads (all of them on a lone
// node), replayed from the log when it becomes leader and dropped when it stops. An operation on a
// key runs on its partition's shard after the partition's earlier operations; the records it
// produces are appended (replicated in a cluster) and replayed into the shard before it answers.
// Records no state needs any more are pruned from the log every
// share.coordinator.state.topic.prune.interval.ms.
import { log } from '../../log.js';
import { ErrorCode, errorMessage } from '../../protocol/errors.js';
import { KafkaError } from '../../storage/types.js';
import type { PersisterStateBatch, ShareStateKey } from '../../share/persister.js';
import { appendErrorCode } from '../group/context.js';
import type { PartitionLeadership } from '../group/leadership.js';
import { UnreplicatedWrite, type CoordinatorHost, type StoredRecord } from '../group/offsets-topic.js';
import { partitionFor } from '../group/records.js';
import { Timers, type Scheduler } from '../group/timers.js';
import { coordinatorKey, decodeShareRecord, SHARE_GROUP_STATE_TOPIC, shareStatePartitionFor } from './records.js';
import { ShareCoordinatorShard, type PartitionError, type ReadResult, type ShardResult, type SummaryResult, type WriteData } from './shard.js';
import { ShareStateTopic } from './state-topic.js';

export const COORDINATOR_NOT_AVAILABLE_MESSAGE = 'Share coordinator is not available.';

export interface ShareCoordinatorHost extends CoordinatorHost {
  /** The topic's partition count in the current metadata image, undefined when there is no such topic. */
  partitionCount(topicId: string): number | undefined;
}

interface LoadedPartition {
  epoch: number;
  shard: ShareCoordinatorShard;
  /** Per key, the offset of its last snapshot: records below the least of them are redundant. */
  snapshotOffsets: Map<string, number>;
  /** The offset after the last record replayed. */
  endOffset: number;
}

const PRUNE_KEY = 'share-state-prune';
const COLD_SNAPSHOT_KEY = 'share-state-cold-snapshot';

export class ShareCoordinator {
  readonly timers: Timers;
  readonly now: () => number;
  private readonly topic: ShareStateTopic;
  private readonly loaded = new Map<number, LoadedPartition>();
  private readonly loading = new Map<number, number>();
  private readonly leading = new Map<number, number>();
  private readonly partitionOps = new Map<number, Promise<unknown>>();
  private leadership: PartitionLeadership | null = null;
  private activating: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly host: ShareCoordinatorHost,
    opts: { now?: () => number; scheduler?: Scheduler } = {},
  ) {
    this.topic = new ShareStateTopic(host);
    this.now = opts.now ?? Date.now;
    this.timers = new Timers(opts.scheduler);
  }

  /** A lone node loads __share_group_state at start if it exists; the first need creates it. */
  async start(): Promise<void> {
    this.schedulePrune();
    this.scheduleColdSnapshots();
    if (this.leadership) return;
    if (this.topic.exists()) this.activate().catch(() => {});
  }

  /** Cluster mode (before start): coordinate the keys of the __share_group_state partitions led here. */
  followLeadership(leadership: PartitionLeadership): void {
    this.leadership = leadership;
    this.topic.leadership = leadership;
    leadership.onLeadershipChange((topic, partition, leaderEpoch) => {
      if (topic !== SHARE_GROUP_STATE_TOPIC || this.closed) return;
      if (leaderEpoch >= 0) this.onElection(partition, leaderEpoch);
      else this.onResignation(partition);
    });
  }

  /** Creates __share_group_state if needed; on a lone node loads every partition (epoch 0). */
  activate(): Promise<void> {
    if (this.activating) return this.activating;
    const creating = !this.topic.exists();
    this.activating = this.topic.ensureCreated().then(async () => {
      if (this.leadership) return;
      const loads: Promise<unknown>[] = [];
      for (let p = 0; p < this.topic.numPartitions; p++) if (!this.loaded.has(p) && !this.loading.has(p)) loads.push(this.serialize(p, () => this.load(p, 0)));
      // A topic just created is empty: its load is instant, so the first request is served.
      if (creating) await Promise.all(loads);
    });
    this.activating.catch((e) => {
      this.activating = null;
      log.info(`share coordinator could not create ${SHARE_GROUP_STATE_TOPIC}: ${(e as Error)?.message ?? e}`);
    });
    return this.activating;
  }

  /** The __share_group_state partition of a key "groupId:topicId:partition" (FindCoordinator key type 2). */
  partitionFor(key: string): number {
    this.topic.exists();
    return partitionFor(key, this.topic.numPartitions);
  }

  /** The broker coordinating the key (its partition's leader, -1 while none); null on a lone node or before the topic exists. */
  coordinatorId(key: string): number | null {
    if (!this.topic.exists() || !this.leadership) return null;
    return this.leadership.checkFetch(SHARE_GROUP_STATE_TOPIC, this.partitionFor(key)).leaderId;
  }

  /** Whether this broker serves the key's partition now (else NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS). */
  status(key: ShareStateKey): number {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (!this.activating && !this.leadership && this.topic.exists()) this.activate().catch(() => {});
    const p = shareStatePartitionFor(key, this.topic.numPartitions);
    if (this.loading.has(p)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    if (this.loaded.has(p)) return ErrorCode.NONE;
    if (!this.leadership && this.activating) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return ErrorCode.NOT_COORDINATOR;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timers.close();
    await this.activating?.catch(() => {});
  }

  /** Resolves once every partition this broker coordinates is loaded. */
  async whenLoaded(): Promise<void> {
    if (!this.leadership) await this.activate();
    await Promise.all([...this.partitionOps.values()]);
  }

  /** The shard of a loaded partition (tests). */
  shard(partition: number): ShareCoordinatorShard | undefined {
    return this.loaded.get(partition)?.shard;
  }

  // The operations, one key each (the request handlers and the persister split requests by key).

  async initializeState(key: ShareStateKey, stateEpoch: number, startOffset: number): Promise<PartitionError> {
    return this.write(key, (s) => s.initializeState(key, stateEpoch, startOffset), failed);
  }

  async writeState(key: ShareStateKey, data: WriteData): Promise<PartitionError> {
    return this.write(key, (s) => s.writeState(key, data), failed);
  }

  async readState(key: ShareStateKey, leaderEpoch: number): Promise<ReadResult> {
    return this.write(key, (s) => s.readState(key, leaderEpoch), (errorCode, errorMessage) => ({ errorCode, errorMessage, stateEpoch: 0, startOffset: 0, deliveryCompleteCount: -1, stateBatches: [] as PersisterStateBatch[] }));
  }

  async deleteState(key: ShareStateKey): Promise<PartitionError> {
    return this.write(key, (s) => s.deleteState(key), failed);
  }

  /** A read: the state as last written (no record). */
  async readSummary(key: ShareStateKey): Promise<SummaryResult> {
    const code = await this.ready(key);
    if (code !== ErrorCode.NONE) return { ...failed(code, code === ErrorCode.COORDINATOR_NOT_AVAILABLE ? COORDINATOR_NOT_AVAILABLE_MESSAGE : errorMessage(code)), stateEpoch: 0, leaderEpoch: 0, startOffset: 0, deliveryCompleteCount: -1 };
    const p = shareStatePartitionFor(key, this.topic.numPartitions);
    return this.serialize(p, async () => {
      const entry = this.loaded.get(p);
      if (!entry) return { ...failed(ErrorCode.NOT_COORDINATOR), stateEpoch: 0, leaderEpoch: 0, startOffset: 0, deliveryCompleteCount: -1 };
      return entry.shard.readSummary(key);
    });
  }

  /** Activates a lone node's coordinator, then the key's status. */
  private async ready(key: ShareStateKey): Promise<number> {
    if (this.closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (!this.leadership) await this.activate().catch(() => {});
    else if (!this.topic.exists()) return ErrorCode.NOT_COORDINATOR;
    return this.status(key);
  }

  private async write<T extends PartitionError>(key: ShareStateKey, op: (s: ShareCoordinatorShard) => ShardResult<T>, error: (code: number, message: string | null) => T): Promise<T> {
    const code = await this.ready(key);
    if (code !== ErrorCode.NONE) return error(code, code === ErrorCode.COORDINATOR_NOT_AVAILABLE ? COORDINATOR_NOT_AVAILABLE_MESSAGE : errorMessage(code));
    const p = shareStatePartitionFor(key, this.topic.numPartitions);
    // The partition's next operation may start once this one's records are in the log and
    // replayed; its answer waits for them to be replicated.
    const step = await this.serialize(p, async (): Promise<{ result: T; written?: Promise<void> }> => {
      const entry = this.loaded.get(p);
      if (!entry || this.closed) return { result: error(ErrorCode.NOT_COORDINATOR, errorMessage(ErrorCode.NOT_COORDINATOR)) };
      const { records, result } = op(entry.shard);
      if (records.length === 0) return { result };
      const { appended, written } = this.topic.append(p, records, this.now());
      try {
        this.replay(entry, records, await appended);
      } catch (e) {
        return { result: this.appendFailed(p, e, error) };
      }
      return { result, written };
    });
    if (!step.written) return step.result;
    try {
      await step.written;
      return step.result;
    } catch (e) {
      return this.appendFailed(p, e, error);
    }
  }

  private appendFailed<T>(partition: number, e: unknown, error: (code: number, message: string | null) => T): T {
    if (!(e instanceof KafkaError)) log.error(`share coordinator failed to write to ${SHARE_GROUP_STATE_TOPIC}-${partition}: ${(e as Error)?.stack ?? e}`);
    const c = appendErrorCode(e);
    return error(c, errorMessage(c));
  }

  private replay(entry: LoadedPartition, records: StoredRecord[], baseOffset: number): void {
    records.forEach((r, i) => this.apply(entry, r, baseOffset + i));
  }

  private apply(entry: LoadedPartition, r: StoredRecord, offset: number): void {
    try {
      entry.shard.replay(r);
      const d = decodeShareRecord(r);
      if (d?.type === 'snapshot') {
        if (d.value === null) entry.snapshotOffsets.delete(coordinatorKey(d.key));
        else entry.snapshotOffsets.set(coordinatorKey(d.key), offset);
      }
    } catch (e) {
      log.error(`share coordinator skipped an unreadable ${SHARE_GROUP_STATE_TOPIC} record at offset ${offset}: ${(e as Error).message}`);
    }
    entry.endOffset = Math.max(entry.endOffset, offset + 1);
  }

  // Leadership and loading

  private onElection(partition: number, epoch: number): void {
    const prev = this.leading.get(partition);
    this.leading.set(partition, epoch);
    if (prev === epoch) return;
    void this.serialize(partition, () => this.load(partition, epoch));
  }

  private onResignation(partition: number): void {
    if (!this.leading.delete(partition)) return;
    void this.serialize(partition, async () => {
      if (this.leading.has(partition)) return;
      this.loading.delete(partition);
      const entry = this.loaded.get(partition);
      this.loaded.delete(partition);
      if (entry && entry.shard.size > 0) log.info(`share coordinator unloaded ${entry.shard.size} share-partition state(s) of ${SHARE_GROUP_STATE_TOPIC}-${partition}`);
    });
  }

  private serialize<T>(partition: number, op: () => Promise<T>): Promise<T> {
    const next = (this.partitionOps.get(partition) ?? Promise.resolve()).then(op, op);
    const tail = next.catch(() => {});
    this.partitionOps.set(partition, tail);
    void tail.then(() => {
      if (this.partitionOps.get(partition) === tail) this.partitionOps.delete(partition);
    });
    return next;
  }

  private async load(partition: number, epoch: number): Promise<void> {
    if (this.closed || (this.leadership && this.leading.get(partition) !== epoch)) return;
    this.loading.set(partition, epoch);
    this.loaded.delete(partition);
    const entry: LoadedPartition = {
      epoch,
      shard: new ShareCoordinatorShard({
        updatesPerSnapshot: this.host.config.number('share.coordinator.snapshot.update.records.per.snapshot'),
        now: this.now,
        partitionCount: (topicId) => this.host.partitionCount(topicId),
      }),
      snapshotOffsets: new Map(),
      endOffset: 0,
    };
    const started = Date.now();
    try {
      await this.topic.read(partition, this.host.config.number('share.coordinator.load.buffer.size'), (r, offset) => this.apply(entry, r, offset), () => this.loading.get(partition) === epoch && !this.closed);
    } catch (e) {
      log.error(`share coordinator failed to load ${SHARE_GROUP_STATE_TOPIC}-${partition}: ${(e as Error)?.stack ?? e}`);
      if (this.loading.get(partition) === epoch) this.loading.delete(partition);
      if (!this.leadership) this.activating = null;
      return;
    }
    if (this.loading.get(partition) !== epoch || this.closed) return;
    this.loaded.set(partition, entry);
    this.loading.delete(partition);
    if (entry.shard.size > 0) log.info(`share coordinator loaded ${entry.shard.size} share-partition state(s) of ${SHARE_GROUP_STATE_TOPIC}-${partition} (epoch ${epoch}) in ${Date.now() - started} ms`);
  }

  // Pruning (Kafka's ShareCoordinatorOffsetsManager and its prune job)

  private schedulePrune(): void {
    const interval = this.host.config.number('share.coordinator.state.topic.prune.interval.ms');
    this.timers.schedule(PRUNE_KEY, interval, () => {
      void this.prune().finally(() => {
        if (!this.closed) this.schedulePrune();
      });
    });
  }

  private scheduleColdSnapshots(): void {
    const interval = this.host.config.number('share.coordinator.cold.partition.snapshot.interval.ms');
    this.timers.schedule(COLD_SNAPSHOT_KEY, interval, () => {
      void this.maintain().finally(() => {
        if (!this.closed) this.scheduleColdSnapshots();
      });
    });
  }

  /**
   * In each loaded partition: snapshots of cold states (share.coordinator.cold.partition.snapshot.interval.ms)
   * and tombstones for the states of deleted topics, written and replayed like any write.
   */
  async maintain(): Promise<void> {
    const interval = this.host.config.number('share.coordinator.cold.partition.snapshot.interval.ms');
    for (const [partition, entry] of [...this.loaded]) {
      await this.serialize(partition, async () => {
        if (this.loaded.get(partition) !== entry || this.closed) return;
        const records = [...entry.shard.deletedTopicTombstones(), ...entry.shard.coldSnapshots(interval)];
        if (records.length === 0) return;
        const { appended } = this.topic.append(partition, records, this.now());
        await appended.then(
          (baseOffset) => this.replay(entry, records, baseOffset),
          (e) => log.debug(`share coordinator could not snapshot ${SHARE_GROUP_STATE_TOPIC}-${partition}: ${(e as Error)?.message ?? e}`),
        );
      });
    }
  }

  /** Deletes, in each loaded partition, the records below the oldest snapshot a state still needs. */
  async prune(): Promise<void> {
    for (const [partition, entry] of [...this.loaded]) {
      await this.serialize(partition, async () => {
        if (this.loaded.get(partition) !== entry) return;
        // Snapshots not yet replicated may still be lost with a new leader: prune only once every
        // record replayed here is committed, so the snapshots counted below are.
        if (this.leadership) {
          const code = await this.leadership.awaitReplication(SHARE_GROUP_STATE_TOPIC, partition, entry.endOffset, this.host.config.number('share.coordinator.write.timeout.ms'));
          if (code !== ErrorCode.NONE || this.loaded.get(partition) !== entry) return;
        }
        let redundant = entry.endOffset;
        for (const offset of entry.snapshotOffsets.values()) redundant = Math.min(redundant, offset);
        await this.topic.deleteBefore(partition, redundant).catch((e) => log.debug(`share coordinator could not prune ${SHARE_GROUP_STATE_TOPIC}-${partition}: ${(e as Error)?.message ?? e}`));
      });
    }
  }
}

function failed(errorCode: number, message?: string | null): PartitionError {
  return { errorCode, errorMessage: message === undefined ? errorMessage(errorCode) : message };
}
