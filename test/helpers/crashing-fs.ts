// A file system that counts mutating calls and, from the armed one on, fails every call: a process
// killed at that step. Crash-image tests copy the data dir at each step and reopen it.
import { nodeFileSystem, type FileHandle, type FileSystem } from '../../src/storage/fs.js';

/** Counts mutating calls; from the armed one on, every call fails (a killed process). */
export class CrashingFs {
  calls = 0;
  crashAt = Infinity;
  crashed = false;
  readonly log: string[] = [];

  private step(what: string): void {
    if (this.crashed) throw new Error(`process is dead (${what})`);
    this.calls++;
    this.log.push(what);
    if (this.calls >= this.crashAt) {
      this.crashed = true;
      throw new Error(`injected crash at step ${this.calls}: ${what}`);
    }
  }

  private dead(what: string): void {
    if (this.crashed) throw new Error(`process is dead (${what})`);
  }

  readonly fs: FileSystem = {
    open: async (path, mode) => {
      if (mode === 'rw') this.step(`open ${base(path)}`);
      else this.dead('open');
      const fh = await nodeFileSystem.open(path, mode);
      const wrapped: FileHandle = {
        read: (buf, offset, length, position) => (this.dead('read'), fh.read(buf, offset, length, position)),
        write: async (bufs, position) => (this.step(`write ${base(path)}`), fh.write(bufs, position)),
        sync: async () => (this.step(`fsync ${base(path)}`), fh.sync()),
        truncate: async (length) => (this.step(`truncate ${base(path)}`), fh.truncate(length)),
        size: () => fh.size(),
        close: () => fh.close(),
      };
      return wrapped;
    },
    readdir: async (p) => (this.dead('readdir'), nodeFileSystem.readdir(p)),
    mkdir: async (p) => (this.step(`mkdir ${base(p)}`), nodeFileSystem.mkdir(p)),
    rename: async (a, b) => (this.step(`rename ${base(a)} -> ${base(b)}`), nodeFileSystem.rename(a, b)),
    unlink: async (p) => (this.step(`unlink ${base(p)}`), nodeFileSystem.unlink(p)),
    rmdir: async (p) => (this.step(`rmdir ${base(p)}`), nodeFileSystem.rmdir(p)),
    exists: (p) => nodeFileSystem.exists(p),
    isDirectory: (p) => nodeFileSystem.isDirectory(p),
    syncDir: async (p) => (this.step(`syncdir ${base(p)}`), nodeFileSystem.syncDir(p)),
  };
}

function base(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
