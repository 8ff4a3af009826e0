// A stopped cluster node's metadata as its data dir holds it: the committed batches of
// __cluster_metadata-0 (up to the checkpointed high watermark) and the image replayed from its
// newest snapshot plus that log, read with samsa's own storage and loader.
import path from 'node:path';
import { MetadataDelta } from '../../src/metadata/delta.js';
import { EMPTY_PROVENANCE, MetadataImage } from '../../src/metadata/image.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import { METADATA_TOPIC, MetadataLog, metadataLogConfig } from '../../src/metadata/metadata-log.js';
import { SnapshotStore } from '../../src/metadata/snapshot.js';
import { BrokerConfig } from '../../src/config.js';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { plainImage } from '../metadata/helpers.js';

export interface DiskMetadata {
  logStartOffset: number;
  highWatermark: number;
  /** Committed data batches, each as a comparable string, by base offset. */
  batches: Map<number, string>;
  /** The image replayed from disk, as plain data, and the offset it reached. */
  image: string;
  imageOffset: number;
  /** Offsets an image can be rebuilt at from this dir (a snapshot's end, or a batch end after one). */
  reachable: Set<number>;
}

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

/** The image a node's data dir replays to up to `offset` (inclusive): newest snapshot at or below it, then the log. */
export async function imageAt(nodeDir: string, offset: number): Promise<string> {
  const storage = new FileStorageEngine(nodeDir, undefined, { replicated: (topic) => topic === METADATA_TOPIC });
  await storage.open();
  try {
    const log = await MetadataLog.open(storage, metadataLogConfig(new BrokerConfig().logConfig(), 1073741824));
    const snapshot = await new SnapshotStore(path.join(nodeDir, `${METADATA_TOPIC}-0`)).loadLatest(offset + 1);
    const delta = new MetadataDelta(MetadataImage.empty(''));
    for (const r of snapshot?.records ?? []) delta.replay(r);
    let reached = (snapshot?.id.offset ?? 0) - 1;
    await log.read(snapshot?.id.offset ?? 0, (b) => {
      if (b.lastOffset > offset) return;
      for (const r of b.records) delta.replay(r);
      reached = b.lastOffset;
    });
    if (reached !== offset) throw new Error(`${nodeDir} replays to ${reached}, not ${offset}`);
    return json({ ...plainImage(delta.apply(EMPTY_PROVENANCE)), clusterId: undefined });
  } finally {
    await storage.close();
  }
}

export async function readDiskMetadata(nodeDir: string): Promise<DiskMetadata> {
  const storage = new FileStorageEngine(nodeDir, undefined, { replicated: (topic) => topic === METADATA_TOPIC });
  await storage.open();
  try {
    const log = await MetadataLog.open(storage, metadataLogConfig(new BrokerConfig().logConfig(), 1073741824));
    const batches = new Map<number, string>();
    await log.read(0, (b) => batches.set(b.baseOffset, json({ lastOffset: b.lastOffset, epoch: b.epoch, records: b.records })));
    const snapshotIds = await new SnapshotStore(path.join(nodeDir, `${METADATA_TOPIC}-0`)).list();
    const reachable = new Set(snapshotIds.map((id) => id.offset - 1));
    // Batches count from the log start on, when a snapshot (or the log's beginning) is there to start from.
    if (log.startOffset === 0 || snapshotIds.some((id) => id.offset <= log.startOffset)) {
      for (const [base, b] of batches) if (base >= log.startOffset) reachable.add(JSON.parse(b).lastOffset);
    }
    const loader = new MetadataLoader('');
    await loader.load(log, new SnapshotStore(path.join(nodeDir, `${METADATA_TOPIC}-0`)));
    const image = loader.image;
    return {
      logStartOffset: log.startOffset,
      highWatermark: log.log.highWatermark,
      batches,
      image: json({ ...plainImage(image), clusterId: undefined }),
      imageOffset: image.offset,
      reachable,
    };
  } finally {
    await storage.close();
  }
}

/** The newest offset at or below every node's image that every node can rebuild its image at. */
export function commonImageOffset(disks: DiskMetadata[]): number {
  const limit = Math.min(...disks.map((d) => d.imageOffset));
  let best = -1;
  for (const o of disks[0].reachable) if (o <= limit && o > best && disks.every((d) => d.reachable.has(o))) best = o;
  return best;
}

/** Batches two nodes both hold (committed) that differ; empty when their logs agree. */
export function differingBatches(a: DiskMetadata, b: DiskMetadata): number[] {
  const out: number[] = [];
  for (const [offset, batch] of a.batches) {
    const other = b.batches.get(offset);
    if (other !== undefined && other !== batch) out.push(offset);
  }
  return out;
}

/** How many committed batches two nodes both hold. */
export function sharedBatches(a: DiskMetadata, b: DiskMetadata): number {
  let n = 0;
  for (const offset of a.batches.keys()) if (b.batches.has(offset)) n++;
  return n;
}
