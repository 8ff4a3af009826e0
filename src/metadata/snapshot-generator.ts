// Decides when to snapshot the image (Kafka's SnapshotGenerator): after enough record bytes since
// the last snapshot (metadata.log.max.record.bytes.between.snapshots), or on a timer when
// anything changed (metadata.log.max.snapshot.interval.ms). Writes run in the background, one at
// a time, always of the newest image.
import { log } from '../log.js';
import type { MetadataImage } from './image.js';
import type { LoaderManifest, MetadataPublisher } from './loader.js';
import type { MetadataDelta } from './delta.js';
import type { SnapshotId, SnapshotStore } from './snapshot.js';

export interface SnapshotPolicy {
  maxBytesBetweenSnapshots: number;
  maxIntervalMs: number;
}

export class SnapshotGenerator implements MetadataPublisher {
  readonly name = 'SnapshotGenerator';
  private latest: MetadataImage | null = null;
  private bytesSinceLast = 0;
  private lastWrittenOffset = -1;
  private writing: Promise<SnapshotId | null> | null = null;
  private again = false;
  private readonly timer: NodeJS.Timeout | null;
  /** Told of each snapshot written (a cluster node tells its raft driver, which may then clean the log). */
  onSnapshotWritten: ((id: SnapshotId) => void) | null = null;

  constructor(
    private readonly store: SnapshotStore,
    private readonly policy: SnapshotPolicy,
    loadedSnapshotOffset: number,
  ) {
    this.lastWrittenOffset = loadedSnapshotOffset - 1;
    this.timer =
      policy.maxIntervalMs > 0 && policy.maxIntervalMs < 2147483647
        ? setInterval(() => {
            if (this.bytesSinceLast > 0) void this.snapshotNow().catch(() => undefined);
          }, policy.maxIntervalMs)
        : null;
    this.timer?.unref();
  }

  onMetadataUpdate(_delta: MetadataDelta, image: MetadataImage, manifest: LoaderManifest): void {
    this.countReplayed(image, manifest.numBytes);
  }

  /** Counts records replayed into `image` (also the log tail replayed at start). */
  countReplayed(image: MetadataImage, numBytes: number): void {
    this.latest = image;
    this.bytesSinceLast += numBytes;
    if (this.bytesSinceLast >= this.policy.maxBytesBetweenSnapshots) void this.snapshotNow().catch(() => undefined);
  }

  /** Snapshots the newest image unless it is already snapshotted; resolves with the snapshot written. */
  snapshotNow(): Promise<SnapshotId | null> {
    if (this.writing) {
      this.again = true;
      return this.writing;
    }
    this.writing = this.write().finally(() => {
      this.writing = null;
      if (this.again) {
        this.again = false;
        void this.snapshotNow().catch(() => undefined);
      }
    });
    return this.writing;
  }

  private async write(): Promise<SnapshotId | null> {
    const image = this.latest;
    if (!image || image.offset < 0 || image.offset === this.lastWrittenOffset) return null;
    const id = { offset: image.offset + 1, epoch: Math.max(image.provenance.lastContainedEpoch, 0) };
    this.bytesSinceLast = 0;
    try {
      await this.store.write(image, id);
    } catch (e) {
      log.error(`writing metadata snapshot at offset ${id.offset} failed: ${(e as Error)?.message ?? e}`);
      throw e;
    }
    this.lastWrittenOffset = image.offset;
    log.debug(`wrote metadata snapshot at offset ${id.offset}`);
    this.onSnapshotWritten?.(id);
    return id;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.writing?.catch(() => undefined);
  }
}
