// The broker side of a reassignment (Kafka's ReplicaManager.applyDelta) on startCluster({ nodes: 3 }),
// driven by PartitionChangeRecords committed through the active controller: a broker the image
// makes a replica of a partition it has no log for creates the log and follows the leader from the
// leader's log start (the records below it deleted: the new follower truncates fully and starts
// there), ending byte-identical to the leader; a broker the image removes from the replicas stops
// fetching and deletes the log, which a restart does not bring back, also when the removal was
// committed while that broker was down (deleted at start-up); one added while down creates its log
// as it starts.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import type { Controller } from '../../src/metadata/controller.js';
import { RecordType } from '../../src/metadata/records.js';
import type { ReplicaManager } from '../../src/replica/replica-manager.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(240_000);

const TOPIC = 'moved';

function registration(c: RunningCluster, nodeId: number) {
  return c.node(nodeId).node?.metadata.image.topics.get(TOPIC)?.registrations.get(0);
}

/** Commits a PartitionChangeRecord (v2, as the controller writes them) through the active controller. */
async function commitChange(c: RunningCluster, change: { replicas: number[]; isr: number[]; leader?: number }): Promise<void> {
  // The controller's own path for a computed change (run serially, committed through the quorum),
  // on the node that is the active controller (a quorum leader just elected may not be yet).
  await waitUntil('the change committed by the active controller', 30_000, async () => {
    const active = c.leader()?.node;
    const controller = (active as unknown as { controller: Controller } | undefined)?.controller;
    if (!active || !controller?.active) return false;
    const topicId = active.metadata.image.topics.get(TOPIC)!.topicId;
    const data = { topicId, partitionId: 0, replicas: change.replicas, isr: change.isr, leader: change.leader ?? -2, removingReplicas: [], addingReplicas: [] };
    await controller['execute'](() => ({ records: [{ type: RecordType.PARTITION_CHANGE, version: 2, data }], response: undefined }));
    return true;
  });
  // Every running node applied it.
  await waitUntil('the change on every running node', 30_000, () =>
    c.nodes.filter((n) => n.running).every((n) => String(registration(c, n.nodeId)?.replicas) === String(change.replicas)),
  );
}

/** The whole batches of a node's log from its log start, as stored. */
async function logBytes(c: RunningCluster, nodeId: number): Promise<{ start: number; end: number; bytes: Buffer }> {
  const l = c.node(nodeId).node!.broker!.partitionLog(TOPIC, 0)!;
  const r = await l.read(l.logStartOffset, 64 << 20, true, false, 'logEnd');
  return { start: l.logStartOffset, end: l.logEndOffset, bytes: Buffer.concat(r.records) };
}

function partitionDir(c: RunningCluster, nodeId: number): string {
  return path.join(c.node(nodeId).spec.config['log.dirs'] ?? c.node(nodeId).spec.dataDir, `${TOPIC}-0`);
}

t.test('a replica added by the image follows from the leader log start; a removed one is deleted for good', async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t), config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'replica.lag.time.max.ms': '3000' } });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'reassign-replicas', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2] }] }] });
  await waitUntil('the partition on every node with leader 1', 30_000, () => c.nodes.every((n) => registration(c, n.nodeId)?.leader === 1 && registration(c, n.nodeId)?.isr.length === 2));
  t.notOk(fs.existsSync(partitionDir(c, 3)), 'broker 3 has no log of the partition');

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const send = async (from: number, n: number) => {
    for (let i = from; i < from + n; i += 10) {
      await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 10 }, (_, j) => ({ value: `m-${i + j}` })) });
    }
  };
  await send(0, 200);
  // Records below 100 deleted: the leader's log starts there, past a new follower's offset 0.
  await admin.fetchTopicMetadata({ topics: [TOPIC] });
  await admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 0, offset: '100' }] });
  await waitUntil('the leader log start at 100', 30_000, () => c.node(1).node!.broker!.partitionLog(TOPIC, 0)!.logStartOffset === 100);

  // Broker 3 added: replicas [1, 2, 3], not yet in the ISR.
  await commitChange(c, { replicas: [1, 2, 3], isr: [1, 2] });
  await waitUntil('broker 3 in the ISR', 60_000, () => registration(c, 1)?.isr.includes(3));
  await send(200, 50);
  await waitUntil('broker 3 at the leader log end', 30_000, () => c.node(3).node!.broker!.partitionLog(TOPIC, 0)?.logEndOffset === c.node(1).node!.broker!.partitionLog(TOPIC, 0)!.logEndOffset);
  const leader = await logBytes(c, 1);
  const added = await logBytes(c, 3);
  t.equal(added.start, 100, 'the new replica starts at the leader log start');
  t.equal(added.end, 250, 'and holds everything up to the log end');
  t.ok(added.bytes.length > 0 && added.bytes.equals(leader.bytes), `the new replica's log is byte-identical to the leader's (${added.bytes.length} bytes)`);

  // Broker 2 removed (the leader set again bumps the epoch, as Kafka's controller does on removal).
  await commitChange(c, { replicas: [1, 3], isr: [1, 3], leader: 1 });
  await waitUntil('broker 2 dropped its log', 30_000, () => !c.node(2).node!.broker!.partitionLog(TOPIC, 0) && !fs.existsSync(partitionDir(c, 2)));
  t.pass('the removed replica deleted its log');
  await send(250, 50);
  await waitUntil('broker 3 follows on', 30_000, () => c.node(3).node!.broker!.partitionLog(TOPIC, 0)!.logEndOffset === 300);
  await c.node(2).stop();
  await c.node(2).restart();
  await waitUntil('broker 2 back', 30_000, () => c.node(2).node?.brokerState === 'RUNNING');
  t.notOk(c.node(2).node!.broker!.partitionLog(TOPIC, 0), 'a restart does not bring the deleted partition back');
  t.notOk(fs.existsSync(partitionDir(c, 2)), 'nor its dir');

  // Broker 3 removed while down, broker 2 added back: 2 creates the log again, 3 deletes its own at start.
  await c.node(3).stop();
  await commitChange(c, { replicas: [1, 2], isr: [1], leader: 1 });
  await waitUntil('broker 2 back in the ISR', 60_000, () => registration(c, 1)?.isr.includes(2));
  t.ok(fs.existsSync(partitionDir(c, 3)), "broker 3's log is still on its disk while it is down");
  await c.node(3).restart();
  await waitUntil('broker 3 back', 30_000, () => c.node(3).node?.brokerState === 'RUNNING');
  // Deleted as the replica layer starts (after the metadata catch-up; the removal of the dir may lag the RUNNING state).
  await waitUntil('broker 3 deleted its log', 30_000, () => !c.node(3).node!.broker!.partitionLog(TOPIC, 0) && !fs.existsSync(partitionDir(c, 3)));
  t.pass('a replica removed while its broker was down is deleted, with its dir, at start-up');
  t.equal((c.node(3).node!.broker!.replicas as ReplicaManager).partition(TOPIC, 0), undefined, 'and not followed');
  const again = await logBytes(c, 2);
  const now = await logBytes(c, 1);
  t.equal(again.start, 100, 'broker 2 starts over at the leader log start');
  t.ok(again.bytes.equals(now.bytes), `broker 2's new log is byte-identical to the leader's (${again.bytes.length} bytes, end ${again.end})`);

  // Broker 3 added while down: it creates the log as its replica layer starts, and catches up.
  await c.node(3).stop();
  await commitChange(c, { replicas: [1, 2, 3], isr: [1, 2] });
  await c.node(3).restart();
  await waitUntil('broker 3 back in the ISR', 60_000, () => registration(c, 1)?.isr.includes(3));
  await waitUntil('broker 3 at the leader log end', 30_000, () => c.node(3).node!.broker!.partitionLog(TOPIC, 0)?.logEndOffset === c.node(1).node!.broker!.partitionLog(TOPIC, 0)!.logEndOffset);
  const late = await logBytes(c, 3);
  const leaderNow = await logBytes(c, 1);
  t.equal(late.start, 100, 'a replica added while its broker was down starts at the leader log start');
  t.ok(late.bytes.equals(leaderNow.bytes), `and ends byte-identical to the leader's (${late.bytes.length} bytes)`);
});
