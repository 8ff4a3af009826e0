// Raft drivers under faults, on real sockets and files: a leader cut off by the fault layer (a
// minority of one) never commits again while the majority elects a new leader and goes on; after
// healing, the old leader's uncommitted entry is truncated away (its proposal fails) and every
// log is the same. A crashed leader (no resignation) is replaced too, and restarts from its files.
import t from 'tap';
import { encodeMetadataRecord } from '../../src/metadata/records.js';
import { NotLeaderError } from '../../src/raft/driver.js';
import { tempDir } from '../helpers/tmp.js';
import { RaftCluster, readLog, waitFor, type RaftNode } from './driver-harness.js';

const configRecord = (i: number) => encodeMetadataRecord({ type: 4, version: 0, data: { resourceType: 4, resourceName: '', name: `k${i}`, value: `v${i}` } });

async function sameLogs(nodes: RaftNode[], end: number): Promise<boolean> {
  const logs = await Promise.all(nodes.map((n) => readLog(n, end)));
  const hex = logs.map((l) => l.map((b) => b.bytes.toString('hex')).join(''));
  return hex.every((h) => h === hex[0]);
}

t.test('an isolated leader (a minority) never commits; the majority goes on; healed, all logs agree', async (t) => {
  const cluster = await RaftCluster.start(tempDir(t), 3);
  t.teardown(() => cluster.close());
  const old = await cluster.waitForLeader();
  const oldEpoch = old.driver.status().epoch;
  for (let i = 0; i < 5; i++) await old.driver.propose([configRecord(i)]);

  cluster.faults.isolate(old.id);
  const hwAtIsolation = old.metadataLog.log.highWatermark;
  let isolatedOutcome: 'pending' | 'committed' | 'refused' = 'pending';
  let isolatedError: unknown;
  // The cut-off leader may still take a proposal before it notices; it must never commit it.
  const onIsolated = old.driver.propose([configRecord(999)]).then(
    () => (isolatedOutcome = 'committed'),
    (e) => {
      isolatedOutcome = 'refused';
      isolatedError = e;
    },
  );

  const majority = cluster.running().filter((n) => n !== old);
  const next = await cluster.waitForLeader(majority, 30_000, oldEpoch);
  t.ok(next.driver.status().epoch > oldEpoch, `node ${next.id} leads a later epoch`);
  let last = -1;
  for (let i = 10; i < 15; i++) last = await next.driver.propose([configRecord(i)]);
  await waitFor(() => majority.every((n) => n.metadataLog.log.highWatermark > last), 10_000, 'the majority commits');
  t.equal(old.metadataLog.log.highWatermark, hwAtIsolation, "the isolated node's high watermark has not moved");
  t.not(isolatedOutcome, 'committed', 'nothing proposed on the isolated node committed');
  t.ok(old.driver.status().role !== 'Leader' || old.driver.status().epoch === oldEpoch, 'the isolated node leads no later epoch');

  cluster.faults.heal();
  await waitFor(() => old.metadataLog.log.highWatermark > last && old.driver.status().leaderId === next.id, 30_000, 'the old leader follows and catches up');
  await onIsolated;
  t.equal(isolatedOutcome, 'refused', "the isolated leader's proposal failed");
  if (isolatedError !== undefined) t.type(isolatedError, NotLeaderError);
  const end = await next.driver.propose([configRecord(20)]);
  await waitFor(() => cluster.running().every((n) => n.metadataLog.log.highWatermark > end), 10_000, 'all commit');
  t.ok(await sameLogs(cluster.running(), end + 1), 'every log is the same bytes');
  const batches = await readLog(old, end + 1);
  t.notOk(
    batches.some((b) => b.epoch === oldEpoch && b.bytes.includes(Buffer.from('k999'))),
    "the isolated leader's uncommitted entry is gone from its log",
  );
});

t.test('a crashed leader is replaced; restarted from its files it catches up', async (t) => {
  const cluster = await RaftCluster.start(tempDir(t), 3);
  t.teardown(() => cluster.close());
  const old = await cluster.waitForLeader();
  const oldEpoch = old.driver.status().epoch;
  const first = await old.driver.propose([configRecord(1)]);
  await cluster.killNode(old.id);
  const next = await cluster.waitForLeader(cluster.running(), 30_000, oldEpoch);
  const second = await next.driver.propose([configRecord(2)]);
  const back = await cluster.startNode(old.id);
  t.ok(back.metadataLog.log.logEndOffset > first, 'the restarted node kept its committed entries');
  await waitFor(() => back.metadataLog.log.highWatermark > second, 30_000, 'the restarted node catches up');
  t.ok(await sameLogs(cluster.running(), second + 1), 'every log is the same bytes');
});
