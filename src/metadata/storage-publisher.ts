// Keeps the storage engine in step with the image: creates logs for new partitions hosted here
// (this node among their replicas), removes the logs of deleted topics, and pushes a new LogConfig
// to a topic's logs whenever its configs or the broker defaults change. On the first image it also
// removes unreplicated logs no topic owns (a lone node: left by a crash between a RemoveTopicRecord
// and the data's removal; its metadata log is local and complete). A cluster's first image is only
// what this node had committed and may predate a topic: its stray replicas wait for the catch-up
// (ReplicaManager.start), as Kafka's broker looks for them only then.
import { log } from '../log.js';
import type { StorageEngine } from '../storage/types.js';
import type { MetadataDelta } from './delta.js';
import type { DynamicBrokerConfig } from './dynamic-config.js';
import type { MetadataImage } from './image.js';
import type { MetadataPublisher } from './loader.js';
import { METADATA_TOPIC } from './metadata-log.js';
import { ResourceType } from './records.js';

export class StoragePublisher implements MetadataPublisher {
  readonly name = 'StoragePublisher';
  private first = true;

  constructor(
    private readonly storage: StorageEngine,
    private readonly configs: DynamicBrokerConfig,
  ) {}

  async onMetadataUpdate(delta: MetadataDelta, image: MetadataImage): Promise<void> {
    const td = delta.topicsDelta;
    // Every new partition gets its log even when one fails (a full disk): the storage engine
    // creates the failed ones again once its dir takes writes again.
    let failure: unknown = null;
    if (td) {
      for (const id of td.deletedTopicIds) {
        const gone = delta.image.topics.getById(id)!;
        for (const p of gone.registrations.keys()) await this.storage.delete(gone.name, p);
        log.info(`deleted topic ${gone.name} (id ${id}) and its ${gone.partitions} partition log(s)`);
      }
      for (const d of td.changedTopics.values()) {
        const cfg = this.configs.logConfig(image, d.name);
        const registrations = image.topics.get(d.name)?.registrations;
        for (const p of d.newPartitions()) {
          // In a cluster a broker keeps logs only for the partitions it is a replica of.
          if (!registrations?.get(p)?.replicas.includes(this.configs.nodeId)) continue;
          await this.storage.create(d.name, p, cfg).catch((e) => void (failure ??= e));
        }
      }
    }
    const cd = delta.configsDelta;
    if (cd && !this.first) {
      const brokerChanged = [...cd.changes.keys()].some((k) => k.startsWith(`${ResourceType.BROKER}:`));
      for (const t of image.topics.all()) {
        if (brokerChanged || cd.touches(ResourceType.TOPIC, t.name)) this.pushConfig(image, t.name, t.partitions);
      }
    }
    if (this.first) {
      this.first = false;
      await this.removeStrayLogs(image);
    }
    if (failure) throw failure;
  }

  private pushConfig(image: MetadataImage, topic: string, partitions: number): void {
    const cfg = this.configs.logConfig(image, topic);
    for (let p = 0; p < partitions; p++) {
      const l = this.storage.get(topic, p);
      if (l) l.config = cfg;
    }
  }

  private async removeStrayLogs(image: MetadataImage): Promise<void> {
    for (const l of [...this.storage.all()]) {
      if (l.topic === METADATA_TOPIC || l.replicated) continue;
      const t = image.topics.get(l.topic);
      if (t && t.registrations.has(l.partition)) continue;
      log.warn(`removing log ${l.topic}-${l.partition}: no such partition in the metadata log`);
      await this.storage.delete(l.topic, l.partition);
    }
  }
}
