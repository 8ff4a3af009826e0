// The replica layer of a cluster broker (Kafka's ReplicaManager): a metadata publisher that, on
// each image, makes this broker leader or follower of every partition whose replicas include it
// (and stops the ones it no longer hosts); serves the leader's side to produce and fetch (acks=all
// waits in the purgatory until the high watermark passes the append; follower fetches record how
// far each follower got); runs the follower side through the replica fetchers; and keeps the ISR
// honest through AlterPartition to the active controller (shrink after replica.lag.time.max.ms,
// expand once a follower caught up). A reassignment's new replica gets a new, empty log and follows
// from the leader's log start; a replica the image no longer names here is stopped and its log
// deleted (Kafka's applyDelta), also at start-up for one removed while this broker was down.
import { replicaSelector, type ReplicaSelector, type ReplicaView } from './replica-selector.js';
import { log } from '../log.js';
import type { BrokerConfig } from '../config.js';
import type { FollowerFetchResult, LeaderCheck, ReplicaAccess } from '../handlers/context.js';
import type { MetadataDelta } from '../metadata/delta.js';
import type { DynamicBrokerConfig } from '../metadata/dynamic-config.js';
import type { MetadataImage, PartitionRegistration } from '../metadata/image.js';
import type { MetadataPublisher } from '../metadata/loader.js';
import { METADATA_TOPIC } from '../metadata/metadata-log.js';
import type { NodeClient, NodeEndpoint } from '../network/node-client.js';
import { ErrorCode } from '../protocol/errors.js';
import type { AlterPartitionRequest } from '../protocol/generated/alter-partition-request.js';
import type { AlterPartitionResponse } from '../protocol/generated/alter-partition-response.js';
import type { StorageEngine } from '../storage/types.js';
import { DelayedProduce } from './delayed-produce.js';
import { Partition } from './partition.js';
import { DelayedOperationPurgatory } from './purgatory.js';
import { ReplicaFetcherManager } from './replica-fetcher.js';
import { ReplicationQuota } from './replication-quota.js';

export interface ReplicaManagerOptions {
  nodeId: number;
  storage: StorageEngine;
  config: BrokerConfig;
  /** The replica fetchers' own client (Kafka's fetchers have their own connections too). */
  client: NodeClient;
  interBrokerListenerName: string;
  brokerEpoch(): number;
  /** Effective broker and topic settings (the log config of a replica created here, the replication throttles). */
  dynamicConfig: DynamicBrokerConfig;
  /** Sends an AlterPartition to the active controller. */
  alterPartition(req: AlterPartitionRequest): Promise<AlterPartitionResponse>;
}

/** A partition led here from `leaderEpoch` on, or (-1) no longer led here. */
export type LeadershipListener = (topic: string, partition: number, leaderEpoch: number) => void;

export class ReplicaManager implements MetadataPublisher, ReplicaAccess {
  readonly name = 'ReplicaManager';
  private readonly partitions = new Map<string, Partition>();
  private readonly unsubscribe = new Map<string, () => void>();
  private readonly purgatory = new DelayedOperationPurgatory<DelayedProduce>({ name: 'Produce' });
  private readonly fetchers: ReplicaFetcherManager;
  private image: MetadataImage | null = null;
  private readonly lagMs: number;
  private readonly isrTimer: NodeJS.Timeout;
  /** Set once the broker caught up with the metadata log (start()): images before that may be stale. */
  private started = false;
  /** Image changes are applied one at a time, in order. */
  private applying: Promise<void> = Promise.resolve();
  private readonly leadershipListeners = new Set<LeadershipListener>();

  /** Replication throttles: bytes served to followers, bytes fetched from leaders. */
  readonly leaderQuota: ReplicationQuota;
  readonly followerQuota: ReplicationQuota;
  private quotasLoaded = false;
  private readonly quotaDescriptions = new Map<string, string>([['leader', 'no leader replication throttle'], ['follower', 'no follower replication throttle']]);

  /** replica.selector.class (KIP-392); null: consumers read from the leader only. */
  private readonly selector: ReplicaSelector | null;

  constructor(private readonly o: ReplicaManagerOptions) {
    const c = o.config;
    this.lagMs = c.number('replica.lag.time.max.ms');
    this.selector = replicaSelector(c.get('replica.selector.class'));
    const windowMs = c.number('replication.quota.window.size.seconds') * 1000;
    const samples = c.number('replication.quota.window.num');
    this.leaderQuota = new ReplicationQuota('leader', windowMs, samples);
    this.followerQuota = new ReplicationQuota('follower', windowMs, samples);
    this.fetchers = new ReplicaFetcherManager(
      o.client,
      { nodeId: o.nodeId, brokerEpoch: o.brokerEpoch, endpoint: (id) => this.interBrokerEndpoint(id) },
      {
        maxWaitMs: c.number('replica.fetch.wait.max.ms'),
        minBytes: c.number('replica.fetch.min.bytes'),
        maxBytes: c.number('replica.fetch.response.max.bytes'),
        partitionMaxBytes: c.number('replica.fetch.max.bytes'),
        backoffMs: c.number('replica.fetch.backoff.ms'),
        requestTimeoutMs: c.number('replica.socket.timeout.ms'),
      },
      this.followerQuota,
    );
    // Kafka's isr-expiration task runs at half the lag time.
    this.isrTimer = setInterval(() => this.maybeShrinkIsr(), Math.max(1, Math.floor(this.lagMs / 2)));
    this.isrTimer.unref();
  }

  /** Told when this broker becomes leader (with the epoch) or stops leading a partition (coordinators follow it). */
  onLeadershipChange(listener: LeadershipListener): () => void {
    this.leadershipListeners.add(listener);
    return () => this.leadershipListeners.delete(listener);
  }

  private tellLeadership(topic: string, partition: number, leaderEpoch: number): void {
    for (const l of this.leadershipListeners) {
      try {
        l(topic, partition, leaderEpoch);
      } catch (e) {
        log.error(`${topic}-${partition}: a leadership listener failed: ${(e as Error)?.stack ?? e}`);
      }
    }
  }

  /** A hosted partition's state (tests, logs). */
  partition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(`${topic}-${partition}`);
  }

  /**
   * A move between log dirs (AlterReplicaLogDirs) replaced the partition's log in the storage
   * engine: its replica state carries over to the new log, as Kafka swaps a future log in under
   * the partition's lock (followers' fetch states, the ISR, waiting acks=all produces stay).
   */
  logReplaced(topic: string, partition: number): void {
    const key = `${topic}-${partition}`;
    const p = this.partitions.get(key);
    const l = this.o.storage.get(topic, partition);
    if (!p || !l || p.log === l) return;
    p.log = l;
    this.unsubscribe.get(key)?.();
    this.unsubscribe.set(key, l.onAppend(() => this.onLogChange(p)));
    this.onLogChange(p);
    // A leadership change that came while the old log was held for the swap takes effect now.
    if (!this.started) return;
    void this.serially(async () => {
      const t = this.image?.topics.get(topic);
      const reg = t?.registrations.get(partition);
      if (t && reg?.replicas.includes(this.o.nodeId)) await this.applyRegistration(topic, t.topicId, partition, reg).catch((e) => log.error(`${key}: ${(e as Error)?.stack ?? e}`));
    });
  }

  /**
   * The broker caught up with the metadata log: from now on it leads and follows as the image
   * says. Earlier images are history being replayed (a restarted broker would briefly lead
   * partitions it lost long ago), as Kafka's broker publishes nothing before its initial catch-up.
   */
  start(): Promise<void> {
    return this.serially(async () => {
      if (this.started) return;
      this.started = true;
      const image = this.image;
      if (!image) return;
      // Replicas removed from this broker while it was down (or before their log was deleted), and
      // stray ones no partition owns any more (a crash between a RemoveTopicRecord and the log's
      // removal): only the caught-up image can tell (Kafka's isStrayKraftReplica at its first publish).
      for (const l of [...this.o.storage.all()]) {
        if (!l.replicated || l.topic === METADATA_TOPIC) continue;
        const reg = image.topics.get(l.topic)?.registrations.get(l.partition);
        if (reg?.replicas.includes(this.o.nodeId)) continue;
        if (!reg) log.warn(`removing log ${l.topic}-${l.partition}: no such partition in the metadata log`);
        await this.deleteReplica(l.topic, l.partition).catch((e) => log.error(`${l.topic}-${l.partition}: ${(e as Error)?.stack ?? e}`));
      }
      for (const t of image.topics.all()) {
        for (const [id, reg] of t.registrations) {
          if (reg.replicas.includes(this.o.nodeId)) await this.applyRegistration(t.name, t.topicId, id, reg).catch((e) => log.error(`${t.name}-${id}: ${(e as Error)?.stack ?? e}`));
        }
      }
    });
  }

  private serially(fn: () => Promise<void>): Promise<void> {
    const next = this.applying.then(fn, fn);
    this.applying = next.catch(() => undefined);
    return next;
  }

  onMetadataUpdate(delta: MetadataDelta, image: MetadataImage): Promise<void> {
    this.image = image;
    if (!this.quotasLoaded || delta.configsDelta) this.updateQuotas(image);
    if (!this.started) return Promise.resolve();
    return this.serially(() => this.applyDelta(delta));
  }

  /** The throttle rates (this broker's dynamic config over the cluster default) and throttled replicas (topic configs). */
  private updateQuotas(image: MetadataImage): void {
    this.quotasLoaded = true;
    const c = this.o.dynamicConfig.current(image);
    this.leaderQuota.updateQuota(c.number('leader.replication.throttled.rate'));
    this.followerQuota.updateQuota(c.number('follower.replication.throttled.rate'));
    this.leaderQuota.updateThrottledFromImage(image, 'leader.replication.throttled.replicas', this.o.nodeId);
    this.followerQuota.updateThrottledFromImage(image, 'follower.replication.throttled.replicas', this.o.nodeId);
    for (const q of [this.leaderQuota, this.followerQuota]) {
      const now = q.describe();
      if (now !== this.quotaDescriptions.get(q.type)) log.info(`broker ${this.o.nodeId}: ${now}`);
      this.quotaDescriptions.set(q.type, now);
    }
  }

  private async applyDelta(delta: MetadataDelta): Promise<void> {
    const td = delta.topicsDelta;
    if (!td) return;
    for (const id of td.deletedTopicIds) {
      const gone = delta.image.topics.getById(id);
      if (gone) for (const p of gone.registrations.keys()) this.stopPartition(`${gone.name}-${p}`);
    }
    for (const d of td.changedTopics.values()) {
      for (const [id, reg] of d.partitionChanges) {
        const key = `${d.name}-${id}`;
        if (!reg.replicas.includes(this.o.nodeId)) {
          await this.deleteReplica(d.name, id).catch((e) => log.error(`${key}: deleting the removed replica failed: ${(e as Error)?.stack ?? e}`));
          continue;
        }
        await this.applyRegistration(d.name, d.topicId, id, reg).catch((e) => log.error(`${key}: becoming ${reg.leader === this.o.nodeId ? 'leader' : 'follower'} failed: ${(e as Error)?.stack ?? e}`));
      }
    }
  }

  private async applyRegistration(topic: string, topicId: string, id: number, reg: PartitionRegistration): Promise<void> {
    const key = `${topic}-${id}`;
    let l = this.o.storage.get(topic, id);
    if (!l && this.image) {
      // A replica new to this broker (a reassignment adds it): an empty log, which the fetcher
      // starts at the leader's log start (OFFSET_OUT_OF_RANGE below it).
      l = await this.o.storage.create(topic, id, this.o.dynamicConfig.logConfig(this.image, topic));
      log.info(`${key}: created the log of a new replica`);
    }
    // Logs that are not replicated (the coordinators' own, for now) are no replica's business.
    if (!l || !l.replicated) return;
    let p = this.partitions.get(key);
    if (!p || p.log !== l) {
      this.stopPartition(key);
      p = new Partition(this.o.nodeId, topicId, l, this.lagMs);
      this.partitions.set(key, p);
      const part = p;
      part.isrEligible = (id) => this.isrEligible(id, part.followers.get(id)?.brokerEpoch ?? -1);
      // Appends and high watermark moves: the leader's high watermark may move, waiters wake.
      this.unsubscribe.set(key, l.onAppend(() => this.onLogChange(part)));
    }
    if (reg.leader === this.o.nodeId) {
      this.fetchers.remove(key);
      if (await p.makeLeader(reg, Date.now())) {
        log.info(`${key}: leader in epoch ${reg.leaderEpoch} from offset ${p.leaderEpochStartOffset}, ISR [${reg.isr}]`);
        // KIP-704: elected uncleanly, its own log is the partition's now; it leads as recovered and its next AlterPartition says RECOVERED (Kafka's makeLeader).
        if (reg.leaderRecoveryState === 1) log.info(`${key}: marked RECOVERING by the controller; leading as RECOVERED`);
        this.tellLeadership(topic, id, reg.leaderEpoch);
      }
    } else if (p.makeFollower(reg)) {
      this.tellLeadership(topic, id, -1);
      if (reg.leader >= 0) this.fetchers.add(p);
      else this.fetchers.remove(key);
      log.info(`${key}: following broker ${reg.leader} in epoch ${reg.leaderEpoch}`);
    }
    this.purgatory.checkAndComplete(key);
  }

  /** This broker is no longer a replica: stop following or leading, and delete the log (Kafka does). */
  private async deleteReplica(topic: string, partition: number): Promise<void> {
    const key = `${topic}-${partition}`;
    this.stopPartition(key);
    const l = this.o.storage.get(topic, partition);
    // Coordinator logs outside replication (see applyRegistration) are left alone.
    if (!l || !l.replicated) return;
    await this.o.storage.delete(topic, partition);
    log.info(`${key}: deleted the log (no longer a replica here)`);
  }

  private stopPartition(key: string): void {
    const p = this.partitions.get(key);
    if (!p) return;
    this.fetchers.remove(key);
    this.unsubscribe.get(key)?.();
    this.unsubscribe.delete(key);
    this.partitions.delete(key);
    const wasLeader = p.isLeader;
    p.leaderId = -1;
    this.purgatory.checkAndComplete(key);
    if (wasLeader) this.tellLeadership(p.log.topic, p.log.partition, -1);
  }

  private onLogChange(p: Partition): void {
    if (!p.isLeader) return;
    p.maybeIncrementHighWatermark();
    this.purgatory.checkAndComplete(p.key);
  }

  private leaderCheck(topic: string, partition: number): LeaderCheck & { p?: Partition } {
    const p = this.partitions.get(`${topic}-${partition}`);
    if (p?.isLeader) return { errorCode: ErrorCode.NONE, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, p };
    const reg = this.image?.topics.get(topic)?.registrations.get(partition);
    return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, leaderId: reg?.leader ?? -1, leaderEpoch: reg?.leaderEpoch ?? -1 };
  }

  checkProduce(topic: string, partition: number, acks: number): LeaderCheck {
    const c = this.leaderCheck(topic, partition);
    if (c.p && acks === -1 && c.p.isr.length < c.p.effectiveMinIsr()) return { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, leaderId: c.leaderId, leaderEpoch: c.leaderEpoch };
    return { errorCode: c.errorCode, leaderId: c.leaderId, leaderEpoch: c.leaderEpoch };
  }

  awaitReplication(topic: string, partition: number, endOffset: number, timeoutMs: number): Promise<number> {
    const p = this.partitions.get(`${topic}-${partition}`);
    if (!p?.isLeader) return Promise.resolve(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    return new Promise((resolve) => {
      this.purgatory.tryCompleteElseWatch(new DelayedProduce(timeoutMs, p, p.leaderEpoch, endOffset, resolve), [p.key]);
    });
  }

  checkFetch(topic: string, partition: number, currentLeaderEpoch = -1, fromFollower = false): LeaderCheck {
    const { errorCode, leaderId, leaderEpoch } = this.leaderCheck(topic, partition);
    const p = this.partitions.get(`${topic}-${partition}`);
    if (!p || p.leaderEpoch < 0) return { errorCode, leaderId, leaderEpoch };
    // Kafka's order: the client's epoch first, then whether this replica may serve it.
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch < p.leaderEpoch) return { errorCode: ErrorCode.FENCED_LEADER_EPOCH, leaderId, leaderEpoch };
    if (currentLeaderEpoch > p.leaderEpoch) return { errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH, leaderId, leaderEpoch };
    return { errorCode: p.isLeader || fromFollower ? ErrorCode.NONE : errorCode, leaderId, leaderEpoch };
  }

  followerFetch(topic: string, partition: number, replicaId: number, brokerEpoch: number, fetchOffset: number, lastFetchedEpoch: number, logStartOffset = -1): FollowerFetchResult {
    const p = this.partitions.get(`${topic}-${partition}`);
    if (!p?.isLeader || !p.replicas.includes(replicaId)) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
    const l = p.log;
    if (lastFetchedEpoch >= 0) {
      // KIP-320: the follower's last epoch must end where ours does, else it truncates first.
      const eo = l.endOffsetForEpoch(lastFetchedEpoch);
      if (!eo) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
      if (eo.endOffset < fetchOffset || eo.leaderEpoch < lastFetchedEpoch) return { errorCode: ErrorCode.NONE, divergingEpoch: { epoch: eo.leaderEpoch, endOffset: eo.endOffset } };
    }
    if (fetchOffset < l.logStartOffset || fetchOffset > l.logEndOffset) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
    p.updateFollowerFetchState(replicaId, fetchOffset, brokerEpoch, Date.now(), logStartOffset);
    const join = p.candidatesToJoin().filter((id) => this.isrEligible(id, p.followers.get(id)!.brokerEpoch));
    if (join.length > 0) this.alterIsr(p, [...p.isr, ...join], 'expand');
    // A throttled partition's bytes count against the leader quota; an out-of-sync follower's is
    // left out of the read while the quota is exceeded (Kafka's shouldLeaderThrottle).
    const q = this.leaderQuota;
    if (q.throttlesAny && q.isThrottled(topic, partition)) return { errorCode: ErrorCode.NONE, throttle: { outOfSync: !p.isr.includes(replicaId), quota: q } };
    return { errorCode: ErrorCode.NONE };
  }

  /**
   * Kafka's findPreferredReadReplica: as leader, the replica the selector picks for a consumer on
   * `clientRack` among itself and the in-sync followers holding `fetchOffset`; -1 for the leader or none.
   */
  preferredReadReplica(topic: string, partition: number, clientRack: string, listenerName: string, fetchOffset: number): number {
    const p = this.selector ? this.partitions.get(`${topic}-${partition}`) : undefined;
    if (!p?.isLeader) return -1;
    const now = Date.now();
    const view = (id: number, logEndOffset: number, timeSinceLastCaughtUpMs: number): ReplicaView => {
      const e = this.endpoint(id, listenerName);
      return { id: e ? id : -1, rack: e?.rack ?? null, logEndOffset, timeSinceLastCaughtUpMs };
    };
    const leader = view(p.localId, p.log.logEndOffset, 0);
    const views = [leader, ...p.readReplicaCandidates(fetchOffset, now).map((c) => view(c.id, c.logEndOffset, c.timeSinceLastCaughtUpMs))];
    const chosen = this.selector!(clientRack, views, leader);
    return chosen && chosen !== leader && chosen.id >= 0 ? chosen.id : -1;
  }

  /** Kafka's isReplicaIsrEligible: registered in the epoch it fetched with, unfenced, not shutting down. */
  private isrEligible(brokerId: number, brokerEpoch: number): boolean {
    const b = this.image?.cluster.brokers.get(brokerId);
    return b !== undefined && !b.fenced && !b.inControlledShutdown && (brokerEpoch === -1 || brokerEpoch === b.epoch);
  }

  endpoint(brokerId: number, listenerName: string): { nodeId: number; host: string; port: number; rack: string | null } | null {
    const b = this.image?.cluster.brokers.get(brokerId);
    const e = b?.endpoints.find((x) => x.name === listenerName);
    return b && e ? { nodeId: brokerId, host: e.host, port: e.port, rack: b.rack } : null;
  }

  private interBrokerEndpoint(brokerId: number): NodeEndpoint | null {
    const e = this.endpoint(brokerId, this.o.interBrokerListenerName);
    return e ? { host: e.host, port: e.port } : null;
  }

  private maybeShrinkIsr(): void {
    const now = Date.now();
    let underReplicated = 0;
    for (const p of this.partitions.values()) {
      if (p.isLeader && p.isr.length < p.replicas.length) underReplicated++;
      const out = p.outOfSyncReplicas(now, this.lagMs);
      if (out.length === 0) continue;
      log.info(`${p.key}: shrinking ISR from [${p.isr}] (out of sync: [${out}])`);
      this.alterIsr(p, p.isr.filter((id) => !out.includes(id)), 'shrink');
    }
    // Kafka's UnderReplicatedPartitions, as a log line when it changes.
    if (underReplicated !== this.underReplicated) {
      log.info(`broker ${this.o.nodeId}: ${underReplicated} under-replicated partition(s) led here`);
      this.underReplicated = underReplicated;
    }
  }

  /** Partitions led here with an ISR smaller than their replicas, at the last ISR check. */
  underReplicated = 0;

  /** Asks the controller for an ISR change; the high watermark counts the wider ISR meanwhile. */
  private alterIsr(p: Partition, isr: number[], kind: 'expand' | 'shrink'): void {
    const pending = { isr, kind };
    p.pendingIsr = pending;
    const epochs = isr.map((id) => ({ brokerId: id, brokerEpoch: id === this.o.nodeId ? this.o.brokerEpoch() : (p.followers.get(id)?.brokerEpoch ?? -1) }));
    const sentEpoch = p.partitionEpoch;
    const req: AlterPartitionRequest = {
      brokerId: this.o.nodeId,
      brokerEpoch: this.o.brokerEpoch(),
      topics: [{ topicId: p.topicId, partitions: [{ partitionIndex: p.log.partition, leaderEpoch: p.leaderEpoch, newIsrWithEpochs: epochs, leaderRecoveryState: 0, partitionEpoch: sentEpoch }] }],
    };
    const clear = () => {
      if (p.pendingIsr === pending) p.pendingIsr = null;
    };
    this.o.alterPartition(req).then(
      (res) => {
        const d = res.topics[0]?.partitions[0];
        const errorCode = res.errorCode !== ErrorCode.NONE ? res.errorCode : (d?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR);
        if (errorCode !== ErrorCode.NONE || !d) {
          log.info(`${p.key}: AlterPartition (${kind} to [${isr}]) failed with error ${errorCode}`);
          clear();
          return;
        }
        // The image may have brought this change (or a later one) already.
        if (p.pendingIsr === pending && d.partitionEpoch > p.partitionEpoch) {
          p.isr = d.isr;
          p.partitionEpoch = d.partitionEpoch;
          p.pendingIsr = null;
          log.info(`${p.key}: ISR now [${d.isr}] (partition epoch ${d.partitionEpoch})`);
          p.maybeIncrementHighWatermark();
          this.purgatory.checkAndComplete(p.key);
        } else clear();
      },
      (e) => {
        log.debug(`${p.key}: AlterPartition failed: ${(e as Error)?.message ?? e}`);
        clear();
      },
    );
  }

  close(): void {
    clearInterval(this.isrTimer);
    this.fetchers.close();
    for (const u of this.unsubscribe.values()) u();
    this.unsubscribe.clear();
    for (const p of this.partitions.values()) p.leaderId = -1;
    for (const key of this.partitions.keys()) this.purgatory.checkAndComplete(key);
    this.partitions.clear();
    this.purgatory.shutdown();
  }
}
