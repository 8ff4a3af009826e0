// Which logs the storage publisher's first image removes as stray (no partition in the metadata
// owns them). A lone node's logs are not replicated and its metadata log is local and complete:
// the first image is the truth, and a log it lacks is removed. A cluster's replicated logs are
// not the first image's business: that image is only what this node had committed, which may
// predate a topic created just before a restart; the replica layer removes its strays after the
// catch-up (test/cluster/restart-stray-logs.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { BrokerConfig } from '../../src/config.js';
import { MetadataDelta } from '../../src/metadata/delta.js';
import { DynamicBrokerConfig } from '../../src/metadata/dynamic-config.js';
import { EMPTY_PROVENANCE, MetadataImage } from '../../src/metadata/image.js';
import { StoragePublisher } from '../../src/metadata/storage-publisher.js';
import { buildBatch } from '../../src/protocol/records/records.js';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { tempDir } from '../helpers/tmp.js';

/** A storage engine with one log, fo-0, holding three records, reopened from disk. */
async function storageWithLog(t: { teardown(fn: () => unknown): void }, replicated: boolean): Promise<{ storage: FileStorageEngine; configs: DynamicBrokerConfig; dir: string }> {
  const dir = tempDir(t);
  const configs = new DynamicBrokerConfig(new BrokerConfig({}), {}, 1);
  const empty = MetadataImage.empty('stray-logs');
  const first = new FileStorageEngine(dir, undefined, { replicated });
  await first.open();
  const l = await first.create('fo', 0, configs.logConfig(empty, 'fo'));
  await l.append(buildBatch({ records: ['a', 'b', 'c'].map((v) => ({ value: Buffer.from(v) })) }), { now: Date.now() });
  await first.close();
  const storage = new FileStorageEngine(dir, undefined, { replicated });
  await storage.open();
  t.teardown(() => storage.close());
  return { storage, configs, dir };
}

/** The first image a node publishes: here one that has never heard of topic fo. */
async function publishFirstImage(storage: FileStorageEngine, configs: DynamicBrokerConfig): Promise<void> {
  const delta = new MetadataDelta(MetadataImage.empty('stray-logs'));
  await new StoragePublisher(storage, configs).onMetadataUpdate(delta, delta.apply(EMPTY_PROVENANCE));
}

t.test('a lone node removes an unreplicated log its first image lacks', async (t) => {
  const { storage, configs, dir } = await storageWithLog(t, false);
  t.ok(storage.get('fo', 0), 'the log was found at open');
  await publishFirstImage(storage, configs);
  t.notOk(storage.get('fo', 0), 'the stray log is gone from the engine');
  t.notOk(fs.existsSync(path.join(dir, 'fo-0')), 'and from disk');
});

t.test('a cluster node keeps a replicated log its first (local, possibly stale) image lacks', async (t) => {
  const { storage, configs, dir } = await storageWithLog(t, true);
  await publishFirstImage(storage, configs);
  const l = storage.get('fo', 0);
  t.ok(l, 'the log is still in the engine');
  t.equal(l?.logEndOffset, 3, 'with its three records');
  t.ok(fs.existsSync(path.join(dir, 'fo-0')), 'and on disk');
});
