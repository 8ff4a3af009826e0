// Three raft drivers in one process, on real sockets (Kafka's Vote, BeginQuorumEpoch, Fetch ...
// through NodeClient and controller listeners) and real files: they elect one leader, the leader
// starts its epoch with Kafka's LeaderChangeMessage control batch, proposals replicate to every
// node byte for byte and commit once a majority has them, the quorum-state file names the
// leader, and a resigned leader is replaced.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeMetadataRecord } from '../../src/metadata/records.js';
import { LeaderChangeMessage } from '../../src/protocol/generated/leader-change-message.js';
import { Reader } from '../../src/protocol/reader.js';
import { decodeRecords } from '../../src/protocol/records/records.js';
import { NotLeaderError } from '../../src/raft/driver.js';
import { leaderChangeBatch } from '../../src/raft/raft-batches.js';
import { tempDir } from '../helpers/tmp.js';
import { RaftCluster, readLog, waitFor, type RaftNode } from './driver-harness.js';

const configRecord = (i: number) => encodeMetadataRecord({ type: 4, version: 0, data: { resourceType: 4, resourceName: '', name: `k${i}`, value: `v${i}` } });

// The first batch of a fresh Kafka 4.4.0 single-node controller's __cluster_metadata-0 (compat/kafka/broker.sh start):
// epoch 1's LeaderChangeMessage (leader 1, voters [1], granting [1]) as a control batch at offset 0.
const KAFKA_440_LEADER_CHANGE =
  '00000000000000000000004f000000010210a7ac28002000000000000001a249ee0bba000001a249ee0bbaffffffffffffffffffffffffffff000000013a0000000800000002260000000000010200000001000200000001000000';

t.test("the epoch-start entry is Kafka's LeaderChangeMessage control batch, byte for byte", async (t) => {
  const kafka = Buffer.from(KAFKA_440_LEADER_CHANGE, 'hex');
  const timestamp = Number(kafka.readBigInt64BE(27));
  const ours = leaderChangeBatch({ baseOffset: 0, lastOffset: 0, epoch: 1, data: null }, { type: 'LeaderChange', leaderId: 1, voters: [1], grantingVoters: [1] }, timestamp);
  t.equal(ours.toString('hex'), KAFKA_440_LEADER_CHANGE);
});

async function assertLogsAgree(t: Tap.Test, nodes: RaftNode[], end: number, what: string): Promise<void> {
  const logs = await Promise.all(nodes.map((n) => readLog(n, end)));
  const hex = logs.map((l) => l.map((b) => b.bytes.toString('hex')).join(''));
  t.ok(
    hex.every((h) => h === hex[0]),
    `${what}: every node's log below ${end} is the same bytes (${logs[0].length} batches)`,
  );
}

t.test('three voters elect one leader, replicate proposals to all, commit with a majority', async (t) => {
  const cluster = await RaftCluster.start(tempDir(t), 3);
  t.teardown(() => cluster.close());
  const leader = await cluster.waitForLeader();
  const status = leader.driver.status();
  t.ok(status.epoch >= 1, `node ${leader.id} leads epoch ${status.epoch}`);
  for (const n of cluster.running()) {
    const file = JSON.parse(readFileSync(path.join(n.dir, '__cluster_metadata-0/quorum-state'), 'utf8'));
    t.equal(file.leaderEpoch, status.epoch, `node ${n.id}'s quorum-state has the epoch`);
    t.same(file.currentVoters, [{ voterId: 1 }, { voterId: 2 }, { voterId: 3 }]);
    t.equal(file.data_version, 0);
  }

  const followers = cluster.running().filter((n) => n !== leader);
  await t.rejects(followers[0].driver.propose([configRecord(0)]), NotLeaderError, 'a follower refuses proposals');

  const offsets: number[] = [];
  for (let i = 0; i < 20; i++) offsets.push(await leader.driver.propose([configRecord(i), configRecord(i + 100)]));
  t.same(offsets, [...offsets].sort((a, b) => a - b), 'proposals commit in order');
  const last = offsets[offsets.length - 1];
  for (const n of cluster.running()) {
    await waitFor(() => n.metadataLog.log.highWatermark > last, 10_000, `node ${n.id}'s high watermark past ${last}`);
    t.ok(n.committed.length > 0 && n.committed.every((hw, i) => i === 0 || hw > n.committed[i - 1]), `node ${n.id}: commits only move forward`);
  }
  await assertLogsAgree(t, cluster.running(), last + 1, 'after 20 proposals');

  const batches = await readLog(leader, last + 1);
  const start = batches.find((b) => b.control && b.epoch === status.epoch)!;
  t.ok(start, 'the leader epoch opens with a control batch');
  const [rec] = decodeRecords(start.bytes, 0);
  t.equal(rec.key!.readInt16BE(2), 2, 'of type LEADER_CHANGE');
  const change = LeaderChangeMessage.decode(new Reader(rec.value!), 0);
  t.equal(change.leaderId, leader.id);
  t.same(change.voters.map((v) => v.voterId), [1, 2, 3]);
  t.ok(change.grantingVoters.length >= 2, 'granted by a majority');
  const data = batches.filter((b) => !b.control);
  t.equal(data.length, 20, 'every proposal is one data batch');
  t.ok(data.every((b) => b.epoch === status.epoch && b.lastOffset - b.baseOffset === 1), "in the leader's epoch, two records each");
});

t.test('a leader that resigns is replaced; it rejoins as a follower and catches up', async (t) => {
  const cluster = await RaftCluster.start(tempDir(t), 3);
  t.teardown(() => cluster.close());
  const first = await cluster.waitForLeader();
  const epoch = first.driver.status().epoch;
  await first.driver.propose([configRecord(1)]);
  await cluster.closeNode(first.id);
  const others = cluster.running();
  const second = await cluster.waitForLeader(others, 20_000, epoch);
  t.not(second.id, first.id, `node ${second.id} took over`);
  t.ok(second.driver.status().epoch > epoch, 'in a later epoch');
  const last = await second.driver.propose([configRecord(2)]);

  const back = await cluster.startNode(first.id);
  await waitFor(() => back.metadataLog.log.highWatermark > last && back.driver.status().leaderId === second.id, 20_000, 'the old leader follows and catches up');
  t.equal(back.driver.status().role, 'Follower');
  const more = await second.driver.propose([configRecord(3)]);
  await waitFor(() => cluster.running().every((n) => n.metadataLog.log.highWatermark > more), 10_000, 'all commit');
  await assertLogsAgree(t, cluster.running(), more + 1, 'after the hand-over');
});

t.test('an observer (not in controller.quorum.voters) follows the log without voting', async (t) => {
  const cluster = await RaftCluster.start(tempDir(t), 3);
  t.teardown(() => cluster.close());
  const leader = await cluster.waitForLeader();
  const observer = await cluster.startNode(4);
  const last = await leader.driver.propose([configRecord(1)]);
  await waitFor(() => observer.metadataLog.log.highWatermark > last, 20_000, 'the observer commits what the voters commit');
  t.notOk(observer.driver.status().isVoter);
  t.equal(observer.driver.status().leaderId, leader.id, 'it found the leader');
  const q = leader.driver.describeQuorum()!;
  t.same(q.observers.map((o) => o.replicaId), [4], 'the leader lists it as an observer');
  t.same(q.currentVoters.map((v) => v.replicaId).sort(), [1, 2, 3]);
  await assertLogsAgree(t, cluster.running(), last + 1, 'observer included');
});
