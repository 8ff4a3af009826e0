// Kafka's checks on the raft RPCs, as a Kafka 4.4.0 controller answers them on its controller
// listener (captured from compat/kafka/broker.sh's single-node controller, node 1, epoch 1, with
// the requests below): wrong cluster id, another topic or partition, the wrong voter key, stale
// and future epochs, a fetcher whose log diverges, DescribeQuorum of another topic. A single samsa
// voter (node 1, epoch 1) must give the same answers, field for field (ports and the high
// watermark aside). FetchSnapshot errors are the exception: Kafka 4.4.0 fails them with a
// NullPointerException (UNKNOWN_SERVER_ERROR) where samsa answers the protocol's partition error.
import t from 'tap';
import { NodeClient } from '../../src/network/node-client.js';
import { ApiVersionsRequest } from '../../src/protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js';
import { DescribeQuorumRequest } from '../../src/protocol/generated/describe-quorum-request.js';
import { DescribeQuorumResponse } from '../../src/protocol/generated/describe-quorum-response.js';
import { outboundRequest, type OutboundCall, type WireContext } from '../../src/raft/wire.js';
import { tempDir } from '../helpers/tmp.js';
import { RaftCluster } from './driver-harness.js';

const KAFKA_440: Record<string, unknown> = {
  'vote-wrong-cluster': {"errorCode":104,"topics":[],"nodeEndpoints":[]},
  'vote-null-cluster': {"errorCode":0,"topics":[{"topicName":"__cluster_metadata","partitions":[{"partitionIndex":0,"errorCode":0,"leaderId":1,"leaderEpoch":1,"voteGranted":false}]}],"nodeEndpoints":[{"nodeId":1,"host":"127.0.0.1","port":0}]},
  'vote-other-topic': {"errorCode":42,"topics":[],"nodeEndpoints":[]},
  'vote-two-partitions': {"errorCode":42,"topics":[],"nodeEndpoints":[]},
  'vote-wrong-voter': {"errorCode":0,"topics":[{"topicName":"__cluster_metadata","partitions":[{"partitionIndex":0,"errorCode":125,"leaderId":1,"leaderEpoch":1,"voteGranted":false}]}],"nodeEndpoints":[{"nodeId":1,"host":"127.0.0.1","port":0}]},
  'vote-non-voter-candidate': {"errorCode":0,"topics":[{"topicName":"__cluster_metadata","partitions":[{"partitionIndex":0,"errorCode":0,"leaderId":1,"leaderEpoch":1,"voteGranted":false}]}],"nodeEndpoints":[{"nodeId":1,"host":"127.0.0.1","port":0}]},
  'prevote-stale-epoch': {"errorCode":0,"topics":[{"topicName":"__cluster_metadata","partitions":[{"partitionIndex":0,"errorCode":74,"leaderId":1,"leaderEpoch":1,"voteGranted":false}]}],"nodeEndpoints":[{"nodeId":1,"host":"127.0.0.1","port":0}]},
  'begin-wrong-voter': {"errorCode":0,"topics":[{"topicName":"__cluster_metadata","partitions":[{"partitionIndex":0,"errorCode":74,"leaderId":1,"leaderEpoch":1}]}],"nodeEndpoints":[{"nodeId":1,"host":"127.0.0.1","port":0}]},
  'begin-stale': {"errorCode":0,"topics":[{"topicName":"__cluster_metadata","partitions":[{"partitionIndex":0,"errorCode":74,"leaderId":1,"leaderEpoch":1}]}],"nodeEndpoints":[{"nodeId":1,"host":"127.0.0.1","port":0}]},
  'fetch-other-topic': {"throttleTimeMs":0,"errorCode":42,"sessionId":0,"responses":[],"nodeEndpoints":[]},
  'fetch-wrong-cluster': {"throttleTimeMs":0,"errorCode":104,"sessionId":0,"responses":[],"nodeEndpoints":[]},
  'fetch-ok-observer': {"throttleTimeMs":0,"errorCode":0,"sessionId":0,"responses":[{"topic":"","topicId":"AAAAAAAAAAAAAAAAAAAAAQ","partitions":[{"partitionIndex":0,"errorCode":0,"highWatermark":"HW","lastStableOffset":-1,"logStartOffset":0,"divergingEpoch":{"epoch":-1,"endOffset":-1},"currentLeader":{"leaderId":1,"leaderEpoch":1},"snapshotId":{"endOffset":-1,"epoch":-1},"abortedTransactions":[],"preferredReadReplica":-1}]}],"nodeEndpoints":[{"nodeId":1,"host":"127.0.0.1","port":0,"rack":null}]},
  'fetch-fenced-epoch': {"throttleTimeMs":0,"errorCode":0,"sessionId":0,"responses":[{"topic":"","topicId":"AAAAAAAAAAAAAAAAAAAAAQ","partitions":[{"partitionIndex":0,"errorCode":74,"highWatermark":-1,"lastStableOffset":-1,"logStartOffset":0,"divergingEpoch":{"epoch":-1,"endOffset":-1},"currentLeader":{"leaderId":1,"leaderEpoch":1},"snapshotId":{"endOffset":-1,"epoch":-1},"abortedTransactions":[],"preferredReadReplica":-1}]}],"nodeEndpoints":[{"nodeId":1,"host":"127.0.0.1","port":0,"rack":null}]},
  'fetch-future-epoch': {"throttleTimeMs":0,"errorCode":0,"sessionId":0,"responses":[{"topic":"","topicId":"AAAAAAAAAAAAAAAAAAAAAQ","partitions":[{"partitionIndex":0,"errorCode":75,"highWatermark":-1,"lastStableOffset":-1,"logStartOffset":0,"divergingEpoch":{"epoch":-1,"endOffset":-1},"currentLeader":{"leaderId":1,"leaderEpoch":1},"snapshotId":{"endOffset":-1,"epoch":-1},"abortedTransactions":[],"preferredReadReplica":-1}]}],"nodeEndpoints":[{"nodeId":1,"host":"127.0.0.1","port":0,"rack":null}]},
  'fetch-diverging': {"throttleTimeMs":0,"errorCode":0,"sessionId":0,"responses":[{"topic":"","topicId":"AAAAAAAAAAAAAAAAAAAAAQ","partitions":[{"partitionIndex":0,"errorCode":0,"highWatermark":"HW","lastStableOffset":-1,"logStartOffset":0,"divergingEpoch":{"epoch":0,"endOffset":0},"currentLeader":{"leaderId":1,"leaderEpoch":1},"snapshotId":{"endOffset":-1,"epoch":-1},"abortedTransactions":[],"preferredReadReplica":-1}]}],"nodeEndpoints":[{"nodeId":1,"host":"127.0.0.1","port":0,"rack":null}]},
  'describequorum-other-topic': {"errorCode":0,"errorMessage":"","topics":[{"topicName":"foo","partitions":[{"partitionIndex":0,"errorCode":3,"errorMessage":"This server does not host this topic-partition.","leaderId":0,"leaderEpoch":0,"highWatermark":0,"currentVoters":[],"observers":[]}]}],"nodes":[]},
};

// What a Kafka 4.4.0 controller listener's ApiVersions (v4) advertises for the quorum's APIs.
const KAFKA_440_CONTROLLER_VERSIONS: Record<number, string> = { 1: '4-18', 18: '0-5', 52: '0-2', 53: '0-1', 54: '0-1', 55: '0-2', 59: '0-1' };

function normalize(x: unknown): unknown {
  return JSON.parse(
    JSON.stringify(x, (k, v) => (k === '_tagged' || k === 'records' ? undefined : k === 'port' ? 0 : v)),
  );
}

t.test('samsa answers malformed and edge raft requests as a Kafka 4.4.0 controller does', async (t) => {
  const cluster = await RaftCluster.start(tempDir(t), 1);
  t.teardown(() => cluster.close());
  const leader = await cluster.waitForLeader();
  t.equal(leader.driver.status().epoch, 1);
  const client = new NodeClient({ nodeId: 77, requestTimeoutMs: 5000 });
  t.teardown(() => client.close());
  const e = cluster.voters.get(1)!;
  client.setEndpoint(1, { host: e.host, port: e.port });
  const ctx: WireContext = { clusterId: cluster.clusterId, localId: 77, endpointOf: () => undefined, fetchMaxBytes: 1 << 20, leaderAndEpoch: () => ({ leaderId: -1, epoch: 0 }) };
  const ask = async (call: OutboundCall, mutate: (b: any) => void) => {
    const body = structuredClone(call.body) as any;
    mutate(body);
    return normalize(await client.send(1, call.request, call.response, call.version, body)) as any;
  };

  const vote = outboundRequest({ type: 'VoteRequest', candidateEpoch: 1, candidateId: 77, lastOffsetEpoch: 0, lastOffset: 0, preVote: false }, 1, ctx);
  const begin = outboundRequest({ type: 'BeginQuorumEpochRequest', leaderId: 77, leaderEpoch: 0 }, 1, ctx);
  const fetch = outboundRequest({ type: 'FetchRequest', replicaId: 77, currentLeaderEpoch: 1, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 0 }, 1, ctx);
  const part = (b: any) => b.topics[0].partitions[0];
  const cases: [string, OutboundCall, (b: any) => void][] = [
    ['vote-wrong-cluster', vote, (b) => (b.clusterId = 'AAAAAAAAAAAAAAAAAAAAAA')],
    ['vote-null-cluster', vote, (b) => (b.clusterId = null)],
    ['vote-other-topic', vote, (b) => (b.topics[0].topicName = 'foo')],
    ['vote-two-partitions', vote, (b) => b.topics[0].partitions.push({ ...part(b), partitionIndex: 1 })],
    ['vote-wrong-voter', vote, (b) => (b.voterId = 99)],
    ['vote-non-voter-candidate', vote, () => {}],
    ['prevote-stale-epoch', vote, (b) => Object.assign(part(b), { replicaEpoch: 0, preVote: true })],
    ['begin-wrong-voter', begin, (b) => (b.voterId = 99)],
    ['begin-stale', begin, () => {}],
    ['fetch-other-topic', fetch, (b) => (b.topics[0].topicId = 'AAAAAAAAAAAAAAAAAAAAAg')],
    ['fetch-wrong-cluster', fetch, (b) => (b.clusterId = 'AAAAAAAAAAAAAAAAAAAAAA')],
    ['fetch-ok-observer', fetch, () => {}],
    ['fetch-fenced-epoch', fetch, (b) => (part(b).currentLeaderEpoch = 0)],
    ['fetch-future-epoch', fetch, (b) => (part(b).currentLeaderEpoch = 99)],
    ['fetch-diverging', fetch, (b) => Object.assign(part(b), { fetchOffset: 5, lastFetchedEpoch: 0 })],
  ];
  for (const [name, call, mutate] of cases) {
    const ours = await ask(call, mutate);
    const hw = ours.responses?.[0]?.partitions?.[0];
    if (hw && hw.errorCode === 0) hw.highWatermark = 'HW';
    t.same(ours, KAFKA_440[name], name);
  }
  const dq = { request: DescribeQuorumRequest, response: DescribeQuorumResponse, version: 2, body: { topics: [{ topicName: 'foo', partitions: [{ partitionIndex: 0 }] }] }, toCore: () => null };
  t.same(await ask(dq, () => {}), KAFKA_440['describequorum-other-topic'], 'describequorum-other-topic');

  const versions = await client.send(1, ApiVersionsRequest, ApiVersionsResponse, 4, { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '1' });
  const advertised = new Map(versions.apiKeys.map((k) => [k.apiKey, `${k.minVersion}-${k.maxVersion}`]));
  for (const [key, range] of Object.entries(KAFKA_440_CONTROLLER_VERSIONS)) t.equal(advertised.get(Number(key)), range, `the controller listener advertises api key ${key} at ${range}, as Kafka's`);

  const fetchSnapshot = outboundRequest({ type: 'FetchSnapshotRequest', replicaId: 77, currentLeaderEpoch: 1, snapshotId: { offset: 3, epoch: 1 }, position: 0, maxBytes: 100 }, 1, ctx);
  const missing = await ask(fetchSnapshot, () => {});
  t.equal(missing.topics[0].partitions[0].errorCode, 98, 'a missing snapshot is SNAPSHOT_NOT_FOUND');
  t.equal((await ask(fetchSnapshot, (b) => (b.topics[0].name = 'foo'))).errorCode, 42, 'another topic is INVALID_REQUEST');
});
