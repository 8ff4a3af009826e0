// Builds images from the metadata log and hands each one to the publishers (Kafka's
// MetadataLoader). At start it loads the newest snapshot and replays the log after it; while
// running it replays each committed batch. Publishers see every (delta, newImage) in order.
import { log } from '../log.js';
import { MetadataDelta } from './delta.js';
import { EMPTY_PROVENANCE, MetadataImage, type MetadataProvenance } from './image.js';
import type { MetadataBatch, MetadataLog } from './metadata-log.js';
import type { SnapshotStore } from './snapshot.js';

/** What an update was built from. */
export interface LoaderManifest {
  source: 'log' | 'snapshot+log';
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
