// A node that was down while the others snapshotted and deleted their log below the snapshot
// catches up through FetchSnapshot: the leader answers its Fetch with the snapshot id, the node
// fetches the snapshot file in ranges, installs it (its log restarts at the snapshot's offset)
// and fetches the rest. Real sockets, real files, Kafka's snapshot file layout.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MetadataImage } from '../../src/metadata/image.js';
import { encodeMetadataRecord } from '../../src/metadata/records.js';
import { SnapshotStore, snapshotFileName } from '../../src/metadata/snapshot.js';
import { tempDir } from '../helpers/tmp.js';
import { FAST, RaftCluster, readLog, waitFor } from './driver-harness.js';

const configRecord = (i: number) => encodeMetadataRecord({ type: 4, version: 0, data: { resourceType: 4, resourceName: '', name: `k${i}`, value: `v${i}`.repeat(50) } });

t.test('a node behind the log start catches up from the leader snapshot (FetchSnapshot)', async (t) => {
  // Small FetchSnapshot ranges, so the snapshot moves in several pieces.
  const cluster = await RaftCluster.start(tempDir(t), 3, { ...FAST, fetchSnapshotMaxBytes: 50 } as typeof FAST);
  t.teardown(() => cluster.close());
  const leader = await cluster.waitForLeader();
  for (let i = 0; i < 5; i++) await leader.driver.propose([configRecord(i)]);
  const behind = cluster.running().find((n) => n !== leader)!;
  const behindEnd = behind.metadataLog.log.logEndOffset;
  await cluster.killNode(behind.id);

  let last = -1;
  for (let i = 5; i < 40; i++) last = await leader.driver.propose([configRecord(i)]);
  const others = cluster.running();
  await waitFor(() => others.every((n) => n.metadataLog.log.highWatermark > last), 10_000, 'the two commit');
  // Both snapshot everything committed and delete the log below it, as Kafka's metadata log cleaning does.
  const id = { offset: last + 1, epoch: leader.driver.status().epoch };
  const image = MetadataImage.empty(cluster.clusterId);
  for (const n of others) {
    await new SnapshotStore(path.join(n.dir, '__cluster_metadata-0')).write(image, id);
    n.driver.snapshotCreated(id);
    t.equal(await n.driver.deleteLogBefore(id.offset), id.offset, `node ${n.id}'s log now starts at ${id.offset}`);
  }
  t.ok(behindEnd < id.offset, `the stopped node's log ends at ${behindEnd}, below the log start`);

  const back = await cluster.startNode(behind.id);
  const installed: unknown[] = [];
  back.driver.onSnapshotInstalled((s) => installed.push(s));
  const more = await (await cluster.waitForLeader()).driver.propose([configRecord(100)]);
  await waitFor(() => back.metadataLog.log.highWatermark > more, 30_000, 'the restarted node catches up');
  t.same(installed, [id], 'it installed the snapshot');
  const name = snapshotFileName(id);
  const size = readFileSync(path.join(leader.dir, '__cluster_metadata-0', name)).length;
  t.ok(size > 100, `the ${size}-byte snapshot moved in ${Math.ceil(size / 50)} FetchSnapshot ranges`);
  t.ok(
    readFileSync(path.join(back.dir, '__cluster_metadata-0', name)).equals(readFileSync(path.join(leader.dir, '__cluster_metadata-0', name))),
    `its ${name} is the leader's, byte for byte`,
  );
  const loaded = await new SnapshotStore(path.join(back.dir, '__cluster_metadata-0')).loadLatest(Number.MAX_SAFE_INTEGER);
  t.same(loaded?.id, id, 'and loads as a snapshot');
  t.equal(back.metadataLog.log.logStartOffset, id.offset, 'its log starts at the snapshot');
  const logs = await Promise.all(cluster.running().map((n) => readLog(n, more + 1)));
  const hex = logs.map((l) => l.filter((b) => b.baseOffset >= id.offset).map((b) => b.bytes.toString('hex')).join(''));
  t.ok(hex.every((h) => h === hex[0]) && hex[0].length > 0, 'past the snapshot every log is the same bytes');
});
