// startCluster({ nodes: 3 }) in-process: the active controller killed, a new leader elected in a
// later epoch, metadata changes keep working through the survivors, the killed node restarts and
// catches up (from the log, and from a snapshot once the leader's log no longer reaches back to it),
// and every node published the same image at every offset it shares with another.
import t, { type Test } from 'tap';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { createTopic } from '../helpers/cluster-admin.js';
import { ImageLedger } from '../helpers/cluster-images.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(180_000);

function brokersOf(c: RunningCluster): string[] {
  return c.nodes.filter((n) => n.running && n.bootstrap !== null).map((n) => n.bootstrap!);
}

/** Every running node has replayed up to the leader's high watermark; returns that offset. */
async function allCaughtUp(c: RunningCluster): Promise<number> {
  return waitUntil('every node replayed up to the high watermark', 30_000, () => {
    const leader = c.leader();
    const hw = leader?.status()?.highWatermark ?? -1;
    if (hw <= 0) return undefined;
    return c.nodes.every((n) => !n.running || n.node!.metadata.replayedOffset >= hw - 1) ? hw : undefined;
  });
}

function sameImages(t: Test, ledger: ImageLedger): void {
  t.same(ledger.disagreements(), [], 'no two nodes published different images at one offset');
  t.ok(ledger.sharedOffsets() > 0, `images compared at ${ledger.sharedOffsets()} offsets`);
}

t.test('kill the active controller: new leader, changes go on, the node rejoins', async (t) => {
  const ledger = new ImageLedger();
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t), publishers: (id) => [ledger.publisher(id)] });
  t.teardown(() => c.close());
  const first = await waitUntil('a leader', 20_000, () => c.leader());
  const epoch = first.status()!.epoch;
  await createTopic(brokersOf(c), 'before');

  await first.kill();
  const second = await waitUntil('a new leader', 20_000, () => {
    const l = c.leader();
    return l && l.nodeId !== first.nodeId ? l : undefined;
  });
  t.not(second.nodeId, first.nodeId, `node ${second.nodeId} took over from ${first.nodeId}`);
  t.ok(second.status()!.epoch > epoch, 'in a later epoch');
  await createTopic(brokersOf(c), 'after');
  await allCaughtUp(c);
  for (const n of c.nodes.filter((n) => n.running)) {
    t.ok(n.node!.metadata.image.topics.get('after'), `node ${n.nodeId} has the topic created after the failover`);
  }

  await first.restart();
  await createTopic(brokersOf(c), 'rejoined');
  await allCaughtUp(c);
  for (const name of ['before', 'after', 'rejoined']) t.ok(first.node!.metadata.image.topics.get(name), `the restarted node has ${name}`);
  const s = first.status()!;
  t.equal(s.role === 'Follower' || s.role === 'Leader', true, `the restarted node is a voter again (${s.role})`);
  sameImages(t, ledger);
});

t.test('a node too far behind catches up from a snapshot', async (t) => {
  const ledger = new ImageLedger();
  const c = await startCluster({
    nodes: 3,
    dataDir: tempDir(t),
    publishers: (id) => [ledger.publisher(id)],
    // Snapshots after a few records, and the log behind them dropped at once.
    config: {
      'metadata.log.max.record.bytes.between.snapshots': '1000',
      'metadata.log.segment.ms': '50',
      'metadata.max.retention.ms': '1',
      'metadata.max.retention.bytes': '1',
    },
  });
  t.teardown(() => c.close());
  const leader = await waitUntil('a leader', 20_000, () => c.leader());
  const behind = c.nodes.find((n) => n !== leader)!;
  await behind.kill();
  for (let i = 0; i < 40; i++) await createTopic(brokersOf(c), `t${i}`);
  const l = c.leader()!;
  await waitUntil("the leader's log start moved past the stopped node's end", 30_000, () => (l.status()!.logStartOffset > 0 ? true : undefined));

  await behind.restart();
  await allCaughtUp(c);
  for (let i = 0; i < 40; i++) t.ok(behind.node!.metadata.image.topics.get(`t${i}`), `t${i} reached the restarted node`);
  t.ok(behind.status()!.logStartOffset > 0, 'its log now starts at the fetched snapshot');
  sameImages(t, ledger);
});
