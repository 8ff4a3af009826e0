// A cluster's view of a partition whose replica is down, as Kafka 4.4.0's own kafka-topics
// --describe (DescribeTopicPartitions) prints it: a fenced broker's replica leaves the ISR and,
// with the ISR below min.insync.replicas, becomes an eligible leader replica (KIP-966).
import t from 'tap';
import { startCluster } from '../../src/node/cluster.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(180_000);
const TOPICS = 'org.apache.kafka.tools.TopicCommand';

t.test('kafka-topics --describe shows the shrunk ISR and the ELR', async (t) => {
  // A short session so the killed broker is fenced soon (Kafka's minimum heartbeat interval rules hold).
  const c = await startCluster({
    nodes: 3,
    dataDir: tempDir(t),
    config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500' },
  });
  t.teardown(() => c.close());
  await waitUntil('a leader', 20_000, () => c.leader());
  const create = await kafkaTool(TOPICS, '--bootstrap-server', c.bootstrap, '--create', '--topic', 'elr', '--partitions', '1', '--replication-factor', '3', '--config', 'min.insync.replicas=3');
  t.match(create.out, /Created topic elr\./);

  const describe = async () => (await kafkaTool(TOPICS, '--bootstrap-server', c.bootstrap, '--describe', '--topic', 'elr')).out;
  const healthy = await describe();
  t.match(healthy, /Partition: 0\s+Leader: \d\s+Replicas: [123],[123],[123]\s+Isr: [123],[123],[123]\s+Elr: \s+LastKnownElr: \s*(\n|$)/, 'all three in sync, nothing offline');

  // Any node but the quorum leader, so the quorum keeps its majority without a new election.
  const victim = c.nodes.find((n) => n.nodeId !== c.leader()!.nodeId)!;
  await victim.kill();
  const bootstrap = c.nodes.filter((n) => n.running).map((n) => n.bootstrap!).join(',');
  const out = await waitUntil(`node ${victim.nodeId} fenced out of the ISR`, 60_000, async () => {
    const o = (await kafkaTool(TOPICS, '--bootstrap-server', bootstrap, '--describe', '--topic', 'elr')).out;
    const isr = /Isr: ([\d,]*)/.exec(o)?.[1];
    return isr !== undefined && !isr.split(',').includes(String(victim.nodeId)) ? o : undefined;
  }, 1000);
  const line = out.split('\n').find((l) => l.includes('Partition: 0'))!;
  t.match(line, new RegExp(`Elr: ${victim.nodeId}\\b`), 'below min.insync.replicas, the fenced replica is an eligible leader replica');
  t.match(line, /Leader: \d/, 'a leader among the survivors');
  t.notMatch(line, new RegExp(`Leader: ${victim.nodeId}\\b`));
  const under = (await kafkaTool(TOPICS, '--bootstrap-server', bootstrap, '--describe', '--under-replicated-partitions')).out;
  t.match(under, /Topic: elr\s+Partition: 0/, '--under-replicated-partitions lists it');
});
