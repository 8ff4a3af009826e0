// A real Apache Kafka 4.4.0 broker (process.roles=broker, node.id=4) whose controller.quorum.voters
// are three samsa raft drivers: its raft client fetches __cluster_metadata-0 from samsa's leader
// as an observer (Kafka's Fetch with ReplicaState, the metadata topic id, long-polls), so the
// leader's DescribeQuorum lists observer 4 at the leader's log end, and the log Kafka wrote to
// its own disk holds exactly the bytes of samsa's log. And the other way round: a samsa driver
// (node 5) follows a Kafka 4.4.0 controller as an observer and its log is Kafka's, byte for byte.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeMetadataRecord } from '../../src/metadata/records.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';
import { FAST, RaftCluster, freePorts, readLog, waitFor } from './driver-harness.js';

/** compat/kafka/broker.sh start|stop DIR: a reference Kafka 4.4.0 single node (broker and controller 1). */
function kafkaBroker(action: 'start' | 'stop', dir: string): Promise<{ code: number | null; out: string }> {
  const proc = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), action, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d) => (out += d));
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, out })));
}

const configRecord = (i: number) => encodeMetadataRecord({ type: 4, version: 0, data: { resourceType: 4, resourceName: '', name: `k${i}`, value: `v${i}` } });

t.test('a Kafka 4.4.0 broker follows samsa controllers as a raft observer', async (t) => {
  const base = tempDir(t);
  const cluster = await RaftCluster.start(base, 3);
  t.teardown(() => cluster.close());
  const leader = await cluster.waitForLeader();
  // A fresh cluster's first record: the metadata.version Kafka 4.4.0's format writes (4.4-IV2, level 33).
  await leader.driver.propose([encodeMetadataRecord({ type: 12, version: 0, data: { name: 'metadata.version', featureLevel: 33 } })]);
  for (let i = 0; i < 5; i++) await leader.driver.propose([configRecord(i)]);

  const [port] = await freePorts(1);
  const voters = [...cluster.voters].map(([id, e]) => `${id}@${e.host}:${e.port}`).join(',');
  const props = path.join(base, 'kafka.properties');
  const kafkaData = path.join(base, 'kafka-data');
  writeFileSync(
    props,
    [
      'process.roles=broker',
      'node.id=4',
      `controller.quorum.voters=${voters}`,
      `listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${kafkaData}`,
    ].join('\n') + '\n',
  );
  const format = await kafkaTool('kafka.tools.StorageTool', 'format', '-t', cluster.clusterId, '-c', props);
  t.equal(format.code, 0, 'kafka-storage format');
  const kafka = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'java', 'kafka.Kafka', props], { stdio: ['ignore', 'ignore', 'ignore'], detached: true });
  t.teardown(() => {
    try {
      process.kill(-kafka.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  });

  // The wait covers the JVM's start, which took over 90 s on a CI machine at load average ~23.
  const end = leader.metadataLog.log.logEndOffset;
  const observer = await waitFor(() => leader.driver.describeQuorum()?.observers.find((o) => o.replicaId === 4 && o.logEndOffset === end), 180_000, 'observer 4 at the log end');
  t.ok(observer.lastCaughtUpTimestamp > 0, 'the leader counts it caught up');
  t.same(leader.driver.describeQuorum()!.currentVoters.map((v) => v.replicaId).sort(), [1, 2, 3], 'it is not a voter');

  const more = await leader.driver.propose([configRecord(100)]);
  await waitFor(() => leader.driver.describeQuorum()?.observers.find((o) => o.replicaId === 4 && o.logEndOffset === more + 1), 30_000, 'the observer follows new entries');

  const ours = Buffer.concat((await readLog(leader, more + 1)).map((b) => b.bytes));
  const theirs = readFileSync(path.join(kafkaData, '__cluster_metadata-0', '00000000000000000000.log'));
  t.ok(theirs.subarray(0, ours.length).equals(ours), `Kafka's own log holds samsa's ${ours.length} bytes as they are`);
});

t.test('a samsa raft driver follows a Kafka 4.4.0 controller as an observer', async (t) => {
  const base = tempDir(t);
  const kafkaDir = path.join(base, 'kafka');
  const started = await kafkaBroker('start', kafkaDir);
  t.teardown(() => kafkaBroker('stop', kafkaDir));
  t.equal(started.code, 0, started.out);
  const props = readFileSync(path.join(kafkaDir, 'server.properties'), 'utf8');
  const controllerPort = Number(/CONTROLLER:\/\/127\.0\.0\.1:(\d+)/.exec(props)![1]);
  const clusterId = /cluster\.id=(\S+)/.exec(readFileSync(path.join(kafkaDir, 'data/meta.properties'), 'utf8'))![1];

  // Node 5, not among Kafka's voters (1): an observer, as a broker-only node is.
  const cluster = new RaftCluster(path.join(base, 'samsa'), FAST, clusterId);
  cluster.voters.set(1, { name: 'CONTROLLER', host: '127.0.0.1', port: controllerPort });
  const node = await cluster.startNode(5);
  t.teardown(() => cluster.close());
  const kafkaLog = path.join(kafkaDir, 'data/__cluster_metadata-0/00000000000000000000.log');
  await waitFor(() => node.driver.status().leaderId === 1 && node.metadataLog.log.highWatermark > 0, 60_000, 'the observer found the Kafka leader and committed');
  const hw = node.metadataLog.log.highWatermark;
  const ours = Buffer.concat((await readLog(node, hw)).map((b) => b.bytes));
  t.ok(ours.length > 0);
  t.ok(readFileSync(kafkaLog).subarray(0, ours.length).equals(ours), `samsa's log holds Kafka's first ${hw} offsets (${ours.length} bytes) as they are`);
  t.equal(node.driver.status().epoch, 1, "in the Kafka leader's epoch");
  const s = node.driver.status();
  t.notOk(s.isVoter);
  t.equal(s.role, 'Follower');
});
