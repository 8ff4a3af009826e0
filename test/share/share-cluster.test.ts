// Share partitions on 3 samsa processes: ShareFetch to a broker that does not lead the partition
// is NOT_LEADER_OR_FOLLOWER naming the leader (currentLeader and its endpoint); the leader acquires
// and takes acknowledgements, its state going to the share coordinator through the Persister
// (in-process or to another broker); the leader is SIGKILLed and the new leader, reading that
// replicated state, redelivers only the released records (delivery count 2), never the accepted.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startProcCluster, type ProcCluster } from '../helpers/cluster-procs.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { codecRequest } from '../metadata/helpers.js';
import { GroupWire } from '../coordinator/group-wire.js';
import { ShareFetchRequest } from '../../src/protocol/generated/share-fetch-request.js';
import { ShareFetchResponse } from '../../src/protocol/generated/share-fetch-response.js';
import { ShareAcknowledgeRequest } from '../../src/protocol/generated/share-acknowledge-request.js';
import { ShareAcknowledgeResponse } from '../../src/protocol/generated/share-acknowledge-response.js';
import { ErrorCode as E } from '../../src/protocol/errors.js';

t.setTimeout(300_000);

const GROUP = 'workers';
const M1 = 'AAAAAAAAAAAAAAAAAAAAAQ';
const M2 = 'AAAAAAAAAAAAAAAAAAAAAg';

function port(c: ProcCluster, nodeId: number): number {
  return c.node(nodeId).spec.port!;
}

async function leaderOf(c: ProcCluster, exclude: number[] = []): Promise<{ leader: number; epoch: number }> {
  return waitUntil('a leader of work-0', 90_000, async () => {
    for (const n of c.nodes) {
      if (!n.alive) continue;
      const md = await codecRequest('127.0.0.1', port(c, n.nodeId), 'Metadata', 12, { topics: [{ topicId: null, name: 'work' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }).catch(() => null);
      const p = md?.topics?.[0]?.partitions?.[0];
      if (p && p.errorCode === E.NONE && p.leaderId >= 0 && !exclude.includes(p.leaderId) && c.node(p.leaderId).alive) return { leader: p.leaderId as number, epoch: p.leaderEpoch as number };
    }
    return undefined;
  }, 500);
}

function fetchBody(member: string, epoch: number, topicId: string) {
  return { groupId: GROUP, memberId: member, shareSessionEpoch: epoch, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, maxRecords: 500, batchSize: 500, shareAcquireMode: 0, isRenewAck: false, topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] }], forgottenTopicsData: [] };
}

t.test('share partitions follow the partition leader; the state survives its kill -9', async (t) => {
  const c = await startProcCluster(t, { nodes: 3 });
  const created = await waitUntil('topic created', 90_000, async () => {
    const r = await codecRequest('127.0.0.1', port(c, 1), 'CreateTopics', 7, { topics: [{ name: 'work', numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false }).catch(() => null);
    const x = r?.topics?.[0];
    return x && (x.errorCode === E.NONE || x.errorCode === E.TOPIC_ALREADY_EXISTS) ? x : undefined;
  }, 500);
  const topicId: string = created.topicId;
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'work', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `w${i}` })) });
  await producer.disconnect();

  // What the share group coordinator does for a new assignment: initialize the state at offset 0.
  const key = `${GROUP}:${topicId}:0`;
  await waitUntil('state initialized', 120_000, async () => {
    for (const n of c.nodes) {
      const fc = await codecRequest('127.0.0.1', port(c, n.nodeId), 'FindCoordinator', 6, { key: '', keyType: 2, coordinatorKeys: [key] }).catch(() => null);
      const x = fc?.coordinators?.[0];
      if (x?.errorCode !== E.NONE) continue;
      const r = await codecRequest('127.0.0.1', port(c, x.nodeId), 'InitializeShareGroupState', 0, { groupId: GROUP, topics: [{ topicId, partitions: [{ partition: 0, stateEpoch: 0, startOffset: 0 }] }] }).catch(() => null);
      if (r?.results?.[0]?.partitions?.[0]?.errorCode === E.NONE) return true;
    }
    return undefined;
  }, 500);

  const { leader, epoch } = await leaderOf(c);
  const follower = [1, 2, 3].find((id) => id !== leader)!;
  const wf = await GroupWire.connect(t, { host: '127.0.0.1', port: port(c, follower) });
  const refused = await wf.call(ShareFetchRequest, ShareFetchResponse, 2, fetchBody(M1, 0, topicId));
  const rp = refused.responses[0].partitions[0];
  t.equal(rp.errorCode, E.NOT_LEADER_OR_FOLLOWER, 'a follower refuses the share fetch');
  t.same(rp.currentLeader, { leaderId: leader, leaderEpoch: epoch }, 'and names the leader');
  t.same(refused.nodeEndpoints.map((n) => [n.nodeId, n.port]), [[leader, port(c, leader)]], "with the leader's endpoint");

  const wl = await GroupWire.connect(t, { host: '127.0.0.1', port: port(c, leader) });
  let epochNext = 0;
  const acquired = await waitUntil('records acquired on the leader', 120_000, async () => {
    const r = await wl.call(ShareFetchRequest, ShareFetchResponse, 2, fetchBody(M1, 0, topicId));
    epochNext = 1;
    const p = r.responses[0]?.partitions[0];
    return p && p.errorCode === E.NONE && p.acquiredRecords.length > 0 ? p.acquiredRecords : undefined;
  }, 500);
  t.same(acquired, [{ firstOffset: 0, lastOffset: 9, deliveryCount: 1 }]);
  const acked = await wl.call(ShareAcknowledgeRequest, ShareAcknowledgeResponse, 2, {
    groupId: GROUP,
    memberId: M1,
    shareSessionEpoch: epochNext,
    isRenewAck: false,
    topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [{ firstOffset: 0, lastOffset: 4, acknowledgeTypes: [1] }, { firstOffset: 5, lastOffset: 9, acknowledgeTypes: [2] }] }] }],
  });
  t.equal(acked.responses[0].partitions[0].errorCode, E.NONE, 'ACCEPT 0-4, RELEASE 5-9: written to the share coordinator');

  t.same(await c.node(leader).kill9(), { code: null, signal: 'SIGKILL' });
  const next = await leaderOf(c, [leader]);
  t.not(next.leader, leader);
  const wn = await GroupWire.connect(t, { host: '127.0.0.1', port: port(c, next.leader) });
  const again = await waitUntil('records acquired on the new leader', 150_000, async () => {
    const r = await wn.call(ShareFetchRequest, ShareFetchResponse, 2, fetchBody(M2, 0, topicId)).catch(() => null);
    const p = r?.responses[0]?.partitions[0];
    return p && p.errorCode === E.NONE && p.acquiredRecords.length > 0 ? p.acquiredRecords : undefined;
  }, 1000);
  t.same(again, [{ firstOffset: 5, lastOffset: 9, deliveryCount: 2 }], 'only the released records, delivered a second time');
});
