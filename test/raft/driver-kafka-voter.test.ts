// A mixed quorum: voter 1 is a real Apache Kafka 4.4.0 controller (process.roles=controller),
// voters 2 and 3 are samsa raft drivers. Every raft RPC crosses between the two implementations
// (pre-vote and vote, BeginQuorumEpoch, Fetch with divergence checks, EndQuorumEpoch on a
// graceful close). They elect one leader that all three follow (Kafka's quorum-state file says
// whom it follows), samsa's proposals reach Kafka's log, and after the samsa leader resigns the
// logs still agree byte for byte, whoever leads next (Kafka writes its own LeaderChange and
// bootstrap records when it wins).
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeMetadataRecord } from '../../src/metadata/records.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';
import { FAST, RaftCluster, freePorts, readLog, waitFor, waitForAsync, type RaftNode } from './driver-harness.js';

const configRecord = (i: number) => encodeMetadataRecord({ type: 4, version: 0, data: { resourceType: 4, resourceName: '', name: `k${i}`, value: `v${i}` } });

t.test('a Kafka 4.4.0 controller and two samsa drivers form one quorum', async (t) => {
  const base = tempDir(t);
  const ports = await freePorts(3);
  const cluster = new RaftCluster(path.join(base, 'samsa'), FAST);
  ports.forEach((port, i) => cluster.voters.set(i + 1, { name: 'CONTROLLER', host: '127.0.0.1', port }));
  const voters = [...cluster.voters].map(([id, e]) => `${id}@${e.host}:${e.port}`).join(',');
  const props = path.join(base, 'kafka.properties');
  const kafkaData = path.join(base, 'kafka-data');
  writeFileSync(
    props,
    [
      'process.roles=controller',
      'node.id=1',
      `controller.quorum.voters=${voters}`,
      `listeners=CONTROLLER://127.0.0.1:${ports[0]}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT',
      `log.dirs=${kafkaData}`,
    ].join('\n') + '\n',
  );
  t.equal((await kafkaTool('kafka.tools.StorageTool', 'format', '-t', cluster.clusterId, '-c', props)).code, 0, 'kafka-storage format');
  const kafka = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'java', 'kafka.Kafka', props], { stdio: ['ignore', 'ignore', 'ignore'], detached: true });
  t.teardown(() => {
    try {
      process.kill(-kafka.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  t.teardown(() => cluster.close());
  await cluster.startNode(2);
  await cluster.startNode(3);
  const kafkaState = () => {
    try {
      return JSON.parse(readFileSync(path.join(kafkaData, '__cluster_metadata-0/quorum-state'), 'utf8'));
    } catch {
      return undefined;
    }
  };
  const kafkaLog = () => readFileSync(path.join(kafkaData, '__cluster_metadata-0/00000000000000000000.log'));
  const agreed = () => {
    const statuses = cluster.running().map((n) => n.driver.status());
    const [a, b] = statuses;
    const k = kafkaState();
    if (!(a.leaderId > 0 && a.leaderId === b.leaderId && a.epoch === b.epoch && k?.leaderId === a.leaderId && k?.leaderEpoch === a.epoch)) return undefined;
    // A samsa leader must be leading (not resigned), its followers following.
    return statuses.every((s) => s.role === (s.nodeId === a.leaderId ? 'Leader' : 'Follower')) ? a : undefined;
  };
  /** Every samsa log equals Kafka's segment bytes up to the samsa nodes' high watermark. */
  const logsAgree = async (nodes: RaftNode[]) => {
    const end = Math.min(...nodes.map((n) => n.metadataLog.log.highWatermark));
    for (const n of nodes) {
      const ours = Buffer.concat((await readLog(n, end)).map((b) => b.bytes));
      if (ours.length === 0 || !kafkaLog().subarray(0, ours.length).equals(ours)) return false;
    }
    return true;
  };

  const first = await waitFor(agreed, 60_000, 'one leader that Kafka and both samsa nodes follow');
  t.pass(`node ${first.leaderId} leads epoch ${first.epoch}; Kafka's quorum-state names it too`);

  const leader = cluster.nodes.get(first.leaderId);
  if (leader) {
    // A samsa leader: Kafka's controller replays what it commits, so start with the metadata.version its format writes.
    await leader.driver.propose([encodeMetadataRecord({ type: 12, version: 0, data: { name: 'metadata.version', featureLevel: 33 } })]);
    const last = await leader.driver.propose([configRecord(1)]);
    await waitFor(() => cluster.running().every((n) => n.metadataLog.log.highWatermark > last), 30_000, 'committed');
  }
  await waitForAsync(() => logsAgree(cluster.running()), 30_000, "Kafka's log and both samsa logs to hold the same bytes");
  t.pass("Kafka's log and both samsa logs hold the same bytes");

  // Hand leadership over (or, with Kafka leading, restart a follower): the quorum goes on.
  const mover = cluster.nodes.get(first.leaderId) ?? cluster.nodes.get(2)!;
  await cluster.closeNode(mover.id);
  await cluster.startNode(mover.id);
  const second = await waitFor(() => {
    const s = agreed();
    // A resigned samsa leader is followed by a later epoch; a restarted follower of Kafka follows it again.
    return s && (mover.id === first.leaderId ? s.epoch > first.epoch : s.leaderId === first.leaderId) ? s : undefined;
  }, 60_000, 'a leader all three follow after the hand-over');
  t.pass(`then node ${second.leaderId} leads epoch ${second.epoch}`);
  const next = cluster.nodes.get(second.leaderId);
  if (next?.running) await next.driver.propose([configRecord(2)]);
  await waitForAsync(() => logsAgree(cluster.running()), 30_000, 'the logs to agree after the hand-over');
  t.pass("after the hand-over Kafka's log and both samsa logs still hold the same bytes");
});
