// Issue #17: an unauthenticated or unauthorized client never gets data. One row per API key of the
// handler registry (a new API without a row fails the first test), each a well-formed request at
// the highest version samsa serves, encoded with samsa's codecs, sent over real sockets to a SASL
// listener whose broker holds data (a topic with a record, a group with a committed offset, a
// delegation token):
// (a) before authenticating, only ApiVersions and SaslHandshake (then SaslAuthenticate) are answered;
//     any other request closes the connection without a byte of response, as Kafka 4.4's
//     SaslServerAuthenticator does ("Unexpected Kafka request of type ... during SASL handshake");
// (b) authenticated as a principal with no ACLs, and as User:ANONYMOUS on a PLAINTEXT listener
//     (StandardAuthorizer, no allow.everyone.if.no.acl.found): every API answers Kafka's authorization
//     error (or an empty/hidden result where Kafka hides), its row checks that no offset, member or
//     config comes back, and a scan of every response finds neither the record, nor the topic's id
//     (unless the request sent it), nor the admin's token HMAC;
// (c) a principal with every group permission and none on topics: the topic-level checks of the
//     group APIs (OffsetFetch, the heartbeats, ShareFetch/Acknowledge, share offsets, ConsumerGroupDescribe).
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import * as P from '../../src/protocol/generated/index.js';
import type { Codec } from '../../src/protocol/generated/codec.js';
import { Writer } from '../../src/protocol/writer.js';
import { Reader } from '../../src/protocol/reader.js';
import { HANDLERS } from '../../src/handlers/registry.js';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { call, saslConnect } from './sasl-wire.js';
import { WireConnection } from '../helpers/wire.js';
import { buildBatch } from '../helpers/batch-builder.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_nobody="nobody-secret" user_grouper="grouper-secret";';
const NONE = 0;
const TOPIC_DENIED = 29;
const GROUP_DENIED = 30;
const CLUSTER_DENIED = 31;
const ILLEGAL_SASL_STATE = 34;
const TXN_DENIED = 53;
const SASL_AUTHENTICATION_FAILED = 58;
const DELEGATION_TOKEN_OWNER_MISMATCH = 63;
const DELEGATION_TOKEN_REQUEST_NOT_ALLOWED = 64;
const DELEGATION_TOKEN_AUTHORIZATION_FAILED = 65;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const SECRET_VALUE = 'classified-record-value';

let running: RunningBroker;
let port: number;
/** A PLAINTEXT listener: no credentials at all, every client User:ANONYMOUS (which has no ACLs). */
let plaintextPort: number;
let conn: WireConnection;
/** The id of topic 'secret' and the admin's token HMAC: neither may reach 'nobody' unless it sent them. */
let secretTopicId: string;
let adminHmac: Buffer;

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Row {
  /** The request body (fields left out take the codec's defaults). */
  body: () => Any;
  /** What 'nobody' gets. */
  check: (t: Tap.Test, res: Any) => void;
}

const plainClient = (user: string, password: string) => ({ initial: () => Buffer.from(`\0${user}\0${password}`), evaluate: () => null });

t.before(async () => {
  running = await startBroker({
    memory: true,
    config: {
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:admin',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'delegation.token.secret.key': 'every-api-secret',
      'samsa.client.telemetry.enable': 'true',
    },
    listeners: [
      { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' },
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost' },
    ],
  });
  port = running.broker.advertisedEndpoints.find((e) => e.name === 'SASL_PLAINTEXT')!.port;
  plaintextPort = running.broker.advertisedEndpoints.find((e) => e.name === 'PLAINTEXT')!.port;
  const kafka = new Kafka({ brokers: [`localhost:${port}`], logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'secret', numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'secret', messages: [{ value: SECRET_VALUE }] });
  await producer.disconnect();
  await admin.setOffsets({ groupId: 'sg', topic: 'secret', partitions: [{ partition: 0, offset: '1' }] });
  await admin.disconnect();
  secretTopicId = running.broker.topics.get('secret')!.topicId;
  // The admin's delegation token, which nobody may see, renew or expire.
  const asAdmin = await saslConnect(port, 'PLAIN', plainClient('admin', 'admin-secret') as never);
  const token = await call(asAdmin.conn, 38, 3, P.CreateDelegationTokenRequest, P.CreateDelegationTokenResponse, { ownerPrincipalType: null, ownerPrincipalName: null, renewers: [], maxLifetimeMs: -1 }, true);
  // 'grouper' may READ, DESCRIBE and DELETE every group, and nothing on topics.
  const acls = await call(asAdmin.conn, 30, 3, P.CreateAclsRequest, P.CreateAclsResponse, {
    creations: [3, 6, 8].map((operation) => ({ resourceType: 3, resourceName: '*', resourcePatternType: 3, principal: 'User:grouper', host: '*', operation, permissionType: 3 })),
  }, true);
  asAdmin.conn.destroy();
  if (token.errorCode !== NONE) throw new Error(`admin token: error ${token.errorCode}`);
  if (acls.results.some((r) => r.errorCode !== NONE)) throw new Error('grouper ACLs not created');
  adminHmac = Buffer.from(token.hmac);
  const outcome = await saslConnect(port, 'PLAIN', plainClient('nobody', 'nobody-secret') as never);
  if (outcome.last.errorCode !== NONE) throw new Error('nobody does not authenticate');
  conn = outcome.conn;
});
t.teardown(async () => {
  conn?.destroy();
  await running?.close();
});

const topicPartition = { name: 'secret', partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: null }] };
const shareStateDenied = (t: Tap.Test, res: Any) => t.same(res.results.flatMap((r: Any) => r.partitions.map((p: Any) => p.errorCode)), [CLUSTER_DENIED], 'CLUSTER_ACTION missing');

/** One row per API key samsa serves. */
const ROWS: Record<number, Row> = {
  0: {
    body: () => ({ transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ topicId: secretTopicId, partitionData: [{ index: 0, records: buildBatch([{ key: null, value: Buffer.from('x'), headers: [], timestamp: Date.now() }], 'none') }] }] }),
    check: (t, res) => t.same(res.responses.map((r: Any) => r.partitionResponses.map((p: Any) => [p.errorCode, Number(p.baseOffset)])), [[[TOPIC_DENIED, -1]]]),
  },
  1: {
    body: () => ({ replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topicId: secretTopicId, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '' }),
    check: (t, res) => {
      const p = res.responses[0].partitions[0];
      t.same([p.errorCode, p.records?.length ?? 0], [TOPIC_DENIED, 0], 'no records');
    },
  },
  2: {
    body: () => ({ replicaId: -1, isolationLevel: 0, topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }], timeoutMs: 5000 }),
    check: (t, res) => t.same([res.topics[0].partitions[0].errorCode, Number(res.topics[0].partitions[0].offset)], [TOPIC_DENIED, -1]),
  },
  3: {
    body: () => ({ topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: true }),
    check: (t, res) => t.same(res.topics, [], 'an all-topics Metadata lists nothing'),
  },
  8: {
    body: () => ({ groupId: 'sg', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ topicId: secretTopicId, partitions: topicPartition.partitions }] }),
    check: (t, res) => t.equal(res.topics[0].partitions[0].errorCode, GROUP_DENIED),
  },
  9: {
    body: () => ({ groups: [{ groupId: 'sg', memberId: null, memberEpoch: -1, topics: null }], requireStable: false }),
    check: (t, res) => t.same([res.groups[0].errorCode, res.groups[0].topics], [GROUP_DENIED, []], 'no committed offsets'),
  },
  10: {
    body: () => ({ keyType: 0, coordinatorKeys: ['sg'] }),
    check: (t, res) => t.equal(res.coordinators[0].errorCode, GROUP_DENIED),
  },
  11: {
    body: () => ({ groupId: 'sg', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: null }),
    check: (t, res) => t.same([res.errorCode, res.members], [GROUP_DENIED, []]),
  },
  12: { body: () => ({ groupId: 'sg', generationId: 1, memberId: 'm', groupInstanceId: null }), check: (t, res) => t.equal(res.errorCode, GROUP_DENIED) },
  13: { body: () => ({ groupId: 'sg', members: [{ memberId: 'm', groupInstanceId: null, reason: null }] }), check: (t, res) => t.equal(res.errorCode, GROUP_DENIED) },
  14: {
    body: () => ({ groupId: 'sg', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] }),
    check: (t, res) => t.same([res.errorCode, res.assignment.length], [GROUP_DENIED, 0]),
  },
  15: {
    body: () => ({ groups: ['sg'], includeAuthorizedOperations: true }),
    check: (t, res) => t.same([res.groups[0].errorCode, res.groups[0].members], [GROUP_DENIED, []]),
  },
  16: { body: () => ({ statesFilter: [], typesFilter: [] }), check: (t, res) => t.same(res.groups, [], 'ListGroups lists nothing') },
  17: {
    // Authenticated already (and no re-authentication configured): Kafka's KafkaApis answers ILLEGAL_SASL_STATE.
    body: () => ({ mechanism: 'PLAIN' }),
    check: (t, res) => t.equal(res.errorCode, ILLEGAL_SASL_STATE),
  },
  18: {
    body: () => ({ clientSoftwareName: 'every-api', clientSoftwareVersion: '1.0' }),
    check: (t, res) => t.equal(res.errorCode, NONE, 'ApiVersions is answered to anyone'),
  },
  19: {
    body: () => ({ topics: [{ name: 'mine', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false }),
    check: (t, res) => {
      t.equal(res.topics[0].errorCode, TOPIC_DENIED);
      t.notOk(running.broker.topics.get('mine'), 'not created');
    },
  },
  20: {
    body: () => ({ topics: [{ name: 'secret', topicId: ZERO_UUID }], timeoutMs: 5000 }),
    check: (t, res) => {
      t.equal(res.responses[0].errorCode, TOPIC_DENIED);
      t.ok(running.broker.topics.get('secret'), 'still there');
    },
  },
  21: { body: () => ({ topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, offset: -1 }] }], timeoutMs: 5000 }), check: (t, res) => t.equal(res.topics[0].partitions[0].errorCode, TOPIC_DENIED) },
  22: {
    body: () => ({ transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1, enable2Pc: false, keepPreparedTxn: false }),
    check: (t, res) => t.same([res.errorCode, Number(res.producerId)], [CLUSTER_DENIED, -1], 'no producer id without IDEMPOTENT_WRITE'),
  },
  23: {
    body: () => ({ replicaId: -1, topics: [{ topic: 'secret', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] }),
    check: (t, res) => t.same([res.topics[0].partitions[0].errorCode, Number(res.topics[0].partitions[0].endOffset)], [TOPIC_DENIED, -1]),
  },
  24: {
    body: () => ({ transactions: [{ transactionalId: 'tx', producerId: 1, producerEpoch: 0, verifyOnly: false, topics: [{ name: 'secret', partitions: [0] }] }] }),
    check: (t, res) => {
      const txn = res.resultsByTransaction[0];
      t.same(txn.topicResults[0].resultsByPartition.map((p: Any) => p.partitionErrorCode), [TXN_DENIED]);
    },
  },
  25: { body: () => ({ transactionalId: 'tx', producerId: 1, producerEpoch: 0, groupId: 'sg' }), check: (t, res) => t.equal(res.errorCode, TXN_DENIED) },
  26: { body: () => ({ transactionalId: 'tx', producerId: 1, producerEpoch: 0, committed: true }), check: (t, res) => t.equal(res.errorCode, TXN_DENIED) },
  27: {
    body: () => ({ markers: [{ producerId: 1, producerEpoch: 0, transactionResult: false, coordinatorEpoch: 0, transactionVersion: 0, topics: [{ name: 'secret', partitionIndexes: [0] }] }] }),
    check: (t, res) => t.equal(res.markers[0].topics[0].partitions[0].errorCode, CLUSTER_DENIED),
  },
  28: {
    body: () => ({ transactionalId: 'tx', groupId: 'sg', producerId: 1, producerEpoch: 0, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [topicPartition] }),
    check: (t, res) => t.equal(res.topics[0].partitions[0].errorCode, TXN_DENIED),
  },
  29: {
    body: () => ({ resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 }),
    check: (t, res) => t.same([res.errorCode, res.resources], [CLUSTER_DENIED, []]),
  },
  30: {
    body: () => ({ creations: [{ resourceType: 2, resourceName: '*', resourcePatternType: 3, principal: 'User:nobody', host: '*', operation: 2, permissionType: 3 }] }),
    check: (t, res) => t.equal(res.results[0].errorCode, CLUSTER_DENIED),
  },
  31: {
    body: () => ({ filters: [{ resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 }] }),
    check: (t, res) => t.same([res.filterResults[0].errorCode, res.filterResults[0].matchingAcls], [CLUSTER_DENIED, []]),
  },
  32: {
    body: () => ({ resources: [{ resourceType: 2, resourceName: 'secret', configurationKeys: null }, { resourceType: 4, resourceName: '', configurationKeys: null }, { resourceType: 32, resourceName: 'sg', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false }),
    check: (t, res) => t.same(res.results.map((r: Any) => [r.errorCode, r.configs.length]), [[TOPIC_DENIED, 0], [CLUSTER_DENIED, 0], [GROUP_DENIED, 0]]),
  },
  33: {
    body: () => ({ resources: [{ resourceType: 2, resourceName: 'secret', configs: [{ name: 'retention.ms', value: '1' }] }], validateOnly: false }),
    check: (t, res) => t.same(res.responses.map((r: Any) => r.errorCode), [TOPIC_DENIED]),
  },
  34: {
    body: () => ({ dirs: [{ path: '/elsewhere', topics: [{ name: 'secret', partitions: [0] }] }] }),
    check: (t, res) => t.equal(res.results[0].partitions[0].errorCode, CLUSTER_DENIED),
  },
  35: { body: () => ({ topics: null }), check: (t, res) => t.same([res.errorCode, res.results], [CLUSTER_DENIED, []]) },
  36: {
    // Authenticated already: another SaslAuthenticate (the admin's password) does not change the session.
    body: () => ({ authBytes: Buffer.from('\0admin\0admin-secret') }),
    check: (t, res) => t.same([res.errorCode, Buffer.from(res.authBytes).length], [ILLEGAL_SASL_STATE, 0]),
  },
  37: {
    body: () => ({ topics: [{ name: 'secret', count: 3, assignments: null }], timeoutMs: 5000, validateOnly: false }),
    check: (t, res) => {
      t.equal(res.results[0].errorCode, TOPIC_DENIED);
      t.equal(running.broker.topics.get('secret')?.partitions, 1, 'still one partition');
    },
  },
  38: {
    // A token for oneself needs no ACL in Kafka; one for another owner needs CREATE_TOKENS on that user.
    body: () => ({ ownerPrincipalType: 'User', ownerPrincipalName: 'admin', renewers: [], maxLifetimeMs: -1 }),
    check: (t, res) => t.same([res.errorCode, res.tokenId, Buffer.from(res.hmac).length], [DELEGATION_TOKEN_AUTHORIZATION_FAILED, '', 0]),
  },
  39: { body: () => ({ hmac: adminHmac, renewPeriodMs: 60000 }), check: (t, res) => t.same([res.errorCode], [DELEGATION_TOKEN_OWNER_MISMATCH], 'not the owner or a renewer') },
  40: { body: () => ({ hmac: adminHmac, expiryTimePeriodMs: -1 }), check: (t, res) => t.same([res.errorCode], [DELEGATION_TOKEN_OWNER_MISMATCH], 'not the owner or a renewer') },
  41: { body: () => ({ owners: null }), check: (t, res) => t.same([res.errorCode, res.tokens], [NONE, []], "the admin's token is not listed") },
  42: { body: () => ({ groupsNames: ['sg'] }), check: (t, res) => t.equal(res.results[0].errorCode, GROUP_DENIED) },
  43: { body: () => ({ electionType: 0, topicPartitions: null, timeoutMs: 5000 }), check: (t, res) => t.equal(res.errorCode, CLUSTER_DENIED) },
  44: {
    body: () => ({
      resources: [
        { resourceType: 2, resourceName: 'secret', configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }] },
        { resourceType: 4, resourceName: '', configs: [{ name: 'log.cleaner.threads', configOperation: 0, value: '2' }] },
        { resourceType: 32, resourceName: 'sg', configs: [{ name: 'consumer.session.timeout.ms', configOperation: 0, value: '50000' }] },
        { resourceType: 16, resourceName: 'metrics', configs: [{ name: 'interval.ms', configOperation: 0, value: '10000' }] },
      ],
      validateOnly: false,
    }),
    check: (t, res) => t.same(res.responses.map((r: Any) => r.errorCode), [TOPIC_DENIED, CLUSTER_DENIED, GROUP_DENIED, CLUSTER_DENIED]),
  },
  45: {
    body: () => ({ timeoutMs: 5000, allowReplicationFactorChange: true, topics: [{ name: 'secret', partitions: [{ partitionIndex: 0, replicas: [1] }] }] }),
    check: (t, res) => t.equal(res.errorCode, CLUSTER_DENIED),
  },
  46: { body: () => ({ timeoutMs: 5000, topics: null }), check: (t, res) => t.same([res.errorCode, res.topics], [CLUSTER_DENIED, []]) },
  47: { body: () => ({ groupId: 'sg', topics: [{ name: 'secret', partitions: [{ partitionIndex: 0 }] }] }), check: (t, res) => t.equal(res.errorCode, GROUP_DENIED) },
  48: { body: () => ({ components: [], strict: false }), check: (t, res) => t.same([res.errorCode, res.entries ?? []], [CLUSTER_DENIED, []]) },
  49: {
    body: () => ({ entries: [{ entity: [{ entityType: 'user', entityName: 'nobody' }], ops: [{ key: 'producer_byte_rate', value: 1e9, remove: false }] }], validateOnly: false }),
    check: (t, res) => t.equal(res.entries[0].errorCode, CLUSTER_DENIED),
  },
  50: { body: () => ({ users: null }), check: (t, res) => t.same([res.errorCode, res.results], [CLUSTER_DENIED, []]) },
  51: {
    body: () => ({ deletions: [{ name: 'admin', mechanism: 1 }], upsertions: [] }),
    check: (t, res) => t.equal(res.results[0].errorCode, CLUSTER_DENIED),
  },
  55: {
    body: () => ({ topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] }),
    check: (t, res) => t.same([res.errorCode, res.topics], [CLUSTER_DENIED, []]),
  },
  57: {
    body: () => ({ timeoutMs: 5000, featureUpdates: [{ feature: 'share.version', maxVersionLevel: 0, upgradeType: 2 }], validateOnly: false }),
    check: (t, res) => t.equal(res.errorCode, CLUSTER_DENIED),
  },
  60: { body: () => ({ includeClusterAuthorizedOperations: true, endpointType: 1, includeFencedBrokers: false }), check: (t, res) => t.equal(res.clusterAuthorizedOperations, 0, 'no authorized cluster operations') },
  61: {
    body: () => ({ topics: [{ name: 'secret', partitionIndexes: [0] }] }),
    check: (t, res) => t.same([res.topics[0].partitions[0].errorCode, res.topics[0].partitions[0].activeProducers], [TOPIC_DENIED, []]),
  },
  65: { body: () => ({ transactionalIds: ['tx'] }), check: (t, res) => t.equal(res.transactionStates[0].errorCode, TXN_DENIED) },
  66: { body: () => ({ stateFilters: [], producerIdFilters: [], durationFilter: -1, transactionalIdPattern: null }), check: (t, res) => t.same(res.transactionStates, []) },
  68: {
    body: () => ({ groupId: 'sg', memberId: 'AAAAAAAAAAAAAAAAAAAAAA', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 10000, subscribedTopicNames: ['secret'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] }),
    check: (t, res) => t.same([res.errorCode, res.assignment], [GROUP_DENIED, null]),
  },
  69: {
    body: () => ({ groupIds: ['sg'], includeAuthorizedOperations: true }),
    check: (t, res) => t.same([res.groups[0].errorCode, res.groups[0].members], [GROUP_DENIED, []]),
  },
  71: {
    // Kafka authorizes neither telemetry API: a client gets its own subscription, never other data.
    body: () => ({ clientInstanceId: ZERO_UUID }),
    check: (t, res) => t.equal(res.errorCode, NONE),
  },
  72: {
    body: () => ({ clientInstanceId: ZERO_UUID, subscriptionId: 0, terminating: false, compressionType: 0, metrics: Buffer.alloc(0) }),
    check: (t, res) => t.not(res.errorCode, NONE, 'an unknown client instance is refused'),
  },
  74: { body: () => ({ resourceTypes: [] }), check: (t, res) => t.same([res.errorCode, res.configResources], [CLUSTER_DENIED, []], 'no topic or group names') },
  75: { body: () => ({ topics: [], responsePartitionLimit: 100, cursor: null }), check: (t, res) => t.same(res.topics, [], 'lists nothing') },
  76: {
    body: () => ({ groupId: 'sg', memberId: 'AAAAAAAAAAAAAAAAAAAAAA', memberEpoch: 0, rackId: null, subscribedTopicNames: ['secret'] }),
    check: (t, res) => t.same([res.errorCode, res.assignment], [GROUP_DENIED, null]),
  },
  77: {
    body: () => ({ groupIds: ['sg'], includeAuthorizedOperations: true }),
    check: (t, res) => t.same([res.groups[0].errorCode, res.groups[0].members], [GROUP_DENIED, []]),
  },
  78: {
    body: () => ({ groupId: 'sg', memberId: 'AAAAAAAAAAAAAAAAAAAAAA', shareSessionEpoch: 0, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, maxRecords: 100, batchSize: 100, topics: [{ topicId: secretTopicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] }], forgottenTopicsData: [] }),
    check: (t, res) => t.same([res.errorCode, res.responses], [GROUP_DENIED, []], 'no records acquired'),
  },
  79: {
    body: () => ({ groupId: 'sg', memberId: 'AAAAAAAAAAAAAAAAAAAAAA', shareSessionEpoch: 1, topics: [{ topicId: secretTopicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [1] }] }] }] }),
    check: (t, res) => t.same([res.errorCode, res.responses], [GROUP_DENIED, []]),
  },
  83: { body: () => ({ groupId: 'sg', topics: [{ topicId: secretTopicId, partitions: [{ partition: 0, stateEpoch: 1, startOffset: 0 }] }] }), check: shareStateDenied },
  84: { body: () => ({ groupId: 'sg', topics: [{ topicId: secretTopicId, partitions: [{ partition: 0, leaderEpoch: 0 }] }] }), check: shareStateDenied },
  85: { body: () => ({ groupId: 'sg', topics: [{ topicId: secretTopicId, partitions: [{ partition: 0, stateEpoch: 1, leaderEpoch: 0, startOffset: 0, stateBatches: [] }] }] }), check: shareStateDenied },
  86: { body: () => ({ groupId: 'sg', topics: [{ topicId: secretTopicId, partitions: [{ partition: 0 }] }] }), check: shareStateDenied },
  87: { body: () => ({ groupId: 'sg', topics: [{ topicId: secretTopicId, partitions: [{ partition: 0, leaderEpoch: 0 }] }] }), check: shareStateDenied },
  88: {
    body: () => ({
      groupId: 'sg', memberId: 'm-1', memberEpoch: 0, endpointInformationEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 10000,
      topology: { epoch: 0, subtopologies: [{ subtopologyId: '0', sourceTopics: ['secret'], sourceTopicRegex: [], stateChangelogTopics: [], repartitionSinkTopics: [], repartitionSourceTopics: [], copartitionGroups: [] }] },
      activeTasks: [], standbyTasks: [], warmupTasks: [], processId: 'p', userEndpoint: null, clientTags: [], taskOffsets: [], taskEndOffsets: [], shutdownApplication: false,
    }),
    check: (t, res) => t.same([res.errorCode, res.activeTasks ?? null], [GROUP_DENIED, null]),
  },
  89: {
    body: () => ({ groupIds: ['sg'], includeAuthorizedOperations: true, includeTopologyDescription: true }),
    check: (t, res) => t.same([res.groups[0].errorCode, res.groups[0].members, res.groups[0].topology], [GROUP_DENIED, [], null]),
  },
  90: {
    body: () => ({ groups: [{ groupId: 'sg', topics: null }] }),
    check: (t, res) => t.same([res.groups[0].errorCode, res.groups[0].topics], [GROUP_DENIED, []]),
  },
  91: {
    body: () => ({ groupId: 'sg', topics: [{ topicName: 'secret', partitions: [{ partitionIndex: 0, startOffset: 0 }] }] }),
    check: (t, res) => t.same([res.errorCode, res.responses], [GROUP_DENIED, []]),
  },
  92: { body: () => ({ groupId: 'sg', topics: [{ topicName: 'secret' }] }), check: (t, res) => t.same([res.errorCode, res.responses], [GROUP_DENIED, []]) },
  93: {
    body: () => ({ groupId: 'sg', memberId: 'm-1', topologyEpoch: 0, topologyDescription: { subtopologies: [], globalStores: [] } }),
    check: (t, res) => t.equal(res.errorCode, GROUP_DENIED),
  },
};

/** The generated request and response codecs of every API key. */
const CODECS = new Map<number, { req: Codec<Any>; res: Codec<Any> }>();
for (const value of Object.values(P) as Any[]) {
  if (!value || typeof value !== 'object' || typeof value.name !== 'string' || !value.name.endsWith('Request')) continue;
  const res = (P as Any)[value.name.replace(/Request$/, 'Response')];
  if (res && value.apiKey >= 0) CODECS.set(value.apiKey, { req: value, res });
}

function encode(apiKey: number, version: number): Buffer {
  const w = new Writer(256);
  CODECS.get(apiKey)!.req.encode(w, version, ROWS[apiKey].body());
  return w.toBuffer();
}

const flexible = (apiKey: number, version: number) => {
  const c = CODECS.get(apiKey)!.req;
  return c.firstFlexibleVersion >= 0 && version >= c.firstFlexibleVersion;
};

t.test('every API key the registry serves has a row here', async (t) => {
  const keys = [...HANDLERS.keys()].sort((a, b) => a - b);
  t.ok(keys.length >= 75, `${keys.length} APIs`);
  for (const key of keys) {
    t.ok(ROWS[key], `API key ${key} has a row`);
    t.ok(CODECS.has(key), `API key ${key} has generated codecs`);
  }
});

t.test('(a) before SASL authentication only ApiVersions and SaslHandshake are answered; anything else closes the connection with no response bytes', async (t) => {
  for (const [apiKey, handler] of [...HANDLERS].sort((a, b) => a[0] - b[0])) {
    if (!ROWS[apiKey] || !CODECS.has(apiKey)) continue;
    const version = handler.maxVersion;
    const c = await WireConnection.connect('127.0.0.1', port);
    let bytes = 0;
    c.socket.on('data', (d: Buffer) => (bytes += d.length));
    try {
      const body = encode(apiKey, version);
      if (apiKey === 18 || apiKey === 17) {
        const frame = await c.request(apiKey, version, body, { headerVersion: flexible(apiKey, version) ? 2 : 1, timeoutMs: 30_000 });
        t.ok(frame.length > 0, `${handler.request.name} v${version} is answered before authentication`);
        continue;
      }
      c.write(requestFrameFor(apiKey, version, body));
      t.ok(await c.closesWithin(30_000), `${handler.request.name} v${version}: the connection is closed`);
      t.equal(bytes, 0, `${handler.request.name} v${version}: not a byte of response`);
    } finally {
      c.destroy();
    }
  }
  // SaslAuthenticate is taken only after a handshake; a wrong password fails it and closes the connection.
  const c = await WireConnection.connect('127.0.0.1', port);
  try {
    const hs = await call(c, 17, 1, P.SaslHandshakeRequest, P.SaslHandshakeResponse, { mechanism: 'PLAIN' }, false);
    t.equal(hs.errorCode, NONE);
    const auth = await call(c, 36, 2, P.SaslAuthenticateRequest, P.SaslAuthenticateResponse, { authBytes: Buffer.from('\0nobody\0wrong') }, true);
    t.equal(auth.errorCode, SASL_AUTHENTICATION_FAILED);
    t.ok(await c.closesWithin(30_000), 'closed after the failed authentication');
  } finally {
    c.destroy();
  }
});

/** ApiVersions: its response header is v0 whatever the request's (Kafka's special case). */
async function apiVersions(c: WireConnection, version: number): Promise<P.ApiVersionsResponse> {
  const frame = await c.request(18, version, encode(18, version), { headerVersion: 2 });
  const r = new Reader(frame);
  r.int32();
  return P.ApiVersionsResponse.decode(r, version);
}

function requestFrameFor(apiKey: number, version: number, body: Buffer): Buffer {
  const header = new Writer(64);
  header.int16(apiKey);
  header.int16(version);
  header.int32(7);
  header.string('every-api');
  if (flexible(apiKey, version)) header.uvarint(0);
  const payload = Buffer.concat([header.toBuffer(), body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

/** Every Buffer and string in a decoded response, for the "no data" scan. */
function leaks(value: Any, request: string, out: string[] = [], path = ''): string[] {
  if (value === null || value === undefined) return out;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    const b = Buffer.from(value);
    if (b.includes(SECRET_VALUE)) out.push(`${path}: the record`);
    if (adminHmac && b.length > 0 && b.includes(adminHmac) && !request.includes(adminHmac.toString('hex'))) out.push(`${path}: the admin's token HMAC`);
    return out;
  }
  if (typeof value === 'string') {
    if (value === secretTopicId && !request.includes(secretTopicId)) out.push(`${path}: the topic id`);
    return out;
  }
  if (typeof value === 'object') for (const [k, v] of Object.entries(value)) leaks(v, request, out, `${path}.${k}`);
  return out;
}

/** Sends every row on `main` (the SASL APIs on a fresh connection from `fresh`) and checks the answers. */
async function everyApi(t: Tap.Test, main: WireConnection, fresh: () => Promise<WireConnection>, overrides: Record<number, Row['check']> = {}) {
  for (const [apiKey, handler] of [...HANDLERS].sort((a, b) => a[0] - b[0])) {
    const row = ROWS[apiKey];
    const codecs = CODECS.get(apiKey);
    if (!row || !codecs) continue;
    const version = handler.maxVersion;
    // The SASL APIs on their own connection (a second exchange may begin a re-authentication).
    const c = apiKey === 17 || apiKey === 36 ? await fresh() : main;
    try {
      const body = row.body();
      const res = apiKey === 18 ? await apiVersions(c, version) : await call(c, apiKey, version, codecs.req, codecs.res, body, flexible(apiKey, version));
      await t.test(`${handler.request.name} v${version}`, async (t) => {
        (overrides[apiKey] ?? row.check)(t, res);
        const sent = JSON.stringify(body, (_k, v) => (v && v.type === 'Buffer' && Array.isArray(v.data) ? Buffer.from(v.data).toString('hex') : v));
        t.same(leaks(res, sent), [], 'no record, topic id or token in the response');
      });
    } finally {
      if (c !== main) c.destroy();
    }
  }
  // Nothing sent changed what the admin put in.
  const topic = running.broker.topics.get('secret');
  t.ok(topic, 'topic secret is still there');
  t.equal(topic?.partitions, 1);
}

t.test('(b) authenticated without ACLs every API answers Kafka\'s authorization error and no data', async (t) => {
  await everyApi(t, conn, async () => (await saslConnect(port, 'PLAIN', plainClient('nobody', 'nobody-secret') as never)).conn);
});

t.test('(b) without credentials on a PLAINTEXT listener (User:ANONYMOUS, no ACLs): the same, and no token requests at all', async (t) => {
  const anonymous = await WireConnection.connect('127.0.0.1', plaintextPort);
  t.teardown(() => anonymous.destroy());
  const notAllowed = (t: Tap.Test, res: Any) => t.same([res.errorCode, res.tokens ?? []], [DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, []], 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED');
  await everyApi(t, anonymous, () => WireConnection.connect('127.0.0.1', plaintextPort), { 38: notAllowed, 39: notAllowed, 40: notAllowed, 41: notAllowed });
});

t.test('(c) a principal with every group permission but none on topics: topic-level checks hide the topic and its offsets', async (t) => {
  const { conn: c, last } = await saslConnect(port, 'PLAIN', plainClient('grouper', 'grouper-secret') as never);
  t.teardown(() => c.destroy());
  t.equal(last.errorCode, NONE);
  const ask = <Req, Res>(codecs: { req: Codec<Req>; res: Codec<Res> }, version: number, body: Any): Promise<Any> => call(c, codecs.req.apiKey, version, codecs.req, codecs.res, body, flexible(codecs.req.apiKey, version));
  const codec = (k: number) => CODECS.get(k)!;
  const member = 'AAAAAAAAAAAAAAAAAAAAAQ';

  const all = await ask(codec(9), 10, { groups: [{ groupId: 'sg', memberId: null, memberEpoch: -1, topics: null }], requireStable: false });
  t.same([all.groups[0].errorCode, all.groups[0].topics], [NONE, []], 'OffsetFetch of all topics leaves out the topic without DESCRIBE');
  const byId = await ask(codec(9), 10, { groups: [{ groupId: 'sg', memberId: null, memberEpoch: -1, topics: [{ topicId: secretTopicId, partitionIndexes: [0] }] }], requireStable: false });
  t.same(byId.groups[0].topics[0].partitions.map((p: Any) => [p.errorCode, Number(p.committedOffset)]), [[TOPIC_DENIED, -1]], 'OffsetFetch v10 by topic id: TOPIC_AUTHORIZATION_FAILED, no offset');
  const byName = await ask(codec(9), 7, { groupId: 'sg', topics: [{ name: 'secret', partitionIndexes: [0] }], requireStable: false });
  t.same([byName.errorCode, byName.topics[0].partitions.map((p: Any) => [p.errorCode, Number(p.committedOffset)])], [NONE, [[TOPIC_DENIED, -1]]], 'OffsetFetch v7 by name: the same');

  const cgh = await ask(codec(68), 1, { groupId: 'cg', memberId: member, memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 10000, subscribedTopicNames: ['secret'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] });
  t.same([cgh.errorCode, cgh.assignment], [TOPIC_DENIED, null], 'ConsumerGroupHeartbeat: subscribed topics need DESCRIBE');
  const sgh = await ask(codec(76), 1, { groupId: 'shg', memberId: member, memberEpoch: 0, rackId: null, subscribedTopicNames: ['secret'] });
  t.same([sgh.errorCode, sgh.assignment], [TOPIC_DENIED, null], 'ShareGroupHeartbeat: the same');

  const fetched = await ask(codec(78), 2, { groupId: 'shg', memberId: member, shareSessionEpoch: 0, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, maxRecords: 100, batchSize: 100, topics: [{ topicId: secretTopicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] }], forgottenTopicsData: [] });
  t.equal(fetched.errorCode, NONE, 'ShareFetch: READ on the group is enough to open a session');
  const fp = fetched.responses[0]?.partitions[0];
  t.same([fp?.errorCode, fp?.acquiredRecords, fp?.records?.length ?? 0], [TOPIC_DENIED, [], 0], 'ShareFetch: the topic without READ gets TOPIC_AUTHORIZATION_FAILED and no records');
  const acked = await ask(codec(79), 2, { groupId: 'shg', memberId: member, shareSessionEpoch: 1, topics: [{ topicId: secretTopicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [1] }] }] }] });
  t.same([acked.errorCode, acked.responses[0]?.partitions[0]?.errorCode], [NONE, TOPIC_DENIED], 'ShareAcknowledge: TOPIC_AUTHORIZATION_FAILED');

  const offsets = await ask(codec(90), 1, { groups: [{ groupId: 'shg', topics: [{ topicName: 'secret', partitions: [0] }] }] });
  t.same(offsets.groups[0].topics.flatMap((x: Any) => x.partitions.map((p: Any) => [p.errorCode, Number(p.startOffset)])), [[TOPIC_DENIED, -1]], 'DescribeShareGroupOffsets: the topic without DESCRIBE');
  const altered = await ask(codec(91), 0, { groupId: 'shg', topics: [{ topicName: 'secret', partitions: [{ partitionIndex: 0, startOffset: 0 }] }] });
  t.same(altered.responses.flatMap((x: Any) => x.partitions.map((p: Any) => p.errorCode)), [TOPIC_DENIED], 'AlterShareGroupOffsets: READ on the topic');
  const deleted = await ask(codec(92), 0, { groupId: 'shg', topics: [{ topicName: 'secret' }] });
  t.same(deleted.responses.map((x: Any) => x.errorCode), [TOPIC_DENIED], 'DeleteShareGroupOffsets: READ on the topic');
  const streams = await ask(codec(88), 1, {
    groupId: 'stg', memberId: member, memberEpoch: 0, endpointInformationEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 10000,
    topology: { epoch: 0, subtopologies: [{ subtopologyId: '0', sourceTopics: ['secret'], sourceTopicRegex: [], stateChangelogTopics: [], repartitionSinkTopics: [], repartitionSourceTopics: [], copartitionGroups: [] }] },
    activeTasks: [], standbyTasks: [], warmupTasks: [], processId: 'p', userEndpoint: null, clientTags: [], taskOffsets: [], taskEndOffsets: [], shutdownApplication: false,
  });
  t.same([streams.errorCode, streams.activeTasks], [TOPIC_DENIED, null], 'StreamsGroupHeartbeat: the topology\'s topics need DESCRIBE');

  // The admin's consumer group holds partitions of the topic: grouper may describe the group, not what it holds.
  const asAdmin = await saslConnect(port, 'PLAIN', plainClient('admin', 'admin-secret') as never);
  t.teardown(() => asAdmin.conn.destroy());
  const adminHeartbeat = () => call(asAdmin.conn, 68, 1, P.ConsumerGroupHeartbeatRequest, P.ConsumerGroupHeartbeatResponse, { groupId: 'cg-admin', memberId: member, memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 10000, subscribedTopicNames: ['secret'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] }, true);
  const joined = await adminHeartbeat();
  t.equal(joined.errorCode, NONE, 'the admin joins cg-admin');
  let assigned = joined.assignment?.topicPartitions.length ?? 0;
  for (let i = 0; i < 100 && assigned === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const d = await call(asAdmin.conn, 69, 1, P.ConsumerGroupDescribeRequest, P.ConsumerGroupDescribeResponse, { groupIds: ['cg-admin'], includeAuthorizedOperations: false }, true);
    assigned = d.groups[0].members.flatMap((m) => m.targetAssignment.topicPartitions).length;
  }
  t.ok(assigned > 0, 'its member has the topic as target assignment');
  const described = await ask(codec(69), 1, { groupIds: ['cg-admin'], includeAuthorizedOperations: true });
  t.same([described.groups[0].errorCode, described.groups[0].members], [TOPIC_DENIED, []], 'ConsumerGroupDescribe: TOPIC_AUTHORIZATION_FAILED, no members');

  // The admin's share group is assigned the topic: grouper may describe the group, not what it holds.
  const shareHeartbeat = (memberEpoch: number) => call(asAdmin.conn, 76, 1, P.ShareGroupHeartbeatRequest, P.ShareGroupHeartbeatResponse, { groupId: 'shg-admin', memberId: member, memberEpoch, rackId: null, subscribedTopicNames: ['secret'] }, true);
  let beat = await shareHeartbeat(0);
  t.equal(beat.errorCode, NONE, 'the admin joins share group shg-admin');
  let shareAssigned = 0;
  let shareOffsets = 0;
  for (let i = 0; i < 300 && (shareAssigned === 0 || shareOffsets === 0); i++) {
    await new Promise((r) => setTimeout(r, 100));
    // The member keeps heartbeating: its assignment comes once the share partitions are initialized.
    beat = await shareHeartbeat(beat.memberEpoch);
    const d = await call(asAdmin.conn, 77, 1, P.ShareGroupDescribeRequest, P.ShareGroupDescribeResponse, { groupIds: ['shg-admin'], includeAuthorizedOperations: false }, true);
    shareAssigned = d.groups[0].members.flatMap((m) => m.assignment.topicPartitions).length;
    const o = await call(asAdmin.conn, 90, 1, P.DescribeShareGroupOffsetsRequest, P.DescribeShareGroupOffsetsResponse, { groups: [{ groupId: 'shg-admin', topics: null }] }, true);
    shareOffsets = o.groups[0].topics.length;
  }
  t.ok(shareAssigned > 0 && shareOffsets > 0, 'its member is assigned the topic and its share partition has a start offset');
  const shareDescribed = await ask(codec(77), 1, { groupIds: ['shg-admin'], includeAuthorizedOperations: true });
  t.same([shareDescribed.groups[0].errorCode, shareDescribed.groups[0].members], [TOPIC_DENIED, []], 'ShareGroupDescribe: TOPIC_AUTHORIZATION_FAILED, no members');
  const shareAll = await ask(codec(90), 1, { groups: [{ groupId: 'shg-admin', topics: null }] });
  t.same([shareAll.groups[0].errorCode, shareAll.groups[0].topics], [NONE, []], 'DescribeShareGroupOffsets of all topics leaves out the topic');
  for (const res of [all, byId, byName, cgh, sgh, fetched, acked, offsets, altered, deleted, streams, described, shareDescribed, shareAll]) t.same(leaks(res, secretTopicId), [], 'no record or token');
});
