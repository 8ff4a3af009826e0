// Kafka's metadata log retention: once a snapshot covers the log's head, the records below it go
// when the log has grown past metadata.max.retention.bytes or its oldest record is older than
// metadata.max.retention.ms. Kept as a tally of what the loader replayed (bytes, and when the
// oldest record still in the log was replayed), so nothing reads the log to decide.
import { log } from '../log.js';
import type { MetadataPublisher, LoaderManifest } from '../metadata/loader.js';
import type { SnapshotId } from '../metadata/snapshot.js';

export interface MetadataLogCleanerOptions {
  /** metadata.max.retention.bytes (-1: no limit). */
  retentionBytes: number;
  /** metadata.max.retention.ms (-1: no limit). */
  retentionMs: number;
  /** Deletes the log below `offset` (the raft driver's deleteLogBefore). */
  deleteBefore(offset: number): Promise<number>;
  now?: () => number;
}

export class MetadataLogCleaner implements MetadataPublisher {
  readonly name = 'MetadataLogCleaner';
  /** Record bytes replayed since the log's start (as far as this node knows). */
  private bytes = 0;
  /** When the oldest record still in the log was replayed (-1: none yet). */
  private oldestAt = -1;
  private cleaning: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: MetadataLogCleanerOptions) {}

  onMetadataUpdate(_delta: unknown, _image: unknown, manifest: LoaderManifest): void {
    this.bytes += manifest.numBytes;
    if (this.oldestAt < 0 && manifest.numBytes > 0) this.oldestAt = (this.o.now ?? Date.now)();
  }

  /** A snapshot at `id` was written: clean below it if retention says so. */
  snapshotWritten(id: SnapshotId): void {
    const now = (this.o.now ?? Date.now)();
    const overBytes = this.o.retentionBytes >= 0 && this.bytes > this.o.retentionBytes;
    const overTime = this.o.retentionMs >= 0 && this.oldestAt >= 0 && now - this.oldestAt > this.o.retentionMs;
    if (!overBytes && !overTime) return;
    this.cleaning = this.cleaning.then(async () => {
      try {
        const start = await this.o.deleteBefore(id.offset);
        this.bytes = 0;
        this.oldestAt = -1;
        log.info(`metadata log cleaned below the snapshot at offset ${id.offset} (log start ${start})`);
      } catch (e) {
        log.warn(`cleaning the metadata log below ${id.offset} failed: ${(e as Error).message}`);
      }
    });
  }
}
