// The file-system surface the file engine uses, so tests can swap in one that injects faults.
// The real one is node:fs with callbacks on raw descriptors (the cheapest path in Node).
import * as nodeFs from 'node:fs';
import { writeBatcher } from './write-batcher.js';

export interface FileHandle {
  /** Positional read; returns bytes read (short only at end of file). */
  read(buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Positional write of all of `bufs`, in order, starting at `position`. */
  write(bufs: Buffer[], position: number): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface FileSystem {
  /** 'r': read only; 'rw': read/write, creating the file if missing. */
  open(path: string, mode: 'r' | 'rw'): Promise<FileHandle>;
  readdir(path: string): Promise<string[]>;
  mkdir(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Removes a directory and everything below it. */
  rmdir(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  isDirectory(path: string): Promise<boolean>;
  /** Makes creates, renames and unlinks in a directory durable. */
  syncDir(path: string): Promise<void>;
}

/** Writes up to this size go through the write batcher (see writeOnce). */
const SMALL_WRITE_MAX = 1024 * 1024;

function done<T>(resolve: (v: T) => void, reject: (e: Error) => void) {
  return (err: NodeJS.ErrnoException | null, v?: T) => (err ? reject(err) : resolve(v as T));
}

class NodeFileHandle implements FileHandle {
  constructor(private readonly fd: number) {}

  read(buf: Buffer, offset: number, length: number, position: number): Promise<number> {
    return new Promise((resolve, reject) => nodeFs.read(this.fd, buf, offset, length, position, done(resolve, reject)));
  }

  write(bufs: Buffer[], position: number): Promise<void> {
    let total = 0;
    for (const b of bufs) total += b.length;
    return this.writeOnce(bufs, position, total).then((written) => (written < total ? this.writeRest(bufs, position, total, written) : undefined));
  }

  /** Short writes are rare for files but legal: continue with what is left. */
  private async writeRest(bufs: Buffer[], position: number, total: number, written: number): Promise<void> {
    while (written < total) {
      bufs = dropBytes(bufs, written);
      position += written;
      total -= written;
      written = await this.writeOnce(bufs, position, total);
    }
  }

  // Appends go to the page cache; handing each one to libuv's thread pool cost more main-thread
  // time than the copy itself (bench/FINDINGS.md), so small ones go to the write batcher (made
  // synchronously, or many at once on its thread). Large writes still go to the pool, so a disk
  // throttling writeback stalls the event loop for at most SMALL_WRITE_MAX bytes.
  private writeOnce(bufs: Buffer[], position: number, total: number): Promise<number> {
    if (total <= SMALL_WRITE_MAX) return writeBatcher.write(this.fd, bufs, position, total);
    return new Promise((resolve, reject) => {
      if (bufs.length === 1) nodeFs.write(this.fd, bufs[0], 0, bufs[0].length, position, done(resolve, reject));
      else nodeFs.writev(this.fd, bufs, position, done(resolve, reject));
    });
  }

  sync(): Promise<void> {
    return new Promise((resolve, reject) => nodeFs.fsync(this.fd, done(resolve, reject)));
  }

  truncate(length: number): Promise<void> {
    return new Promise((resolve, reject) => nodeFs.ftruncate(this.fd, length, done(resolve, reject)));
  }

  size(): Promise<number> {
    return new Promise((resolve, reject) =>
      nodeFs.fstat(this.fd, (err, st) => (err ? reject(err) : resolve(st.size))),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => nodeFs.close(this.fd, done(resolve, reject)));
  }
}

function dropBytes(bufs: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of bufs) {
    if (n >= b.length) {
      n -= b.length;
      continue;
    }
    out.push(n > 0 ? b.subarray(n) : b);
    n = 0;
  }
  return out;
}

export const nodeFileSystem: FileSystem = {
  open(path, mode) {
    return new Promise((resolve, reject) =>
      nodeFs.open(path, mode === 'r' ? 'r' : nodeFs.constants.O_RDWR | nodeFs.constants.O_CREAT, 0o644, (err, fd) =>
        err ? reject(err) : resolve(new NodeFileHandle(fd)),
      ),
    );
  },
  readdir: (path) => nodeFs.promises.readdir(path),
  mkdir: async (path) => {
    await nodeFs.promises.mkdir(path, { recursive: true });
  },
  rename: (from, to) => nodeFs.promises.rename(from, to),
  unlink: (path) => nodeFs.promises.unlink(path),
  rmdir: (path) => nodeFs.promises.rm(path, { recursive: true, force: true }),
  exists: (path) =>
    nodeFs.promises.access(path).then(
      () => true,
      () => false,
    ),
  isDirectory: (path) =>
    nodeFs.promises.stat(path).then(
      (st) => st.isDirectory(),
      () => false,
    ),
  async syncDir(path) {
    const fd = await nodeFs.promises.open(path, 'r');
    try {
      await fd.sync();
    } finally {
      await fd.close();
    }
  },
};

/** Reads a whole (small) file, or null when it does not exist. */
export async function readWholeFile(fs: FileSystem, path: string): Promise<Buffer | null> {
  let fh: FileHandle;
  try {
    fh = await fs.open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const size = await fh.size();
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = await fh.read(buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

/**
 * Replaces a small file atomically: write a temp file, fsync it, rename it over the old one. A
 * failed write (a full disk) removes the temp file, and with it the space its part took.
 */
export async function writeFileAtomic(fs: FileSystem, dir: string, name: string, data: Buffer): Promise<void> {
  const tmp = `${dir}/${name}.tmp`;
  const fh = await fs.open(tmp, 'rw');
  try {
    await fh.truncate(0);
    await fh.write([data], 0);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  await fs.rename(tmp, `${dir}/${name}`);
  await fs.syncDir(dir);
}

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export async function readFully(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = await fh.read(buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}
