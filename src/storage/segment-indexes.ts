// A segment's two sparse indexes, with the running state that decides where the next entries
// go, and their files: loaded with a sanity check, written incrementally, fsynced.
import { readWholeFile, type FileSystem } from './fs.js';
import { OFFSET_ENTRY_SIZE, OffsetIndex } from './offset-index.js';
import { TIME_ENTRY_SIZE, TimeIndex } from './time-index.js';

export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
const INT32_MAX = 2147483647;

/** A segment's indexes with the running state that decides where the next entries go. */
export interface IndexState {
  offsetIndex: OffsetIndex;
  timeIndex: TimeIndex;
  maxTimestamp: number;
  offsetOfMaxTimestamp: number;
  bytesSinceLastIndexEntry: number;
}

/** `rebuilt`: whatever index files exist are stale and get rewritten whole. */
export function newIndexState(baseOffset: number, rebuilt = false): IndexState {
  const offsetIndex = new OffsetIndex(baseOffset);
  const timeIndex = new TimeIndex(baseOffset);
  if (rebuilt) offsetIndex.persisted = timeIndex.persisted = -1;
  return {
    offsetIndex,
    timeIndex,
    maxTimestamp: -1,
    offsetOfMaxTimestamp: baseOffset,
    bytesSinceLastIndexEntry: 0,
  };
}

// Kafka's LogSegment.append: an index entry for the batch that starts after more than
// index.interval.bytes since the previous entry.
export function addBatch(ix: IndexState, lastOffset: number, maxTimestamp: number, position: number, size: number, interval: number): void {
  if (maxTimestamp > ix.maxTimestamp) {
    ix.maxTimestamp = maxTimestamp;
    ix.offsetOfMaxTimestamp = lastOffset;
  }
  if (ix.bytesSinceLastIndexEntry > interval) {
    ix.offsetIndex.append(lastOffset, position);
    ix.timeIndex.maybeAppend(ix.maxTimestamp, ix.offsetOfMaxTimestamp);
    ix.bytesSinceLastIndexEntry = 0;
  }
  ix.bytesSinceLastIndexEntry += size;
}

/** The index files of a segment, or null when missing or not consistent with a log of `logSize` bytes. */
export async function readIndexFiles(
  fs: FileSystem,
  path: (suffix: string) => string,
  baseOffset: number,
  logSize: number,
): Promise<IndexState | null> {
  const [offsets, times] = await Promise.all([readWholeFile(fs, path(INDEX_SUFFIX)), readWholeFile(fs, path(TIME_INDEX_SUFFIX))]);
  const offsetIndex = offsets && OffsetIndex.decode(baseOffset, offsets, logSize);
  const timeIndex = times && TimeIndex.decode(baseOffset, times, baseOffset + INT32_MAX);
  // A segment with data has a time index entry at least for its final max timestamp.
  if (!offsetIndex || !timeIndex || (timeIndex.entries === 0 && logSize > 0)) return null;
  return {
    offsetIndex,
    timeIndex,
    // The last time index entry is the segment's final max (written when it was closed or rolled).
    maxTimestamp: timeIndex.lastTimestamp,
    offsetOfMaxTimestamp: timeIndex.lastOffset,
    bytesSinceLastIndexEntry: logSize - offsetIndex.lastPosition,
  };
}

/**
 * Writes and fsyncs the entries not yet on disk. `final` (roll, close) first records the
 * segment's max timestamp as the last time index entry, as Kafka does, so a reload knows it.
 */
export async function writeIndexFiles(fs: FileSystem, path: (suffix: string) => string, ix: IndexState, final: boolean): Promise<void> {
  if (final) ix.timeIndex.maybeAppend(ix.maxTimestamp, ix.offsetOfMaxTimestamp);
  const targets: [OffsetIndex | TimeIndex, string, number][] = [
    [ix.offsetIndex, INDEX_SUFFIX, OFFSET_ENTRY_SIZE],
    [ix.timeIndex, TIME_INDEX_SUFFIX, TIME_ENTRY_SIZE],
  ];
  for (const [index, suffix, entrySize] of targets) {
    const count = index.entries;
    if (index.persisted === count) continue;
    const from = Math.max(index.persisted, 0);
    const fh = await fs.open(path(suffix), 'rw');
    try {
      if (count > from) await fh.write([index.encode(from)], from * entrySize);
      await fh.truncate(count * entrySize);
      await fh.sync();
    } finally {
      await fh.close();
    }
    index.persisted = count;
  }
}
