// Metadata snapshots, in Kafka's layout: `<offset %020d>-<epoch %010d>.checkpoint` in the
// metadata log's directory, where offset is the first offset the snapshot does NOT contain.
// The file is record batches: a control batch with a SnapshotHeaderRecord, data batches of
// framed metadata records (the image written as records), a control batch with a
// SnapshotFooterRecord. Written to a temp file, fsynced and renamed, so a file with the
// .checkpoint name is always whole; a file that fails to parse is skipped.
import { SnapshotFooterRecord } from '../protocol/generated/snapshot-footer-record.js';
import { SnapshotHeaderRecord } from '../protocol/generated/snapshot-header-record.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { BATCH_HEADER_SIZE, CRC, batchSize, computeCrc, isControl, readBatchHeader } from '../protocol/records/batch.js';
import { buildBatch, decodeRecords } from '../protocol/records/records.js';
import { nodeFileSystem, readWholeFile, writeFileAtomic, type FileSystem } from '../storage/fs.js';
import type { MetadataImage } from './image.js';
import { imageToRecords } from './image-records.js';
import { decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord } from './records.js';

export const SNAPSHOT_SUFFIX = '.checkpoint';
/** Kafka's control record types for snapshot framing. */
const SNAPSHOT_HEADER = 3;
const SNAPSHOT_FOOTER = 4;
const RECORDS_PER_BATCH = 512;
/** Older snapshots kept besides the newest (a torn newest one falls back to them). */
const SNAPSHOTS_TO_KEEP = 2;

export interface SnapshotId {
  /** End offset: the snapshot holds every record below it. */
  offset: number;
  epoch: number;
}

export interface LoadedSnapshot {
  id: SnapshotId;
  lastContainedLogTimestamp: number;
  records: MetadataRecord[];
}

export function snapshotFileName(id: SnapshotId): string {
  return `${String(id.offset).padStart(20, '0')}-${String(id.epoch).padStart(10, '0')}${SNAPSHOT_SUFFIX}`;
}

export function parseSnapshotFileName(name: string): SnapshotId | null {
  const m = /^(\d{20})-(\d{10})\.checkpoint$/.exec(name);
  return m ? { offset: Number(m[1]), epoch: Number(m[2]) } : null;
}

function controlRecord(type: number, value: Buffer) {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0); // control record key version
  key.writeInt16BE(type, 2);
  return { key, value };
}

/** The snapshot file's bytes for `image` (all records up to id.offset - 1). */
export function encodeSnapshot(image: MetadataImage, id: SnapshotId): Buffer {
  const ts = Math.max(image.provenance.lastContainedLogTimeMs, 0);
  const header = new Writer(32);
  SnapshotHeaderRecord.encode(header, 0, { version: 0, lastContainedLogTimestamp: ts });
  const footer = new Writer(8);
  SnapshotFooterRecord.encode(footer, 0, { version: 0 });
  const batches: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer, count: number) => {
    batches.push(b);
    offset += count;
  };
  push(buildBatch({ baseOffset: 0, partitionLeaderEpoch: id.epoch, control: true, records: [{ ...controlRecord(SNAPSHOT_HEADER, header.toBuffer()), timestamp: ts }] }), 1);
  const records = imageToRecords(image);
  for (let i = 0; i < records.length; i += RECORDS_PER_BATCH) {
    const chunk = records.slice(i, i + RECORDS_PER_BATCH);
    push(
      buildBatch({
        baseOffset: offset,
        partitionLeaderEpoch: id.epoch,
        records: chunk.map((r) => ({ key: null, value: encodeMetadataRecord(r), timestamp: ts })),
      }),
      chunk.length,
    );
  }
  push(buildBatch({ baseOffset: offset, partitionLeaderEpoch: id.epoch, control: true, records: [{ ...controlRecord(SNAPSHOT_FOOTER, footer.toBuffer()), timestamp: ts }] }), 1);
  return Buffer.concat(batches);
}

/** Parses a snapshot file; throws when it is torn, corrupt or lacks its header or footer. */
export function decodeSnapshot(buf: Buffer, id: SnapshotId): LoadedSnapshot {
  const records: MetadataRecord[] = [];
  let headerTs: number | null = null;
  let footer = false;
  for (let pos = 0; pos < buf.length; ) {
    if (pos + BATCH_HEADER_SIZE > buf.length) throw new Error('snapshot ends inside a batch header');
    const size = batchSize(buf, pos);
    if (size < BATCH_HEADER_SIZE || pos + size > buf.length) throw new Error('snapshot ends inside a batch');
    const batch = buf.subarray(pos, pos + size);
    if (computeCrc(batch, 0) !== batch.readUInt32BE(CRC)) throw new Error(`snapshot batch at byte ${pos} fails its CRC`);
    if (footer) throw new Error('snapshot has batches after its footer');
    const h = readBatchHeader(batch, 0);
    for (const rec of decodeRecords(batch, 0)) {
      if (isControl(h.attributes)) {
        const type = rec.key?.readInt16BE(2);
        if (type === SNAPSHOT_HEADER) headerTs = SnapshotHeaderRecord.decode(new Reader(rec.value!), 0).lastContainedLogTimestamp;
        else if (type === SNAPSHOT_FOOTER) footer = true;
      } else {
        if (headerTs === null) throw new Error('snapshot data before its header');
        if (rec.value !== null) records.push(decodeMetadataRecord(rec.value));
      }
    }
    pos += size;
  }
  if (headerTs === null || !footer) throw new Error('snapshot has no header or no footer');
  return { id, lastContainedLogTimestamp: headerTs, records };
}

/** Snapshot files in one directory (the metadata log's). */
export class SnapshotStore {
  constructor(
    readonly dir: string,
    private readonly fs: FileSystem = nodeFileSystem,
  ) {}

  async list(): Promise<SnapshotId[]> {
    const names = await this.fs.readdir(this.dir).catch(() => [] as string[]);
    return names
      .map(parseSnapshotFileName)
      .filter((id): id is SnapshotId => id !== null)
      .sort((a, b) => a.offset - b.offset || a.epoch - b.epoch);
  }

  /** The newest snapshot that parses whole, at or below `maxOffset`; null when none does. */
  async loadLatest(maxOffset: number, onSkip?: (id: SnapshotId, why: string) => void): Promise<LoadedSnapshot | null> {
    const ids = (await this.list()).filter((id) => id.offset <= maxOffset).reverse();
    for (const id of ids) {
      const buf = await readWholeFile(this.fs, `${this.dir}/${snapshotFileName(id)}`);
      if (!buf) continue;
      try {
        return decodeSnapshot(buf, id);
      } catch (e) {
        onSkip?.(id, (e as Error).message);
      }
    }
    return null;
  }

  /** Writes the image as snapshot `id`, then drops snapshots older than the kept ones. */
  async write(image: MetadataImage, id: SnapshotId): Promise<void> {
    await this.fs.mkdir(this.dir);
    await writeFileAtomic(this.fs, this.dir, snapshotFileName(id), encodeSnapshot(image, id));
    const ids = await this.list();
    for (const old of ids.slice(0, Math.max(0, ids.length - SNAPSHOTS_TO_KEEP))) {
      await this.fs.unlink(`${this.dir}/${snapshotFileName(old)}`).catch(() => undefined);
    }
  }
}
