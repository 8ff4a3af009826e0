// Kafka's own admin tools (Apache Kafka 4.4.0's TopicCommand, ConfigCommand, LogDirsCommand,
// LeaderElectionCommand, ReassignPartitionsCommand, TransactionsCommand, ClusterTool) against
// samsa, with the output they print against Apache Kafka 4.4.0 (a fresh `compat/kafka/broker.sh start`
// node). Needs java and Maven: the jars are fetched by `compat/kafka/broker.sh install` when missing
// (.ci/run installs both).
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';

const LIBS = path.join(REPO_ROOT, 'compat/kafka/.work/libs');
// Each JVM takes seconds to start; on a busy machine the file can outlast tap's default limit.
t.setTimeout(300_000);

function installJars(): string | null {
  if (spawnSync('java', ['-version']).status !== 0) return 'java is not installed (apt-get install default-jdk-headless)';
  if (existsSync(path.join(LIBS, '.complete'))) return null;
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'install'], { stdio: 'inherit', timeout: 240_000 });
  return r.status === 0 ? null : 'compat/kafka/broker.sh install failed (needs maven and Maven Central)';
}
const missing = installJars();

let b: RunningBroker;

/** Runs a tool class to completion (asynchronously: the broker runs in this process). */
function tool(cls: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  return toolArgs(cls, '--bootstrap-server', b.bootstrap, ...args);
}

function toolArgs(cls: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  const jvm = ['-Xms64m', '-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'compat/kafka/log4j2.properties')}`];
  const proc = spawn('java', [...jvm, '-cp', `${LIBS}/*`, cls, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

t.test('Kafka\'s admin tools', async (t) => {
  if (missing) t.fail(missing);
  if (missing) return;
  b = await startBroker({ port: 0, memory: true, config: { 'offsets.topic.num.partitions': '1' } });
  t.teardown(() => b.close());
  const TC = 'org.apache.kafka.tools.TopicCommand';
  const CC = 'org.apache.kafka.tools.ConfigCommand';

  let r = await tool(TC, '--create', '--topic', 'jt', '--partitions', '3', '--replication-factor', '1', '--config', 'retention.ms=100000');
  t.equal(r.out.trim(), 'Created topic jt.', 'kafka-topics --create');
  const id = b.broker.topics.get('jt')!.topicId;
  // Independent invocations run side by side: each JVM takes seconds to start. The describe goes before
  // the alters, whose configs it would list once they land.
  const [describe, again] = await Promise.all([
    tool(TC, '--describe', '--topic', 'jt'),
    tool(TC, '--create', '--topic', 'jt', '--partitions', '1'),
  ]);
  const [alterTopic, brokerAlter, defaultAlter, badValue, readOnly] = await Promise.all([
    tool(CC, '--entity-type', 'topics', '--entity-name', 'jt', '--alter', '--add-config', 'cleanup.policy=[compact,delete],segment.bytes=2000000', '--delete-config', 'retention.ms'),
    tool(CC, '--entity-type', 'brokers', '--entity-name', '1', '--alter', '--add-config', 'log.retention.ms=3600000'),
    tool(CC, '--entity-type', 'brokers', '--entity-default', '--alter', '--add-config', 'log.segment.bytes=3000000'),
    tool(CC, '--entity-type', 'topics', '--entity-name', 'jt', '--alter', '--add-config', 'segment.bytes=abc'),
    tool(CC, '--entity-type', 'brokers', '--entity-name', '1', '--alter', '--add-config', 'num.partitions=3'),
  ]);
  // Kafka 4.4 at eligible.leader.replicas.version 1 (what a fresh store finalizes) keeps min.insync.replicas
  // as a cluster-wide dynamic default, so every topic lists it among its non-default configs; at level 0
  // (--feature eligible.leader.replicas.version=0 at format) only the topic's own override shows.
  const elr = b.broker.metadata.image.features.level('eligible.leader.replicas.version');
  const configs = elr >= 1 ? 'min.insync.replicas=1,retention.ms=100000' : 'retention.ms=100000';
  t.match(describe.out, `Topic: jt\tTopicId: ${id}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: ${configs}`, 'kafka-topics --describe: id and configs');
  // Through DescribeTopicPartitions, as Kafka 4.4's tool prints it (empty ELR lists).
  t.match(describe.out, 'Topic: jt\tPartition: 2\tLeader: 1\tReplicas: 1\tIsr: 1\tElr: \tLastKnownElr: \n');
  t.match(again.out, "Topic 'jt' already exists.");
  t.match(alterTopic.out, 'Completed updating config for topic jt.');
  t.match(brokerAlter.out, 'Completed updating config for broker 1.');
  t.match(defaultAlter.out, 'Completed updating default config for brokers in the cluster.');
  t.match(badValue.out, 'Invalid value abc for configuration segment.bytes: Not a number of type INT');
  t.match(readOnly.out, 'Cannot update these configs dynamically: [num.partitions]');

  const [alterParts, topicDescribe, brokerDescribe, all, logDirs, election, reassign, producers, clusterId] = await Promise.all([
    tool(TC, '--alter', '--topic', 'jt', '--partitions', '5'),
    tool(CC, '--entity-type', 'topics', '--entity-name', 'jt', '--describe'),
    tool(CC, '--entity-type', 'brokers', '--entity-name', '1', '--describe'),
    tool(CC, '--entity-type', 'topics', '--entity-name', 'jt', '--describe', '--all'),
    tool('org.apache.kafka.tools.LogDirsCommand', '--describe', '--topic-list', 'jt'),
    tool('org.apache.kafka.tools.LeaderElectionCommand', '--election-type', 'preferred', '--topic', 'jt', '--partition', '0'),
    tool('org.apache.kafka.tools.reassign.ReassignPartitionsCommand', '--list'),
    tool('org.apache.kafka.tools.TransactionsCommand', 'describe-producers', '--topic', 'jt', '--partition', '0'),
    toolArgs('org.apache.kafka.tools.ClusterTool', 'cluster-id', '--bootstrap-server', b.bootstrap),
  ]);
  t.equal(alterParts.code, 0, 'kafka-topics --alter --partitions');
  t.equal(b.broker.topics.get('jt')!.partitions, 5);
  t.match(topicDescribe.out, 'Dynamic configs for topic jt are:');
  t.match(topicDescribe.out, 'cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, DEFAULT_CONFIG:log.cleanup.policy=delete}');
  t.match(topicDescribe.out, 'segment.bytes=2000000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:segment.bytes=2000000, DYNAMIC_DEFAULT_BROKER_CONFIG:log.segment.bytes=3000000, DEFAULT_CONFIG:log.segment.bytes=1073741824}');
  t.notMatch(topicDescribe.out, 'retention.ms', 'the deleted override is gone');
  t.match(brokerDescribe.out, 'log.retention.ms=3600000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=3600000, DEFAULT_CONFIG:log.retention.hours=168}');
  t.match(all.out, 'All configs for topic jt are:');
  t.match(all.out, 'retention.ms=3600000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=3600000, DEFAULT_CONFIG:log.retention.hours=168}');
  t.equal(all.out.split('\n').filter((l) => l.includes(' sensitive=')).length, 37, 'every topic config');
  t.match(logDirs.out, '"partition":"jt-0","size":0,"offsetLag":0,"isFuture":false', 'kafka-log-dirs');
  t.match(election.out, 'Valid replica already elected for partitions jt-0', 'kafka-leader-election');
  t.match(reassign.out, 'No partition reassignments found.', 'kafka-reassign-partitions --list');
  t.match(producers.out, 'ProducerId\tProducerEpoch\tLatestCoordinatorEpoch\tLastSequence\tLastTimestamp\tCurrentTransactionStartOffset', 'kafka-transactions describe-producers');
  t.equal(clusterId.out.trim(), `Cluster ID: ${b.broker.clusterId}`, 'kafka-cluster cluster-id');

  r = await tool(TC, '--delete', '--topic', 'jt');
  t.equal(r.code, 0, 'kafka-topics --delete');
  t.notOk(b.broker.topics.get('jt'), 'deleted');
});
