// Replication throttles on startCluster({ nodes: 3 }): a replica added to a partition with ~400 KB
// catches up through a 100 KB/s throttle, first on the leader side (leader.replication.throttled.rate
// on the leader, leader.replication.throttled.replicas naming it), then, removed and added again,
// on the follower side (follower.* on the new replica's broker). Set with IncrementalAlterConfigs
// through the active controller, as kafka-reassign-partitions sets them. While it catches up, the
// throttled side's measured rate (Kafka's windowed rate) stays near the bound; unthrottled the same
// catch-up runs several times over it. The throttled catch-up can take no less than the bytes allow.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import type { Controller } from '../../src/metadata/controller.js';
import { RecordType, ResourceType } from '../../src/metadata/records.js';
import type { ReplicaManager } from '../../src/replica/replica-manager.js';
import type { ReplicationQuota } from '../../src/replica/replication-quota.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(240_000);

const TOPIC = 'throttled';
const RATE = 100_000;
const SET = 0;
const DELETE = 1;

function activeController(c: RunningCluster): Controller | undefined {
  const active = c.leader()?.node as unknown as { controller: Controller | null } | undefined;
  return active?.controller?.active ? active.controller : undefined;
}

/** Committed through the active controller; every running node has it in its image after. */
async function alterConfigs(c: RunningCluster, resources: { resourceType: number; resourceName: string; configs: { name: string; op: number; value: string | null }[] }[]) {
  const controller = await waitUntil('an active controller', 30_000, () => activeController(c));
  const results = await controller.incrementalAlterConfigs(resources, false);
  for (const r of results) if (r.errorCode !== 0) throw new Error(`${r.resourceName}: ${r.errorCode} ${r.errorMessage}`);
  const offset = controller.image.offset;
  await waitUntil('the configs on every node', 30_000, () => c.nodes.every((n) => (n.node?.metadata.image.offset ?? -1) >= offset));
}

async function changeReplicas(c: RunningCluster, replicas: number[], isr: number[]) {
  await waitUntil('the change committed', 30_000, async () => {
    const controller = activeController(c);
    if (!controller) return false;
    const topicId = controller.image.topics.get(TOPIC)!.topicId;
    const data = { topicId, partitionId: 0, replicas, isr, leader: 1, removingReplicas: [], addingReplicas: [] };
    await controller['execute'](() => ({ records: [{ type: RecordType.PARTITION_CHANGE, version: 2, data }], response: undefined }));
    return true;
  });
  await waitUntil('the change on every node', 30_000, () => c.nodes.every((n) => String(n.node?.metadata.image.topics.get(TOPIC)?.registrations.get(0)?.replicas) === String(replicas)));
}

function replicaManager(c: RunningCluster, id: number): ReplicaManager {
  return c.node(id).node!.broker!.replicas as ReplicaManager;
}

/** Adds broker 3 and waits until it holds the leader's log end; the highest rate `quota` showed meanwhile. */
async function catchUp(c: RunningCluster, quota: ReplicationQuota): Promise<{ ms: number; maxRate: number }> {
  const end = c.node(1).node!.broker!.partitionLog(TOPIC, 0)!.logEndOffset;
  const start = Date.now();
  await changeReplicas(c, [1, 2, 3], [1, 2]);
  let maxRate = 0;
  await waitUntil('broker 3 caught up', 120_000, () => {
    maxRate = Math.max(maxRate, quota.rate());
    return c.node(3).node!.broker!.partitionLog(TOPIC, 0)?.logEndOffset === end;
  }, 50);
  return { ms: Date.now() - start, maxRate };
}

t.test('a new replica catches up within the leader-side, then the follower-side throttle', async (t) => {
  // One batch (~10 KB) per replica fetch: the throttle sees the catch-up in steps.
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t), config: { 'replica.fetch.max.bytes': '8192', 'replica.fetch.response.max.bytes': '8192', 'replica.lag.time.max.ms': '30000' } });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'throttle', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2] }] }] });
  await waitUntil('partition led by 1 with both in sync', 30_000, () => c.nodes.every((n) => n.node?.metadata.image.topics.get(TOPIC)?.registrations.get(0)?.isr.length === 2));
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const value = 'x'.repeat(1000);
  for (let i = 0; i < 40; i++) await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 10 }, () => ({ value })) });
  const log1 = c.node(1).node!.broker!.partitionLog(TOPIC, 0)!;
  const bytes = (await log1.read(log1.logStartOffset, 64 << 20, true, false, 'logEnd')).bytes;
  t.ok(bytes > 400_000, `${bytes} bytes to copy`);
  const atLeastMs = ((bytes - 2 * RATE) / RATE) * 1000;

  // Unthrottled first: how fast the same catch-up runs on this machine now.
  const free = await catchUp(c, replicaManager(c, 1).leaderQuota);
  t.comment(`unthrottled: ${free.ms} ms`);
  await changeReplicas(c, [1, 2], [1, 2]);
  await waitUntil('broker 3 dropped its log', 30_000, () => !c.node(3).node!.broker!.partitionLog(TOPIC, 0));

  // Leader side: the leader's rate, the partition on broker 1 in the leader list.
  await alterConfigs(c, [
    { resourceType: ResourceType.BROKER, resourceName: '1', configs: [{ name: 'leader.replication.throttled.rate', op: SET, value: String(RATE) }] },
    { resourceType: ResourceType.TOPIC, resourceName: TOPIC, configs: [{ name: 'leader.replication.throttled.replicas', op: SET, value: '0:1,0:2' }] },
  ]);
  const leader = replicaManager(c, 1).leaderQuota;
  t.ok(leader.isThrottled(TOPIC, 0) && leader.upperBound === RATE, 'the leader applied the throttle');
  t.notOk(replicaManager(c, 2).leaderQuota.isThrottled(TOPIC, 0) && replicaManager(c, 2).leaderQuota.upperBound === RATE, 'broker 2 has no rate set');
  const led = await catchUp(c, leader);
  t.comment(`leader-throttled: ${led.ms} ms, highest rate ${Math.round(led.maxRate)} B/s`);
  t.ok(led.maxRate <= RATE * 1.5, `the leader's throttled rate stayed near the bound (${Math.round(led.maxRate)} B/s)`);
  t.ok(led.ms >= atLeastMs, `the catch-up took no less than the bytes allow (${led.ms} ms >= ${Math.round(atLeastMs)} ms)`);
  await changeReplicas(c, [1, 2], [1, 2]);
  await waitUntil('broker 3 dropped its log', 30_000, () => !c.node(3).node!.broker!.partitionLog(TOPIC, 0));
  await alterConfigs(c, [
    { resourceType: ResourceType.BROKER, resourceName: '1', configs: [{ name: 'leader.replication.throttled.rate', op: DELETE, value: null }] },
    { resourceType: ResourceType.TOPIC, resourceName: TOPIC, configs: [{ name: 'leader.replication.throttled.replicas', op: DELETE, value: null }] },
  ]);
  t.notOk(leader.throttlesAny, 'removed: nothing throttled on the leader');

  // Follower side: the new replica's broker throttles its own fetching.
  await alterConfigs(c, [
    { resourceType: ResourceType.BROKER, resourceName: '3', configs: [{ name: 'follower.replication.throttled.rate', op: SET, value: String(RATE) }] },
    { resourceType: ResourceType.TOPIC, resourceName: TOPIC, configs: [{ name: 'follower.replication.throttled.replicas', op: SET, value: '0:3' }] },
  ]);
  const follower = replicaManager(c, 3).followerQuota;
  t.ok(follower.isThrottled(TOPIC, 0) && follower.upperBound === RATE, 'broker 3 applied the follower throttle');
  const fed = await catchUp(c, follower);
  t.comment(`follower-throttled: ${fed.ms} ms, highest rate ${Math.round(fed.maxRate)} B/s`);
  t.ok(fed.maxRate <= RATE * 1.5, `the follower's throttled rate stayed near the bound (${Math.round(fed.maxRate)} B/s)`);
  t.ok(fed.ms >= atLeastMs, `the catch-up took no less than the bytes allow (${fed.ms} ms >= ${Math.round(atLeastMs)} ms)`);
  const l1 = c.node(1).node!.broker!.partitionLog(TOPIC, 0)!;
  const l3 = c.node(3).node!.broker!.partitionLog(TOPIC, 0)!;
  const [a, b] = await Promise.all([l1, l3].map((l) => l.read(l.logStartOffset, 64 << 20, true, false, 'logEnd')));
  t.ok(Buffer.concat(b.records).equals(Buffer.concat(a.records)), 'the throttled copy is byte-identical to the leader');
});
