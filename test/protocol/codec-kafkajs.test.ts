// Byte-exact interop with a real client: kafkajs's own request encoders (whole frames: size, header,
// body) are decoded by samsa and re-encoded to the identical bytes; samsa's responses are decoded by
// kafkajs's own response decoders.
import t, { type Test } from 'tap';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { API_KEYS, RequestHeader } from '../../src/protocol/generated/index.js';
import {
  decodeRequestHeader,
  peekApiKeyAndVersion,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../src/protocol/headers.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

const require = createRequire(import.meta.url);
const kafkajsRoot = require.resolve('kafkajs/package.json').replace(/package\.json$/, '');
const requestsDir = `${kafkajsRoot}src/protocol/requests`;
const frame = require('kafkajs/src/protocol/request');
const Long = require('kafkajs/src/utils/long');
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0');

const TOPIC = 'topic-ä';
const CLIENT_ID = 'samsa-test';

/** Arguments for each kafkajs request builder (a superset: each version takes what it needs). */
const ARGS: Record<string, any> = {
  apiVersions: {},
  metadata: { topics: [TOPIC, 'other'], allowAutoTopicCreation: false },
  produce: {
    acks: -1,
    timeout: 30000,
    transactionalId: 'tx-1',
    producerId: Long.fromNumber(4242),
    producerEpoch: 3,
    topicData: [{
      topic: TOPIC,
      partitions: [{
        partition: 2,
        firstSequence: 0,
        messages: [
          { key: 'k1', value: 'v1', timestamp: 1700000000000, headers: { h: 'x' } },
          { key: null, value: 'v2', timestamp: 1700000000005 },
        ],
      }],
    }],
  },
  fetch: {
    replicaId: -1,
    maxWaitTime: 500,
    minBytes: 1,
    maxBytes: 10485760,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    rackId: 'rack-1',
    topics: [{
      topic: TOPIC,
      partitions: [{ partition: 0, fetchOffset: '12345', maxBytes: 1048576, currentLeaderEpoch: 3, logStartOffset: '7' }],
    }],
    forgottenTopics: [],
  },
  listOffsets: {
    replicaId: -1,
    isolationLevel: 1,
    topics: [{ topic: TOPIC, partitions: [{ partition: 1, timestamp: -2, maxNumOffsets: 1, currentLeaderEpoch: 5 }] }],
  },
  createTopics: {
    topics: [{
      topic: 'new-topic',
      numPartitions: 3,
      replicationFactor: 1,
      replicaAssignment: [],
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
    }],
    timeout: 5000,
    validateOnly: false,
  },
  initProducerId: { transactionalId: 'tx-1', transactionTimeout: 60000 },
  findCoordinator: { groupId: 'group-1', coordinatorKey: 'group-1', coordinatorType: 0 },
  joinGroup: {
    groupId: 'group-1',
    sessionTimeout: 30000,
    rebalanceTimeout: 60000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from('meta') }],
  },
  syncGroup: {
    groupId: 'group-1',
    generationId: 7,
    memberId: 'member-1',
    groupInstanceId: null,
    groupAssignment: [{ memberId: 'member-1', memberAssignment: Buffer.from('assignment') }],
  },
  heartbeat: { groupId: 'group-1', groupGenerationId: 7, memberId: 'member-1', groupInstanceId: null },
  offsetCommit: {
    groupId: 'group-1',
    groupGenerationId: 7,
    memberId: 'member-1',
    retentionTime: -1,
    topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '42', timestamp: 1700000000000, metadata: null }] }],
  },
  offsetFetch: { groupId: 'group-1', topics: [{ topic: TOPIC, partitions: [{ partition: 0 }, { partition: 1 }] }] },
  leaveGroup: { groupId: 'group-1', memberId: 'member-1', members: [{ memberId: 'member-1', groupInstanceId: null }] },
  describeGroups: { groupIds: ['group-1', 'group-2'] },
  listGroups: {},
  deleteTopics: { topics: [TOPIC, 'other'], timeout: 5000 },
  deleteGroups: ['group-1', 'group-2'],
  saslHandshake: { mechanism: 'PLAIN' },
  // kafkajs hands over SASL bytes already length-prefixed (its mechanisms encode them with writeBytes).
  saslAuthenticate: { authBytes: Buffer.from('0000000a00757365720070617373', 'hex') },
  addOffsetsToTxn: { transactionalId: 'tx-1', producerId: '4242', producerEpoch: 3, groupId: 'group-1' },
  addPartitionsToTxn: {
    transactionalId: 'tx-1', producerId: '4242', producerEpoch: 3, topics: [{ topic: TOPIC, partitions: [0, 1] }],
  },
  endTxn: { transactionalId: 'tx-1', producerId: '4242', producerEpoch: 3, transactionResult: true },
  txnOffsetCommit: {
    transactionalId: 'tx-1',
    groupId: 'group-1',
    producerId: '4242',
    producerEpoch: 3,
    topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '42', metadata: 'md' }] }],
  },
  deleteRecords: { topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '10' }] }], timeout: 5000 },
  createPartitions: { topicPartitions: [{ topic: TOPIC, count: 4, assignments: [] }], timeout: 5000, validateOnly: false },
  describeConfigs: { resources: [{ type: 2, name: TOPIC, configNames: ['cleanup.policy'] }], includeSynonyms: true },
  alterConfigs: {
    resources: [{ type: 2, name: TOPIC, configEntries: [{ name: 'retention.ms', value: '1000' }] }],
    validateOnly: false,
  },
  alterPartitionReassignments: {
    topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas: [1, 2] }] }],
    timeout: 5000,
  },
  listPartitionReassignments: { topics: [{ topic: TOPIC, partitions: [0, 1] }], timeout: 5000 },
  createAcls: {
    creations: [{
      resourceType: 2, resourceName: TOPIC, resourcePatternType: 3, principal: 'User:bob', host: '*',
      operation: 2, permissionType: 3,
    }],
  },
  describeAcls: {
    resourceType: 2, resourceName: TOPIC, resourcePatternType: 3, principal: 'User:bob', host: '*',
    operation: 2, permissionType: 3,
  },
  deleteAcls: {
    filters: [{
      resourceType: 2, resourceName: TOPIC, resourcePatternType: 3, principal: 'User:bob', host: '*',
      operation: 2, permissionType: 3,
    }],
  },
};

/** Field checks on what samsa decoded from kafkajs's bytes (the round trip alone could hide a shift). */
const CHECKS: Record<string, (t: Test, m: any, v: number) => void> = {
  metadata: (t, m, v) => {
    t.same(m.topics.map((x: any) => x.name), [TOPIC, 'other']);
    if (v >= 4) t.equal(m.allowAutoTopicCreation, false);
  },
  produce: (t, m, v) => {
    t.equal(m.acks, -1);
    t.equal(m.timeoutMs, 30000);
    if (v >= 3) t.equal(m.transactionalId, 'tx-1');
    t.equal(m.topicData[0].name, TOPIC);
    const p = m.topicData[0].partitionData[0];
    t.equal(p.index, 2);
    t.ok(Buffer.isBuffer(p.records) && p.records.length > 20, 'records arrive as one Buffer');
    if (v >= 3) {
      t.equal(p.records.readInt8(16), 2, 'record batch magic v2');
      t.equal(p.records.readInt32BE(57), 2, 'two records in the batch');
    }
  },
  fetch: (t, m, v) => {
    t.equal(m.replicaId, -1);
    t.equal(m.maxWaitMs, 500);
    t.equal(m.minBytes, 1);
    if (v >= 3) t.equal(m.maxBytes, 10485760);
    if (v >= 4) t.equal(m.isolationLevel, 1);
    const p = m.topics[0].partitions[0];
    t.equal(m.topics[0].topic, TOPIC);
    t.equal(p.fetchOffset, 12345);
    t.equal(p.partitionMaxBytes, 1048576);
    if (v >= 9) t.equal(p.currentLeaderEpoch, 3);
    if (v >= 5) t.equal(p.logStartOffset, 7);
    if (v >= 11) t.equal(m.rackId, 'rack-1');
  },
  listOffsets: (t, m, v) => {
    t.equal(m.replicaId, -1);
    if (v >= 2) t.equal(m.isolationLevel, 1);
    const p = m.topics[0].partitions[0];
    t.equal(p.partitionIndex, 1);
    t.equal(p.timestamp, -2);
    if (v === 0) t.equal(p.maxNumOffsets, 1);
  },
  createTopics: (t, m, v) => {
    const topic = m.topics[0];
    t.equal(topic.name, 'new-topic');
    t.equal(topic.numPartitions, 3);
    t.equal(topic.replicationFactor, 1);
    t.same(topic.configs.map((c: any) => [c.name, c.value]), [['cleanup.policy', 'compact']]);
    t.equal(m.timeoutMs, 5000);
    if (v >= 1) t.equal(m.validateOnly, false);
  },
  initProducerId: (t, m) => {
    t.equal(m.transactionalId, 'tx-1');
    t.equal(m.transactionTimeoutMs, 60000);
  },
  findCoordinator: (t, m, v) => {
    t.equal(m.key, 'group-1');
    if (v >= 1) t.equal(m.keyType, 0);
  },
  joinGroup: (t, m, v) => {
    t.equal(m.groupId, 'group-1');
    t.equal(m.sessionTimeoutMs, 30000);
    if (v >= 1) t.equal(m.rebalanceTimeoutMs, 60000);
    t.equal(m.memberId, '');
    if (v >= 5) t.equal(m.groupInstanceId, null);
    t.equal(m.protocolType, 'consumer');
    t.equal(m.protocols[0].name, 'RoundRobinAssigner');
    t.equal(m.protocols[0].metadata.toString(), 'meta');
  },
  syncGroup: (t, m) => {
    t.equal(m.groupId, 'group-1');
    t.equal(m.generationId, 7);
    t.equal(m.memberId, 'member-1');
    t.equal(m.assignments[0].memberId, 'member-1');
    t.equal(m.assignments[0].assignment.toString(), 'assignment');
  },
  heartbeat: (t, m) => {
    t.equal(m.groupId, 'group-1');
    t.equal(m.generationId, 7);
    t.equal(m.memberId, 'member-1');
  },
  offsetCommit: (t, m, v) => {
    t.equal(m.groupId, 'group-1');
    if (v >= 1) t.equal(m.generationIdOrMemberEpoch, 7);
    if (v >= 1) t.equal(m.memberId, 'member-1');
    if (v >= 2 && v <= 4) t.equal(m.retentionTimeMs, -1);
    const p = m.topics[0].partitions[0];
    t.equal(m.topics[0].name, TOPIC);
    t.equal(p.partitionIndex, 0);
    t.equal(p.committedOffset, 42);
    if (v === 1) t.equal(p.commitTimestamp, 1700000000000);
    t.equal(p.committedMetadata, null);
  },
  saslAuthenticate: (t, m) => {
    t.equal(m.authBytes.toString(), '\0user\0pass');
  },
  offsetFetch: (t, m) => {
    t.equal(m.groupId, 'group-1');
    t.same(m.topics[0].partitionIndexes, [0, 1]);
  },
};

/** kafkajs request versions present on disk, e.g. { fetch: [0..11] }. */
function kafkajsVersions(api: string): number[] {
  return readdirSync(`${requestsDir}/${api}`)
    .filter((d) => /^v\d+$/.test(d) && existsSync(`${requestsDir}/${api}/${d}/request.js`))
    .map((d) => Number(d.slice(1)))
    .sort((a, b) => a - b);
}

t.test('kafkajs request frames decode and re-encode byte for byte', async (t) => {
  let compared = 0;
  for (const api of Object.keys(ARGS)) {
    for (const v of kafkajsVersions(api)) {
      const build = require(`${requestsDir}/${api}/v${v}/request.js`);
      const request = build(ARGS[api]);
      const kjsFrame: Buffer = (await frame({ correlationId: 1000 + v, clientId: CLIENT_ID, request })).buffer;
      const api_ = API_KEYS[request.apiKey];
      t.ok(api_, `${api}: API key ${request.apiKey} known`);
      t.equal(request.apiVersion, v);
      await t.test(`${api} v${v}`, async (t) => {
        const r = new Reader(kjsFrame);
        t.equal(r.int32(), kjsFrame.length - 4, 'size prefix');
        const { apiKey, apiVersion } = peekApiKeyAndVersion(r);
        t.equal(apiKey, request.apiKey);
        t.equal(apiVersion, v);
        const hv = requestHeaderVersion(apiKey, apiVersion);
        const header = decodeRequestHeader(r, hv);
        t.equal(header.correlationId, 1000 + v);
        t.equal(header.clientId, CLIENT_ID);
        if (v < api_.request.minVersion) {
          // Kafka 4 removed the oldest versions of some APIs: they must be refused, not misread.
          t.throws(() => api_.request.decode(r, v), /not supported/, `v${v} is below Kafka 4.4's v${api_.request.minVersion}`);
          return;
        }
        const body = api_.request.decode(r, v);
        t.equal(r.remaining(), 0, 'the whole frame is consumed');
        CHECKS[api]?.(t, body, v);

        const w = new Writer();
        const at = w.reserveInt32();
        RequestHeader.encode(w, hv, header);
        api_.request.encode(w, v, body);
        w.patchInt32(at, w.length - 4);
        t.equal(w.toBuffer().toString('hex'), kjsFrame.toString('hex'), 'identical bytes');
      });
      compared++;
    }
  }
  t.ok(compared >= 60, `${compared} API versions compared`);
});

const FIXTURE_CHECKS: Record<string, (t: Test, m: any) => void> = {
  'produce-v7.hex': (t, m) => {
    t.same([m.transactionalId, m.acks, m.timeoutMs, m.topicData[0].name], [null, 1, 1000, 'topic-a']);
    const records: Buffer = m.topicData[0].partitionData[0].records;
    t.equal(records.length, 76);
    t.ok(records.includes(Buffer.from('value')));
  },
  'fetch-v11.hex': (t, m) => {
    t.same([m.replicaId, m.maxWaitMs, m.minBytes, m.maxBytes, m.isolationLevel], [-1, 100, 1, 52428800, 1]);
    t.same([m.topics[0].topic, m.topics[0].partitions[0].fetchOffset], ['topic-a', 5]);
    t.equal(m.rackId, '');
  },
  'metadata-v6.hex': (t, m) => {
    t.same(m.topics.map((x: any) => x.name), ['topic-a']);
    t.equal(m.allowAutoTopicCreation, true);
  },
  'apiVersions-v2.hex': () => {},
  'alterPartitionReassignments-v0.hex': (t, m) => {
    t.equal(m.timeoutMs, 5000);
    t.equal(m.topics[0].name, 'topic-a');
    t.same(m.topics[0].partitions[0].replicas, [1]);
  },
};

t.test('fixtures captured from kafkajs still decode and re-encode', async (t) => {
  const dir = new URL('./fixtures/', import.meta.url).pathname;
  const files = readdirSync(dir).filter((f) => f.endsWith('.hex'));
  t.ok(files.length >= 3);
  for (const f of files) {
    const bytes = Buffer.from(readFileSync(dir + f, 'utf8').replace(/\s+/g, ''), 'hex');
    const r = new Reader(bytes);
    r.int32();
    const { apiKey, apiVersion } = peekApiKeyAndVersion(r);
    const hv = requestHeaderVersion(apiKey, apiVersion);
    const header = decodeRequestHeader(r, hv);
    t.same([header.correlationId, header.clientId], [7, 'kafkajs'], f);
    const body = API_KEYS[apiKey].request.decode(r, apiVersion);
    t.equal(r.remaining(), 0, f);
    t.ok(FIXTURE_CHECKS[f], `${f} has checks`);
    FIXTURE_CHECKS[f]?.(t, body);
    const w = new Writer();
    const at = w.reserveInt32();
    RequestHeader.encode(w, hv, header);
    API_KEYS[apiKey].request.encode(w, apiVersion, body);
    w.patchInt32(at, w.length - 4);
    t.equal(w.toBuffer().toString('hex'), bytes.toString('hex'), f);
  }
});

t.test('header versions follow Kafka', async (t) => {
  t.equal(requestHeaderVersion(0, 8), 1, 'Produce v8 is not flexible');
  t.equal(requestHeaderVersion(0, 9), 2);
  t.equal(requestHeaderVersion(18, 3), 2, 'ApiVersions v3 request is flexible');
  t.equal(requestHeaderVersion(18, 9), 2, 'an ApiVersions version newer than ours is flexible too');
  t.equal(requestHeaderVersion(7, 0), 0, 'ControlledShutdown v0 has no client id');
  t.equal(responseHeaderVersion(18, 3), 0, 'ApiVersions responses always use header v0');
  t.equal(responseHeaderVersion(1, 12), 1);
  t.equal(responseHeaderVersion(1, 11), 0);
  t.equal(responseHeaderVersion(3, 9), 1);
  t.throws(() => requestHeaderVersion(9999, 0));
});

// ---- responses: samsa encodes, kafkajs decodes --------------------------------------------------

async function kafkajsDecode(api: string, v: number, body: any): Promise<any> {
  const codec = API_KEYS[require(`${requestsDir}/${api}/v${v}/request.js`)(ARGS[api]).apiKey].response;
  const w = new Writer();
  codec.encode(w, v, body);
  const response = require(`${requestsDir}/${api}/v${v}/response.js`);
  const decoded = await response.decode(w.toBuffer());
  return response.parse(decoded);
}

async function recordBatch(): Promise<Buffer> {
  const batch = await RecordBatch({
    firstOffset: Long.fromNumber(100),
    firstTimestamp: 1700000000000,
    maxTimestamp: 1700000000001,
    lastOffsetDelta: 1,
    records: [
      Record({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k0'), value: Buffer.from('v0') }),
      Record({ offsetDelta: 1, timestampDelta: 1, key: Buffer.from('k1'), value: Buffer.from('v1') }),
    ],
  });
  return batch.buffer;
}

t.test('kafkajs decodes samsa responses', async (t) => {
  for (const v of kafkajsVersions('apiVersions')) {
    const res = await kafkajsDecode('apiVersions', v, {
      errorCode: 0,
      apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 11 }, { apiKey: 18, minVersion: 0, maxVersion: 4 }],
      throttleTimeMs: 0,
    });
    t.same(res.apiVersions, [{ apiKey: 0, minVersion: 3, maxVersion: 11 }, { apiKey: 18, minVersion: 0, maxVersion: 4 }],
      `ApiVersions v${v}`);
  }

  for (const v of kafkajsVersions('metadata')) {
    const res = await kafkajsDecode('metadata', v, {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'cluster-x',
      controllerId: 1,
      topics: [{
        errorCode: 0, name: TOPIC, isInternal: false,
        partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 5, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
      }],
    });
    t.same(res.brokers.map((b: any) => [b.nodeId, b.host, b.port]), [[1, 'localhost', 9092]], `Metadata v${v} brokers`);
    t.equal(res.topicMetadata[0].topic, TOPIC);
    const p = res.topicMetadata[0].partitionMetadata[0];
    t.same([p.partitionId, p.leader, p.replicas, p.isr], [0, 1, [1], [1]], `Metadata v${v} partition`);
    if (v >= 2) t.equal(res.clusterId, 'cluster-x');
    if (v >= 1) t.equal(res.controllerId, 1);
  }

  for (const v of kafkajsVersions('produce')) {
    if (v < 3) continue; // Kafka 4 removed Produce v0-2: their requests are refused above.
    const res = await kafkajsDecode('produce', v, {
      responses: [{
        name: TOPIC,
        partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 1234567890123, logAppendTimeMs: -1, logStartOffset: 0 }],
      }],
      throttleTimeMs: 0,
    });
    const topic = res.topics[0];
    t.equal(topic.topicName, TOPIC, `Produce v${v}`);
    t.equal(topic.partitions[0].partition, 2);
    t.equal(topic.partitions[0].baseOffset ?? topic.partitions[0].offset, '1234567890123');
  }

  const batch = await recordBatch();
  for (const v of kafkajsVersions('fetch')) {
    if (v < 4) continue; // Kafka 4 removed Fetch v0-3: their requests are refused above.
    // Records as two chunks, the way the log hands them out: written by reference, read as one.
    const records = v >= 4 ? [batch.subarray(0, 30), batch.subarray(30)] : null;
    const res = await kafkajsDecode('fetch', v, {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [{
        topic: TOPIC,
        partitions: [{
          partitionIndex: 0, errorCode: 0, highWatermark: 102, lastStableOffset: 102, logStartOffset: 0,
          abortedTransactions: [], preferredReadReplica: -1, records,
        }],
      }],
    });
    const p = res.responses[0].partitions[0];
    t.equal(res.responses[0].topicName, TOPIC, `Fetch v${v}`);
    t.equal(p.highWatermark, '102');
    if (v >= 4) {
      t.same(p.messages.map((m: any) => [m.offset, m.key.toString(), m.value.toString()]),
        [['100', 'k0', 'v0'], ['101', 'k1', 'v1']], `Fetch v${v} records`);
    }
  }

  for (const v of kafkajsVersions('listOffsets')) {
    if (v < 1) continue; // Kafka 4 removed ListOffsets v0: its requests are refused above.
    const res = await kafkajsDecode('listOffsets', v, {
      throttleTimeMs: 0,
      topics: [{
        name: TOPIC,
        partitions: [{ partitionIndex: 1, errorCode: 0, oldStyleOffsets: [77], timestamp: -1, offset: 77, leaderEpoch: 0 }],
      }],
    });
    const p = res.responses[0].partitions[0];
    t.equal(res.responses[0].topic, TOPIC, `ListOffsets v${v}`);
    t.equal(p.partition, 1);
    t.equal(p.offset, '77');
  }
});
