// What a broker in a cluster asks of the active controller itself, rather than forwarding a
// client's request: topics it creates on its own (Metadata's auto-creation, __consumer_offsets;
// Kafka's AutoTopicCreationManager sends CreateTopics) and blocks of producer ids (Kafka's
// RPCProducerIdManager sends AllocateProducerIds with the broker's epoch). A created topic is
// returned once this broker's image has it. The admin operations are forwarded whole
// (withForwarding), so a broker never runs them here.
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import { CreateTopicsRequest } from '../protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../protocol/generated/create-topics-response.js';
import { AllocateProducerIdsRequest } from '../protocol/generated/allocate-producer-ids-request.js';
import { AllocateProducerIdsResponse } from '../protocol/generated/allocate-producer-ids-response.js';
import type { ControllerOperations } from '../handlers/context.js';
import type { MetadataImage, TopicImage } from '../metadata/image.js';
import type { MetadataPublisher } from '../metadata/loader.js';
import type { MetadataDelta } from '../metadata/delta.js';
import type { ControllerChannel } from './controller-channel.js';

const CREATE_TOPICS_VERSION = 7;
const ALLOCATE_PRODUCER_IDS_VERSION = 0;

export interface RemoteControllerOptions {
  channel: Pick<ControllerChannel, 'send'>;
  nodeId: number;
  /** This broker's current epoch (its lifecycle manager's). */
  brokerEpoch(): number;
  image(): MetadataImage;
  /** How long to wait for the controller and for the new topic to reach this broker's image. */
  timeoutMs: number;
}

/** No controller answered (none known, unreachable, moved): retriable for the client. */
function notYet(name: string, e: unknown): KafkaError {
  return new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `topic ${name} could not be created yet: ${(e as Error)?.message ?? e}`);
}

function forwardedOnly(): never {
  throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'A broker forwards this request to the active controller.');
}

export class RemoteController implements ControllerOperations, MetadataPublisher {
  readonly name = 'remote-controller';
  private nextProducerId = 0;
  private producerIdLimit = 0;
  private fetchingBlock: Promise<void> | null = null;
  private readonly topicWaiters = new Map<string, (() => void)[]>();

  constructor(private readonly o: RemoteControllerOptions) {}

  onMetadataUpdate(_delta: MetadataDelta, image: MetadataImage): void {
    for (const [name, waiters] of this.topicWaiters) {
      if (!image.topics.get(name)) continue;
      this.topicWaiters.delete(name);
      for (const wake of waiters) wake();
    }
  }

  /** The topic, created by the active controller if missing. */
  async createTopic(name: string, partitions: number, configs: Record<string, string>, replicationFactor = -1): Promise<TopicImage> {
    const existing = this.o.image().topics.get(name);
    if (existing) return existing;
    const request = {
      topics: [
        {
          name,
          numPartitions: partitions,
          replicationFactor,
          assignments: [],
          configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
        },
      ],
      timeoutMs: this.o.timeoutMs,
      validateOnly: false,
    };
    const res = await this.o.channel.send(CreateTopicsRequest, CreateTopicsResponse, CREATE_TOPICS_VERSION, request).catch((e) => {
      throw notYet(name, e);
    });
    const r = res.topics[0];
    // The controller moved meanwhile: the client asks again, as while Kafka creates a topic.
    if (r?.errorCode === ErrorCode.NOT_CONTROLLER) throw notYet(name, new Error('the controller moved'));
    if (r && r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
      throw new KafkaError(r.errorCode, r.errorMessage ?? `cannot create topic ${name}`);
    }
    return this.awaitTopic(name);
  }

  private awaitTopic(name: string): Promise<TopicImage> {
    return new Promise((resolve, reject) => {
      const now = this.o.image().topics.get(name);
      if (now) return resolve(now);
      const timer = setTimeout(() => {
        const list = this.topicWaiters.get(name) ?? [];
        const i = list.indexOf(wake);
        if (i >= 0) list.splice(i, 1);
        // Created, but this broker has not replayed it yet: clients retry, as on LEADER_NOT_AVAILABLE.
        reject(new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `topic ${name} is not in this broker's metadata yet`));
      }, this.o.timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(this.o.image().topics.get(name)!);
      };
      const list = this.topicWaiters.get(name) ?? [];
      list.push(wake);
      this.topicWaiters.set(name, list);
    });
  }

  /** A producer id never handed out before: from blocks the active controller reserves for this broker. */
  async allocateProducerId(): Promise<number> {
    while (this.nextProducerId >= this.producerIdLimit) {
      this.fetchingBlock ??= this.fetchBlock().finally(() => (this.fetchingBlock = null));
      await this.fetchingBlock;
    }
    return this.nextProducerId++;
  }

  private async fetchBlock(): Promise<void> {
    const res = await this.o.channel
      .send(AllocateProducerIdsRequest, AllocateProducerIdsResponse, ALLOCATE_PRODUCER_IDS_VERSION, {
        brokerId: this.o.nodeId,
        brokerEpoch: this.o.brokerEpoch(),
      })
      .catch((e) => ({ errorCode: -1, producerIdStart: 0, producerIdLen: 0, throttleTimeMs: 0, reason: (e as Error).message }));
    if (res.errorCode !== ErrorCode.NONE) {
      // The client retries InitProducerId on this (Kafka's RPCProducerIdManager answers the same while it has no block).
      throw new KafkaError(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, `the controller gave no producer id block (error ${res.errorCode})`);
    }
    this.nextProducerId = res.producerIdStart;
    this.producerIdLimit = res.producerIdStart + res.producerIdLen;
  }

  createTopics(): never {
    return forwardedOnly();
  }
  deleteTopics(): never {
    return forwardedOnly();
  }
  createPartitions(): never {
    return forwardedOnly();
  }
  legacyAlterConfigs(): never {
    return forwardedOnly();
  }
  incrementalAlterConfigs(): never {
    return forwardedOnly();
  }
  updateFeatures(): never {
    return forwardedOnly();
  }
  alterUserScramCredentials(): never {
    return forwardedOnly();
  }
  alterClientQuotas(): never {
    return forwardedOnly();
  }
  createAcls(): never {
    return forwardedOnly();
  }
  deleteAcls(): never {
    return forwardedOnly();
  }
  createDelegationToken(): never {
    return forwardedOnly();
  }
  renewDelegationToken(): never {
    return forwardedOnly();
  }
  expireDelegationToken(): never {
    return forwardedOnly();
  }
}
