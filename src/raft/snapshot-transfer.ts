// Snapshot files as FetchSnapshot moves them: the leader reads a byte range of a finished
// `.checkpoint` file; the follower writes the ranges it fetched into a `.part` file beside it and,
// once complete, fsyncs it and renames it to its `.checkpoint` name (Kafka's layout, the same
// files src/metadata/snapshot.ts writes and loads). Bytes are opaque here.
import { nodeFileSystem, type FileHandle, type FileSystem } from '../storage/fs.js';
import { parseSnapshotFileName, snapshotFileName, type SnapshotId } from '../metadata/snapshot.js';

const PART_SUFFIX = '.part';

export type ChunkRead = { bytes: Buffer; size: number } | { error: 'SNAPSHOT_NOT_FOUND' | 'POSITION_OUT_OF_RANGE' };

export class SnapshotFiles {
  /** The .part file being filled, one at a time. */
  private pending: { id: SnapshotId; fh: FileHandle } | null = null;

  constructor(
    readonly dir: string,
    private readonly fs: FileSystem = nodeFileSystem,
  ) {}

  /** The newest complete snapshot, if any. */
  async latest(): Promise<SnapshotId | undefined> {
    const names = await this.fs.readdir(this.dir).catch(() => [] as string[]);
    const ids = names.map(parseSnapshotFileName).filter((id): id is SnapshotId => id !== null);
    ids.sort((a, b) => a.offset - b.offset || a.epoch - b.epoch);
    return ids[ids.length - 1];
  }

  /** Bytes [position, position + maxBytes) of snapshot `id`, and its size. */
  async read(id: SnapshotId, position: number, maxBytes: number): Promise<ChunkRead> {
    let fh: FileHandle;
    try {
      fh = await this.fs.open(`${this.dir}/${snapshotFileName(id)}`, 'r');
    } catch {
      return { error: 'SNAPSHOT_NOT_FOUND' };
    }
    try {
      const size = await fh.size();
      if (position < 0 || position > size) return { error: 'POSITION_OUT_OF_RANGE' };
      const length = Math.max(0, Math.min(maxBytes, size - position));
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const n = await fh.read(buf, got, length - got, position + got);
        if (n === 0) break;
        got += n;
      }
      return { bytes: buf.subarray(0, got), size };
    } finally {
      await fh.close();
    }
  }

  /** Writes a fetched range of snapshot `id` (a different id starts over). */
  async write(id: SnapshotId, position: number, bytes: Buffer): Promise<void> {
    if (this.pending && (this.pending.id.offset !== id.offset || this.pending.id.epoch !== id.epoch)) await this.abort();
    if (!this.pending) {
      await this.fs.mkdir(this.dir);
      const fh = await this.fs.open(this.partPath(id), 'rw');
      if (position === 0) await fh.truncate(0);
      this.pending = { id, fh };
    }
    if (bytes.length > 0) await this.pending.fh.write([bytes], position);
  }

  /** The snapshot is whole: make it durable under its .checkpoint name. */
  async install(id: SnapshotId): Promise<void> {
    if (!this.pending || this.pending.id.offset !== id.offset || this.pending.id.epoch !== id.epoch) {
      throw new Error(`snapshot ${snapshotFileName(id)}: nothing fetched to install`);
    }
    const { fh } = this.pending;
    this.pending = null;
    await fh.sync();
    await fh.close();
    await this.fs.rename(this.partPath(id), `${this.dir}/${snapshotFileName(id)}`);
    await this.fs.syncDir(this.dir);
  }

  async abort(): Promise<void> {
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    await p.fh.close().catch(() => undefined);
    await this.fs.unlink(this.partPath(p.id)).catch(() => undefined);
  }

  private partPath(id: SnapshotId): string {
    return `${this.dir}/${snapshotFileName(id)}${PART_SUFFIX}`;
  }
}
