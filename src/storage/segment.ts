// One log segment: `<base offset>.log` with its `.index`, `.timeindex` and (once a transaction
// aborted in it) `.txnindex`. The log file is appended by its partition's write loop; indexes
// live in memory and are written out on roll, flush and close (after a crash they are rebuilt
// from the log by recovery).
import {
  BATCH_HEADER_SIZE,
  LAST_OFFSET_DELTA,
  MAGIC,
  MAX_TIMESTAMP,
  CURRENT_MAGIC,
  batchSize,
  isCrcValid,
  readInt64,
} from '../protocol/records/batch.js';
import type { PlannedBatch } from './append-plan.js';
import { ErrorCode } from '../protocol/errors.js';
import { readFully, readWholeFile, writeFileAtomic, type FileHandle, type FileSystem } from './fs.js';
import { TXN_INDEX_SUFFIX, decodeTxnEntries, encodeTxnEntries, type TxnIndexEntry } from './txn-index.js';
import { readLeased, type Leased, type ReadPool } from './read-pool.js';
import { INDEX_SUFFIX, TIME_INDEX_SUFFIX, addBatch, newIndexState, readIndexFiles, writeIndexFiles, type IndexState } from './segment-indexes.js';
import { KafkaError } from './types.js';

export const LOG_SUFFIX = '.log';
export { INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX };
const SCAN_CHUNK = 1 << 20;
const INT32_MAX = 2147483647;
const EMPTY = Buffer.alloc(0);

/** Kafka's file name for a segment file: the base offset as 20 zero-padded digits. */
export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

/** A batch met while scanning a segment file: `buf` holds at least its header at `pos`. */
export interface ScannedBatch {
  buf: Buffer;
  pos: number;
  filePosition: number;
  size: number;
}

export function lastOffsetAt(buf: Buffer, pos: number): number {
  return readInt64(buf, pos) + buf.readInt32BE(pos + LAST_OFFSET_DELTA);
}

export class LogSegment {
  /** Undefined only while a rolled-to segment is being created. */
  file!: FileHandle;
  /** Bytes given out to appends, in-flight writes included. */
  size = 0;
  /** Bytes written and visible to readers (below the high watermark). */
  committedSize = 0;
  /** Offset after the last committed batch. */
  nextOffset: number;
  /** Max timestamp of the first batch: what segment.ms counts from (Kafka's rollingBasedTimestamp). */
  rollingBasedTimestamp = -1;
  /** Rolled, written, indexed and fsynced: nothing will append to it again; the cleaner may take it. */
  sealed = false;
  /** Reads in progress; a replaced segment's file is closed only once none is left. */
  private readers = 0;
  private onIdle: (() => void) | null = null;
  /** Out of the log and about to close: new reads must look at the log's current segments. */
  private retiring = false;
  /** Null until the index files are loaded (lazily, except for the active segment). */
  private ix: IndexState | null = null;
  private indexLoad: Promise<void> | null = null;
  /** Aborted transactions whose marker is in this segment (Kafka's TransactionIndex). */
  private txns: TxnIndexEntry[] = [];
  /** `txns` changed since the `.txnindex` file was written. */
  private txnsDirty = false;

  constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    readonly baseOffset: number,
    /** Wall clock at creation or load, for segment.ms while the segment is empty. */
    readonly created: number,
  ) {
    this.nextOffset = baseOffset;
  }

  /** Largest batch max timestamp in the segment (-1 when empty); needs loaded indexes. */
  get maxTimestampSoFar(): number {
    return this.ix ? this.ix.maxTimestamp : -1;
  }

  /** Last offset of the first batch that reached maxTimestampSoFar. */
  get offsetOfMaxTimestampSoFar(): number {
    return this.ix ? this.ix.offsetOfMaxTimestamp : this.baseOffset;
  }

  path(suffix: string): string {
    return `${this.dir}/${segmentFileName(this.baseOffset, suffix)}`;
  }

  /** A new, empty segment (any leftover files with its name are stale and cleared). */
  static async create(fs: FileSystem, dir: string, baseOffset: number, now: number): Promise<LogSegment> {
    const seg = LogSegment.empty(fs, dir, baseOffset, now);
    await seg.create();
    return seg;
  }

  /** A segment about to be created: usable (empty) at once, writable once create() resolves. */
  static empty(fs: FileSystem, dir: string, baseOffset: number, now: number): LogSegment {
    const seg = new LogSegment(fs, dir, baseOffset, now);
    seg.ix = newIndexState(baseOffset);
    seg.indexLoad = Promise.resolve();
    return seg;
  }

  async create(): Promise<void> {
    const file = await this.fs.open(this.path(LOG_SUFFIX), 'rw');
    try {
      await file.truncate(0);
      // Empty index files, as Kafka creates them with the segment (a missing one means "rebuild").
      for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
        const fh = await this.fs.open(this.path(suffix), 'rw');
        await fh.truncate(0).finally(() => fh.close());
      }
      await this.fs.unlink(this.path(TXN_INDEX_SUFFIX)).catch(() => undefined);
    } catch (e) {
      await file.close().catch(() => undefined);
      throw e;
    }
    this.file = file;
  }

  /** A segment the cleaner wrote: file, size, indexes and end already known. */
  static fromCleaned(fs: FileSystem, dir: string, baseOffset: number, now: number, file: FileHandle, ix: IndexState, nextOffset: number, size: number): LogSegment {
    const seg = new LogSegment(fs, dir, baseOffset, now);
    seg.file = file;
    seg.size = seg.committedSize = size;
    seg.nextOffset = nextOffset;
    seg.ix = ix;
    seg.indexLoad = Promise.resolve();
    seg.sealed = true;
    return seg;
  }

  /** Runs a read against this segment, keeping its file open until it is done. */
  async pinned<T>(fn: () => Promise<T>): Promise<T> {
    if (this.retiring) throw new SegmentGoneError(this.baseOffset);
    this.readers++;
    try {
      return await fn();
    } finally {
      if (--this.readers === 0 && this.onIdle) this.onIdle();
    }
  }

  /** For a segment already out of the log's list: refuses new reads, waits for running ones, closes. */
  async retire(): Promise<void> {
    this.retiring = true;
    if (this.readers > 0) {
      await new Promise<void>((resolve) => {
        this.onIdle = () => {
          this.onIdle = null;
          resolve();
        };
      });
    }
    await this.close();
  }

  /** Max timestamp of the first batch (Kafka's getFirstBatchTimestamp), or -1 when empty. */
  async firstBatchTimestamp(): Promise<number> {
    if (this.rollingBasedTimestamp < 0) await this.readRollingBasedTimestamp();
    return this.rollingBasedTimestamp;
  }

  /** An existing segment; its indexes load on first use. */
  static async open(fs: FileSystem, dir: string, baseOffset: number, now: number): Promise<LogSegment> {
    const seg = new LogSegment(fs, dir, baseOffset, now);
    seg.file = await fs.open(seg.path(LOG_SUFFIX), 'rw');
    seg.size = seg.committedSize = await seg.file.size();
    return seg;
  }

  /** Indexes batches just written at `position` and makes them visible. */
  onWritten(batches: PlannedBatch[], position: number, indexIntervalBytes: number): void {
    const ix = this.ix!;
    for (const b of batches) addBatch(ix, b.lastOffset, b.maxTimestamp, position + b.position, b.size, indexIntervalBytes);
    const last = batches[batches.length - 1];
    this.committedSize = position + last.position + last.size;
    this.nextOffset = last.lastOffset + 1;
  }

  /** Loads the index files, rebuilding them from the log when missing or inconsistent. */
  loadIndexes(indexIntervalBytes: number): Promise<void> {
    if (!this.indexLoad) {
      this.indexLoad = this.readIndexes(indexIntervalBytes).catch((e) => {
        this.indexLoad = null;
        throw e;
      });
    }
    return this.indexLoad;
  }

  private async readIndexes(indexIntervalBytes: number): Promise<void> {
    const ix = await readIndexFiles(this.fs, (suffix) => this.path(suffix), this.baseOffset, this.committedSize);
    if (ix) this.ix = ix;
    else await this.rebuildIndexes(indexIntervalBytes);
  }

  /**
   * Rebuilds both indexes from the log. Appends may go on meanwhile: the new indexes replace
   * the old ones only once they cover every committed batch.
   */
  async rebuildIndexes(indexIntervalBytes: number): Promise<void> {
    const ix = newIndexState(this.baseOffset, true);
    let position = 0;
    while (position < this.committedSize) {
      const end = this.committedSize;
      for await (const b of this.scan(position, end, false)) {
        const lastOffset = lastOffsetAt(b.buf, b.pos);
        addBatch(ix, lastOffset, readInt64(b.buf, b.pos + MAX_TIMESTAMP), b.filePosition, b.size, indexIntervalBytes);
        position = b.filePosition + b.size;
      }
      if (position < end) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `${this.path(LOG_SUFFIX)}: unreadable batch at ${position}`);
    }
    this.ix = ix;
    this.indexLoad = Promise.resolve();
  }

  /**
   * Kafka's segment recovery: validates every batch from the start (length, magic, offsets, CRC),
   * truncates the file at the first torn or corrupt one and rebuilds the indexes from the valid
   * ones, which `onBatch` also sees. Only while no append runs. Returns the bytes truncated.
   */
  async recover(indexIntervalBytes: number, onBatch?: (b: ScannedBatch) => void): Promise<number> {
    const fileSize = await this.file.size();
    const ix = newIndexState(this.baseOffset, true);
    let validEnd = 0;
    let next = this.baseOffset;
    for await (const b of this.scan(0, fileSize, true)) {
      const baseOffset = readInt64(b.buf, b.pos);
      const lastOffset = lastOffsetAt(b.buf, b.pos);
      const valid =
        b.buf.readInt8(b.pos + MAGIC) === CURRENT_MAGIC &&
        baseOffset >= next &&
        lastOffset >= baseOffset &&
        lastOffset - this.baseOffset <= INT32_MAX &&
        isCrcValid(b.buf, b.pos);
      if (!valid) break;
      onBatch?.(b);
      addBatch(ix, lastOffset, readInt64(b.buf, b.pos + MAX_TIMESTAMP), b.filePosition, b.size, indexIntervalBytes);
      validEnd = b.filePosition + b.size;
      next = lastOffset + 1;
    }
    if (validEnd < fileSize) await this.file.truncate(validEnd);
    this.size = this.committedSize = validEnd;
    this.nextOffset = next;
    this.ix = ix;
    this.indexLoad = Promise.resolve();
    await this.readRollingBasedTimestamp();
    return fileSize - validEnd;
  }

  /**
   * For the active segment after a clean shutdown: loads the indexes and finds the log end by
   * scanning from the last index entry. False when what it finds is not a clean end of log.
   */
  async loadTail(indexIntervalBytes: number): Promise<boolean> {
    try {
      await this.loadIndexes(indexIntervalBytes);
    } catch {
      return false;
    }
    const from = this.ix!.offsetIndex.lookup(Infinity);
    let end = from.position;
    let next = from.offset + 1;
    for await (const b of this.scan(from.position, this.committedSize, false)) {
      const baseOffset = readInt64(b.buf, b.pos);
      const lastOffset = lastOffsetAt(b.buf, b.pos);
      if (b.buf.readInt8(b.pos + MAGIC) !== CURRENT_MAGIC || lastOffset < baseOffset) return false;
      // The indexed batch must be the one its entry names; every later one must follow on.
      const indexed = b.filePosition === from.position && from.offset >= this.baseOffset;
      if (indexed ? lastOffset !== from.offset : baseOffset < next) return false;
      end = b.filePosition + b.size;
      next = lastOffset + 1;
    }
    if (end !== this.committedSize) return false;
    this.nextOffset = next;
    await this.readRollingBasedTimestamp();
    return true;
  }

  private async readRollingBasedTimestamp(): Promise<void> {
    if (this.committedSize < BATCH_HEADER_SIZE) return;
    const header = await readFully(this.file, 0, BATCH_HEADER_SIZE);
    this.rollingBasedTimestamp = readInt64(header, MAX_TIMESTAMP);
  }

  /**
   * Batches between two file positions, read in large chunks. Stops at a header that cannot
   * be a batch or runs past `end`. With `withBody`, each yielded `buf` holds the whole batch.
   */
  async *scan(from: number, end: number, withBody: boolean): AsyncGenerator<ScannedBatch> {
    let chunk: Buffer = EMPTY;
    let chunkStart = from;
    let position = from;
    while (position + BATCH_HEADER_SIZE <= end) {
      let pos = position - chunkStart;
      if (pos + BATCH_HEADER_SIZE > chunk.length) {
        chunk = await readFully(this.file, position, Math.min(SCAN_CHUNK, end - position));
        chunkStart = position;
        pos = 0;
        if (chunk.length < BATCH_HEADER_SIZE) return;
      }
      const size = batchSize(chunk, pos);
      if (size < BATCH_HEADER_SIZE || position + size > end) return;
      if (withBody && pos + size > chunk.length) {
        chunk = await readFully(this.file, position, Math.max(size, Math.min(SCAN_CHUNK, end - position)));
        chunkStart = position;
        pos = 0;
        if (chunk.length < size) return;
      }
      yield { buf: chunk, pos, filePosition: position, size };
      position += size;
    }
  }

  /** Position to start scanning for `offset`: an indexed batch at or before it. */
  async positionFor(offset: number, indexIntervalBytes: number): Promise<number> {
    await this.loadIndexes(indexIntervalBytes);
    return this.ix!.offsetIndex.lookup(offset).position;
  }

  /**
   * Whole batches from the one holding `fetchOffset`, within `maxBytes` (or the first alone when
   * `minOneBatch`), in one buffer, leased from `pool` when given (the caller releases it once
   * done with the bytes). Null when this segment holds nothing at or after fetchOffset.
   */
  async read(
    fetchOffset: number,
    maxBytes: number,
    minOneBatch: boolean,
    indexIntervalBytes: number,
    pool: ReadPool | null = null,
    /** Only batches wholly below this offset (a replicated log's high watermark); Infinity: no limit. */
    maxOffset = Infinity,
  ): Promise<Leased | null> {
    await this.loadIndexes(indexIntervalBytes);
    const end = this.committedSize;
    const entry = this.ix!.offsetIndex.lookup(fetchOffset);
    let position = entry.position;
    let checkEntry = entry.offset >= this.baseOffset;
    // The target batch lies within about one index interval (plus one batch) of the entry.
    const slack = Math.max(64 * 1024, 2 * indexIntervalBytes);
    for (;;) {
      if (position + BATCH_HEADER_SIZE > end) return null;
      const lease = await readLeased(this.file, position, Math.min(end - position, maxBytes + slack), pool);
      // Every way out releases this lease (continue included) but the two that return a view of it.
      let handedOn = false;
      try {
        const chunk = lease.buf;
        if (checkEntry && lastOffsetAt(chunk, 0) !== entry.offset) {
          // The index does not describe this log: rebuild it and start over.
          lease.release?.();
          await this.rebuildIndexes(indexIntervalBytes);
          return await this.read(fetchOffset, maxBytes, minOneBatch, indexIntervalBytes, pool, maxOffset);
        }
        checkEntry = false;
        let start = 0;
        while (start + BATCH_HEADER_SIZE <= chunk.length && lastOffsetAt(chunk, start) < fetchOffset) {
          start += checkedSize(chunk, start);
        }
        if (start + BATCH_HEADER_SIZE > chunk.length) {
          position += start;
          continue;
        }
        if (maxOffset !== Infinity && lastOffsetAt(chunk, start) >= maxOffset) return { buf: EMPTY, release: undefined };
        let stop = start;
        while (stop + BATCH_HEADER_SIZE <= chunk.length) {
          const size = checkedSize(chunk, stop);
          if (stop + size > chunk.length || stop - start + size > maxBytes) break;
          if (maxOffset !== Infinity && lastOffsetAt(chunk, stop) >= maxOffset) break;
          stop += size;
        }
        if (stop > start) {
          handedOn = true;
          return { buf: chunk.subarray(start, stop), release: lease.release };
        }
        const size = checkedSize(chunk, start);
        if (size > maxBytes && !minOneBatch) return { buf: EMPTY, release: undefined };
        if (start + size <= chunk.length) {
          handedOn = true;
          return { buf: chunk.subarray(start, start + size), release: lease.release };
        }
        // One batch larger than the chunk (KIP-74): read it whole, without holding this chunk.
        lease.release?.();
        return await readLeased(this.file, position + start, size, pool);
      } finally {
        if (!handedOn) lease.release?.();
      }
    }
  }

  /** Time index lookup then offset index lookup: where to scan from for timestamp `ts`. */
  async positionForTimestamp(ts: number, startingOffset: number, indexIntervalBytes: number): Promise<number> {
    await this.loadIndexes(indexIntervalBytes);
    const offset = Math.max(this.ix!.timeIndex.lookup(ts), startingOffset);
    return this.ix!.offsetIndex.lookup(offset).position;
  }

  /**
   * Writes (and fsyncs) the index entries not yet on disk; `final` when the segment is rolled
   * or closed.
   */
  async persistIndexes(final: boolean): Promise<void> {
    if (this.ix) await writeIndexFiles(this.fs, (suffix) => this.path(suffix), this.ix, final);
    await this.persistTxnIndex();
  }

  /** The aborted transactions whose marker is in this segment, in marker order. */
  get abortedTxns(): readonly TxnIndexEntry[] {
    return this.txns;
  }

  /** An aborted transaction whose ABORT marker is being appended to this segment. */
  addAbortedTxn(e: TxnIndexEntry): void {
    this.txns.push({ producerId: e.producerId, firstOffset: e.firstOffset, lastOffset: e.lastOffset, lastStableOffset: e.lastStableOffset });
    this.txnsDirty = true;
  }

  /** Replaces the entries (recovery rebuilt them from the log); written with the next persist. */
  setAbortedTxns(entries: TxnIndexEntry[]): void {
    this.txns = entries;
    this.txnsDirty = true;
  }

  /** Reads the `.txnindex` file (none: no aborted transaction). */
  async loadTxnIndex(): Promise<void> {
    const buf = await readWholeFile(this.fs, this.path(TXN_INDEX_SUFFIX));
    this.txns = buf ? decodeTxnEntries(buf) : [];
    this.txnsDirty = false;
  }

  /** Writes `.txnindex` when its entries changed (atomically: entries are few). */
  async persistTxnIndex(): Promise<void> {
    if (!this.txnsDirty) return;
    this.txnsDirty = false;
    const path = this.path(TXN_INDEX_SUFFIX);
    if (this.txns.length === 0) {
      await this.fs.unlink(path).catch(() => undefined);
      return;
    }
    try {
      await writeFileAtomic(this.fs, this.dir, segmentFileName(this.baseOffset, TXN_INDEX_SUFFIX), encodeTxnEntries(this.txns));
    } catch (e) {
      this.txnsDirty = true;
      throw e;
    }
  }

  /**
   * Cuts the file back to its committed bytes: what appends reserved past them never reached
   * readers (their writes failed). Only while no write to it is in flight.
   */
  async dropUncommitted(): Promise<void> {
    if (this.file) await this.file.truncate(this.committedSize);
    this.size = this.committedSize;
    if (this.committedSize === 0) this.rollingBasedTimestamp = -1;
  }

  /**
   * Where truncating at `offset` cuts this segment (Kafka's LogSegment.truncateTo): before the
   * first batch holding an offset >= `offset`. Reads headers from the last index entry below it.
   */
  async truncationPoint(offset: number, indexIntervalBytes: number): Promise<TruncationPoint> {
    await this.loadIndexes(indexIntervalBytes);
    const entry = this.ix!.offsetIndex.lookup(offset - 1);
    const from = entry.offset >= this.baseOffset ? entry.position : 0;
    const point: TruncationPoint = { position: from, nextOffset: from === 0 ? this.baseOffset : entry.offset + 1, maxTimestamp: -1, offsetOfMaxTimestamp: -1 };
    for await (const b of this.scan(from, this.committedSize, false)) {
      const lastOffset = lastOffsetAt(b.buf, b.pos);
      if (lastOffset >= offset) break;
      const ts = readInt64(b.buf, b.pos + MAX_TIMESTAMP);
      if (ts > point.maxTimestamp) {
        point.maxTimestamp = ts;
        point.offsetOfMaxTimestamp = lastOffset;
      }
      point.position = b.filePosition + b.size;
      point.nextOffset = lastOffset + 1;
    }
    return point;
  }

  /**
   * Cuts the file (fsynced) and the indexes at `point`; the segment becomes the active one
   * again. Only while no write to it is in flight.
   */
  async truncateAt(point: TruncationPoint): Promise<void> {
    const ix = this.ix!;
    await this.file.truncate(point.position);
    await this.file.sync();
    ix.offsetIndex.truncateTo(point.nextOffset);
    ix.timeIndex.truncateTo(point.nextOffset);
    // The max so far: the last time index entry left, or a batch after it.
    ix.maxTimestamp = ix.timeIndex.lastTimestamp;
    ix.offsetOfMaxTimestamp = ix.timeIndex.entries > 0 ? ix.timeIndex.lastOffset : this.baseOffset;
    if (point.maxTimestamp > ix.maxTimestamp) {
      ix.maxTimestamp = point.maxTimestamp;
      ix.offsetOfMaxTimestamp = point.offsetOfMaxTimestamp;
    }
    ix.bytesSinceLastIndexEntry = point.position - (ix.offsetIndex.entries > 0 ? ix.offsetIndex.lastPosition : 0);
    const kept = this.txns.filter((t) => t.lastOffset < point.nextOffset);
    if (kept.length !== this.txns.length) this.setAbortedTxns(kept);
    await this.persistIndexes(false);
    this.size = this.committedSize = point.position;
    this.nextOffset = point.nextOffset;
    this.sealed = false;
    if (point.position === 0) this.rollingBasedTimestamp = -1;
  }

  /** Removes the segment's files, log first (reads in progress keep the open file; retire() closes it). */
  async unlinkFiles(): Promise<void> {
    for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) {
      await this.fs.unlink(this.path(suffix)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
    }
  }

  /** Closes the segment and removes its files. */
  async deleteFiles(): Promise<void> {
    await this.close();
    for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) await this.fs.unlink(this.path(suffix)).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.file?.close();
  }
}

/** Where a truncation cuts a segment, and the max timestamp of the batches it keeps after the last index entry. */
export interface TruncationPoint {
  /** File position of the cut: the end of the last batch kept. */
  position: number;
  /** Offset after the last batch kept (the segment's base offset when none is). */
  nextOffset: number;
  maxTimestamp: number;
  offsetOfMaxTimestamp: number;
}

/** A read reached a segment that was replaced or deleted meanwhile; it starts over. */
export class SegmentGoneError extends Error {
  constructor(baseOffset: number) {
    super(`segment ${baseOffset} is no longer part of the log`);
  }
}

function checkedSize(buf: Buffer, pos: number): number {
  const size = batchSize(buf, pos);
  if (size < BATCH_HEADER_SIZE) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `record batch at ${pos} has impossible size ${size}`);
  return size;
}
