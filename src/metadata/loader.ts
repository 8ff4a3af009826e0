// Builds images from the metadata log and hands each one to the publishers (Kafka's
// MetadataLoader). At start it loads the newest snapshot and replays the log after it; while
// running it replays each committed batch. Publishers see every (delta, newImage) in order.
import { log } from '../log.js';
import { MetadataDelta } from './delta.js';
import { EMPTY_PROVENANCE, MetadataImage, type MetadataProvenance } from './image.js';
import type { MetadataBatch, MetadataLog } from './metadata-log.js';
import { RecordType, type MetadataRecord } from './records.js';
import type { LoadedSnapshot, SnapshotStore } from './snapshot.js';

/** What an update was built from. */
export interface LoaderManifest {
  source: 'log' | 'snapshot+log' | 'snapshot';
  provenance: MetadataProvenance;
  /** Encoded size of the records replayed into this update. */
  numBytes: number;
}

export interface MetadataPublisher {
  readonly name: string;
  onMetadataUpdate(delta: MetadataDelta, image: MetadataImage, manifest: LoaderManifest): void | Promise<void>;
}

export class MetadataLoader {
  private current: MetadataImage;
  private readonly publishers: MetadataPublisher[] = [];
  /** Where the image loaded at start came from, for logs and tests. */
  loadedSnapshotOffset = -1;
  /** The data records of the bootstrap checkpoint (snapshot 0-0) loaded at start; null: none loaded. */
  bootstrapRecords: MetadataRecord[] | null = null;

  constructor(clusterId: string) {
    this.current = MetadataImage.empty(clusterId);
  }

  get image(): MetadataImage {
    return this.current;
  }

  installPublisher(p: MetadataPublisher): void {
    this.publishers.push(p);
  }

  /** Start-up: newest snapshot (if any) plus the log after it, published as one update. */
  async load(metadataLog: MetadataLog, snapshots: SnapshotStore | null): Promise<LoaderManifest> {
    const snapshot = snapshots
      ? await snapshots.loadLatest(metadataLog.endOffset, (id, why) => log.warn(`skipping metadata snapshot at offset ${id.offset}: ${why}`))
      : null;
    const delta = new MetadataDelta(this.current);
    let provenance: MetadataProvenance = EMPTY_PROVENANCE;
    let numBytes = 0;
    let from = 0;
    if (snapshot) {
      for (const r of snapshot.records) delta.replay(r);
      provenance = {
        lastContainedOffset: snapshot.id.offset - 1,
        lastContainedEpoch: snapshot.id.epoch,
        lastContainedLogTimeMs: snapshot.lastContainedLogTimestamp,
      };
      from = snapshot.id.offset;
      this.loadedSnapshotOffset = snapshot.id.offset;
      if (snapshot.id.offset === 0) this.bootstrapRecords = snapshot.records;
    }
    await metadataLog.read(from, (b) => {
      for (const r of b.records) delta.replay(r);
      numBytes += b.numBytes;
      provenance = { lastContainedOffset: b.lastOffset, lastContainedEpoch: b.epoch, lastContainedLogTimeMs: b.timestamp };
    });
    const manifest: LoaderManifest = { source: snapshot ? 'snapshot+log' : 'log', provenance, numBytes };
    await this.publish(delta, delta.apply(provenance), manifest);
    return manifest;
  }

  /** A batch the controller committed: replay it and publish the next image. */
  async commit(batch: MetadataBatch): Promise<MetadataDelta> {
    const delta = new MetadataDelta(this.current);
    for (const r of batch.records) delta.replay(r);
    const provenance = { lastContainedOffset: batch.lastOffset, lastContainedEpoch: batch.epoch, lastContainedLogTimeMs: batch.timestamp };
    await this.publish(delta, delta.apply(provenance), { source: 'log', provenance, numBytes: batch.numBytes });
    return delta;
  }

  /**
   * A snapshot replaces the image (a cluster follower fetched it: its log fell behind the leader's
   * log start). Published as one delta from the current image, so what the snapshot no longer has
   * is removed for the publishers too (Kafka's MetadataDelta.finishSnapshot).
   */
  async installSnapshot(snapshot: LoadedSnapshot): Promise<void> {
    const fresh = new MetadataDelta(MetadataImage.empty(this.current.clusterId));
    for (const r of snapshot.records) fresh.replay(r);
    const target = fresh.apply(EMPTY_PROVENANCE);
    const delta = new MetadataDelta(this.current);
    for (const r of removalsFor(this.current, target)) delta.replay(r);
    for (const r of snapshot.records) delta.replay(r);
    const provenance = { lastContainedOffset: snapshot.id.offset - 1, lastContainedEpoch: snapshot.id.epoch, lastContainedLogTimeMs: snapshot.lastContainedLogTimestamp };
    await this.publish(delta, delta.apply(provenance), { source: 'snapshot', provenance, numBytes: 0 });
  }

  private async publish(delta: MetadataDelta, image: MetadataImage, manifest: LoaderManifest): Promise<void> {
    this.current = image;
    for (const p of this.publishers) {
      try {
        await p.onMetadataUpdate(delta, image, manifest);
      } catch (e) {
        // The change is committed; a publisher that fails leaves its component behind, as in Kafka.
        log.error(`metadata publisher ${p.name} failed at offset ${image.offset}: ${(e as Error)?.stack ?? e}`);
      }
    }
  }
}

/** Kafka's UnregisterBrokerRecord type (no state of its own in RecordType). */
const UNREGISTER_BROKER = 1;

/** Records that remove from `from` whatever `to` lacks: topics, brokers, config entries. */
function removalsFor(from: MetadataImage, to: MetadataImage): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const t of from.topics.all()) {
    if (!to.topics.getById(t.topicId)) out.push({ type: RecordType.REMOVE_TOPIC, version: 0, data: { topicId: t.topicId } });
  }
  for (const [id, b] of from.cluster.brokers) {
    if (!to.cluster.brokers.has(id)) out.push({ type: UNREGISTER_BROKER, version: 0, data: { brokerId: id, brokerEpoch: b.epoch } });
  }
  for (const [key, entries] of from.configs.resources) {
    const colon = key.indexOf(':');
    const resourceType = Number(key.slice(0, colon));
    const resourceName = key.slice(colon + 1);
    const kept = to.configs.resources.get(key);
    for (const name of entries.keys()) {
      if (!kept?.has(name)) out.push({ type: RecordType.CONFIG, version: 0, data: { resourceType, resourceName, name, value: null } });
    }
  }
  return out;
}
