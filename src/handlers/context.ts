// What a broker listener's handlers may reach of the node they run on. Broker implements it;
// declaring it here (handler side) keeps handlers/ free of broker.ts and network/, and shows in one
// place everything a request can touch.
import type { BrokerConfig } from '../config.js';
import type { GroupCoordinator } from '../coordinator/group/coordinator.js';
import type { ConfigDescriber } from '../metadata/config-describer.js';
import type { Controller } from '../metadata/controller.js';
import type { MetadataImage, TopicsImage } from '../metadata/image.js';
import type { MetadataLog } from '../metadata/metadata-log.js';
import type { TopicInfo } from '../metadata/topic-store.js';
import type { PartitionLog } from '../storage/types.js';

/** The controller operations admin handlers call (Kafka forwards these to the active controller). */
export type ControllerOperations = Pick<
  Controller,
  | 'createTopics'
  | 'deleteTopics'
  | 'createPartitions'
  | 'legacyAlterConfigs'
  | 'incrementalAlterConfigs'
  | 'updateFeatures'
  | 'allocateProducerId'
>;

/** The group coordinator's request-facing operations. */
export type GroupOperations = Pick<
  GroupCoordinator,
  | 'activate'
  | 'joinGroup'
  | 'syncGroup'
  | 'heartbeat'
  | 'leaveGroup'
  | 'describeGroups'
  | 'listGroups'
  | 'deleteGroups'
  | 'commitOffsets'
  | 'fetchOffsets'
  | 'deleteOffsets'
>;

export interface BrokerContext {
  readonly nodeId: number;
  readonly clusterId: string;
  /** The broker's static settings (dynamic ones through `describer`). */
  readonly config: BrokerConfig;
  /** The current metadata image. */
  readonly image: MetadataImage;
  /** Topics by name and id, from the current image. */
  readonly topics: TopicsImage;
  /** The metadata log's position (DescribeQuorum on a lone node). */
  readonly metadataLog: Pick<MetadataLog, 'epoch' | 'endOffset'>;
  readonly controller: ControllerOperations;
  /** Describes broker and topic configs with their sources (dynamic config included). */
  readonly describer: ConfigDescriber;
  readonly groups: GroupOperations;
  /** The one log dir, absolute; null for the memory engine. */
  readonly logDir: string | null;
  /** This broker's advertised endpoint (its one listener today). */
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  partitionLog(topic: string, partition: number): PartitionLog | undefined;
  /** Creates a topic and its logs, or returns the existing one (Metadata's auto-creation). */
  createTopic(name: string, partitions: number, configs: Record<string, string>): Promise<TopicInfo>;
}
