// A disk that fills up, for the disk-full tests. A real tmpfs of a few MiB when this machine lets
// the test mount one (root with CAP_SYS_ADMIN); otherwise the real file system behind a layer that
// behaves as a full tmpfs does: a write may still fill the last page of its file (a short write)
// and then fails with ENOSPC; creating, renaming, truncating and removing files still work.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nodeFileSystem, type FileHandle, type FileSystem } from '../../src/storage/fs.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

const PAGE = 4096;

export interface FullDisk {
  readonly kind: 'tmpfs' | 'fault-injection';
  /** A directory on the disk for the broker's data. */
  readonly dataDir: string;
  /** The file system to hand the storage engine: faults injected, or the real one on tmpfs. */
  readonly fs: FileSystem;
  /** Takes every free byte. */
  fill(): Promise<void>;
  /** Gives them back. */
  free(): Promise<void>;
}

export function enospc(syscall = 'write'): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: 'ENOSPC', errno: -28, syscall });
}

/**
 * A tmpfs of `mib` MiB if it can be mounted here, else the fault-injecting layer (the test runs
 * either way). SAMSA_TEST_NO_MOUNT=1 takes the fault-injecting layer where mounting works too.
 */
export function fullDisk(t: Teardown, mib = 16): FullDisk {
  const root = mkdtempSync(path.join(tmpdir(), 'samsa-disk-full-'));
  const mounted = process.env.SAMSA_TEST_NO_MOUNT !== '1' && tryMount(root, mib);
  t.teardown(() => {
    if (mounted) {
      try {
        // Lazy: the broker may still hold files open.
        execFileSync('umount', ['-l', root], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    }
    rmSync(root, { recursive: true, force: true });
  });
  return mounted ? tmpfsDisk(root) : faultDisk(root);
}

function tryMount(dir: string, mib: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', dir], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function tmpfsDisk(root: string): FullDisk {
  const dataDir = path.join(root, 'data');
  mkdirSync(dataDir);
  const filler = path.join(root, 'filler');
  return {
    kind: 'tmpfs',
    dataDir,
    fs: nodeFileSystem,
    async fill() {
      const fd = openSync(filler, 'a');
      try {
        for (const chunk of [Buffer.alloc(256 * 1024), Buffer.alloc(PAGE)]) {
          for (;;) {
            try {
              if (writeSync(fd, chunk) < chunk.length) break;
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw e;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
    },
    async free() {
      unlinkSync(filler);
    },
  };
}

/** The real file system, but once full, no file grows past the end of its last 4 KiB page. */
export class FaultInjectingFs {
  full = false;
  /** ENOSPC raised so far. */
  refused = 0;
  /** Extra faults: return an error to throw for this call (path, operation), or null. */
  inject: ((path: string, op: 'write' | 'sync' | 'open' | 'mkdir') => Error | null) | null = null;

  readonly fs: FileSystem = {
    ...nodeFileSystem,
    open: async (p, mode) => {
      const extra = mode === 'rw' ? this.inject?.(p, 'open') : null;
      if (extra) throw extra;
      const fh = await nodeFileSystem.open(p, mode);
      return this.wrap(p, fh, await fh.size());
    },
    mkdir: async (p) => {
      const extra = this.inject?.(p, 'mkdir');
      if (extra) throw extra;
      return nodeFileSystem.mkdir(p);
    },
  };

  private wrap(p: string, fh: FileHandle, initialSize: number): FileHandle {
    let size = initialSize;
    return {
      read: (buf, offset, length, position) => fh.read(buf, offset, length, position),
      size: () => fh.size(),
      close: () => fh.close(),
      truncate: async (length) => {
        await fh.truncate(length);
        size = length;
      },
      sync: async () => {
        const extra = this.inject?.(p, 'sync');
        if (extra) throw extra;
        return fh.sync();
      },
      write: async (bufs, position) => {
        const extra = this.inject?.(p, 'write');
        if (extra) throw extra;
        let total = 0;
        for (const b of bufs) total += b.length;
        const end = position + total;
        const limit = this.full ? Math.max(size, Math.ceil(size / PAGE) * PAGE) : Infinity;
        if (end <= limit) {
          await fh.write(bufs, position);
          size = Math.max(size, end);
          return;
        }
        // What fits in the allocated pages is written, as a short write; then the disk is full.
        if (position < limit) {
          const fits = Buffer.concat(bufs).subarray(0, limit - position);
          await fh.write([fits], position);
          size = Math.max(size, limit);
        }
        this.refused++;
        throw enospc();
      },
    };
  }
}

function faultDisk(root: string): FullDisk & { faults: FaultInjectingFs } {
  const dataDir = path.join(root, 'data');
  mkdirSync(dataDir);
  const faults = new FaultInjectingFs();
  return {
    kind: 'fault-injection',
    dataDir,
    fs: faults.fs,
    faults,
    async fill() {
      faults.full = true;
    },
    async free() {
      faults.full = false;
    },
  };
}
