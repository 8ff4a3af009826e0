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
import type { RegisterControllerRecord } from '../protocol/generated/register-controller-record.js';
import type { RemoveTopicRecord } from '../protocol/generated/remove-topic-record.js';
import type { TopicRecord } from '../protocol/generated/topic-record.js';
import { ClusterDelta } from './cluster-delta.js';
import { ConfigurationsDelta } from './configurations-delta.js';
import { FeaturesImage, MetadataImage, ProducerIdsImage, type MetadataProvenance } from './image.js';
import { RecordType, ResourceType, type MetadataRecord } from './records.js';
import { TopicsDelta } from './topics-delta.js';
import { DelegationTokenDelta, ScramDelta, SecurityRecordType } from './security-image.js';
import { AclRecordType, AclsDelta } from './acl-image.js';
import { CLIENT_QUOTA_RECORD, ClientQuotasDelta } from '../quota/client-quota-image.js';

export { ClusterDelta } from './cluster-delta.js';
export { ConfigurationsDelta } from './configurations-delta.js';
export { TopicDelta, TopicsDelta } from './topics-delta.js';

const UNREGISTER_BROKER = 1;
const FENCE_BROKER = 7;
const UNFENCE_BROKER = 8;
const BROKER_REGISTRATION_CHANGE = 17;
const REGISTER_CONTROLLER = 27;
const UNREGISTER_CONTROLLER = 28;

export class MetadataDelta {
  featuresDelta: FeaturesDelta | null = null;
  clusterDelta: ClusterDelta | null = null;
  topicsDelta: TopicsDelta | null = null;
  configsDelta: ConfigurationsDelta | null = null;
  producerIdsDelta: ProducerIdsDelta | null = null;
  scramDelta: ScramDelta | null = null;
  delegationTokenDelta: DelegationTokenDelta | null = null;
  aclsDelta: AclsDelta | null = null;
  clientQuotasDelta: ClientQuotasDelta | null = null;

  constructor(readonly image: MetadataImage) {}

  replay(record: MetadataRecord): void {
    const d = record.data;
    switch (record.type) {
      case RecordType.REGISTER_BROKER:
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
      case REGISTER_CONTROLLER:
        this.cluster().replayRegisterController(d as RegisterControllerRecord);
        break;
      case UNREGISTER_CONTROLLER:
        this.cluster().unregisterController(d.controllerId as number);
        break;
      case RecordType.TOPIC:
        this.topics().replayTopic(d as TopicRecord);
        break;
      case RecordType.PARTITION:
        this.topics().replayPartition(d as PartitionRecord);
        break;
      case RecordType.CONFIG:
        this.configs().replay(d as ConfigRecord);
        break;
      case RecordType.PARTITION_CHANGE:
        this.topics().replayPartitionChange(d as PartitionChangeRecord);
        break;
      case RecordType.REMOVE_TOPIC: {
        const name = this.topics().replayRemove(d as RemoveTopicRecord);
        // A removed topic takes its config overrides with it.
        if (name !== null) this.configs().removeResource(ResourceType.TOPIC, name);
        break;
      }
      case RecordType.FEATURE_LEVEL:
        this.features().replay(d as FeatureLevelRecord);
        break;
      case RecordType.PRODUCER_IDS:
        this.producerIdsDelta = new ProducerIdsDelta((d as ProducerIdsRecord).nextProducerId);
        break;
      case SecurityRecordType.USER_SCRAM_CREDENTIAL:
        (this.scramDelta ??= new ScramDelta(this.image.scram)).replay(d);
        break;
      case SecurityRecordType.REMOVE_USER_SCRAM_CREDENTIAL:
        (this.scramDelta ??= new ScramDelta(this.image.scram)).replayRemove(d);
        break;
      case SecurityRecordType.DELEGATION_TOKEN:
        (this.delegationTokenDelta ??= new DelegationTokenDelta(this.image.delegationTokens)).replay(d);
        break;
      case SecurityRecordType.REMOVE_DELEGATION_TOKEN:
        (this.delegationTokenDelta ??= new DelegationTokenDelta(this.image.delegationTokens)).replayRemove(d.tokenId as string);
        break;
      case AclRecordType.ACCESS_CONTROL_ENTRY:
        (this.aclsDelta ??= new AclsDelta(this.image.acls)).replay(d);
        break;
      case AclRecordType.REMOVE_ACCESS_CONTROL_ENTRY:
        (this.aclsDelta ??= new AclsDelta(this.image.acls)).replayRemove(d.id as string);
        break;
      case CLIENT_QUOTA_RECORD:
        (this.clientQuotasDelta ??= new ClientQuotasDelta(this.image.clientQuotas)).replay(d);
        break;
      default:
        // NoOp, and record kinds samsa keeps no state for: nothing to do.
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
      this.scramDelta ? this.scramDelta.apply() : img.scram,
      this.delegationTokenDelta ? this.delegationTokenDelta.apply() : img.delegationTokens,
      this.aclsDelta ? this.aclsDelta.apply() : img.acls,
      this.clientQuotasDelta ? this.clientQuotasDelta.apply() : img.clientQuotas,
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

export class ProducerIdsDelta {
  constructor(readonly nextProducerId: number) {}
}
