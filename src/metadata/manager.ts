// Wires the metadata side of a broker: meta.properties, the metadata log on the storage engine,
// the loader and its publishers, snapshots and the controller. start() loads the newest
// snapshot, replays the log after it and brings storage in line with the resulting image.
import path from 'node:path';
import type { BrokerConfig } from '../config.js';
import type { StorageEngine } from '../storage/types.js';
import { ConfigDescriber, type LiveBrokerValues } from './config-describer.js';
import { Controller } from './controller.js';
import { DynamicBrokerConfig } from './dynamic-config.js';
import { MetadataImage } from './image.js';
import { MetadataLoader, type MetadataPublisher } from './loader.js';
import { loadOrCreateMetaProperties } from './meta-properties.js';
import { METADATA_TOPIC, MetadataLog, metadataLogConfig } from './metadata-log.js';
import { SnapshotGenerator } from './snapshot-generator.js';
import { SnapshotStore } from './snapshot.js';
import { StoragePublisher } from './storage-publisher.js';
import { randomUuid } from './uuid.js';

export interface MetadataManagerOptions {
  storage: StorageEngine;
  /** The log dir (null: memory mode, nothing survives the process). */
  dataDir: string | null;
  config: BrokerConfig;
  /** The static broker settings as given, for layering dynamic configs over. */
  staticOverrides: Record<string, string>;
  nodeId: number;
}

const NOT_STARTED = MetadataImage.empty('');

export class MetadataManager {
  readonly dynamicConfig: DynamicBrokerConfig;
  readonly describer: ConfigDescriber;
  private loader: MetadataLoader | null = null;
  private _controller: Controller | null = null;
  private _log: MetadataLog | null = null;
  snapshots: SnapshotGenerator | null = null;
  directoryId = '';
  private readonly extraPublishers: MetadataPublisher[] = [];

  constructor(private readonly o: MetadataManagerOptions) {
    this.dynamicConfig = new DynamicBrokerConfig(o.config, o.staticOverrides, o.nodeId);
    this.describer = new ConfigDescriber(this.dynamicConfig, () => this.liveValues());
  }

  /** Broker configs whose values come from how this broker runs rather than from settings. */
  private liveValues(): LiveBrokerValues {
    const me = this.image.cluster.brokers.get(this.o.nodeId);
    const listeners = me ? me.endpoints.map((e) => `${e.name}://${e.host}:${e.port}`).join(',') : null;
    return {
      listeners,
      'advertised.listeners': listeners,
      'log.dirs': this.o.dataDir ? path.resolve(this.o.dataDir) : null,
      'process.roles': 'broker,controller',
      'node.id': String(this.o.nodeId),
      'broker.id': String(this.o.nodeId),
    };
  }

  get image(): MetadataImage {
    return this.loader?.image ?? NOT_STARTED;
  }

  get controller(): Controller {
    if (!this._controller) throw new Error('metadata is not loaded yet');
    return this._controller;
  }

  /** The end offset of the snapshot start-up loaded (-1: none, the log was replayed from 0). */
  get loadedSnapshotOffset(): number {
    return this.loader?.loadedSnapshotOffset ?? -1;
  }

  get metadataLog(): MetadataLog {
    if (!this._log) throw new Error('metadata is not loaded yet');
    return this._log;
  }

  /** Adds a publisher; it first sees the next update after start (or the initial load if added before). */
  installPublisher(p: MetadataPublisher): void {
    if (this.loader) this.loader.installPublisher(p);
    else this.extraPublishers.push(p);
  }

  /** Call after storage.open(): loads the metadata and creates or removes logs to match it. */
  async start(): Promise<void> {
    const { storage, dataDir, config, nodeId } = this.o;
    const meta = dataDir
      ? await loadOrCreateMetaProperties(dataDir, nodeId)
      : { clusterId: randomUuid(), nodeId, directoryId: randomUuid() };
    this.directoryId = meta.directoryId;
    const logConfig = metadataLogConfig(config.logConfig(), config.number('metadata.log.segment.bytes') || 1073741824);
    const metadataLog = await MetadataLog.open(storage, logConfig);
    const loader = new MetadataLoader(meta.clusterId);
    loader.installPublisher(new StoragePublisher(storage, this.dynamicConfig));
    for (const p of this.extraPublishers) loader.installPublisher(p);
    const store = dataDir ? new SnapshotStore(path.join(dataDir, `${METADATA_TOPIC}-0`)) : null;
    const manifest = await loader.load(metadataLog, store);
    if (store) {
      this.snapshots = new SnapshotGenerator(
        store,
        {
          maxBytesBetweenSnapshots: config.number('metadata.log.max.record.bytes.between.snapshots') || 20971520,
          maxIntervalMs: config.number('metadata.log.max.snapshot.interval.ms') || 3600000,
        },
        loader.loadedSnapshotOffset,
      );
      // Counts the tail just replayed, so a long tail gets snapshotted soon.
      this.snapshots.countReplayed(loader.image, manifest.numBytes);
      loader.installPublisher(this.snapshots);
    }
    this.loader = loader;
    this._log = metadataLog;
    this._controller = new Controller({ log: metadataLog, loader, config, nodeId, directoryId: meta.directoryId });
    await this._controller.bootstrap();
  }

  async close(): Promise<void> {
    await this._controller?.drain();
    await this.snapshots?.close();
  }
}
