// Producer-state snapshot files, `<offset>.snapshot` as Kafka names them: the state as of that
// offset, so a load replays only the batches after it. One is written only once every byte
// below its offset is fsynced, which makes the newest snapshot the log's recovery point too.
import { readWholeFile, writeFileAtomic, type FileSystem } from './fs.js';
import { ProducerStateManager } from './producer-state.js';
import { segmentFileName } from './segment.js';

export const SNAPSHOT_SUFFIX = '.snapshot';
/** Snapshots kept: the newest and one before it, in case the newest is ahead of a truncated log. */
const SNAPSHOTS_TO_KEEP = 2;

export function snapshotOffsets(fileNames: string[]): number[] {
  return fileNames
    .filter((n) => /^\d{20}\.snapshot$/.test(n))
    .map((n) => Number(n.slice(0, 20)))
    .sort((a, b) => a - b);
}

export async function readSnapshot(fs: FileSystem, dir: string, offset: number): Promise<ProducerStateManager | null> {
  const buf = await readWholeFile(fs, `${dir}/${segmentFileName(offset, SNAPSHOT_SUFFIX)}`);
  return buf && ProducerStateManager.decode(buf);
}

export function deleteSnapshot(fs: FileSystem, dir: string, offset: number): Promise<void> {
  return fs.unlink(`${dir}/${segmentFileName(offset, SNAPSHOT_SUFFIX)}`).catch(() => undefined);
}

/** Writes a snapshot durably, then drops the older ones beyond the few kept. */
export async function writeSnapshot(fs: FileSystem, dir: string, offset: number, data: Buffer): Promise<void> {
  await writeFileAtomic(fs, dir, segmentFileName(offset, SNAPSHOT_SUFFIX), data);
  const offsets = snapshotOffsets(await fs.readdir(dir)).filter((o) => o < offset);
  for (const o of offsets.slice(0, Math.max(0, offsets.length - (SNAPSHOTS_TO_KEEP - 1)))) await deleteSnapshot(fs, dir, o);
}
