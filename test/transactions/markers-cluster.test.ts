// Transaction markers on a 3-node cluster (in-process, RF=3): broker 1's TxnMarkerChannel, as a
// transaction coordinator on broker 1 would use it, writes one COMMIT to every partition of a
// transaction: those led by broker 1 through its own log, the others as WriteTxnMarkers to their
// leaders, and the group's __consumer_offsets partition through its group coordinator (which then
// serves the transaction's offsets as committed). Every replica ends with the marker, the leaders'
// last stable offsets pass the transaction. A channel that first names the wrong leader gets
// NOT_LEADER_OR_FOLLOWER from it and retries at the right one; a topic the image does not have is
// answered UNKNOWN_TOPIC_OR_PARTITION without retrying; a follower asked directly answers
// NOT_LEADER_OR_FOLLOWER (the offsets partition's too, through its group coordinator).
import t from 'tap';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { partitionFor } from '../../src/coordinator/group/records.js';
import { TxnMarkerChannel, WRITE_TXN_MARKERS_VERSION } from '../../src/coordinator/transaction/marker-channel.js';
import { brokerMarkerHost } from '../../src/coordinator/transaction/local-markers.js';
import { NodeClient } from '../../src/network/node-client.js';
import { WriteTxnMarkersRequest } from '../../src/protocol/generated/write-txn-markers-request.js';
import { WriteTxnMarkersResponse } from '../../src/protocol/generated/write-txn-markers-response.js';
import { buildBatch } from '../../src/protocol/records/records.js';
import { readBatchHeader, isControl, batchSize } from '../../src/protocol/records/batch.js';
import { readEndTxnMarker } from '../../src/protocol/records/control-batch.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { codecRequest } from '../metadata/helpers.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(240_000);

const TOPIC = 'transfers';
const GROUP = 'copier';
const OFFSETS = '__consumer_offsets';
const PARTITIONS = 6;

function hostPort(c: RunningCluster, nodeId: number): [string, number] {
  const [host, port] = c.node(nodeId).bootstrap!.split(':');
  return [host, Number(port)];
}

const broker = (c: RunningCluster, id: number) => c.node(id).node!.broker!;
const leaderOf = (c: RunningCluster, topic: string, p: number) => broker(c, 1).metadata.image.topics.get(topic)!.registrations.get(p)!.leader;

/** The last batch of a replica's log, as a marker (null when it is no control batch). */
async function lastMarker(c: RunningCluster, nodeId: number, topic: string, p: number) {
  const l = broker(c, nodeId).partitionLog(topic, p);
  if (!l || l.logEndOffset === 0) return null;
  const res = await l.read(Math.max(l.logStartOffset, l.logEndOffset - 1), 1 << 20, true, false, 'logEnd');
  const chunk = res.records[res.records.length - 1];
  if (!chunk) return null;
  let pos = 0;
  while (pos + batchSize(chunk, pos) < chunk.length) pos += batchSize(chunk, pos);
  const h = readBatchHeader(chunk, pos);
  if (!isControl(h.attributes)) return null;
  return { producerId: h.producerId, producerEpoch: h.producerEpoch, ...readEndTxnMarker(chunk, pos) };
}

/** A transaction's data batch appended by the partition's leader. */
async function txnData(c: RunningCluster, p: number, producerId: number, seq: number): Promise<void> {
  const l = broker(c, leaderOf(c, TOPIC, p)).partitionLog(TOPIC, p)!;
  await l.append(buildBatch({ records: [{ key: null, value: Buffer.from(`r${p}`) }], producerId, producerEpoch: 0, baseSequence: seq, transactional: true }), { now: Date.now() });
}

t.test('a commit\'s markers land on every partition, local and remote', async (t) => {
  // The producer here is the test's, not a transaction coordinator's: nothing to verify with one.
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t), config: { 'offsets.topic.num.partitions': '3', 'transaction.partition.verification.enable': 'false' } });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  await waitUntil('the topic created', 60_000, async () => {
    const res = await codecRequest(...hostPort(c, 1), 'CreateTopics', 7, { topics: [{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
    const e = res.topics[0].errorCode;
    return e === ErrorCode.NONE || e === ErrorCode.TOPIC_ALREADY_EXISTS;
  });
  const coordinator = await waitUntil('the group coordinator', 60_000, async () => {
    const res = await codecRequest(...hostPort(c, 1), 'FindCoordinator', 4, { keyType: 0, coordinatorKeys: [GROUP] });
    const found = res.coordinators[0];
    return found.errorCode === ErrorCode.NONE ? (found.nodeId as number) : undefined;
  });
  // Every broker leads and follows as the image says; broker 1 sees every leader.
  await waitUntil('leaders on every broker', 60_000, () => {
    for (let p = 0; p < PARTITIONS; p++) {
      const leader = leaderOf(c, TOPIC, p);
      if (leader < 0 || !broker(c, leader).partitionLog(TOPIC, p)) return undefined;
    }
    return broker(c, 1).metadata.image.topics.get(OFFSETS) ? true : undefined;
  });
  const leaders = Array.from({ length: PARTITIONS }, (_, p) => leaderOf(c, TOPIC, p));
  t.ok(leaders.some((l) => l === 1) && leaders.some((l) => l !== 1), `partitions led by broker 1 and by others (leaders ${leaders})`);

  const producerId = 9100;
  for (let p = 0; p < PARTITIONS; p++) await txnData(c, p, producerId, 0);
  // The transaction's offsets, written by the group coordinator.
  const offsetsPartition = partitionFor(GROUP, 3);
  await waitUntil('the transactional offset commit', 60_000, async () => {
    const res = await codecRequest(...hostPort(c, coordinator), 'TxnOffsetCommit', 3, {
      transactionalId: 'copier-0', groupId: GROUP, producerId, producerEpoch: 0, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: '' }] }],
    });
    return res.topics[0].partitions[0].errorCode === ErrorCode.NONE ? true : undefined;
  });
  const fetchStable = async () => (await codecRequest(...hostPort(c, coordinator), 'OffsetFetch', 8, { requireStable: true, groups: [{ groupId: GROUP, topics: [{ name: TOPIC, partitionIndexes: [0] }] }] })).groups[0].topics[0].partitions[0];
  t.equal((await fetchStable()).errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT, 'pending before the marker');

  const partitions = [...Array.from({ length: PARTITIONS }, (_, p) => ({ topic: TOPIC, partition: p })), { topic: OFFSETS, partition: offsetsPartition }];
  // Transaction version 2: the marker carries the epoch the coordinator bumped (data in epoch 0, marker in 1).
  const results = await broker(c, 1).txnMarkers.write({ producerId, producerEpoch: 1, commit: true, coordinatorEpoch: 7, transactionVersion: 2, partitions });
  t.same(results.map((r) => r.errorCode), partitions.map(() => ErrorCode.NONE), 'NONE for every partition');

  for (const { topic, partition } of partitions) {
    for (const n of [1, 2, 3]) {
      const m = await waitUntil(`the marker on broker ${n}'s ${topic}-${partition}`, 60_000, async () => (await lastMarker(c, n, topic, partition)) ?? undefined);
      t.same(m, { producerId, producerEpoch: 1, commit: true, coordinatorEpoch: 7 }, `${topic}-${partition} on broker ${n} ends with the COMMIT marker`);
    }
  }
  for (let p = 0; p < PARTITIONS; p++) {
    const l = broker(c, leaders[p]).partitionLog(TOPIC, p)!;
    t.equal(l.lastStableOffset, l.logEndOffset, `${TOPIC}-${p}: the leader's LSO passed the transaction`);
  }
  const fetched = await fetchStable();
  t.same([fetched.errorCode, fetched.committedOffset], [ErrorCode.NONE, 42], 'the group coordinator committed the transaction\'s offset');

  // WriteTxnMarkers sent to a follower, of a data partition and of the offsets partition: NOT_LEADER_OR_FOLLOWER, as Kafka answers.
  const follower = [1, 2, 3].find((id) => id !== leaders[0])!;
  const offsetsLeader = leaderOf(c, OFFSETS, offsetsPartition);
  const offsetsFollower = [1, 2, 3].find((id) => id !== offsetsLeader)!;
  const raw = async (nodeId: number, topic: string, p: number) => {
    const res = await codecRequest(...hostPort(c, nodeId), 'WriteTxnMarkers', 2, { markers: [{ producerId, producerEpoch: 2, transactionResult: true, coordinatorEpoch: 7, transactionVersion: 2, topics: [{ name: topic, partitionIndexes: [p] }] }] });
    return res.markers[0].topics[0].partitions[0].errorCode;
  };
  t.equal(await raw(follower, TOPIC, 0), ErrorCode.NOT_LEADER_OR_FOLLOWER, `${TOPIC}-0 at its follower ${follower}`);
  t.equal(await raw(offsetsFollower, OFFSETS, offsetsPartition), ErrorCode.NOT_LEADER_OR_FOLLOWER, `${OFFSETS}-${offsetsPartition} at its follower ${offsetsFollower}`);

  // A channel told the wrong leader first: the follower's NOT_LEADER_OR_FOLLOWER sends it to the right one.
  const remote = [1, 2, 3].find((id) => id !== 1 && leaders.includes(id))!;
  const target = leaders.indexOf(remote);
  const wrong = [1, 2, 3].find((id) => id !== remote && id !== 1)!;
  await txnData(c, target, producerId + 1, 0);
  const client = new NodeClient({ nodeId: 1, requestTimeoutMs: 30_000 });
  t.teardown(() => client.close());
  for (const id of [2, 3]) client.setEndpoint(id, { host: hostPort(c, id)[0], port: hostPort(c, id)[1] });
  const sentTo: number[] = [];
  let misled = false;
  const channel = new TxnMarkerChannel({
    nodeId: 1,
    local: brokerMarkerHost(broker(c, 1)),
    leaderOf: (topic, p) => {
      if (topic === 'gone') return null;
      if (!misled) {
        misled = true;
        return wrong;
      }
      return leaderOf(c, topic, p);
    },
    send: (id, req) => {
      sentTo.push(id);
      return client.send(id, WriteTxnMarkersRequest, WriteTxnMarkersResponse, WRITE_TXN_MARKERS_VERSION, req);
    },
    retryBackoffMs: 50,
  });
  const retried = await channel.write({ producerId: producerId + 1, producerEpoch: 1, commit: false, coordinatorEpoch: 7, transactionVersion: 2, partitions: [{ topic: TOPIC, partition: target }, { topic: 'gone', partition: 0 }] });
  t.same(retried.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], 'written after a retry; the deleted topic is done');
  t.same(sentTo, [wrong, remote], `sent to broker ${wrong} (a follower), then to the leader ${remote}`);
  t.same(await lastMarker(c, remote, TOPIC, target), { producerId: producerId + 1, producerEpoch: 1, commit: false, coordinatorEpoch: 7 }, 'the ABORT marker on the leader');
});
