// Consumer groups on startCluster({ nodes: 3 }): __consumer_offsets gets Kafka's replication factor
// (3), a group's coordinator is the leader of its __consumer_offsets partition (FindCoordinator on
// every node names it; the other nodes answer group requests NOT_COORDINATOR), a kafkajs consumer
// group reads what was produced, and when the coordinator's node is killed the group moves to the
// partition's new leader with its committed offsets: consumption resumes where it was committed,
// neither re-reading committed records nor skipping new ones.
import t from 'tap';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { partitionFor } from '../../src/coordinator/group/records.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { codecRequest } from '../metadata/helpers.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(240_000);

const TOPIC = 'orders';
const GROUP = 'billing';
const OFFSETS = '__consumer_offsets';

function offsetsRegistration(c: RunningCluster, nodeId: number, partition: number) {
  return c.node(nodeId).node?.metadata.image.topics.get(OFFSETS)?.registrations.get(partition);
}

/** The leader of the group's offsets partition once every running node's image agrees on one (other than `not`). */
async function coordinatorOf(c: RunningCluster, partition: number, not?: number): Promise<number> {
  return waitUntil(`a leader of ${OFFSETS}-${partition} other than ${not}`, 60_000, () => {
    const leaders = new Set(c.nodes.filter((n) => n.running).map((n) => offsetsRegistration(c, n.nodeId, partition)?.leader ?? -1));
    const [l] = [...leaders];
    return leaders.size === 1 && l >= 0 && l !== not ? l : undefined;
  });
}

function hostPort(c: RunningCluster, nodeId: number): [string, number] {
  const [host, port] = c.node(nodeId).bootstrap!.split(':');
  return [host, Number(port)];
}

async function findCoordinator(c: RunningCluster, askNode: number): Promise<{ errorCode: number; nodeId: number; port: number }> {
  const res = await codecRequest(...hostPort(c, askNode), 'FindCoordinator', 4, { keyType: 0, coordinatorKeys: [GROUP] });
  return res.coordinators[0];
}

async function offsetFetchError(c: RunningCluster, askNode: number): Promise<number> {
  const res = await codecRequest(...hostPort(c, askNode), 'OffsetFetch', 8, { requireStable: false, groups: [{ groupId: GROUP, topics: null }] });
  return res.groups[0].errorCode;
}

/** Runs a consumer of the group until it has read `count` records; returns them as "partition:offset:value". */
async function consume(kafka: Kafka, count: number, seen: string[]): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 500, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 } });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const target = seen.length + count;
  // Every record's offset is committed as soon as it was handled.
  await consumer.run({ autoCommitThreshold: 1, eachMessage: async ({ partition, message }) => void seen.push(`${partition}:${message.offset}:${message.value}`) });
  await waitUntil(() => `${target} records read (have ${seen.length})`, 90_000, () => seen.length >= target);
  return consumer;
}

t.test('a consumer group follows the leader of its __consumer_offsets partition across a kill', async (t) => {
  const c = await startCluster({
    nodes: 3,
    dataDir: tempDir(t),
    config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'group.initial.rebalance.delay.ms': '0' },
  });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'groups-test', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }] });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `first-${i}` })) });

  const seen: string[] = [];
  const first = await consume(kafka, 30, seen);
  const offsetsTopic = await waitUntil(`${OFFSETS} in broker 1's image`, 30_000, () => c.node(1).node!.metadata.image.topics.get(OFFSETS));
  const p = partitionFor(GROUP, offsetsTopic.partitions);
  const reg = offsetsRegistration(c, 1, p)!;
  t.equal(reg.replicas.length, 3, `${OFFSETS} created with offsets.topic.replication.factor 3`);
  const coordinator = await coordinatorOf(c, p);
  for (const n of c.nodes) {
    const found = await findCoordinator(c, n.nodeId);
    t.same([found.errorCode, found.nodeId, found.port], [ErrorCode.NONE, coordinator, hostPort(c, coordinator)[1]], `node ${n.nodeId} names the partition leader ${coordinator}`);
    t.equal(await offsetFetchError(c, n.nodeId), n.nodeId === coordinator ? ErrorCode.NONE : ErrorCode.NOT_COORDINATOR, `node ${n.nodeId} ${n.nodeId === coordinator ? 'serves' : 'refuses'} the group`);
  }
  // The last commits are written before the consumer leaves.
  await waitUntil('30 offsets committed', 30_000, async () => {
    const o = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    return o[0].partitions.reduce((s, x) => s + Number(x.offset), 0) === 30;
  });
  await first.disconnect();
  t.equal(new Set(seen).size, 30, 'the first 30 records read once each');

  await c.node(coordinator).kill();
  const next = await coordinatorOf(c, p, coordinator);
  t.not(next, coordinator, `the group moved from broker ${coordinator} to broker ${next}`);
  const committed = await waitUntil('the committed offsets from the new coordinator', 60_000, async () => {
    const o = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }).catch(() => undefined);
    return o?.[0].partitions;
  });
  t.equal(committed.reduce((s, x) => s + Number(x.offset), 0), 30, 'the committed offsets survived the kill');

  await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `second-${i}` })) });
  const second = await consume(kafka, 20, seen);
  t.teardown(() => second.disconnect());
  const after = seen.slice(30);
  t.same(after.filter((s) => !s.split(':')[2].startsWith('second-')), [], 'nothing committed is read again');
  t.equal(new Set(after).size, 20, 'the 20 new records read once each');
  for (const x of committed) {
    const offsets = after.filter((s) => s.startsWith(`${x.partition}:`)).map((s) => Number(s.split(':')[1]));
    t.ok(offsets.every((o) => o >= Number(x.offset)), `partition ${x.partition} resumes at its committed offset ${x.offset}`);
  }
  await second.disconnect();
  await c.node(coordinator).restart();
});
