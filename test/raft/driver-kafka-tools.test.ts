// Kafka 4.4.0's own kafka-metadata-quorum (MetadataQuorumCommand) pointed at the controller
// listeners of three raft drivers (--bootstrap-controller, KIP-919): its ApiVersions, DescribeCluster
// and DescribeQuorum go over the wire to samsa, and what it prints must match the quorum: the
// leader, its epoch, the high watermark, the three voters with their CONTROLLER endpoints, no
// observers, and in --replication each voter's log end offset with Kafka's Leader/Follower status.
import t from 'tap';
import { encodeMetadataRecord } from '../../src/metadata/records.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';
import { RaftCluster, waitFor } from './driver-harness.js';

const PLAINTEXT = 0;

t.test('kafka-metadata-quorum describe --status and --replication against samsa controllers', async (t) => {
  const cluster = await RaftCluster.start(tempDir(t), 3);
  t.teardown(() => cluster.close());
  const leader = await cluster.waitForLeader();
  // What a controller writes on start (ControllerRegistration): DescribeCluster lists controllers from these.
  let last = -1;
  for (const [id, e] of cluster.voters) {
    last = await leader.driver.propose([
      encodeMetadataRecord({
        type: 27,
        version: 0,
        data: { controllerId: id, incarnationId: 'AAAAAAAAAAAAAAAAAAAAAA', zkMigrationReady: false, endPoints: [{ name: e.name, host: e.host, port: e.port, securityProtocol: PLAINTEXT }], features: [] },
      }),
    ]);
  }
  await waitFor(() => cluster.running().every((n) => n.image.cluster.controllers.size === 3 && n.metadataLog.log.highWatermark > last), 10_000, 'every node replayed the registrations');
  const bootstrap = [...cluster.voters.values()].map((e) => `${e.host}:${e.port}`).join(',');

  const status = await kafkaTool('org.apache.kafka.tools.MetadataQuorumCommand', '--bootstrap-controller', bootstrap, 'describe', '--status');
  t.equal(status.code, 0, status.out);
  const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(status.out)?.[1]?.trim();
  const s = leader.driver.status();
  t.equal(field('ClusterId'), cluster.clusterId);
  t.equal(field('LeaderId'), String(leader.id));
  t.equal(field('LeaderEpoch'), String(s.epoch));
  t.equal(Number(field('HighWatermark')), leader.metadataLog.log.highWatermark, 'the leader high watermark');
  t.equal(field('MaxFollowerLag'), '0', 'followers caught up');
  const voters = JSON.parse(field('CurrentVoters')!);
  t.same(
    voters,
    [...cluster.voters].map(([id, e]) => ({ id, endpoints: [`CONTROLLER://${e.host}:${e.port}`] })),
    'the voters with their controller endpoints',
  );
  t.equal(field('CurrentObservers'), '[]');

  const replication = await kafkaTool('org.apache.kafka.tools.MetadataQuorumCommand', '--bootstrap-controller', bootstrap, 'describe', '--replication');
  t.equal(replication.code, 0, replication.out);
  const rows = replication.out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => /^\d+$/.test(c[0] ?? ''));
  t.same(rows.map((r) => Number(r[0])).sort(), [1, 2, 3], 'a row per voter');
  for (const r of rows) {
    const [id, directoryId, logEndOffset, lag, , , state] = r;
    t.equal(directoryId, 'AAAAAAAAAAAAAAAAAAAAAA', `voter ${id}: the static quorum's zero directory id`);
    t.equal(Number(logEndOffset), leader.metadataLog.log.logEndOffset, `voter ${id}: log end offset`);
    t.equal(lag, '0');
    t.equal(state, Number(id) === leader.id ? 'Leader' : 'Follower');
  }
});

t.test('kafka-metadata-quorum --replication shows the lag of a follower that stopped', async (t) => {
  const cluster = await RaftCluster.start(tempDir(t), 3);
  t.teardown(() => cluster.close());
  const leader = await cluster.waitForLeader();
  let last = -1;
  for (const [id, e] of cluster.voters) {
    last = await leader.driver.propose([
      encodeMetadataRecord({
        type: 27,
        version: 0,
        data: { controllerId: id, incarnationId: 'AAAAAAAAAAAAAAAAAAAAAA', zkMigrationReady: false, endPoints: [{ name: e.name, host: e.host, port: e.port, securityProtocol: PLAINTEXT }], features: [] },
      }),
    ]);
  }
  await waitFor(() => cluster.running().every((n) => n.image.cluster.controllers.size === 3 && n.metadataLog.log.highWatermark > last), 10_000, 'every node replayed the registrations');
  const stopped = cluster.running().find((n) => n !== leader)!;
  const stoppedEnd = stopped.metadataLog.log.logEndOffset;
  await cluster.killNode(stopped.id);
  for (let i = 0; i < 7; i++) await leader.driver.propose([encodeMetadataRecord({ type: 4, version: 0, data: { resourceType: 4, resourceName: '', name: `k${i}`, value: 'v' } })]);
  const leaderEnd = leader.metadataLog.log.logEndOffset;

  const bootstrap = `${cluster.voters.get(leader.id)!.host}:${cluster.voters.get(leader.id)!.port}`;
  const replication = await kafkaTool('org.apache.kafka.tools.MetadataQuorumCommand', '--bootstrap-controller', bootstrap, 'describe', '--replication');
  t.equal(replication.code, 0, replication.out);
  const rows = new Map(
    replication.out
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((c) => /^\d+$/.test(c[0] ?? ''))
      .map((c) => [Number(c[0]), c]),
  );
  const row = rows.get(stopped.id)!;
  t.equal(Number(row[2]), stoppedEnd, 'the stopped follower at the log end offset it last fetched');
  t.equal(Number(row[3]), leaderEnd - stoppedEnd, `and a lag of ${leaderEnd - stoppedEnd}`);
  t.equal(row[6], 'Follower');
  t.equal(Number(rows.get(leader.id)![3]), 0, 'the leader has no lag');
  const status = await kafkaTool('org.apache.kafka.tools.MetadataQuorumCommand', '--bootstrap-controller', bootstrap, 'describe', '--status');
  t.match(status.out, new RegExp(`MaxFollowerLag:\\s+${leaderEnd - stoppedEnd}\\b`), '--status reports it as the largest follower lag');
});
