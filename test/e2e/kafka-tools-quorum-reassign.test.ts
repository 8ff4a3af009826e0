// Apache Kafka 4.4.0's own tools against the samsa command: kafka-reassign-partitions with a no-op
// plan (AlterPartitionReassignments, ListPartitionReassignments, DescribeLogDirs, then --verify
// clearing throttles), kafka-metadata-quorum describe --status and --replication (DescribeQuorum),
// kafka-client-metrics --list (ListConfigResources). Expected output is what the same commands
// print against a single-node Kafka 4.4.0, with samsa's addresses, dirs and offsets.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnBroker } from '../helpers/cli-broker.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';
import { codecRequest } from '../metadata/helpers.js';

t.setTimeout(300_000);

t.test('reassign-partitions, metadata-quorum and client-metrics tools', async (t) => {
  const dir = tempDir(t);
  const b = await spawnBroker(t, ['--port', '0', '--data-dir', dir]);
  const created = await codecRequest(b.host, b.port, 'CreateTopics', 7, {
    topics: [{ name: 'rt', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 10000,
    validateOnly: false,
  });
  t.equal(created.topics[0].errorCode, 0);
  const plan = path.join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'rt', partition: 0, replicas: [1], log_dirs: ['any'] }] }));
  const bs = ['--bootstrap-server', b.bootstrap];
  const REASSIGN = 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand';
  const QUORUM = 'org.apache.kafka.tools.MetadataQuorumCommand';
  const [execute, status, replication, clientMetrics] = await Promise.all([
    kafkaTool(REASSIGN, ...bs, '--execute', '--reassignment-json-file', plan),
    kafkaTool(QUORUM, ...bs, 'describe', '--status'),
    kafkaTool(QUORUM, ...bs, 'describe', '--replication'),
    kafkaTool('org.apache.kafka.tools.ClientMetricsCommand', ...bs, '--list'),
  ]);

  t.equal(execute.code, 0, execute.out);
  t.equal(
    execute.out.trim(),
    [
      'Current partition replica assignment',
      '',
      JSON.stringify({ version: 1, partitions: [{ topic: 'rt', partition: 0, replicas: [1], log_dirs: [dir] }] }),
      '',
      'Save this to use as the --reassignment-json-file option during rollback',
      'Successfully started partition reassignment for rt-0',
    ].join('\n'),
    'kafka-reassign-partitions --execute: a move to the current replica is started at once',
  );
  const verify = await kafkaTool(REASSIGN, ...bs, '--verify', '--reassignment-json-file', plan);
  t.equal(verify.code, 0, verify.out);
  t.equal(
    verify.out.trim(),
    ['Status of partition reassignment:', 'Reassignment of partition rt-0 is completed.', '', 'Clearing broker-level throttles on broker 1', 'Clearing topic-level throttles on topic rt'].join('\n'),
    'kafka-reassign-partitions --verify: completed, throttles cleared',
  );

  t.equal(status.code, 0, status.out);
  const fields = Object.fromEntries(status.out.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
  t.match(fields, {
    LeaderId: '1',
    MaxFollowerLag: '0',
    MaxFollowerLagTimeMs: '0',
    CurrentVoters: `[{"id": 1, "endpoints": ["PLAINTEXT://${b.bootstrap}"]}]`,
    CurrentObservers: '[]',
  }, 'kafka-metadata-quorum describe --status');
  t.match(fields.ClusterId, /^[A-Za-z0-9_-]{22}$/);
  t.ok(Number(fields.HighWatermark) > 0, 'the metadata log\'s end offset');
  t.same(Object.keys(fields), ['ClusterId', 'LeaderId', 'LeaderEpoch', 'HighWatermark', 'MaxFollowerLag', 'MaxFollowerLagTimeMs', 'CurrentVoters', 'CurrentObservers']);

  t.equal(replication.code, 0, replication.out);
  const rows = replication.out.trim().split('\n').map((l) => l.split('\t').map((c) => c.trim()).filter((c) => c !== ''));
  t.same(rows[0], ['NodeId', 'DirectoryId', 'LogEndOffset', 'Lag', 'LastFetchTimestamp', 'LastCaughtUpTimestamp', 'Status']);
  t.equal(rows.length, 2, 'one voter, no observers');
  t.match(rows[1], ['1', 'AAAAAAAAAAAAAAAAAAAAAA', /^\d+$/, '0', /^\d{13}$/, /^\d{13}$/, 'Leader'], 'kafka-metadata-quorum describe --replication');

  t.equal(clientMetrics.code, 0, clientMetrics.out);
  t.equal(clientMetrics.out.trim(), '', 'kafka-client-metrics --list: no subscriptions');
});
