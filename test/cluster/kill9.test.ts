// kill -9 of the active controller in a cluster of samsa processes (3 combined nodes, as
// `samsa --nodes 3`): the other two elect a leader in a later epoch, Kafka 4.4.0's kafka-topics
// keeps creating topics through the survivors, the killed node restarts from its data dir and
// catches up (its replication row shows no lag), and once every node is stopped each data dir
// holds the same committed metadata batches and replays to the same image.
import t from 'tap';
import { startProcCluster } from '../helpers/cluster-procs.js';
import { describeReplication } from '../helpers/cluster-quorum.js';
import { waitForLeader, waitUntil } from '../helpers/cluster-wait.js';
import { commonImageOffset, differingBatches, imageAt, readDiskMetadata, sharedBatches } from '../helpers/cluster-disk.js';
import { kafkaTool } from '../helpers/kafka-tool.js';

t.setTimeout(300_000);

const TOPICS = 'org.apache.kafka.tools.TopicCommand';

t.test('kill -9 the active controller', async (t) => {
  const c = await startProcCluster(t, { nodes: 3 });
  const controllers = c.bootstrapController.split(',');
  const first = await waitForLeader(controllers, 30_000);
  const create = (bootstrap: string, topic: string) => kafkaTool(TOPICS, '--bootstrap-server', bootstrap, '--create', '--topic', topic, '--partitions', '3');
  t.equal((await create(c.bootstrap, 'before')).out.trim(), 'Created topic before.');

  const victim = c.node(first.leaderId);
  const killedAt = Date.now();
  const exit = await victim.kill9();
  t.equal(exit.signal, 'SIGKILL', `node ${victim.nodeId}, the active controller, killed -9`);
  const survivors = controllers.filter((x) => x !== `127.0.0.1:${victim.spec.controllerPort}`);
  const second = await waitForLeader(survivors, 30_000, { notLeader: first.leaderId, afterEpoch: first.leaderEpoch });
  t.ok(second.leaderEpoch > first.leaderEpoch, `node ${second.leaderId} leads epoch ${second.leaderEpoch} (was ${first.leaderEpoch})`);
  // Measured, not asserted (Kafka's defaults: fetch timeout 2 s, then a randomized 1-2 s election).
  t.comment(`new leader seen ${Date.now() - killedAt} ms after the kill (polled every 250 ms)`);

  const others = c.nodes.filter((n) => n !== victim).map((n) => `127.0.0.1:${n.spec.port}`).join(',');
  const after = await create(others, 'after');
  t.equal(after.out.trim(), 'Created topic after.', 'kafka-topics --create through the survivors');

  await victim.restart();
  const caughtUp = await waitUntil(`node ${victim.nodeId} caught up`, 30_000, async () => {
    const rows = await describeReplication({ controller: survivors.join(',') });
    const row = rows.find((r) => r.nodeId === victim.nodeId);
    return row && row.lag === 0 && row.status === 'Follower' ? row : undefined;
  });
  t.equal(caughtUp.lag, 0, 'kafka-metadata-quorum --replication: the restarted node has no lag');
  const listed = await kafkaTool(TOPICS, '--bootstrap-server', `127.0.0.1:${victim.spec.port}`, '--list');
  t.match(listed.out, /^after$/m, 'the restarted broker knows the topic created while it was down');

  for (const n of c.nodes) t.same(await n.stop(), { code: 0, signal: null }, `node ${n.nodeId} stops cleanly on SIGTERM`);
  const disks = await Promise.all(c.nodes.map((n) => readDiskMetadata(n.spec.dataDir)));
  for (let i = 1; i < disks.length; i++) {
    t.same(differingBatches(disks[0], disks[i]), [], `nodes 1 and ${i + 1} hold the same committed batches (${sharedBatches(disks[0], disks[i])} shared)`);
    t.ok(sharedBatches(disks[0], disks[i]) > 0, 'batches compared');
  }
  // Nodes stopped one after another (each stop commits its controlled shutdown): compare the images
  // at the last offset all of them committed.
  const common = commonImageOffset(disks);
  t.ok(common >= 0, `an offset every node can rebuild its image at (${common})`);
  const images = await Promise.all(c.nodes.map((n) => imageAt(n.spec.dataDir, common)));
  for (let i = 1; i < images.length; i++) t.equal(images[i], images[0], `node ${i + 1} replays to node 1's image at offset ${common}`);
  t.match(images[0], /"after"/, 'an image holding the topics');
});

t.test('kill -9 a follower; it comes back from a snapshot once the leader cleaned its log', async (t) => {
  // Snapshots every few records and the log behind them dropped at once.
  const c = await startProcCluster(t, {
    nodes: 3,
    config: {
      'metadata.log.max.record.bytes.between.snapshots': '1000',
      'metadata.max.retention.ms': '1',
      'metadata.max.retention.bytes': '1',
    },
  });
  const controllers = c.bootstrapController.split(',');
  const leader = await waitForLeader(controllers, 30_000);
  const victim = c.nodes.find((n) => n.nodeId !== leader.leaderId)!;
  await victim.kill9();
  const others = c.nodes.filter((n) => n !== victim).map((n) => `127.0.0.1:${n.spec.port}`);
  // Several topics per Kafka tool run: each JVM start costs seconds.
  for (let i = 0; i < 4; i++) {
    const r = await Promise.all([0, 1, 2, 3, 4].map((j) => kafkaTool(TOPICS, '--bootstrap-server', others.join(','), '--create', '--topic', `s${i}-${j}`)));
    for (const x of r) t.match(x.out, /Created topic s\d-\d\./);
  }
  await victim.restart();
  const survivors = controllers.filter((x) => x !== `127.0.0.1:${victim.spec.controllerPort}`);
  await waitUntil(`node ${victim.nodeId} caught up`, 30_000, async () => {
    const rows = await describeReplication({ controller: survivors.join(',') });
    return rows.find((r) => r.nodeId === victim.nodeId && r.lag === 0 && r.status === 'Follower');
  });
  t.match(victim.log(), /installed snapshot \S+ fetched from the leader/, 'the restarted node fetched a snapshot');
  const listed = await kafkaTool(TOPICS, '--bootstrap-server', `127.0.0.1:${victim.spec.port}`, '--list');
  for (let i = 0; i < 4; i++) for (let j = 0; j < 5; j++) t.match(listed.out, new RegExp(`^s${i}-${j}$`, 'm'), `s${i}-${j} on the restarted broker`);

  for (const n of c.nodes) await n.stop();
  const disks = await Promise.all(c.nodes.map((n) => readDiskMetadata(n.spec.dataDir)));
  const common = commonImageOffset(disks);
  t.ok(common >= 0, `an offset every node can rebuild its image at (${common})`);
  const images = await Promise.all(c.nodes.map((n) => imageAt(n.spec.dataDir, common)));
  for (let i = 1; i < images.length; i++) t.equal(images[i], images[0], `node ${i + 1} replays to node 1's image at offset ${common}`);
  for (let i = 1; i < disks.length; i++) t.same(differingBatches(disks[0], disks[i]), [], `nodes 1 and ${i + 1}: the committed batches both hold agree`);
});
