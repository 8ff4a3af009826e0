// A principal with no ACLs (SASL PLAIN user 'nobody', StandardAuthorizer on) asks the broker's APIs
// about a topic, a group and the cluster that hold data, in raw requests encoded with samsa's
// codecs: every answer is the authorization error Kafka gives (TOPIC_/GROUP_/CLUSTER_/
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED), and no topic, offset, record, group or config comes back.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import * as P from '../../src/protocol/generated/index.js';
import type { Codec } from '../../src/protocol/generated/codec.js';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { call, saslConnect } from './sasl-wire.js';
import type { WireConnection } from '../helpers/wire.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_nobody="nobody-secret";';
const TOPIC_DENIED = 29;
const GROUP_DENIED = 30;
const CLUSTER_DENIED = 31;
const TXN_DENIED = 53;

let running: RunningBroker;
let conn: WireConnection;

t.before(async () => {
  running = await startBroker({
    memory: true,
    config: {
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:admin',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
    },
    listeners: [{ name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' }],
  });
  const port = running.broker.advertisedEndpoints[0].port;
  // The admin puts data in: a topic with a record and a group with a committed offset.
  const kafka = new Kafka({ brokers: [`localhost:${port}`], logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'secret', numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'secret', messages: [{ value: 'classified' }] });
  await producer.disconnect();
  await admin.setOffsets({ groupId: 'sg', topic: 'secret', partitions: [{ partition: 0, offset: '1' }] });
  await admin.disconnect();
  const plain = { initial: () => Buffer.from('\0nobody\0nobody-secret'), evaluate: () => null };
  const outcome = await saslConnect(port, 'PLAIN', plain as never);
  t.equal(outcome.last.errorCode, 0, 'nobody authenticates');
  conn = outcome.conn;
});
t.teardown(async () => {
  conn?.destroy();
  await running?.close();
});

function ask<Req, Res>(req: Codec<Req>, res: Codec<Res>, version: number, body: Req): Promise<Res> {
  return call(conn, req.apiKey, version, req, res, body, req.firstFlexibleVersion >= 0 && version >= req.firstFlexibleVersion);
}

t.test('topics: hidden from Metadata, no data, offsets or configs', async (t) => {
  const all = await ask(P.MetadataRequest, P.MetadataResponse, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: true });
  t.same(all.topics, [], 'an all-topics Metadata lists nothing');
  const named = await ask(P.MetadataRequest, P.MetadataResponse, 12, { topics: [{ name: 'secret', topicId: '' + 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: true });
  t.equal(named.topics[0].errorCode, TOPIC_DENIED);
  t.same(named.topics[0].partitions, []);
  t.equal(named.topics[0].topicId, 'AAAAAAAAAAAAAAAAAAAAAA', 'the topic id is not revealed');
  const created = await ask(P.MetadataRequest, P.MetadataResponse, 12, { topics: [{ name: 'auto-new', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: true });
  t.equal(created.topics[0].errorCode, TOPIC_DENIED, 'no auto-creation without CREATE');
  t.notOk(running.broker.topics.get('auto-new'));

  const fetch = await ask(P.FetchRequest, P.FetchResponse, 12, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'secret', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const fp = fetch.responses[0].partitions[0];
  t.equal(fp.errorCode, TOPIC_DENIED);
  t.equal(fp.records?.length ?? 0, 0, 'no records');

  const offsets = await ask(P.ListOffsetsRequest, P.ListOffsetsResponse, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] });
  t.equal(offsets.topics[0].partitions[0].errorCode, TOPIC_DENIED);
  t.equal(Number(offsets.topics[0].partitions[0].offset), -1);

  const configs = await ask(P.DescribeConfigsRequest, P.DescribeConfigsResponse, 4, { resources: [{ resourceType: 2, resourceName: 'secret', configurationKeys: null }, { resourceType: 4, resourceName: '', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  t.same(configs.results.map((r) => [r.errorCode, r.configs.length]), [[TOPIC_DENIED, 0], [CLUSTER_DENIED, 0]]);

  const del = await ask(P.DeleteTopicsRequest, P.DeleteTopicsResponse, 5, { topicNames: ['secret'], timeoutMs: 5000 });
  t.equal(del.responses[0].errorCode, TOPIC_DENIED);
  const delRecords = await ask(P.DeleteRecordsRequest, P.DeleteRecordsResponse, 2, { topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, offset: -1 }] }], timeoutMs: 5000 });
  t.equal(delRecords.topics[0].partitions[0].errorCode, TOPIC_DENIED);
  const create = await ask(P.CreateTopicsRequest, P.CreateTopicsResponse, 7, { topics: [{ name: 'mine', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  t.equal(create.topics[0].errorCode, TOPIC_DENIED);
  const alter = await ask(P.IncrementalAlterConfigsRequest, P.IncrementalAlterConfigsResponse, 1, {
    resources: [{ resourceType: 2, resourceName: 'secret', configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }] }, { resourceType: 4, resourceName: '', configs: [{ name: 'log.cleaner.threads', configOperation: 0, value: '2' }] }],
    validateOnly: false,
  });
  t.same(alter.responses.map((r) => r.errorCode), [TOPIC_DENIED, CLUSTER_DENIED]);
  const partitions = await ask(P.CreatePartitionsRequest, P.CreatePartitionsResponse, 3, { topics: [{ name: 'secret', count: 3, assignments: null }], timeoutMs: 5000, validateOnly: false });
  t.equal(partitions.results[0].errorCode, TOPIC_DENIED);
  t.equal(running.broker.topics.get('secret')?.partitions, 1, 'still one partition');
  t.ok(running.broker.topics.get('secret'), 'the topic is still there');
  const dtp = await ask(P.DescribeTopicPartitionsRequest, P.DescribeTopicPartitionsResponse, 0, { topics: [], responsePartitionLimit: 100, cursor: null });
  t.same(dtp.topics, [], 'DescribeTopicPartitions of all topics lists nothing');
  const dtpNamed = await ask(P.DescribeTopicPartitionsRequest, P.DescribeTopicPartitionsResponse, 0, { topics: [{ name: 'secret' }], responsePartitionLimit: 100, cursor: null });
  t.same([dtpNamed.topics[0].errorCode, dtpNamed.topics[0].partitions], [TOPIC_DENIED, []]);
  const ofle = await ask(P.OffsetForLeaderEpochRequest, P.OffsetForLeaderEpochResponse, 4, { replicaId: -1, topics: [{ topic: 'secret', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] });
  t.equal(ofle.topics[0].partitions[0].errorCode, TOPIC_DENIED);
  const producers = await ask(P.DescribeProducersRequest, P.DescribeProducersResponse, 0, { topics: [{ name: 'secret', partitionIndexes: [0] }] });
  t.same([producers.topics[0].partitions[0].errorCode, producers.topics[0].partitions[0].activeProducers], [TOPIC_DENIED, []]);
});

t.test('groups: no coordinator, membership, offsets or descriptions', async (t) => {
  const fc = await ask(P.FindCoordinatorRequest, P.FindCoordinatorResponse, 4, { keyType: 0, coordinatorKeys: ['sg'] });
  t.equal(fc.coordinators![0].errorCode, GROUP_DENIED);
  const join = await ask(P.JoinGroupRequest, P.JoinGroupResponse, 9, { groupId: 'sg', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: null });
  t.equal(join.errorCode, GROUP_DENIED);
  t.equal((await ask(P.SyncGroupRequest, P.SyncGroupResponse, 5, { groupId: 'sg', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] })).errorCode, GROUP_DENIED);
  t.equal((await ask(P.HeartbeatRequest, P.HeartbeatResponse, 4, { groupId: 'sg', generationId: 1, memberId: 'm', groupInstanceId: null })).errorCode, GROUP_DENIED);
  t.equal((await ask(P.LeaveGroupRequest, P.LeaveGroupResponse, 5, { groupId: 'sg', members: [{ memberId: 'm', groupInstanceId: null, reason: null }] })).errorCode, GROUP_DENIED);
  const fetched = await ask(P.OffsetFetchRequest, P.OffsetFetchResponse, 8, { groups: [{ groupId: 'sg', topics: null }], requireStable: false });
  t.equal(fetched.groups![0].errorCode, GROUP_DENIED);
  t.same(fetched.groups![0].topics, [], 'no committed offsets');
  const commit = await ask(P.OffsetCommitRequest, P.OffsetCommitResponse, 8, { groupId: 'sg', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: null }] }] });
  t.equal(commit.topics[0].partitions[0].errorCode, GROUP_DENIED);
  const described = await ask(P.DescribeGroupsRequest, P.DescribeGroupsResponse, 5, { groups: ['sg'], includeAuthorizedOperations: true });
  t.equal(described.groups[0].errorCode, GROUP_DENIED);
  t.same(described.groups[0].members, []);
  t.same((await ask(P.ListGroupsRequest, P.ListGroupsResponse, 4, { statesFilter: [] })).groups, [], 'ListGroups lists nothing');
  const deleted = await ask(P.DeleteGroupsRequest, P.DeleteGroupsResponse, 2, { groupsNames: ['sg'] });
  t.equal(deleted.results[0].errorCode, GROUP_DENIED);
  const cgd = await ask(P.ConsumerGroupDescribeRequest, P.ConsumerGroupDescribeResponse, 0, { groupIds: ['sg'], includeAuthorizedOperations: true });
  t.same([cgd.groups[0].errorCode, cgd.groups[0].members], [GROUP_DENIED, []]);
  const sgh = await ask(P.ShareGroupHeartbeatRequest, P.ShareGroupHeartbeatResponse, 1, { groupId: 'sg', memberId: 'AAAAAAAAAAAAAAAAAAAAAA', memberEpoch: 0, rackId: null, subscribedTopicNames: ['secret'] });
  t.same([sgh.errorCode, sgh.assignment], [GROUP_DENIED, null], 'ShareGroupHeartbeat needs READ on the group');
  const cgh = await ask(P.ConsumerGroupHeartbeatRequest, P.ConsumerGroupHeartbeatResponse, 0, { groupId: 'sg', memberId: 'x', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 10000, subscribedTopicNames: ['secret'], serverAssignor: null, topicPartitions: [] });
  t.equal(cgh.errorCode, GROUP_DENIED);
  t.equal(cgh.assignment, null);
});

t.test('cluster and transactions: no ACL admin, no producer ids', async (t) => {
  const describeAcls = await ask(P.DescribeAclsRequest, P.DescribeAclsResponse, 3, { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 });
  t.equal(describeAcls.errorCode, CLUSTER_DENIED);
  const createAcls = await ask(P.CreateAclsRequest, P.CreateAclsResponse, 3, { creations: [{ resourceType: 2, resourceName: '*', resourcePatternType: 3, principal: 'User:nobody', host: '*', operation: 2, permissionType: 3 }] });
  t.equal(createAcls.results[0].errorCode, CLUSTER_DENIED);
  const deleteAcls = await ask(P.DeleteAclsRequest, P.DeleteAclsResponse, 3, { filters: [{ resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 }] });
  t.equal(deleteAcls.filterResults[0].errorCode, CLUSTER_DENIED);
  const idempotent = await ask(P.InitProducerIdRequest, P.InitProducerIdResponse, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
  t.same([idempotent.errorCode, Number(idempotent.producerId)], [CLUSTER_DENIED, -1]);
  const txn = await ask(P.InitProducerIdRequest, P.InitProducerIdResponse, 4, { transactionalId: 'tx', transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
  t.same([txn.errorCode, Number(txn.producerId)], [TXN_DENIED, -1]);
  t.equal((await ask(P.EndTxnRequest, P.EndTxnResponse, 4, { transactionalId: 'tx', producerId: 1, producerEpoch: 0, committed: true })).errorCode, TXN_DENIED);
  t.equal((await ask(P.AddOffsetsToTxnRequest, P.AddOffsetsToTxnResponse, 3, { transactionalId: 'tx', producerId: 1, producerEpoch: 0, groupId: 'sg' })).errorCode, TXN_DENIED);
  t.equal((await ask(P.ListPartitionReassignmentsRequest, P.ListPartitionReassignmentsResponse, 0, { timeoutMs: 5000, topics: null })).errorCode, CLUSTER_DENIED);
  const logDirs = await ask(P.DescribeLogDirsRequest, P.DescribeLogDirsResponse, 4, { topics: null });
  t.same([logDirs.errorCode, logDirs.results], [CLUSTER_DENIED, []]);
  t.equal((await ask(P.ElectLeadersRequest, P.ElectLeadersResponse, 2, { electionType: 0, topicPartitions: null, timeoutMs: 5000 })).errorCode, CLUSTER_DENIED);
  const cluster = await ask(P.DescribeClusterRequest, P.DescribeClusterResponse, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
  t.equal(cluster.clusterAuthorizedOperations, 0, 'no authorized cluster operations');
  const markers = await ask(P.WriteTxnMarkersRequest, P.WriteTxnMarkersResponse, 1, { markers: [{ producerId: 1, producerEpoch: 0, transactionResult: false, coordinatorEpoch: 0, topics: [{ name: 'secret', partitionIndexes: [0] }] }] });
  t.equal(markers.markers[0].topics[0].partitions[0].errorCode, CLUSTER_DENIED, 'WriteTxnMarkers needs CLUSTER_ACTION');
  t.equal((await ask(P.OffsetDeleteRequest, P.OffsetDeleteResponse, 0, { groupId: 'sg', topics: [{ name: 'secret', partitions: [{ partitionIndex: 0 }] }] })).errorCode, GROUP_DENIED);
  const addParts = await ask(P.AddPartitionsToTxnRequest, P.AddPartitionsToTxnResponse, 3, { v3AndBelowTransactionalId: 'tx', v3AndBelowProducerId: 1, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [{ name: 'secret', partitions: [0] }] });
  t.equal(addParts.resultsByTopicV3AndBelow![0].resultsByPartition[0].partitionErrorCode, TXN_DENIED);
  const txnCommit = await ask(P.TxnOffsetCommitRequest, P.TxnOffsetCommitResponse, 3, {
    transactionalId: 'tx', groupId: 'sg', producerId: 1, producerEpoch: 0, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: null }] }],
  });
  t.equal(txnCommit.topics[0].partitions[0].errorCode, TXN_DENIED);
  const dt = await ask(P.DescribeTransactionsRequest, P.DescribeTransactionsResponse, 0, { transactionalIds: ['tx'] });
  t.equal(dt.transactionStates[0].errorCode, TXN_DENIED);
  t.same((await ask(P.ListTransactionsRequest, P.ListTransactionsResponse, 1, { stateFilters: [], producerIdFilters: [], durationFilter: -1 })).transactionStates, []);
  const topicId = running.broker.topics.get('secret')!.topicId;
  const shareState = await ask(P.ReadShareGroupStateRequest, P.ReadShareGroupStateResponse, 0, { groupId: 'sg', topics: [{ topicId, partitions: [{ partition: 0, leaderEpoch: 0 }] }] });
  t.equal(shareState.results[0].partitions[0].errorCode, CLUSTER_DENIED, 'share-state APIs need CLUSTER_ACTION');
  const moved = await ask(P.AlterReplicaLogDirsRequest, P.AlterReplicaLogDirsResponse, 2, { dirs: [{ path: '/elsewhere', topics: [{ name: 'secret', partitions: [0] }] }] });
  t.equal(moved.results[0].partitions[0].errorCode, CLUSTER_DENIED, 'AlterReplicaLogDirs needs CLUSTER ALTER');
  const fcTxn = await ask(P.FindCoordinatorRequest, P.FindCoordinatorResponse, 4, { keyType: 1, coordinatorKeys: ['tx'] });
  t.equal(fcTxn.coordinators![0].errorCode, TXN_DENIED);
});
