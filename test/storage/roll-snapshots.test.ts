// A producer snapshot `<offset>.snapshot` is the recovery point after a crash: everything below it
// must be fsynced. Segments rolled in quick succession finish concurrently; a slow fsync of an
// earlier segment must hold back the snapshot of a later roll until it is done.
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { nodeFileSystem, type FileSystem } from '../../src/storage/fs.js';
import { snapshotOffsets } from '../../src/storage/producer-snapshots.js';
import { tempDir } from '../helpers/tmp.js';
import { batch, logConfig } from './helpers.js';

t.test("a later roll's snapshot waits for an earlier segment's fsync", async (t) => {
  const dir = tempDir(t);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let holding = false;
  // fsyncs of the first segment's log file wait until released.
  const fs: FileSystem = {
    ...nodeFileSystem,
    open: async (path, mode) => {
      const fh = await nodeFileSystem.open(path, mode);
      if (!path.endsWith('/00000000000000000000.log')) return fh;
      return {
        ...fh,
        read: fh.read.bind(fh),
        write: fh.write.bind(fh),
        truncate: fh.truncate.bind(fh),
        size: fh.size.bind(fh),
        close: fh.close.bind(fh),
        sync: async () => {
          if (holding) await held;
          return fh.sync();
        },
      };
    },
  };
  const config = logConfig({ 'segment.bytes': '300' });
  const engine = new FileStorageEngine(dir, config, { fs, tailCacheBytes: 0 });
  await engine.open();
  t.teardown(() => engine.close());
  const log = await engine.create('t', 0, config);
  holding = true;
  // Each append overflows the 300-byte segment: three rolls, at 2, 4 and 6.
  for (let i = 0; i < 4; i++) await log.append(batch(2, `r${i}`, { valueSize: 100 }), { now: 0 });
  const pdir = `${dir}/t-0`;
  // Give the later rolls' fsyncs and snapshot writes time to happen (they would, unheld).
  await new Promise((r) => setTimeout(r, 300));
  t.same(snapshotOffsets(readdirSync(pdir)), [], 'no snapshot while the first segment is not fsynced');
  release();
  await log.flush();
  t.same(snapshotOffsets(readdirSync(pdir)).at(-1), 6, 'then the newest roll records its recovery point');
  t.ok(existsSync(`${pdir}/00000000000000000006.snapshot`));
});
