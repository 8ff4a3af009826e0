// Collects replayed metadata records on top of an image; apply() makes the next image (Kafka's
// MetadataDelta). Each area has its own delta, created only when a record touches it, so a
// publisher can tell at a glance what changed.
import type { BrokerRegistrationChangeRecord } from '../protocol/generated/broker-registration-change-record.js';
import type { ConfigRecord } from '../protocol/generated/config-record.js';
import type { FeatureLevelRecord } from '../protocol/generated/feature-level-record.js';
import type { PartitionChangeRecord } from '../protocol/generated/partition-change-record.js';
import type { PartitionRecord } from '../protocol/generated/partition-record.js';
import type { ProducerIdsRecord } from '../protocol/generated/producer-ids-record.js';
import type { RegisterBrokerRecord } from '../protocol/generated/register-broker-record.js';
import type { RemoveTopicRecord } from '../protocol/generated/remove-topic-record.js';
import type { TopicRecord } from '../protocol/generated/topic-record.js';
import {
  ClusterImage,
  ConfigurationsImage,
  FeaturesImage,
  MetadataImage,
  ProducerIdsImage,
  TopicImage,
  TopicsImage,
  resourceKey,
  type BrokerRegistration,
  type MetadataProvenance,
  type PartitionRegistration,
} from './image.js';
import { ResourceType, type MetadataRecord } from './records.js';

const UNREGISTER_BROKER = 1;
const FENCE_BROKER = 7;
const UNFENCE_BROKER = 8;
const BROKER_REGISTRATION_CHANGE = 17;
/** PartitionChangeRecord.leader when the leader stays. */
const NO_LEADER_CHANGE = -2;

export class MetadataDelta {
  featuresDelta: FeaturesDelta | null = null;
  clusterDelta: ClusterDelta | null = null;
  topicsDelta: TopicsDelta | null = null;
  configsDelta: ConfigurationsDelta | null = null;
  producerIdsDelta: ProducerIdsDelta | null = null;

  constructor(readonly image: MetadataImage) {}

  replay(record: MetadataRecord): void {
    const d = record.data;
    switch (record.type) {
      case 0:
        this.cluster().replayRegister(d as RegisterBrokerRecord);
        break;
      case UNREGISTER_BROKER:
        this.cluster().unregister(d.brokerId as number);
        break;
      case FENCE_BROKER:
        this.cluster().change(d.id as number, { fenced: true });
        break;
      case UNFENCE_BROKER:
        this.cluster().change(d.id as number, { fenced: false });
        break;
      case BROKER_REGISTRATION_CHANGE:
        this.cluster().replayChange(d as BrokerRegistrationChangeRecord);
        break;
      case 2:
        this.topics().replayTopic(d as TopicRecord);
        break;
      case 3:
        this.topics().replayPartition(d as PartitionRecord);
        break;
      case 4:
        this.configs().replay(d as ConfigRecord);
        break;
      case 5:
        this.topics().replayPartitionChange(d as PartitionChangeRecord);
        break;
      case 9: {
        const name = this.topics().replayRemove(d as RemoveTopicRecord);
        // A removed topic takes its config overrides with it.
        if (name !== null) this.configs().removeResource(ResourceType.TOPIC, name);
        break;
      }
      case 12:
        this.features().replay(d as FeatureLevelRecord);
        break;
      case 15:
        this.producerIdsDelta = new ProducerIdsDelta((d as ProducerIdsRecord).nextProducerId);
        break;
      default:
        // NoOp, and record kinds samsa keeps no state for (ACLs, quotas, SCRAM): nothing to do.
        break;
    }
  }

  apply(provenance: MetadataProvenance): MetadataImage {
    const img = this.image;
    return new MetadataImage(
      img.clusterId,
      provenance,
      this.featuresDelta ? this.featuresDelta.apply() : img.features,
      this.clusterDelta ? this.clusterDelta.apply() : img.cluster,
      this.topicsDelta ? this.topicsDelta.apply() : img.topics,
      this.configsDelta ? this.configsDelta.apply() : img.configs,
      this.producerIdsDelta ? new ProducerIdsImage(this.producerIdsDelta.nextProducerId) : img.producerIds,
    );
  }

  private features(): FeaturesDelta {
    return (this.featuresDelta ??= new FeaturesDelta(this.image.features));
  }
  private cluster(): ClusterDelta {
    return (this.clusterDelta ??= new ClusterDelta(this.image.cluster));
  }
  topics(): TopicsDelta {
    return (this.topicsDelta ??= new TopicsDelta(this.image.topics));
  }
  private configs(): ConfigurationsDelta {
    return (this.configsDelta ??= new ConfigurationsDelta(this.image.configs));
  }
}

export class FeaturesDelta {
  /** Feature name -> new level (0: the feature is removed). */
  readonly changes = new Map<string, number>();
  constructor(readonly image: FeaturesImage) {}

  replay(r: FeatureLevelRecord): void {
    this.changes.set(r.name, r.featureLevel);
  }

  apply(): FeaturesImage {
    const next = new Map(this.image.finalized);
    for (const [name, level] of this.changes) {
      if (level === 0) next.delete(name);
      else next.set(name, level);
    }
    return new FeaturesImage(next);
  }
}

export class ClusterDelta {
  /** Broker id -> new registration (null: unregistered). */
  readonly changes = new Map<number, BrokerRegistration | null>();
  constructor(readonly image: ClusterImage) {}

  private current(id: number): BrokerRegistration | undefined {
    const c = this.changes.get(id);
    return c === null ? undefined : (c ?? this.image.brokers.get(id));
  }

  replayRegister(r: RegisterBrokerRecord): void {
    this.changes.set(r.brokerId, {
      id: r.brokerId,
      epoch: r.brokerEpoch,
      incarnationId: r.incarnationId,
      endpoints: r.endPoints.map((e) => ({ name: e.name, host: e.host, port: e.port, securityProtocol: e.securityProtocol })),
      rack: r.rack,
      fenced: r.fenced,
      inControlledShutdown: r.inControlledShutdown ?? false,
      logDirs: r.logDirs ?? [],
      features: new Map(r.features.map((f) => [f.name, { min: f.minSupportedVersion, max: f.maxSupportedVersion }])),
    });
  }

  unregister(id: number): void {
    this.changes.set(id, null);
  }

  change(id: number, fields: Partial<BrokerRegistration>): void {
    const cur = this.current(id);
    if (cur) this.changes.set(id, { ...cur, ...fields });
  }

  replayChange(r: BrokerRegistrationChangeRecord): void {
    const fields: { -readonly [K in keyof BrokerRegistration]?: BrokerRegistration[K] } = {};
    // fenced / inControlledShutdown: -1 false, 0 no change, 1 true.
    if (r.fenced) fields.fenced = r.fenced === 1;
    if (r.inControlledShutdown) fields.inControlledShutdown = r.inControlledShutdown === 1;
    if (r.logDirs && r.logDirs.length > 0) fields.logDirs = r.logDirs;
    this.change(r.brokerId, fields);
  }

  apply(): ClusterImage {
    const next = new Map(this.image.brokers);
    for (const [id, reg] of this.changes) {
      if (reg === null) next.delete(id);
      else next.set(id, reg);
    }
    return new ClusterImage(next);
  }
}

/** Changes to one topic: a new topic, or partitions added/changed on an existing one. */
export class TopicDelta {
  readonly partitionChanges = new Map<number, PartitionRegistration>();
  constructor(readonly image: TopicImage) {}

  get name(): string {
    return this.image.name;
  }
  get topicId(): string {
    return this.image.topicId;
  }

  partition(id: number): PartitionRegistration | undefined {
    return this.partitionChanges.get(id) ?? this.image.registrations.get(id);
  }

  /** Partitions that did not exist in the image before. */
  newPartitions(): number[] {
    return [...this.partitionChanges.keys()].filter((p) => !this.image.registrations.has(p));
  }

  apply(): TopicImage {
    if (this.partitionChanges.size === 0) return this.image;
    const next = new Map(this.image.registrations);
    for (const [p, reg] of this.partitionChanges) next.set(p, reg);
    return new TopicImage(this.image.name, this.image.topicId, new Map([...next].sort((a, b) => a[0] - b[0])));
  }
}

export class TopicsDelta {
  readonly changedTopics = new Map<string, TopicDelta>();
  /** Ids of topics that were in the image and are removed. */
  readonly deletedTopicIds = new Set<string>();
  /** Names and ids of topics created by this delta. */
  readonly createdTopics = new Map<string, string>();

  constructor(readonly image: TopicsImage) {}

  replayTopic(r: TopicRecord): void {
    this.changedTopics.set(r.topicId, new TopicDelta(new TopicImage(r.name, r.topicId, new Map())));
    this.createdTopics.set(r.name, r.topicId);
  }

  private topicDelta(topicId: string): TopicDelta {
    let d = this.changedTopics.get(topicId);
    if (!d) {
      const t = this.image.getById(topicId);
      if (!t || this.deletedTopicIds.has(topicId)) throw new Error(`metadata record names unknown topic id ${topicId}`);
      d = new TopicDelta(t);
      this.changedTopics.set(topicId, d);
    }
    return d;
  }

  replayPartition(r: PartitionRecord): void {
    this.topicDelta(r.topicId).partitionChanges.set(r.partitionId, {
      replicas: r.replicas,
      isr: r.isr,
      removingReplicas: r.removingReplicas,
      addingReplicas: r.addingReplicas,
      leader: r.leader,
      leaderRecoveryState: r.leaderRecoveryState ?? 0,
      leaderEpoch: r.leaderEpoch,
      partitionEpoch: r.partitionEpoch,
      directories: r.directories ?? [],
    });
  }

  replayPartitionChange(r: PartitionChangeRecord): void {
    const d = this.topicDelta(r.topicId);
    const prev = d.partition(r.partitionId);
    if (!prev) throw new Error(`PartitionChangeRecord for unknown partition ${r.topicId}:${r.partitionId}`);
    const leaderChanged = r.leader !== undefined && r.leader !== NO_LEADER_CHANGE;
    d.partitionChanges.set(r.partitionId, {
      replicas: r.replicas ?? prev.replicas,
      isr: r.isr ?? prev.isr,
      removingReplicas: r.removingReplicas ?? prev.removingReplicas,
      addingReplicas: r.addingReplicas ?? prev.addingReplicas,
      leader: leaderChanged ? r.leader! : prev.leader,
      leaderRecoveryState: r.leaderRecoveryState !== undefined && r.leaderRecoveryState !== -1 ? r.leaderRecoveryState : prev.leaderRecoveryState,
      leaderEpoch: leaderChanged ? prev.leaderEpoch + 1 : prev.leaderEpoch,
      partitionEpoch: prev.partitionEpoch + 1,
      directories: r.directories ?? prev.directories,
    });
  }

  /** Returns the removed topic's name (null if it was unknown). */
  replayRemove(r: RemoveTopicRecord): string | null {
    const created = this.changedTopics.get(r.topicId);
    this.changedTopics.delete(r.topicId);
    const existing = this.image.getById(r.topicId);
    if (existing) this.deletedTopicIds.add(r.topicId);
    if (created && !existing) this.createdTopics.delete(created.name);
    return existing?.name ?? created?.name ?? null;
  }

  apply(): TopicsImage {
    const byId = new Map(this.image.byId);
    const byName = new Map(this.image.byName);
    for (const id of this.deletedTopicIds) {
      const t = byId.get(id);
      if (t) {
        byId.delete(id);
        byName.delete(t.name);
      }
    }
    for (const d of this.changedTopics.values()) {
      const t = d.apply();
      byId.set(t.topicId, t);
      byName.set(t.name, t);
    }
    return new TopicsImage(byId, byName);
  }
}

export class ConfigurationsDelta {
  /** resourceKey -> config name -> new value (null: removed). */
  readonly changes = new Map<string, Map<string, string | null>>();
  /** Resources whose configs were all dropped (a removed topic), before `changes` applies. */
  readonly cleared = new Set<string>();

  constructor(readonly image: ConfigurationsImage) {}

  replay(r: ConfigRecord): void {
    const key = resourceKey(r.resourceType, r.resourceName);
    let c = this.changes.get(key);
    if (!c) this.changes.set(key, (c = new Map()));
    c.set(r.name, r.value);
  }

  removeResource(type: number, name: string): void {
    const key = resourceKey(type, name);
    this.changes.delete(key);
    this.cleared.add(key);
  }

  /** Whether the configs of this resource changed. */
  touches(type: number, name: string): boolean {
    const key = resourceKey(type, name);
    return this.changes.has(key) || this.cleared.has(key);
  }

  apply(): ConfigurationsImage {
    const next = new Map(this.image.resources);
    for (const key of this.cleared) next.delete(key);
    for (const [key, change] of this.changes) {
      const data = new Map(next.get(key) ?? []);
      for (const [name, value] of change) {
        if (value === null) data.delete(name);
        else data.set(name, value);
      }
      if (data.size === 0) next.delete(key);
      else next.set(key, new Map([...data].sort((a, b) => (a[0] < b[0] ? -1 : 1))));
    }
    return new ConfigurationsImage(next);
  }
}

export class ProducerIdsDelta {
  constructor(readonly nextProducerId: number) {}
}
