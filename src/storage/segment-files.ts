// Segment files the cleaner and retention move around, with Kafka's suffixes:
// `.cleaned` (a rewrite in progress), `.swap` (a finished rewrite about to replace its originals),
// `.deleted` (out of the log, unlinked after file.delete.delay.ms once no read holds it).
// At load, what an interrupted rewrite left is resolved before any segment is opened.
import { readInt64 } from '../protocol/records/batch.js';
import type { FileSystem } from './fs.js';
import { INDEX_SUFFIX, LOG_SUFFIX, LogSegment, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX, lastOffsetAt, segmentFileName } from './segment.js';

export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
export const DELETED_SUFFIX = '.deleted';
/** The log file last: its rename is what commits a step. */
export const SEGMENT_SUFFIXES = [INDEX_SUFFIX, TIME_INDEX_SUFFIX, LOG_SUFFIX];

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export async function renameIfExists(fs: FileSystem, from: string, to: string): Promise<boolean> {
  try {
    await fs.rename(from, to);
    return true;
  } catch (e) {
    if (isMissing(e)) return false;
    throw e;
  }
}

export async function unlinkIfExists(fs: FileSystem, path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
}

/** Renames a segment's files to `.deleted` (they stay readable through open handles); returns the new paths. */
export async function markDeleted(fs: FileSystem, seg: LogSegment): Promise<string[]> {
  const renamed: string[] = [];
  for (const suffix of [TXN_INDEX_SUFFIX, ...SEGMENT_SUFFIXES]) {
    const path = seg.path(suffix);
    if (await renameIfExists(fs, path, path + DELETED_SUFFIX)) renamed.push(path + DELETED_SUFFIX);
  }
  return renamed;
}

/** Closes and unlinks segments taken out of a log, after the delay, once no read holds them. */
export class SegmentReaper {
  private readonly pending = new Map<LogSegment, { files: string[]; timer: NodeJS.Timeout | null; done: Promise<void> | null }>();

  constructor(private readonly fs: FileSystem) {}

  retire(seg: LogSegment, files: string[], delayMs: number): void {
    const entry = { files, timer: null as NodeJS.Timeout | null, done: null as Promise<void> | null };
    this.pending.set(seg, entry);
    const run = () => {
      entry.timer = null;
      entry.done ??= this.reap(seg, files);
    };
    if (delayMs <= 0) run();
    else {
      entry.timer = setTimeout(run, Math.min(delayMs, 2147483647));
      entry.timer.unref();
    }
  }

  private async reap(seg: LogSegment, files: string[]): Promise<void> {
    try {
      await seg.retire();
      for (const f of files) await unlinkIfExists(this.fs, f);
    } catch {
      // Whatever is left has a `.deleted` name: the next load removes it.
    } finally {
      this.pending.delete(seg);
    }
  }

  /** At close: reaps everything now. */
  async reapAll(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const [seg, entry] of this.pending) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      entry.done ??= this.reap(seg, entry.files);
      all.push(entry.done);
    }
    await Promise.all(all);
  }
}

/**
 * Kafka's LogLoader cleanup of a rewrite cut short: `.cleaned` and `.deleted` files go; a
 * `<base>.log.swap` was complete and fsynced before it got that name, so the swap is finished:
 * the originals it covers (later bases below its end) are removed and it takes its final name,
 * with indexes rebuilt from it. Index `.swap` files without a log `.swap` belong to a rewrite that
 * never committed. Returns whether the directory changed.
 */
export async function recoverInterruptedCleaning(fs: FileSystem, dir: string, names: string[]): Promise<boolean> {
  let changed = false;
  const logSwaps: number[] = [];
  for (const n of names) {
    if (n.endsWith(CLEANED_SUFFIX) || n.endsWith(DELETED_SUFFIX)) {
      await unlinkIfExists(fs, `${dir}/${n}`);
      changed = true;
    } else if (/^\d{20}\.log\.swap$/.test(n)) logSwaps.push(Number(n.slice(0, 20)));
  }
  const bases = names.filter((n) => /^\d{20}\.log$/.test(n)).map((n) => Number(n.slice(0, 20)));
  for (const base of logSwaps) {
    const swapPath = `${dir}/${segmentFileName(base, LOG_SUFFIX)}${SWAP_SUFFIX}`;
    const end = await nextOffsetOf(fs, dir, base, swapPath);
    for (const other of bases) {
      if (other <= base || other >= end) continue;
      for (const suffix of SEGMENT_SUFFIXES) await unlinkIfExists(fs, `${dir}/${segmentFileName(other, suffix)}`);
    }
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      await unlinkIfExists(fs, `${dir}/${segmentFileName(base, suffix)}`);
      await unlinkIfExists(fs, `${dir}/${segmentFileName(base, suffix)}${SWAP_SUFFIX}`);
    }
    await fs.rename(swapPath, `${dir}/${segmentFileName(base, LOG_SUFFIX)}`);
    changed = true;
  }
  for (const n of names) {
    if (!n.endsWith(SWAP_SUFFIX) || /\.log\.swap$/.test(n)) continue;
    await unlinkIfExists(fs, `${dir}/${n}`);
    changed = true;
  }
  if (changed) await fs.syncDir(dir);
  return changed;
}

/** Offset after the last whole batch of a segment file. */
async function nextOffsetOf(fs: FileSystem, dir: string, base: number, path: string): Promise<number> {
  const seg = new LogSegment(fs, dir, base, Date.now());
  seg.file = await fs.open(path, 'r');
  try {
    let next = base;
    for await (const b of seg.scan(0, await seg.file.size(), false)) {
      if (readInt64(b.buf, b.pos) < next) break;
      next = lastOffsetAt(b.buf, b.pos) + 1;
    }
    return next;
  } finally {
    await seg.close();
  }
}
