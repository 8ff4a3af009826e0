// The broker's view of cluster metadata: an immutable image built by replaying the metadata log
// (Kafka's MetadataImage). Nothing here changes after construction; a MetadataDelta makes the next one.
import { ResourceType } from './records.js';
import { DelegationTokenImage, ScramImage } from './security-image.js';
import { ClientQuotasImage } from '../quota/client-quota-image.js';
import { AclsImage } from './acl-image.js';

export interface PartitionRegistration {
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly removingReplicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly leader: number;
  readonly leaderRecoveryState: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly directories: readonly string[];
  /** Eligible leader replicas (KIP-966): out of the ISR while it was below min.insync.replicas, still safe to lead. Absent: none. */
  readonly elr?: readonly number[];
  /** The ELR when the partition last lost its leader with an empty ISR (KIP-966). Absent: none. */
  readonly lastKnownElr?: readonly number[];
}

export class TopicImage {
  constructor(
    readonly name: string,
    readonly topicId: string,
    readonly registrations: ReadonlyMap<number, PartitionRegistration>,
  ) {}

  /** Partition count: partitions are numbered 0..partitions-1. */
  get partitions(): number {
    return this.registrations.size;
  }
}

export class TopicsImage {
  static readonly EMPTY = new TopicsImage(new Map(), new Map());

  constructor(
    readonly byId: ReadonlyMap<string, TopicImage>,
    readonly byName: ReadonlyMap<string, TopicImage>,
  ) {}

  get(name: string): TopicImage | undefined {
    return this.byName.get(name);
  }

  getById(topicId: string): TopicImage | undefined {
    return this.byId.get(topicId);
  }

  all(): IterableIterator<TopicImage> {
    return this.byName.values();
  }
}

/** A config resource's key in ConfigurationsImage: "<type>:<name>". */
export function resourceKey(type: number, name: string): string {
  return `${type}:${name}`;
}

export class ConfigurationsImage {
  static readonly EMPTY = new ConfigurationsImage(new Map());

  /** Explicitly set configs by resourceKey; resources without any are absent. */
  constructor(readonly resources: ReadonlyMap<string, ReadonlyMap<string, string>>) {}

  get(type: number, name: string): ReadonlyMap<string, string> {
    return this.resources.get(resourceKey(type, name)) ?? EMPTY_CONFIG;
  }

  /** A topic's overrides as a plain object (what LogConfig is built from). */
  topicConfigs(topic: string): Record<string, string> {
    return Object.fromEntries(this.get(ResourceType.TOPIC, topic));
  }
}
const EMPTY_CONFIG: ReadonlyMap<string, string> = new Map();

export class FeaturesImage {
  static readonly EMPTY = new FeaturesImage(new Map());

  /** Finalized feature levels by name (metadata.version among them); absent means level 0. */
  constructor(readonly finalized: ReadonlyMap<string, number>) {}

  level(name: string): number {
    return this.finalized.get(name) ?? 0;
  }
}

export interface BrokerEndpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: number;
}

export interface BrokerRegistration {
  readonly id: number;
  readonly epoch: number;
  readonly incarnationId: string;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
  readonly fenced: boolean;
  readonly inControlledShutdown: boolean;
  readonly logDirs: readonly string[];
  readonly features: ReadonlyMap<string, { min: number; max: number }>;
}

/** A controller's registration (RegisterControllerRecord): how brokers and tools reach it. */
export interface ControllerRegistration {
  readonly id: number;
  readonly incarnationId: string;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly features: ReadonlyMap<string, { min: number; max: number }>;
}

export class ClusterImage {
  static readonly EMPTY = new ClusterImage(new Map());
  constructor(
    readonly brokers: ReadonlyMap<number, BrokerRegistration>,
    readonly controllers: ReadonlyMap<number, ControllerRegistration> = new Map(),
  ) {}
}

export class ProducerIdsImage {
  static readonly EMPTY = new ProducerIdsImage(0);
  /** The first producer id no block has handed out yet. */
  constructor(readonly nextProducerId: number) {}
}

/** Where an image came from: the last record it contains. */
export interface MetadataProvenance {
  readonly lastContainedOffset: number;
  readonly lastContainedEpoch: number;
  readonly lastContainedLogTimeMs: number;
}

export const EMPTY_PROVENANCE: MetadataProvenance = { lastContainedOffset: -1, lastContainedEpoch: -1, lastContainedLogTimeMs: -1 };

export class MetadataImage {
  constructor(
    readonly clusterId: string,
    readonly provenance: MetadataProvenance,
    readonly features: FeaturesImage,
    readonly cluster: ClusterImage,
    readonly topics: TopicsImage,
    readonly configs: ConfigurationsImage,
    readonly producerIds: ProducerIdsImage,
    readonly scram: ScramImage = ScramImage.EMPTY,
    readonly delegationTokens: DelegationTokenImage = DelegationTokenImage.EMPTY,
    readonly acls: AclsImage = AclsImage.EMPTY,
    readonly clientQuotas: ClientQuotasImage = ClientQuotasImage.EMPTY,
  ) {}

  static empty(clusterId: string): MetadataImage {
    return new MetadataImage(
      clusterId,
      EMPTY_PROVENANCE,
      FeaturesImage.EMPTY,
      ClusterImage.EMPTY,
      TopicsImage.EMPTY,
      ConfigurationsImage.EMPTY,
      ProducerIdsImage.EMPTY,
    );
  }

  /** The offset of the last record replayed into this image (-1: none). */
  get offset(): number {
    return this.provenance.lastContainedOffset;
  }

  isEmpty(): boolean {
    return (
      this.features.finalized.size === 0 &&
      this.cluster.brokers.size === 0 &&
      this.cluster.controllers.size === 0 &&
      this.topics.byId.size === 0 &&
      this.configs.resources.size === 0 &&
      this.producerIds.nextProducerId === 0 &&
      this.scram.isEmpty() &&
      this.delegationTokens.isEmpty() &&
      this.acls.isEmpty() &&
      this.clientQuotas.isEmpty()
    );
  }
}
