// The describe-style admin APIs on one broker, expected values taken from Apache Kafka 4.0.2's
// answers to the same requests (DescribeCluster, DescribeLogDirs and UpdateFeatures: 4.4.0's):
// DescribeCluster, DescribeLogDirs, DescribeTopicPartitions, DescribeProducers, ElectLeaders,
// ListPartitionReassignments and UpdateFeatures.
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { WireConnection } from '../helpers/wire.js';
import { buildBatch, produceRaw } from '../helpers/batch-builder.js';
import { codecRequest } from '../metadata/helpers.js';

let b: RunningBroker;
let dir: string;
const q = (name: string, version: number, body: unknown) => codecRequest(b.host, b.port, name, version, body);

t.before(async () => {
  dir = tempDir(t);
  b = await startBroker({ port: 0, dataDir: dir, config: { 'offsets.topic.num.partitions': '1' } });
  await b.broker.createTopic('dt1', 3, {});
  await b.broker.createTopic('dt2', 2, {});
});
t.teardown(() => b?.close());

t.test('DescribeCluster', async (t) => {
  const r = await q('DescribeCluster', 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
  t.match(r, { errorCode: 0, errorMessage: null, clusterId: b.broker.clusterId, controllerId: 1, clusterAuthorizedOperations: -2147483648 });
  t.same(r.brokers, [{ brokerId: 1, host: b.host, port: b.port, rack: null, isFenced: false }], 'isFenced: the decoder\'s default before v2');
  t.equal((await q('DescribeCluster', 0, { includeClusterAuthorizedOperations: true })).clusterAuthorizedOperations, 8096);
  t.match(await q('DescribeCluster', 1, { includeClusterAuthorizedOperations: false, endpointType: 2 }), {
    errorCode: 114,
    errorMessage: 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER',
    brokers: [],
  });
  t.match(await q('DescribeCluster', 2, { includeClusterAuthorizedOperations: false, endpointType: 3, includeFencedBrokers: false }), {
    errorCode: 115,
    errorMessage: 'Unsupported endpoint type 3',
    clusterId: '',
    controllerId: -1,
    brokers: [],
  });
  // v2 (KIP-1073): each broker says whether it is fenced; fenced ones are listed only when asked.
  for (const includeFencedBrokers of [false, true]) {
    const v2 = await q('DescribeCluster', 2, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers });
    t.same(v2.brokers, [{ brokerId: 1, host: b.host, port: b.port, rack: null, isFenced: false }], `includeFencedBrokers ${includeFencedBrokers}`);
  }
});

t.test('DescribeLogDirs', async (t) => {
  const conn = await WireConnection.connect(b.host, b.port);
  const batch = buildBatch([{ key: null, value: Buffer.alloc(1000), headers: [], timestamp: Date.now() }], 'none');
  t.same(await produceRaw(conn, 'dt1', 1, batch), [0, 0]);
  conn.destroy();
  const r = await q('DescribeLogDirs', 4, { topics: [{ topic: 'dt1', partitions: [0, 1, 7] }, { topic: 'nope', partitions: [0] }] });
  t.equal(r.results.length, 1);
  const d = r.results[0];
  t.match(d, { errorCode: 0, logDir: dir });
  t.ok(d.totalBytes > 0 && d.usableBytes > 0 && d.usableBytes <= d.totalBytes, 'v4 reports the dir\'s sizes');
  t.same(d.topics.map((x: any) => x.name), ['dt1'], 'unknown topics are left out');
  t.same(d.topics[0].partitions.map((p: any) => [p.partitionIndex, p.offsetLag, p.isFutureKey]), [[0, 0, false], [1, 0, false]], 'unknown partitions are left out');
  t.equal(d.topics[0].partitions[1].partitionSize, batch.length, 'size is the bytes on disk');
  const all = await q('DescribeLogDirs', 1, { topics: null });
  t.same(all.results[0].topics.map((x: any) => x.name).sort(), ['dt1', 'dt2']);
  t.same([all.results[0].totalBytes, all.results[0].usableBytes], [-1, -1], 'no sizes before v4');
  const v5 = await q('DescribeLogDirs', 5, { topics: [{ topic: 'dt1', partitions: [1] }] });
  t.match(v5.results, [{ errorCode: 0, logDir: dir, isCordoned: false, topics: [{ name: 'dt1', partitions: [{ partitionIndex: 1, partitionSize: batch.length }] }] }], 'v5: the dir is not cordoned');
});

t.test('DescribeTopicPartitions pages with a cursor', async (t) => {
  const full = await q('DescribeTopicPartitions', 0, { topics: [{ name: 'dt2' }, { name: 'nope' }, { name: 'dt1' }], responsePartitionLimit: 2000, cursor: null });
  t.same(full.topics.map((x: any) => [x.name, x.errorCode, x.partitions.length]), [['dt1', 0, 3], ['dt2', 0, 2], ['nope', 3, 0]], 'sorted by name');
  t.equal(full.topics[0].topicId, b.broker.topics.get('dt1')!.topicId);
  t.match(full.topics[0].partitions[0], { partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], eligibleLeaderReplicas: [], lastKnownElr: [], offlineReplicas: [] });
  t.equal(full.topics[0].topicAuthorizedOperations, 3576);
  t.equal(full.nextCursor, null);
  const page1 = await q('DescribeTopicPartitions', 0, { topics: [{ name: 'dt1' }, { name: 'dt2' }], responsePartitionLimit: 2, cursor: null });
  t.same(page1.topics.map((x: any) => [x.name, x.partitions.map((p: any) => p.partitionIndex)]), [['dt1', [0, 1]]]);
  t.same(page1.nextCursor, { topicName: 'dt1', partitionIndex: 2 });
  const page2 = await q('DescribeTopicPartitions', 0, { topics: [{ name: 'dt1' }, { name: 'dt2' }], responsePartitionLimit: 2, cursor: page1.nextCursor });
  t.same(page2.topics.map((x: any) => [x.name, x.partitions.map((p: any) => p.partitionIndex)]), [['dt1', [2]], ['dt2', [0]]]);
  t.same(page2.nextCursor, { topicName: 'dt2', partitionIndex: 1 });
  const all = await q('DescribeTopicPartitions', 0, { topics: [], responsePartitionLimit: 2000, cursor: null });
  t.same(all.topics.map((x: any) => x.name), ['dt1', 'dt2'], 'an empty list means every topic');
});

t.test('DescribeProducers', async (t) => {
  const init = await q('InitProducerId', 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
  const conn = await WireConnection.connect(b.host, b.port);
  const batch = buildBatch([{ key: null, value: Buffer.from('x'), headers: [], timestamp: 1234 }, { key: null, value: Buffer.from('y'), headers: [], timestamp: 1235 }], 'none');
  // producer id, epoch 0, base sequence 0 go into the header; the CRC covers them.
  batch.writeBigInt64BE(BigInt(init.producerId), 43);
  batch.writeInt16BE(0, 51);
  batch.writeInt32BE(0, 53);
  const { crc32c } = await import('@node-rs/crc32');
  batch.writeUInt32BE(crc32c(batch.subarray(21)) >>> 0, 17);
  t.same(await produceRaw(conn, 'dt2', 0, batch), [0, 0]);
  conn.destroy();
  const r = await q('DescribeProducers', 0, { topics: [{ name: 'dt2', partitionIndexes: [0, 1, 9] }, { name: 'nope', partitionIndexes: [0] }] });
  t.same(r.topics[0].partitions[0].activeProducers, [
    { producerId: init.producerId, producerEpoch: 0, lastSequence: 1, lastTimestamp: 1235, coordinatorEpoch: -1, currentTxnStartOffset: -1 },
  ]);
  t.same(r.topics[0].partitions[1], { partitionIndex: 1, errorCode: 0, errorMessage: null, activeProducers: [] });
  t.same(r.topics[0].partitions[2], { partitionIndex: 9, errorCode: 3, errorMessage: null, activeProducers: [] });
  t.same(r.topics[1].partitions[0], { partitionIndex: 0, errorCode: 3, errorMessage: 'This server does not host this topic-partition.', activeProducers: [] });
});

t.test('ElectLeaders and ListPartitionReassignments: the single-broker answers', async (t) => {
  for (const electionType of [0, 1]) {
    const r = await q('ElectLeaders', 2, { electionType, topicPartitions: [{ topic: 'dt1', partitions: [0, 9] }, { topic: 'nope', partitions: [0] }], timeoutMs: 5000 });
    t.same(r.replicaElectionResults, [
      {
        topic: 'dt1',
        partitionResult: [
          { partitionId: 0, errorCode: 84, errorMessage: 'Leader election not needed for topic partition.' },
          { partitionId: 9, errorCode: 3, errorMessage: 'No such partition as dt1-9' },
        ],
      },
      { topic: 'nope', partitionResult: [{ partitionId: 0, errorCode: 3, errorMessage: 'No such topic as nope' }] },
    ], `election type ${electionType}`);
  }
  const all = await q('ElectLeaders', 0, { topicPartitions: null, timeoutMs: 5000 });
  t.same(all.replicaElectionResults.map((x: any) => [x.topic, x.partitionResult]).sort(), [['dt1', []], ['dt2', []]]);
  t.same(await q('ListPartitionReassignments', 0, { timeoutMs: 5000, topics: null }), { throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: [] });
});

t.test('UpdateFeatures', async (t) => {
  const uf = (v: number, featureUpdates: unknown[], validateOnly = false) => q('UpdateFeatures', v, { timeoutMs: 5000, featureUpdates, validateOnly });
  const prefix = 'The update failed for all features since the following feature had an error: ';
  const level = (name: string) => b.broker.metadata.image.features.level(name);
  t.same(await uf(1, [{ feature: 'metadata.version', maxVersionLevel: 33, upgradeType: 1 }]), {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    results: [{ feature: 'metadata.version', errorCode: 0, errorMessage: 'NONE' }],
  });
  t.match(await uf(1, [{ feature: 'metadata.version', maxVersionLevel: 34, upgradeType: 1 }]), {
    errorCode: 95,
    errorMessage: `${prefix}Invalid update version 34 for feature metadata.version. Local controller 1 only supports versions 7-33`,
    results: [],
  });
  t.match(await uf(1, [{ feature: 'foo.version', maxVersionLevel: 1, upgradeType: 1 }]), {
    errorMessage: `${prefix}Invalid update version 1 for feature foo.version. Local controller 1 does not support this feature.`,
  });
  t.match(await uf(1, [{ feature: 'metadata.version', maxVersionLevel: 32, upgradeType: 1 }]), {
    errorMessage: `${prefix}Invalid update version 32 for feature metadata.version. Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.`,
  });
  t.match(await uf(1, [{ feature: 'metadata.version', maxVersionLevel: 32, upgradeType: 9 }]), {
    errorMessage: `${prefix}Invalid update version 32 for feature metadata.version. The controller does not support the given upgrade type.`,
  });
  // 4.4-IV2 changed the metadata records, so no downgrade below it is allowed, safe or unsafe.
  t.match(await uf(2, [{ feature: 'metadata.version', maxVersionLevel: 32, upgradeType: 2 }]), {
    errorCode: 95,
    errorMessage: `${prefix}Unsupported metadata.version downgrade from 33 to 32. Refusing to perform the requested downgrade because it might delete metadata information.`,
  });
  t.match(await uf(2, [{ feature: 'metadata.version', maxVersionLevel: 25, upgradeType: 3 }]), {
    errorMessage: `${prefix}Unsupported metadata.version downgrade from 33 to 25. Unsafe metadata downgrade is not supported in this version.`,
  });
  t.match(await uf(2, [{ feature: 'group.version', maxVersionLevel: 2, upgradeType: 1 }]), {
    errorMessage: `${prefix}Invalid update version 2 for feature group.version. Local controller 1 only supports versions 0-1`,
  });
  t.same(await uf(2, [{ feature: 'group.version', maxVersionLevel: 0, upgradeType: 2 }], true), { throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [] });
  t.equal(level('group.version'), 1, 'validate-only changes nothing');
  await uf(2, [{ feature: 'group.version', maxVersionLevel: 0, upgradeType: 2 }]);
  t.equal(level('group.version'), 0, 'a safe downgrade is written as a FeatureLevelRecord');
  t.match(await uf(2, [{ feature: 'group.version', maxVersionLevel: 1, upgradeType: 2 }]), {
    errorMessage: `${prefix}Invalid update version 1 for feature group.version. Can't downgrade to a newer version.`,
  });
  await uf(2, [{ feature: 'group.version', maxVersionLevel: 1, upgradeType: 1 }]);
  t.equal(level('group.version'), 1);
  t.match(await uf(2, [{ feature: 'group.version', maxVersionLevel: -1, upgradeType: 2 }]), {
    errorMessage: `${prefix}Invalid update version -1 for feature group.version. A feature version cannot be less than 0.`,
  });
});
