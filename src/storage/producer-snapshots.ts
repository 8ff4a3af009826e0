// Producer-state snapshot files, `<offset>.snapshot` as Kafka names them: the state as of that
// offset, so a load replays only the batches after it. One is written only once every byte
// below its offset is fsynced, which makes the newest snapshot the log's recovery point too.
import {
  ATTRIBUTES,
  BASE_SEQUENCE,
  LAST_OFFSET_DELTA,
  MAX_TIMESTAMP,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  isControl,
  isTransactional,
  readInt64,
} from '../protocol/records/batch.js';
import { readEndTxnMarker } from '../protocol/records/control-batch.js';
import { readFully, readWholeFile, writeFileAtomic, type FileSystem } from './fs.js';
import { ProducerStateManager, lastSequence, type CompletedTxn } from './producer-state.js';
import { segmentFileName, type LogSegment } from './segment.js';

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

/**
 * The producer state as of `logEndOffset` (Kafka's rebuildProducerState): the newest readable
 * snapshot at or below it, plus the batch headers after it. At load, and when a log is cut back
 * to its last published write.
 */
export async function loadProducerState(
  fs: FileSystem,
  dir: string,
  segments: LogSegment[],
  snapshots: number[],
  logEndOffset: number,
  indexIntervalBytes: number,
): Promise<ProducerStateManager> {
  return (await recoverProducerState(fs, dir, segments, snapshots, logEndOffset, indexIntervalBytes)).state;
}

export interface RecoveredProducerState {
  state: ProducerStateManager;
  /** Where the replay of the log started (the snapshot's offset, or the log start). */
  from: number;
  /** The transactions the replayed markers completed, in offset order (to rebuild `.txnindex`). */
  completed: CompletedTxn[];
}

/** loadProducerState, also telling what the replay after the snapshot found. */
export async function recoverProducerState(
  fs: FileSystem,
  dir: string,
  segments: LogSegment[],
  snapshots: number[],
  logEndOffset: number,
  indexIntervalBytes: number,
): Promise<RecoveredProducerState> {
  const completed: CompletedTxn[] = [];
  let state: ProducerStateManager | null = null;
  let from = segments[0].baseOffset;
  for (const offset of [...snapshots].reverse()) {
    if (offset > logEndOffset) {
      // Ahead of a log that recovery truncated: it describes batches that are gone.
      await deleteSnapshot(fs, dir, offset);
      continue;
    }
    if (state) break;
    state = await readSnapshot(fs, dir, offset);
    if (state) from = offset;
    else await deleteSnapshot(fs, dir, offset);
  }
  state ??= new ProducerStateManager();
  if (from >= logEndOffset) return { state, from, completed };
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const segmentEnd = i + 1 < segments.length ? segments[i + 1].baseOffset : Infinity;
    if (segmentEnd <= from || seg.committedSize === 0) continue;
    const start = from > seg.baseOffset ? await seg.positionFor(from, indexIntervalBytes) : 0;
    for await (const b of seg.scan(start, seg.committedSize, false)) {
      const baseOffset = readInt64(b.buf, b.pos);
      const producerId = readInt64(b.buf, b.pos + PRODUCER_ID);
      if (baseOffset < from || producerId < 0) continue;
      const baseSequence = b.buf.readInt32BE(b.pos + BASE_SEQUENCE);
      const lastOffsetDelta = b.buf.readInt32BE(b.pos + LAST_OFFSET_DELTA);
      const attributes = b.buf.readInt16BE(b.pos + ATTRIBUTES);
      const control = isControl(attributes);
      let marker = null;
      if (control) {
        // Markers are tiny; one cut by the scan's chunk end is read on its own.
        const whole = b.pos + b.size <= b.buf.length ? b.buf.subarray(b.pos, b.pos + b.size) : await readFully(seg.file, b.filePosition, b.size);
        marker = readEndTxnMarker(whole, 0);
      }
      const done = state.replay(
        producerId,
        b.buf.readInt16BE(b.pos + PRODUCER_EPOCH),
        control,
        {
          firstSeq: baseSequence,
          lastSeq: lastSequence(baseSequence, lastOffsetDelta),
          firstOffset: baseOffset,
          lastOffset: baseOffset + lastOffsetDelta,
          timestamp: readInt64(b.buf, b.pos + MAX_TIMESTAMP),
        },
        isTransactional(attributes),
        marker,
      );
      if (done) completed.push(done);
    }
  }
  return { state, from, completed };
}
