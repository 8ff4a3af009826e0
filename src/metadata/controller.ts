// The KRaft controller: every metadata change runs here, one at a time (Kafka's controller event
// queue), is validated against the current image, committed as one batch through a
// MetadataCommitter (a lone node's own log, or the quorum), and replayed into the next image
// before the caller hears back.
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import { log } from '../log.js';
import type { BrokerConfig } from '../config.js';
import type { MetadataCommitter } from '../controller/metadata-committer.js';
import { BOOTSTRAP_FEATURES, ELR_VERSION, SUPPORTED_FEATURES } from './features.js';
import type { MetadataImage, TopicImage } from './image.js';
import { REGISTER_BROKER_RECORD_VERSION } from './image-records.js';
import { RecordType, type MetadataRecord } from './records.js';
import {
  createPartitions,
  createTopics,
  deleteTopics,
  type ControllerResult,
  type CreatableTopic,
  type CreatedTopic,
  type DeletedTopic,
  type PartitionsRequest,
  type PartitionsResult,
  type PlacementContext,
  type TopicRef,
} from './replication-control.js';
import { randomUuid } from './uuid.js';
import { elrSafetyRecords, updateFeatures, type FeatureUpdate } from './feature-control.js';
import type { ApiError } from './replication-control.js';
import {
  incrementalAlterConfigs,
  legacyAlterConfigs,
  type ConfigResourceChange,
  type ConfigResourceResult,
} from './configuration-control.js';

/** Producer ids reserved per ProducerIdsRecord (Kafka's block size). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;
const PLAINTEXT = 0;

export interface ControllerOptions {
  committer: MetadataCommitter;
  /** The current metadata image (the loader's). */
  image(): MetadataImage;
  /** Static broker settings (defaults for partitions and replication factor). */
  config: BrokerConfig;
  nodeId: number;
  directoryId: string;
}

export class Controller {
  private tail: Promise<unknown> = Promise.resolve();
  private nextProducerId = 0;
  private producerIdLimit = 0;
  /** This broker's epoch: the offset of its latest RegisterBrokerRecord. */
  brokerEpoch = -1;

  constructor(private readonly o: ControllerOptions) {}

  get image(): MetadataImage {
    return this.o.image();
  }

  private placement(): PlacementContext {
    return {
      nodeId: this.o.nodeId,
      directoryId: this.o.directoryId,
      defaultPartitions: this.o.config.number('num.partitions'),
      defaultReplicationFactor: this.o.config.number('default.replication.factor'),
    };
  }

  /** Runs `op` after every earlier operation has finished. */
  private run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.tail.then(op, op);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Commits the records as one batch (see MetadataCommitter for the errors). */
  private async commit(records: MetadataRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.o.committer.commit(records);
  }

  /** Runs a pure control function on the current image and commits its records unless validating. */
  private execute<T>(fn: (image: MetadataImage) => ControllerResult<T>, validateOnly = false): Promise<T> {
    return this.run(async () => {
      const result = fn(this.image);
      if (!validateOnly) await this.commit(result.records);
      return result.response;
    });
  }

  /**
   * A new metadata log starts with the finalized feature levels, as `kafka-storage format` writes
   * them, and (eligible leader replicas being on) the cluster-wide min.insync.replicas Kafka's
   * controller adds when it first activates.
   */
  bootstrap(): Promise<void> {
    return this.run(async () => {
      if (this.image.features.finalized.size > 0) return;
      const records: MetadataRecord[] = [...BOOTSTRAP_FEATURES].map(([name, featureLevel]) => ({
        type: RecordType.FEATURE_LEVEL,
        version: 0,
        data: { name, featureLevel },
      }));
      if ((BOOTSTRAP_FEATURES.get(ELR_VERSION) ?? 0) >= 1) records.push(...elrSafetyRecords(this.image, this.o.config.number('min.insync.replicas')));
      await this.commit(records);
    });
  }

  /** Registers this broker's endpoints; skipped when the image already holds the same registration. */
  registerBroker(host: string, port: number, rack: string | null, logDirs: string[]): Promise<void> {
    return this.run(async () => {
      const current = this.image.cluster.brokers.get(this.o.nodeId);
      const same =
        current &&
        !current.fenced &&
        current.rack === rack &&
        current.endpoints.length === 1 &&
        current.endpoints[0].host === host &&
        current.endpoints[0].port === port &&
        SUPPORTED_FEATURES.every((f) => {
          const r = current.features.get(f.name);
          return r && r.min === f.minVersion && r.max === f.maxVersion;
        });
      if (same) {
        this.brokerEpoch = current.epoch;
        return;
      }
      const brokerEpoch = this.o.committer.nextOffset();
      await this.commit([
        {
          type: RecordType.REGISTER_BROKER,
          version: REGISTER_BROKER_RECORD_VERSION,
          data: {
            brokerId: this.o.nodeId,
            isMigratingZkBroker: false,
            incarnationId: randomUuid(),
            brokerEpoch,
            endPoints: [{ name: 'PLAINTEXT', host, port, securityProtocol: PLAINTEXT }],
            features: SUPPORTED_FEATURES.map((f) => ({ name: f.name, minSupportedVersion: f.minVersion, maxSupportedVersion: f.maxVersion })),
            rack,
            fenced: false,
            inControlledShutdown: false,
            logDirs,
          },
        },
      ]);
      this.brokerEpoch = brokerEpoch;
    });
  }

  createTopics(topics: CreatableTopic[], validateOnly: boolean): Promise<CreatedTopic[]> {
    return this.execute((image) => createTopics(image, this.placement(), topics), validateOnly);
  }

  /** For the broker's own use (auto-creation, internal topics): the topic, created if missing. */
  createTopic(name: string, partitions: number, configs: Record<string, string>): Promise<TopicImage> {
    const existing = this.image.topics.get(name);
    if (existing) return Promise.resolve(existing);
    return this.run(async () => {
      const again = this.image.topics.get(name);
      if (again) return again;
      const { records, response } = createTopics(this.image, this.placement(), [
        {
          name,
          numPartitions: partitions,
          replicationFactor: -1,
          assignments: [],
          configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
        },
      ]);
      const r = response[0];
      if (r.errorCode !== ErrorCode.NONE) throw new KafkaError(r.errorCode, r.errorMessage ?? `cannot create topic ${name}`);
      await this.commit(records);
      log.info(`created topic ${name} with ${r.numPartitions} partition(s), id ${r.topicId}`);
      return this.image.topics.get(name)!;
    });
  }

  deleteTopics(refs: TopicRef[]): Promise<DeletedTopic[]> {
    return this.execute((image) => deleteTopics(image, refs));
  }

  createPartitions(topics: PartitionsRequest[], validateOnly: boolean): Promise<PartitionsResult[]> {
    return this.execute((image) => createPartitions(image, this.placement(), topics), validateOnly);
  }

  incrementalAlterConfigs(resources: ConfigResourceChange[], validateOnly: boolean): Promise<ConfigResourceResult[]> {
    return this.execute((image) => incrementalAlterConfigs(image, this.o.nodeId, resources, this.o.config), validateOnly);
  }

  legacyAlterConfigs(
    resources: { resourceType: number; resourceName: string; configs: { name: string; value: string | null }[] }[],
    validateOnly: boolean,
  ): Promise<ConfigResourceResult[]> {
    return this.execute((image) => legacyAlterConfigs(image, this.o.nodeId, resources, this.o.config), validateOnly);
  }

  updateFeatures(updates: FeatureUpdate[], validateOnly: boolean): Promise<ApiError> {
    return this.execute((image) => updateFeatures(image, this.o.nodeId, updates, this.o.config.number('min.insync.replicas')), validateOnly);
  }

  /** A producer id never handed out before, also across restarts: ids come from durably reserved blocks. */
  allocateProducerId(): Promise<number> {
    if (this.nextProducerId < this.producerIdLimit) return Promise.resolve(this.nextProducerId++);
    return this.run(async () => {
      if (this.nextProducerId >= this.producerIdLimit) {
        const start = this.image.producerIds.nextProducerId;
        await this.commit([
          {
            type: RecordType.PRODUCER_IDS,
            version: 0,
            data: { brokerId: this.o.nodeId, brokerEpoch: this.brokerEpoch, nextProducerId: start + PRODUCER_ID_BLOCK_SIZE },
          },
        ]);
        this.nextProducerId = start;
        this.producerIdLimit = start + PRODUCER_ID_BLOCK_SIZE;
      }
      return this.nextProducerId++;
    });
  }

  /** Waits for every queued operation (for shutdown). */
  async drain(): Promise<void> {
    await this.tail;
  }
}
