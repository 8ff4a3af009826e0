// ListConfigResources, AlterReplicaLogDirs, AlterPartitionReassignments and DescribeQuorum on one
// broker. Every expected value is Apache Kafka 4.4.0's answer to the same request on a single-node
// KRaft broker (process.roles=broker,controller, controller.quorum.voters, one log dir), captured
// with these requests: error codes, messages, which resources are listed and in what order.
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { codecRequest } from '../metadata/helpers.js';

let b: RunningBroker;
let dir: string;
const q = (name: string, version: number, body: unknown) => codecRequest(b.host, b.port, name, version, body);

t.before(async () => {
  dir = tempDir(t);
  b = await startBroker({ port: 0, dataDir: dir });
  await b.broker.createTopic('r1', 2, {});
});
t.teardown(() => b?.close());

t.test('ListConfigResources', async (t) => {
  const all = await q('ListConfigResources', 1, { resourceTypes: [] });
  t.equal(all.errorCode, 0);
  t.same(all.configResources, [
    { resourceName: '1', resourceType: 8 },
    { resourceName: '1', resourceType: 4 },
    { resourceName: 'r1', resourceType: 2 },
  ], 'no types: groups and client metrics with configs (none), each broker as BROKER_LOGGER then BROKER, then topics');
  t.same((await q('ListConfigResources', 1, { resourceTypes: [2, 4] })).configResources, [
    { resourceName: '1', resourceType: 4 },
    { resourceName: 'r1', resourceType: 2 },
  ], 'Kafka\'s type order whatever the request\'s');
  t.same((await q('ListConfigResources', 1, { resourceTypes: [16, 32] })).configResources, [], 'no subscriptions, no group configs');
  t.same(await q('ListConfigResources', 1, { resourceTypes: [2, 3] }), { throttleTimeMs: 0, errorCode: 35, configResources: [] }, 'an unknown type: UNSUPPORTED_VERSION, nothing listed');
  t.same(await q('ListConfigResources', 0, {}), { throttleTimeMs: 0, errorCode: 0, configResources: [] }, 'v0 (ListClientMetricsResources) lists client-metrics subscriptions only');
});

t.test('AlterReplicaLogDirs', async (t) => {
  const sameDir = await q('AlterReplicaLogDirs', 2, { dirs: [{ path: dir, topics: [{ name: 'r1', partitions: [7, 0] }, { name: 'nope', partitions: [0] }] }] });
  t.same(sameDir.results, [
    { topicName: 'nope', partitions: [{ partitionIndex: 0, errorCode: 3 }] },
    { topicName: 'r1', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 7, errorCode: 3 }] },
  ], 'to the dir a replica is in: NONE; unknown partitions UNKNOWN_TOPIC_OR_PARTITION');
  const otherDir = await q('AlterReplicaLogDirs', 2, { dirs: [{ path: '/nonexistent', topics: [{ name: 'r1', partitions: [0] }, { name: 'nope', partitions: [1] }] }] });
  t.same(otherDir.results, [
    { topicName: 'nope', partitions: [{ partitionIndex: 1, errorCode: 57 }] },
    { topicName: 'r1', partitions: [{ partitionIndex: 0, errorCode: 57 }] },
  ], 'a dir the broker does not have: LOG_DIR_NOT_FOUND, known partition or not');
  t.same((await q('AlterReplicaLogDirs', 1, { dirs: [{ path: `${dir}/`, topics: [{ name: 'r1', partitions: [1] }] }] })).results,
    [{ topicName: 'r1', partitions: [{ partitionIndex: 1, errorCode: 57 }] }], 'the path is compared as given (v1 too)');
  t.same((await q('AlterReplicaLogDirs', 2, { dirs: [{ path: dir, topics: [{ name: 'r1', partitions: [0] }] }, { path: '/x', topics: [{ name: 'r1', partitions: [1] }] }] })).results,
    [{ topicName: 'r1', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 57 }] }], 'results grouped by topic across dirs');
  t.same((await q('AlterReplicaLogDirs', 2, { dirs: [] })).results, []);
});

t.test('AlterPartitionReassignments', async (t) => {
  const notRegistered = 'The manual partition assignment includes broker 2, but no such broker is registered.';
  const r = await q('AlterPartitionReassignments', 0, {
    timeoutMs: 10000,
    topics: [
      { name: 'r1', partitions: [{ partitionIndex: 0, replicas: [1] }, { partitionIndex: 1, replicas: [2] }, { partitionIndex: 5, replicas: [1] }] },
      { name: 'nope', partitions: [{ partitionIndex: 0, replicas: [1] }, { partitionIndex: 1, replicas: null }] },
    ],
  });
  t.same(r, {
    throttleTimeMs: 0,
    allowReplicationFactorChange: true,
    errorCode: 0,
    errorMessage: null,
    responses: [
      {
        name: 'r1',
        partitions: [
          { partitionIndex: 0, errorCode: 0, errorMessage: null },
          { partitionIndex: 1, errorCode: 39, errorMessage: notRegistered },
          { partitionIndex: 5, errorCode: 3, errorMessage: 'Unable to find partition r1:5.' },
        ],
      },
      {
        name: 'nope',
        partitions: [
          { partitionIndex: 0, errorCode: 3, errorMessage: 'Unable to find a topic named nope.' },
          { partitionIndex: 1, errorCode: 3, errorMessage: 'Unable to find a topic named nope.' },
        ],
      },
    ],
  }, 'to the current replicas: no-op success; another broker, unknown partition or topic: Kafka\'s errors');
  const one = async (replicas: number[] | null, version = 0, allowReplicationFactorChange = true) =>
    (await q('AlterPartitionReassignments', version, { timeoutMs: 10000, allowReplicationFactorChange, topics: [{ name: 'r1', partitions: [{ partitionIndex: 0, replicas }] }] })).responses[0].partitions[0];
  t.same(await one(null), { partitionIndex: 0, errorCode: 85, errorMessage: null }, 'cancel with none in progress: NO_REASSIGNMENT_IN_PROGRESS');
  t.same(await one([]), { partitionIndex: 0, errorCode: 39, errorMessage: 'The manual partition assignment includes an empty replica list.' });
  t.same(await one([1, 1]), { partitionIndex: 0, errorCode: 39, errorMessage: 'The manual partition assignment includes the broker 1 more than once.' });
  t.same(await one([1, 2]), { partitionIndex: 0, errorCode: 39, errorMessage: notRegistered });
  t.same(await one([-1]), { partitionIndex: 0, errorCode: 39, errorMessage: 'The manual partition assignment includes broker -1, but no such broker is registered.' });
  t.same(await one([2, 1, 1]), { partitionIndex: 0, errorCode: 39, errorMessage: 'The manual partition assignment includes the broker 1 more than once.' }, 'ids checked in ascending order');
  t.same(await one([1], 1, false), { partitionIndex: 0, errorCode: 0, errorMessage: null }, 'v1 without replication factor change: same factor passes');
  const v1 = await q('AlterPartitionReassignments', 1, { timeoutMs: 10000, allowReplicationFactorChange: false, topics: [] });
  t.same(v1, { throttleTimeMs: 0, allowReplicationFactorChange: false, errorCode: 0, errorMessage: '', responses: [] }, 'v1 echoes the flag; no topics: empty message');
  t.same((await q('ListPartitionReassignments', 0, { timeoutMs: 10000, topics: null })).topics, [], 'nothing left in progress');
});

t.test('DescribeQuorum', async (t) => {
  const ask = { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] };
  const before = Date.now();
  const r = await q('DescribeQuorum', 2, ask);
  const log = b.broker.metadata.metadataLog;
  t.match(r, { errorCode: 0, errorMessage: '' });
  t.equal(r.topics.length, 1);
  const p = r.topics[0].partitions[0];
  t.match(p, { partitionIndex: 0, errorCode: 0, errorMessage: '', leaderId: 1, leaderEpoch: log.epoch, highWatermark: log.endOffset, observers: [] });
  t.equal(r.topics[0].topicName, '__cluster_metadata');
  t.equal(p.currentVoters.length, 1);
  const v = p.currentVoters[0];
  t.match(v, { replicaId: 1, replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA', logEndOffset: log.endOffset }, 'a static quorum\'s voter has no directory id');
  t.ok(v.lastFetchTimestamp >= before && v.lastCaughtUpTimestamp === v.lastFetchTimestamp, 'the leader is caught up now');
  t.same(r.nodes, [{ nodeId: 1, listeners: [{ name: 'PLAINTEXT', host: b.host, port: b.port }] }], 'v2 lists the voter with its endpoint');
  await b.broker.createTopic('r2', 1, {});
  const after = await q('DescribeQuorum', 1, ask);
  t.ok(after.topics[0].partitions[0].highWatermark > p.highWatermark, 'the high watermark follows the metadata log');
  t.same(after.nodes, [], 'no nodes before v2');
  const unknown = { errorCode: 3, errorMessage: 'This server does not host this topic-partition.', leaderId: 0, leaderEpoch: 0, highWatermark: 0, currentVoters: [], observers: [] };
  t.same(await q('DescribeQuorum', 2, { topics: [{ topicName: 'foo', partitions: [{ partitionIndex: 0 }, { partitionIndex: 1 }] }] }), {
    errorCode: 0,
    errorMessage: '',
    topics: [{ topicName: 'foo', partitions: [{ partitionIndex: 0, ...unknown }, { partitionIndex: 1, ...unknown }] }],
    nodes: [],
  }, 'another topic: each partition asked UNKNOWN_TOPIC_OR_PARTITION');
  t.same((await q('DescribeQuorum', 2, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 1 }] }] })).topics[0].partitions, [{ partitionIndex: 1, ...unknown }]);
  t.same(await q('DescribeQuorum', 2, { topics: [] }), { errorCode: 0, errorMessage: '', topics: [], nodes: [] });
});
