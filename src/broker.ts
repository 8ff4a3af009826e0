// The broker: config, storage, topic metadata and the network server, wired together.
import { promises as fsp } from 'node:fs';
import { BrokerConfig, type LogConfig } from './config.js';
import { log } from './log.js';
import { TopicStore, type TopicInfo } from './metadata/topic-store.js';
import { Server } from './network/server.js';
import type { PartitionLog, StorageEngine } from './storage/types.js';
import { FileStorageEngine } from './storage/file-engine.js';
import { MemoryStorageEngine } from './storage/memory-engine.js';
import { GroupCoordinator } from './coordinator/group/coordinator.js';

export interface BrokerOptions {
  host?: string;
  port?: number;
  /** Directory for the log; ignored when `memory` is true. */
  dataDir?: string;
  memory?: boolean;
  advertisedHost?: string;
  advertisedPort?: number;
  /** Kafka-style broker settings (`num.partitions`, `message.max.bytes`, ...). */
  config?: Record<string, string>;
}

export class Broker {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly topics: TopicStore;
  readonly storage: StorageEngine;
  readonly groups: GroupCoordinator;
  private server: Server | null = null;
  private advertised = { host: '127.0.0.1', port: 0 };

  constructor(readonly options: BrokerOptions) {
    this.config = new BrokerConfig(options.config ?? {});
    this.nodeId = this.config.number(this.config.explicit('node.id') !== undefined ? 'node.id' : 'broker.id');
    const dataDir = options.memory ? null : (options.dataDir ?? './samsa-data');
    this.topics = new TopicStore(dataDir ? TopicStore.fileIn(dataDir) : null);
    this.storage = dataDir ? new FileStorageEngine(dataDir) : new MemoryStorageEngine();
    this.groups = new GroupCoordinator(this);
  }

  get clusterId(): string {
    return this.topics.clusterId;
  }

  get advertisedHost(): string {
    return this.advertised.host;
  }

  get advertisedPort(): number {
    return this.advertised.port;
  }

  async start(): Promise<{ host: string; port: number }> {
    const { dataDir, memory } = this.options;
    if (!memory) await fsp.mkdir(dataDir ?? './samsa-data', { recursive: true });
    await this.topics.load();
    await this.storage.open();
    // Logs left without a topic (a crash between the two writes) are not served.
    for (const t of this.topics.all()) {
      for (let p = 0; p < t.partitions; p++) {
        if (!this.storage.get(t.name, p)) await this.storage.create(t.name, p, this.logConfig(t));
        else this.storage.get(t.name, p)!.config = this.logConfig(t);
      }
    }
    // Creates __consumer_offsets if needed; its groups load in the background.
    await this.groups.start();
    const host = this.options.host ?? '127.0.0.1';
    this.server = new Server(this);
    const port = await this.server.listen(host, this.options.port ?? 9092);
    this.advertised = {
      host: this.options.advertisedHost ?? host,
      port: this.options.advertisedPort ?? port,
    };
    return { host, port };
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = null;
    await this.groups.close();
    await this.storage.close();
  }

  logConfig(topic: TopicInfo): LogConfig {
    return this.config.logConfig(topic.configs);
  }

  partitionLog(topic: string, partition: number): PartitionLog | undefined {
    return this.storage.get(topic, partition);
  }

  private readonly creating = new Map<string, Promise<TopicInfo>>();

  /** Creates a topic and its logs; concurrent calls for one name share the first one's result. */
  createTopic(name: string, partitions: number, configs: Record<string, string>): Promise<TopicInfo> {
    const existing = this.topics.get(name);
    if (existing) return Promise.resolve(existing);
    let pending = this.creating.get(name);
    if (!pending) {
      pending = this.doCreateTopic(name, partitions, configs).finally(() => this.creating.delete(name));
      this.creating.set(name, pending);
    }
    return pending;
  }

  private async doCreateTopic(name: string, partitions: number, configs: Record<string, string>): Promise<TopicInfo> {
    const info = await this.topics.create(name, partitions, configs);
    const cfg = this.logConfig(info);
    for (let p = 0; p < partitions; p++) await this.storage.create(name, p, cfg);
    log.info(`created topic ${name} with ${partitions} partition(s), id ${info.topicId}`);
    return info;
  }
}
