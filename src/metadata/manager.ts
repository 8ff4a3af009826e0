// Wires the metadata side of a broker: meta.properties, the metadata log on the storage engine,
// the loader and its publishers, snapshots and the controller. start() loads the newest
// snapshot, replays the log after it and brings storage in line with the resulting image.
// A lone node's controller writes the log itself; in a cluster the raft driver writes it, and
// the loader replays what the quorum committed as the high watermark moves (applyCommitted).
import path from 'node:path';
import type { BrokerConfig } from '../config.js';
import type { StorageEngine } from '../storage/types.js';
import { ConfigDescriber, type LiveBrokerValues } from './config-describer.js';
import { Controller } from './controller.js';
import { LocalCommitter } from '../controller/local-committer.js';
import type { MetadataCommitter } from '../controller/metadata-committer.js';
import { stripedReplicaPlacer } from '../controller/replica-placer.js';
import { DynamicBrokerConfig } from './dynamic-config.js';
import { MetadataImage } from './image.js';
import { MetadataLoader, type MetadataPublisher } from './loader.js';
import { loadOrCreateMetaProperties } from './meta-properties.js';
import { METADATA_TOPIC, MetadataLog, metadataLogConfig, type MetadataBatch } from './metadata-log.js';
import { SnapshotGenerator } from './snapshot-generator.js';
import { SnapshotStore, type SnapshotId } from './snapshot.js';
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
  /**
   * Cluster mode (process.roles set): nothing is written here; the raft driver appends the log
   * and calls applyCommitted, and a controller exists only once installController is called.
   */
  cluster?: boolean;
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
  /** Cluster mode: the last committed offset replayed (the high watermark - 1). */
  private committedOffset = -1;
  private replaying: Promise<void> = Promise.resolve();
  private readonly replayWaiters: { offset: number; resolve: () => void }[] = [];
  private store: SnapshotStore | null = null;

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
    this.store = store;
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
    this.committedOffset = loader.image.offset;
    if (this.o.cluster) return;
    this.installController(new LocalCommitter(metadataLog, loader));
    await this._controller!.bootstrap();
  }

  /** Creates this node's controller, committing through `committer` (null: inactive until activated). */
  installController(committer: MetadataCommitter | null, clock?: () => number): Controller {
    const loader = this.loader;
    if (!loader) throw new Error('metadata is not loaded yet');
    this._controller = new Controller({
      committer,
      image: () => loader.image,
      config: this.o.config,
      nodeId: this.o.nodeId,
      directoryId: this.directoryId,
      clock,
      placer: this.o.cluster ? stripedReplicaPlacer() : undefined,
      bootstrapRecords: loader.bootstrapRecords ?? undefined,
    });
    return this._controller;
  }

  /** Whether this node runs a controller (always on a lone node; in a cluster, a controller role). */
  get hasController(): boolean {
    return this._controller !== null;
  }

  /** Cluster mode: the offset of the last committed record replayed into the image (-1: none). */
  get replayedOffset(): number {
    return this.committedOffset;
  }

  /**
   * Cluster mode: the quorum's high watermark moved to `highWatermark` (the metadata log's high
   * watermark already set there): replays the batches below it and publishes their images, in
   * order. Calls are serialized; a call that finds nothing new returns at once.
   */
  applyCommitted(highWatermark: number): Promise<void> {
    const next = this.replaying.then(async () => {
      const loader = this.loader;
      const metadataLog = this._log;
      if (!loader || !metadataLog || highWatermark - 1 <= this.committedOffset) return;
      const batches: MetadataBatch[] = [];
      await metadataLog.read(this.committedOffset + 1, (b) => {
        if (b.lastOffset < highWatermark) batches.push(b);
      });
      for (const b of batches) await loader.commit(b);
      // Control batches (LeaderChange) are committed too, though they never reach the image.
      this.committedOffset = Math.max(this.committedOffset, highWatermark - 1);
      this.wakeReplayWaiters();
    });
    this.replaying = next.catch(() => undefined);
    return next;
  }

  /**
   * Cluster mode: the raft driver installed snapshot `id` fetched from the leader (the log now
   * starts at it): the image becomes the snapshot's. Serialized with applyCommitted.
   */
  installSnapshot(id: SnapshotId): Promise<void> {
    const next = this.replaying.then(async () => {
      const loader = this.loader;
      if (!loader || !this.store || id.offset - 1 <= this.committedOffset) return;
      const snapshot = await this.store.loadLatest(id.offset);
      if (!snapshot || snapshot.id.offset !== id.offset) throw new Error(`metadata snapshot at offset ${id.offset} not found`);
      await loader.installSnapshot(snapshot);
      this.committedOffset = id.offset - 1;
      this.wakeReplayWaiters();
    });
    this.replaying = next.catch(() => undefined);
    return next;
  }

  /** Resolves once the record at `offset` is committed and replayed (cluster mode). */
  whenReplayed(offset: number): Promise<void> {
    if (offset <= this.committedOffset) return Promise.resolve();
    return new Promise((resolve) => this.replayWaiters.push({ offset, resolve }));
  }

  private wakeReplayWaiters(): void {
    for (let i = this.replayWaiters.length - 1; i >= 0; i--) {
      const w = this.replayWaiters[i];
      if (w.offset <= this.committedOffset) {
        this.replayWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  async close(): Promise<void> {
    await this._controller?.drain();
    await this.snapshots?.close();
  }
}
