// The driver performs the core's outputs in the contract's order, seen from outside on real
// sockets and files: when a peer receives a granted vote, the voter's quorum-state file already
// holds that vote (a crash right after the answer cannot let it vote again in the epoch); when a
// new leader's BeginQuorumEpoch is answered, the file already names that leader. The test plays
// voter 2 of a two-voter quorum whose voter 1 is a real driver.
import t from 'tap';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NodeClient, NodeUnavailableError } from '../../src/network/node-client.js';
import { outboundRequest, type WireContext } from '../../src/raft/wire.js';
import { tempDir } from '../helpers/tmp.js';
import { RaftCluster, freePorts } from './driver-harness.js';

t.test('a vote and a new leader are on disk before the answer leaves', async (t) => {
  const cluster = new RaftCluster(tempDir(t));
  const [p1, p2] = await freePorts(2);
  cluster.voters.set(1, { name: 'CONTROLLER', host: '127.0.0.1', port: p1 });
  // Voter 2 is this test: nothing listens on its port, so node 1 cannot win an election alone.
  cluster.voters.set(2, { name: 'CONTROLLER', host: '127.0.0.1', port: p2 });
  const node = await cluster.startNode(1);
  t.teardown(() => cluster.close());
  const file = path.join(node.dir, '__cluster_metadata-0/quorum-state');
  const onDisk = () => JSON.parse(readFileSync(file, 'utf8'));

  const client = new NodeClient({ nodeId: 2, requestTimeoutMs: 5000 });
  t.teardown(() => client.close());
  client.setEndpoint(1, { host: '127.0.0.1', port: p1 });
  const ctx: WireContext = { clusterId: cluster.clusterId, localId: 2, endpointOf: (id) => cluster.voters.get(id), fetchMaxBytes: 1 << 20, leaderAndEpoch: () => ({ leaderId: -1, epoch: 0 }) };

  const vote = outboundRequest({ type: 'VoteRequest', candidateEpoch: 5, candidateId: 2, lastOffsetEpoch: 0, lastOffset: 0, preVote: false }, 1, ctx);
  const voted = await client.send(1, vote.request, vote.response, vote.version, vote.body);
  const stateAtAnswer = onDisk();
  t.equal(voted.topics[0].partitions[0].voteGranted, true, 'node 1 grants candidate 2 its vote in epoch 5');
  t.match(stateAtAnswer, { leaderEpoch: 5, votedId: 2, leaderId: -1 }, 'and the vote was on disk when the answer arrived');

  const begin = outboundRequest({ type: 'BeginQuorumEpochRequest', leaderId: 2, leaderEpoch: 6 }, 1, ctx);
  const begun = await client.send(1, begin.request, begin.response, begin.version, begin.body);
  const afterBegin = onDisk();
  t.equal(begun.topics[0].partitions[0].errorCode, 0);
  t.match(afterBegin, { leaderEpoch: 6, leaderId: 2 }, 'the new leader was on disk when BeginQuorumEpoch was answered');
  t.equal(node.driver.status().role, 'Follower');
});

t.test('a vote that cannot be persisted is never granted: the driver stops and says so', async (t) => {
  const cluster = new RaftCluster(tempDir(t));
  const [p1, p2] = await freePorts(2);
  cluster.voters.set(1, { name: 'CONTROLLER', host: '127.0.0.1', port: p1 });
  cluster.voters.set(2, { name: 'CONTROLLER', host: '127.0.0.1', port: p2 });
  const node = await cluster.startNode(1);
  t.teardown(() => cluster.close());
  const failures: Error[] = [];
  node.driver.onFailure((e) => failures.push(e));
  // The atomic write's temp file cannot be created (a directory is in its way): the write fails.
  mkdirSync(path.join(node.dir, '__cluster_metadata-0/quorum-state.tmp'));

  const client = new NodeClient({ nodeId: 2, requestTimeoutMs: 5000 });
  t.teardown(() => client.close());
  client.setEndpoint(1, { host: '127.0.0.1', port: p1 });
  const ctx: WireContext = { clusterId: cluster.clusterId, localId: 2, endpointOf: (id) => cluster.voters.get(id), fetchMaxBytes: 1 << 20, leaderAndEpoch: () => ({ leaderId: -1, epoch: 0 }) };
  const vote = outboundRequest({ type: 'VoteRequest', candidateEpoch: 9, candidateId: 2, lastOffsetEpoch: 0, lastOffset: 0, preVote: false }, 1, ctx);
  await t.rejects(client.send(1, vote.request, vote.response, vote.version, vote.body), NodeUnavailableError, 'no answer: the connection is closed');
  t.equal(failures.length, 1, 'the failure listener heard of it');
  t.match(failures[0].message, /EISDIR|illegal operation on a directory/);
  const file = path.join(node.dir, '__cluster_metadata-0/quorum-state');
  t.notOk(existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).votedId === 2, 'no vote for 2 is on disk');
  await t.rejects(node.driver.propose([Buffer.from('x')]), /closed|stopped|EISDIR/, 'the stopped driver takes nothing more');
});
