// The admin handler modules (CreateTopics, DeleteTopics, CreatePartitions, configs, features,
// reassignments) run on the controller listener too, as Kafka's ControllerApis serves them: this
// is the BrokerContext they see there, backed by the controller node's metadata and controller.
// A controller hosts no partitions, groups or transactions; those parts are never reached by the admin
// APIs the controller registry holds.
import type { BrokerConfig } from '../config.js';
import type { BrokerContext, ControllerOperations, GroupOperations, ShareCoordinatorOperations, TransactionOperations } from '../handlers/context.js';
import type { MetadataManager } from '../metadata/manager.js';
import type { MetadataImage, TopicsImage } from '../metadata/image.js';
import type { TopicInfo } from '../metadata/topic-store.js';
import type { PartitionLog } from '../storage/types.js';
import { AuthorizerCache } from '../security/acl/authorizer-cache.js';
import type { StandardAuthorizer } from '../security/acl/authorizer.js';
import { QuotaManagers } from '../quota/quota-managers.js';

export class ControllerBrokerContext implements BrokerContext {
  constructor(
    private readonly metadata: MetadataManager,
    readonly nodeId: number,
    readonly config: BrokerConfig,
    /** The controller listener's advertised endpoint. */
    private readonly endpoint: () => { host: string; port: number },
  ) {}

  private authorizers: AuthorizerCache | null = null;
  private quotaManagers: QuotaManagers | null = null;

  /** The controller's own quota state: it enforces controller_mutation_rate on forwarded admin requests (KIP-599). */
  get quotas(): QuotaManagers {
    return (this.quotaManagers ??= QuotaManagers.fromConfig(this.config));
  }

  /** The StandardAuthorizer the controller checks forwarded admin requests with; null without authorizer.class.name. */
  get authorizer(): StandardAuthorizer | null {
    return (this.authorizers ??= new AuthorizerCache((n) => this.config.get(n))).current(this.metadata.image.acls);
  }

  get clusterId(): string {
    return this.metadata.image.clusterId;
  }
  get image(): MetadataImage {
    return this.metadata.image;
  }
  get topics(): TopicsImage {
    return this.metadata.image.topics;
  }
  get metadataLog() {
    return this.metadata.metadataLog;
  }
  get controller(): ControllerOperations {
    return this.metadata.controller;
  }
  get describer() {
    return this.metadata.describer;
  }
  get groups(): GroupOperations {
    throw new Error('a controller listener has no group coordinator');
  }
  get transactions(): TransactionOperations {
    throw new Error('a controller listener has no transaction coordinator');
  }
  get shareCoordinator(): ShareCoordinatorOperations {
    throw new Error('a controller listener has no share coordinator');
  }
  readonly logDir = null;
  get advertisedHost(): string {
    return this.endpoint().host;
  }
  get advertisedPort(): number {
    return this.endpoint().port;
  }
  partitionLog(): PartitionLog | undefined {
    return undefined;
  }
  createTopic(name: string, partitions: number, configs: Record<string, string>): Promise<TopicInfo> {
    return this.metadata.controller.createTopic(name, partitions, configs);
  }
}
