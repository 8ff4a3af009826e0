// A reassignment end to end on an in-process cluster (startCluster, 5 combined nodes so two may be
// down at once): refusals forwarded through a broker keep Kafka's codes and messages; then a
// partition on [1, 2, 3] with records is moved to [2, 3, 4] through a broker
// (AlterPartitionReassignments forwarded to the active controller) while broker 4 is down, so it
// stays in progress: ListPartitionReassignments shows the merged list and the sets; the active
// controller is killed and its successor, which has the reassignment from the metadata log, lists
// it too. Broker 4 comes back, catches up, the leader's AlterPartition brings it into the ISR and
// that completes the move: every node's image has replicas [2, 3, 4], no sets, a leader that is
// not 1, and every record written before and during the move is read back from it.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { codecRequest } from '../metadata/helpers.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(240_000);
const TOPIC = 'moving';

const running = (c: RunningCluster) => c.nodes.filter((n) => n.running);
const registration = (c: RunningCluster, nodeId: number) => c.node(nodeId).node?.metadata.image.topics.get(TOPIC)?.registrations.get(0);

/** A request to a running broker other than those listed (which forwards the admin APIs to the active controller). */
function ask(c: RunningCluster, name: string, version: number, body: unknown, avoid: number[] = []) {
  const n = running(c).find((x) => !avoid.includes(x.nodeId))!;
  const [host, port] = n.bootstrap!.split(':');
  return codecRequest(host, Number(port), name, version, body);
}

t.test('[1,2,3] -> [2,3,4]: in progress while 4 is down, kept across controller failover, completed once 4 caught up', async (t) => {
  const c = await startCluster({
    nodes: 5,
    dataDir: tempDir(t),
    config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'replica.lag.time.max.ms': '3000' },
  });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'reassign', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }] }] });
  await admin.disconnect();
  await waitUntil('the partition in sync on [1, 2, 3]', 30_000, () => c.nodes.every((n) => registration(c, n.nodeId)?.isr.length === 3));

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const send = async (from: number, n: number) => {
    for (let i = from; i < from + n; i += 10) {
      await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 10 }, (_, j) => ({ value: `m-${i + j}` })) });
    }
  };
  await send(0, 100);

  // Refusals come back through the broker's forwarding with Kafka's codes and messages.
  const refused = await ask(c, 'AlterPartitionReassignments', 1, {
    timeoutMs: 30000,
    allowReplicationFactorChange: false,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, replicas: [2, 3] }, { partitionIndex: 0, replicas: null }, { partitionIndex: 0, replicas: [2, 3, 9] }] }],
  });
  t.same(refused.responses[0].partitions, [
    { partitionIndex: 0, errorCode: 38, errorMessage: 'The replication factor is changed from 3 to 2' },
    { partitionIndex: 0, errorCode: 85, errorMessage: null },
    { partitionIndex: 0, errorCode: 39, errorMessage: 'The manual partition assignment includes broker 9, but no such broker is registered.' },
  ], 'INVALID_REPLICATION_FACTOR (v1, no factor change), NO_REASSIGNMENT_IN_PROGRESS, INVALID_REPLICA_ASSIGNMENT');

  await c.node(4).kill();
  const move = await ask(c, 'AlterPartitionReassignments', 1, { timeoutMs: 30000, allowReplicationFactorChange: false, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, replicas: [2, 3, 4] }] }] }, [4]);
  t.same(move, { throttleTimeMs: 0, allowReplicationFactorChange: false, errorCode: 0, errorMessage: null, responses: [{ name: TOPIC, partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }] }] }, 'accepted (broker 4 is registered, if down)');
  const ongoing = { topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1] }] }] };
  t.match(await ask(c, 'ListPartitionReassignments', 0, { timeoutMs: 30000, topics: null }, [4]), { errorCode: 0, ...ongoing }, 'in progress: the target, then the replica being removed');
  await send(100, 50);

  // The active controller dies (node 4 is already down: 3 of 5 voters remain).
  const active = await waitUntil('the active controller', 30_000, () => c.leader());
  if (active.nodeId === 4) throw new Error('node 4 is down and cannot lead');
  await active.kill();
  const successor = await waitUntil('a new active controller', 60_000, () => {
    const l = c.leader();
    return l && l.nodeId !== active.nodeId ? l : undefined;
  });
  t.not(successor.nodeId, active.nodeId);
  const listed = await waitUntil('the successor answering the list', 60_000, async () => {
    const r = await ask(c, 'ListPartitionReassignments', 0, { timeoutMs: 30000, topics: [{ name: TOPIC, partitionIndexes: [0, 1] }] }, [4, active.nodeId]);
    return r.errorCode === 0 ? r : undefined;
  });
  t.match(listed, ongoing, 'the new controller has the reassignment from the log');
  t.same(registration(c, successor.nodeId)?.addingReplicas, [4]);

  await c.node(4).restart();
  await active.restart();
  await send(150, 50);
  const done = await waitUntil('the move completed on every node', 120_000, () =>
    c.nodes.every((n) => {
      const r = registration(c, n.nodeId);
      return r && String(r.replicas) === '2,3,4' && r.addingReplicas.length === 0 && r.removingReplicas.length === 0 && r.isr.length === 3 && r.leader !== -1;
    }) && registration(c, 2),
  );
  t.same([...done.replicas], [2, 3, 4]);
  t.same([...done.isr].sort(), [2, 3, 4], 'broker 1 left the ISR with the replicas; 4 joined');
  t.not(done.leader, 1, `leadership is off the removed replica (leader ${done.leader})`);
  t.same((await ask(c, 'ListPartitionReassignments', 0, { timeoutMs: 30000, topics: null })).topics, [], 'nothing in progress');

  await send(200, 50);
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'reassign-check' });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await waitUntil('every record read back', 60_000, () => seen.length >= 250);
  await consumer.disconnect();
  t.same(seen, Array.from({ length: 250 }, (_, i) => `m-${i}`), 'all 250 records, in order, none twice');
  const leaderLog = c.node(done.leader).node!.broker!.partitionLog(TOPIC, 0)!;
  await waitUntil('broker 4 at the leader log end', 30_000, () => c.node(4).node!.broker!.partitionLog(TOPIC, 0)?.logEndOffset === leaderLog.logEndOffset);
  t.pass('the added replica holds the whole log');
});
