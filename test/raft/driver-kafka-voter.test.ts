// A mixed quorum: voter 1 is a real Apache Kafka 4.4.0 controller (process.roles=controller),
// voters 2 and 3 are samsa raft drivers. Every raft RPC crosses between the two implementations
// (pre-vote and vote, BeginQuorumEpoch, Fetch with divergence checks, EndQuorumEpoch on a
// graceful close). They elect one leader that all three follow (Kafka's quorum-state file says
// whom it follows), samsa's proposals reach Kafka's log, and after the samsa leader resigns the
// logs still agree byte for byte, whoever leads next (Kafka writes its own LeaderChange and
// bootstrap records when it wins). Followers of the same leader, one Kafka's and one samsa's, answer
// DescribeQuorum, a Fetch and malformed or stale Votes alike.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeMetadataRecord } from '../../src/metadata/records.js';
import { NodeClient } from '../../src/network/node-client.js';
import { DescribeQuorumRequest } from '../../src/protocol/generated/describe-quorum-request.js';
import { DescribeQuorumResponse } from '../../src/protocol/generated/describe-quorum-response.js';
import { outboundRequest, type OutboundCall, type WireContext } from '../../src/raft/wire.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { sleep } from '../helpers/timeout.js';
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
  t.teardown(() => cluster.close());
  // The samsa voters start first and elect one of themselves (2 of 3 is a majority); Kafka joins them.
  await cluster.startNode(2);
  await cluster.startNode(3);
  await cluster.waitForLeader();
  const kafka = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'java', 'kafka.Kafka', props], { stdio: ['ignore', 'ignore', 'ignore'], detached: true });
  t.teardown(() => {
    try {
      process.kill(-kafka.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  });
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

  const leader = cluster.nodes.get(first.leaderId)!;
  t.ok(leader, 'a samsa node leads');
  // Kafka's controller replays what it commits, so start with the metadata.version its format writes.
  await leader.driver.propose([encodeMetadataRecord({ type: 12, version: 0, data: { name: 'metadata.version', featureLevel: 33 } })]);
  const last = await leader.driver.propose([configRecord(1)]);
  await waitFor(() => cluster.running().every((n) => n.metadataLog.log.highWatermark > last), 30_000, 'committed');

  // Two followers of the same leader, Kafka's and samsa's, answer the same requests alike.
  const follower = cluster.running().find((n) => n !== leader)!;
  const client = new NodeClient({ nodeId: 77, requestTimeoutMs: 5000 });
  t.teardown(() => client.close());
  client.setEndpoint(1, { host: '127.0.0.1', port: ports[0] });
  client.setEndpoint(follower.id, cluster.voters.get(follower.id)!);
  const ctx: WireContext = { clusterId: cluster.clusterId, localId: 77, endpointOf: () => undefined, fetchMaxBytes: 1 << 20, leaderAndEpoch: () => ({ leaderId: -1, epoch: 0 }) };
  const normalize = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === '_tagged' || k === 'records' ? undefined : k === 'port' ? 0 : v)));
  const both = async (call: OutboundCall, voterId: (to: number) => number | undefined) => {
    const ask = async (to: number) => {
      const body = structuredClone(call.body) as any;
      if (voterId(to) !== undefined) body.voterId = voterId(to);
      // Kafka's controller serves its listener's requests only once its startup completes: retry until then.
      for (let attempt = 0; ; attempt++) {
        try {
          return normalize(await client.send(to, call.request, call.response, call.version, body));
        } catch (e) {
          if (attempt >= 60) throw e;
          await sleep(500);
        }
      }
    };
    return [await ask(1), await ask(follower.id)];
  };
  const probes: [string, OutboundCall, (to: number) => number | undefined][] = [
    ['DescribeQuorum', { request: DescribeQuorumRequest, response: DescribeQuorumResponse, version: 2, body: { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] }, toCore: () => null }, () => undefined],
    ['Fetch from a follower', outboundRequest({ type: 'FetchRequest', replicaId: 77, currentLeaderEpoch: first.epoch, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 0 }, 1, ctx), () => undefined],
    // Its last entry's epoch is not below the epoch it stands in: INVALID_REQUEST.
    ['a Vote with an illegal last epoch', outboundRequest({ type: 'VoteRequest', candidateEpoch: first.epoch, candidateId: leader.id, lastOffsetEpoch: first.epoch, lastOffset: 0, preVote: false }, 1, ctx), (to) => to],
    // A leader of an earlier epoch starting or ending it: FENCED_LEADER_EPOCH.
    ['a stale BeginQuorumEpoch', outboundRequest({ type: 'BeginQuorumEpochRequest', leaderId: leader.id, leaderEpoch: first.epoch - 1 }, 1, ctx), (to) => to],
    ['a stale EndQuorumEpoch', outboundRequest({ type: 'EndQuorumEpochRequest', leaderId: leader.id, leaderEpoch: first.epoch - 1, preferredSuccessors: [1, follower.id] }, 1, ctx), () => undefined],
    // A pre-vote standing in an epoch before the current one: FENCED_LEADER_EPOCH.
    ['a pre-vote from an earlier epoch', outboundRequest({ type: 'VoteRequest', candidateEpoch: first.epoch - 1, candidateId: leader.id, lastOffsetEpoch: first.epoch - 1, lastOffset: 0, preVote: true }, 1, ctx), (to) => to],
  ];
  for (const [what, call, voterId] of probes) {
    const [kafkaAnswer, samsaAnswer] = await both(call, voterId);
    t.same(samsaAnswer, kafkaAnswer, `${what}: samsa's follower answers as Kafka's`);
  }
  await waitForAsync(() => logsAgree(cluster.running()), 30_000, "Kafka's log and both samsa logs to hold the same bytes");
  t.pass("Kafka's log and both samsa logs hold the same bytes");

  // The samsa leader resigns and restarts: the quorum goes on under a new leader.
  const mover = leader;
  await cluster.closeNode(mover.id);
  await cluster.startNode(mover.id);
  const second = await waitFor(() => {
    const s = agreed();
    return s && s.epoch > first.epoch ? s : undefined;
  }, 60_000, 'a leader all three follow after the hand-over');
  t.pass(`then node ${second.leaderId} leads epoch ${second.epoch}`);
  const next = cluster.nodes.get(second.leaderId);
  if (next?.running) await next.driver.propose([configRecord(2)]);
  await waitForAsync(() => logsAgree(cluster.running()), 30_000, 'the logs to agree after the hand-over');
  t.pass("after the hand-over Kafka's log and both samsa logs still hold the same bytes");
});
