// A local cluster of samsa processes laid out as `samsa --nodes 3` does (3 combined broker+controller
// nodes; also 3 controllers + 2 brokers) elects a quorum leader, and Kafka 4.4.0's
// `kafka-metadata-quorum describe --status / --replication` (through the controllers and through a
// broker) show the voters, observers, leader, epoch and lags as Kafka reports them: the leader is a
// voter, every node's quorum-state file names the same leader and epoch, LogEndOffset - Lag is the
// leader's end offset, and a topic created through one broker reaches every broker.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startProcCluster, type ProcCluster } from '../helpers/cluster-procs.js';
import { describeReplication, describeStatus } from '../helpers/cluster-quorum.js';
import { waitForLeader, waitUntil } from '../helpers/cluster-wait.js';
import { kafkaTool } from '../helpers/kafka-tool.js';

t.setTimeout(300_000);

const TOPICS = 'org.apache.kafka.tools.TopicCommand';

function quorumStateOf(c: ProcCluster, nodeId: number): { leaderId: number; leaderEpoch: number; votedId: number } {
  const file = path.join(c.node(nodeId).spec.dataDir, '__cluster_metadata-0', 'quorum-state');
  return JSON.parse(readFileSync(file, 'utf8'));
}

async function checkQuorum(t: Test, c: ProcCluster, voters: number[], observers: number[]): Promise<void> {
  const controllers = c.bootstrapController.split(',');
  const leader = await waitForLeader(controllers, 30_000);
  t.ok(voters.includes(leader.leaderId), `leader ${leader.leaderId} is a voter`);

  // A metadata change through a broker: forwarded to the active controller, committed, replayed everywhere.
  const created = await kafkaTool(TOPICS, '--bootstrap-server', c.bootstrap, '--create', '--topic', 'q1', '--partitions', '2', '--replication-factor', '1');
  t.equal(created.out.trim(), 'Created topic q1.', 'kafka-topics --create through a broker');
  for (const b of c.bootstrap.split(',')) {
    const d = await waitUntil(`q1 on ${b}`, 15_000, async () => {
      const r = await kafkaTool(TOPICS, '--bootstrap-server', b, '--describe', '--topic', 'q1');
      return r.code === 0 && /PartitionCount: 2/.test(r.out) ? r : undefined;
    });
    t.match(d.out, 'Topic: q1\t', `broker ${b} knows q1`);
  }

  // Every voter holds what is committed (the leader may be writing more meanwhile).
  const settled = await waitUntil('voters caught up', 20_000, async () => {
    const v = await waitForLeader(controllers, 5_000);
    return v.highWatermark > 0 && v.voters.every((r) => r.logEndOffset >= v.highWatermark) ? v : undefined;
  });

  for (const via of [{ controller: c.bootstrapController }, { server: c.bootstrap }]) {
    const what = 'controller' in via ? '--bootstrap-controller' : '--bootstrap-server';
    const status = await describeStatus(via);
    t.equal(status.clusterId, c.clusterId, `${what} --status: the cluster id every node was formatted with`);
    t.equal(status.leaderId, settled.leaderId, `${what} --status: LeaderId`);
    t.ok(status.leaderEpoch >= settled.leaderEpoch, `${what} --status: LeaderEpoch`);
    t.ok(status.highWatermark >= settled.highWatermark, `${what} --status: HighWatermark`);
    t.same(status.currentVoters.map((v) => v.id).sort(), voters, `${what} --status: CurrentVoters`);
    for (const v of status.currentVoters) {
      t.same(v.endpoints, [`CONTROLLER://127.0.0.1:${c.node(v.id).spec.controllerPort}`], `voter ${v.id}'s endpoint`);
    }
    t.same(status.currentObservers.map((o) => o.id).sort(), observers, `${what} --status: CurrentObservers`);

    const rows = await describeReplication(via);
    t.same(rows.map((r) => r.nodeId).sort(), [...voters, ...observers].sort(), `${what} --replication: one row per voter and observer`);
    const leaderRow = rows.find((r) => r.status === 'Leader');
    t.equal(leaderRow?.nodeId, status.leaderId, `${what} --replication: the leader's row`);
    for (const r of rows) {
      t.equal(r.status, r.nodeId === status.leaderId ? 'Leader' : voters.includes(r.nodeId) ? 'Follower' : 'Observer', `node ${r.nodeId}'s status`);
      t.equal(r.logEndOffset + r.lag, leaderRow!.logEndOffset, `node ${r.nodeId}: LogEndOffset + Lag is the leader's end offset`);
      t.ok(r.lastFetchTimestamp > 0 && r.lastCaughtUpTimestamp > 0, `node ${r.nodeId} has fetched and caught up`);
    }
  }

  // Every voter persisted the same leader and epoch (quorum-state, Kafka's QuorumStateData JSON).
  const final = await waitForLeader(controllers, 5_000);
  for (const id of voters) {
    const qs = quorumStateOf(c, id);
    t.equal(qs.leaderEpoch, final.leaderEpoch, `node ${id}'s quorum-state epoch`);
    t.equal(qs.leaderId, final.leaderId, `node ${id}'s quorum-state leader`);
  }
}

t.test('3 combined broker+controller nodes', async (t) => {
  const c = await startProcCluster(t, { nodes: 3 });
  await checkQuorum(t, c, [1, 2, 3], []);
});

t.test('3 controllers and 2 brokers', async (t) => {
  const c = await startProcCluster(t, { controllers: 3, brokers: 2 });
  await checkQuorum(t, c, [1, 2, 3], [4, 5]);
});
