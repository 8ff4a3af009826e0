// The persister across samsa processes: 3 nodes; a share partition led by one broker keeps its
// state with the share coordinator on another (the leader of the key's __share_group_state
// partition). The state is initialized at the coordinator (as the share group coordinator does);
// a ShareFetch to the partition's leader reads it there through that broker's persister
// (ReadShareGroupState to the coordinator) and acquires the records; ShareAcknowledge ACCEPTs them
// and the persister writes the new start offset to the coordinator (WriteShareGroupState), where
// ReadShareGroupStateSummary then shows it.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startProcCluster, type ProcCluster } from '../../helpers/cluster-procs.js';
import { waitUntil } from '../../helpers/cluster-wait.js';
import { codecRequest } from '../../metadata/helpers.js';
import { randomUuid } from '../../../src/metadata/uuid.js';
import { ErrorCode as E } from '../../../src/protocol/errors.js';
import { ShareFetchRequest } from '../../../src/protocol/generated/share-fetch-request.js';
import { ShareFetchResponse } from '../../../src/protocol/generated/share-fetch-response.js';
import { ShareAcknowledgeRequest } from '../../../src/protocol/generated/share-acknowledge-request.js';
import { ShareAcknowledgeResponse } from '../../../src/protocol/generated/share-acknowledge-response.js';
import { GroupWire } from '../group-wire.js';

t.setTimeout(300_000);

const ACCEPT = 1;
const RETRY = new Set([E.NOT_COORDINATOR, E.COORDINATOR_LOAD_IN_PROGRESS, E.COORDINATOR_NOT_AVAILABLE]);

function at(c: ProcCluster, nodeId: number) {
  const port = c.node(nodeId).spec.port!;
  return (name: string, version: number, body: unknown) => codecRequest('127.0.0.1', port, name, version, body);
}

t.test("a share partition's state kept by the share coordinator on another broker", async (t) => {
  const c = await startProcCluster(t, { nodes: 3 });
  const kafka = new Kafka({ brokers: c.nodes.map((n) => `127.0.0.1:${n.spec.port}`), logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2000 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'q', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'q', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })) });
  await producer.disconnect();
  const meta = await admin.fetchTopicMetadata({ topics: ['q'] });
  const leader = meta.topics[0].partitions[0].leader;
  const topicId: string = (await at(c, 1)('Metadata', 12, { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'q' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).topics[0].topicId;

  // A group whose state partition another broker leads.
  let groupId = '';
  let coordinator = -1;
  for (let i = 0; coordinator === -1 || coordinator === leader; i++) {
    groupId = `sg-${i}`;
    const key = `${groupId}:${topicId}:0`;
    coordinator = await waitUntil(`the coordinator of ${key}`, 90_000, async () => {
      const r = await at(c, leader)('FindCoordinator', 6, { key: '', keyType: 2, coordinatorKeys: [key] }).catch(() => null);
      const x = r?.coordinators?.[0];
      return x?.errorCode === E.NONE ? (x.nodeId as number) : undefined;
    }, 500);
  }
  t.not(coordinator, leader, `partition q-0 led by ${leader}, its share state coordinated by ${coordinator}`);
  const state = (name: string, version: number, p: Record<string, unknown>) =>
    at(c, coordinator)(name, version, { groupId, topics: [{ topicId, partitions: [{ partition: 0, ...p }] }] }).then((r) => r.results[0].partitions[0]);
  const init = await waitUntil('initialized at the coordinator', 90_000, async () => {
    const r = await state('InitializeShareGroupState', 0, { stateEpoch: 0, startOffset: 0 }).catch(() => null);
    return r && !RETRY.has(r.errorCode) ? r : undefined;
  }, 500);
  t.equal(init.errorCode, E.NONE);

  // Share sessions live on their connection (Kafka 4.4 drops them when it closes): one connection for fetch and acknowledge.
  const w = await GroupWire.connect(t, { host: '127.0.0.1', port: c.node(leader).spec.port! });
  const member = randomUuid();
  const fetch = (epoch: number) =>
    w.call(ShareFetchRequest, ShareFetchResponse, 2, {
      groupId,
      memberId: member,
      shareSessionEpoch: epoch,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 1 << 20,
      maxRecords: 100,
      batchSize: 100,
      shareAcquireMode: 0,
      isRenewAck: false,
      topics: epoch === 0 ? [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] }] : [],
      forgottenTopicsData: [],
    });
  let epoch = 0;
  const acquired = await waitUntil('records acquired on the partition leader', 90_000, async () => {
    const r = await fetch(epoch);
    t.equal(r.errorCode, E.NONE, `ShareFetch epoch ${epoch}`);
    epoch++;
    const p = r.responses[0]?.partitions[0];
    return p?.acquiredRecords?.length ? p.acquiredRecords : undefined;
  }, 500);
  t.same(acquired.map((a) => [a.firstOffset, a.lastOffset, a.deliveryCount]), [[0, 9, 1]], 'the state read through the persister: everything from offset 0');

  const ack = await w.call(ShareAcknowledgeRequest, ShareAcknowledgeResponse, 2, { groupId, memberId: member, shareSessionEpoch: epoch, isRenewAck: false, topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [{ firstOffset: 0, lastOffset: 9, acknowledgeTypes: [ACCEPT] }] }] }] });
  t.same([ack.errorCode, ack.responses[0].partitions[0].errorCode], [E.NONE, E.NONE], 'accepted, persisted through the coordinator');
  const summary = await state('ReadShareGroupStateSummary', 1, { leaderEpoch: 0 });
  // Kafka 4.4's share partition writes the start offset from before the acknowledgement moved it, with
  // the records delivered since then (SharePartition.writeShareGroupState): 0 and 10.
  t.same([summary.errorCode, summary.startOffset, summary.deliveryCompleteCount], [E.NONE, 0, 10], 'the coordinator on the other broker has the acknowledgement (start 0, 10 delivered)');
  t.ok(summary.leaderEpoch >= 0);
});
