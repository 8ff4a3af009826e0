// Kafka 4.4.0's kafka-reassign-partitions (ReassignPartitionsCommand) against an in-process cluster of
// 4 samsa nodes, the controller side of a move: a partition led by P on [P, x, y] is moved to
// [x, y, A] (P and A not the quorum leader) while A cannot reach P (the inter-node link is cut, so
// A stays registered and unfenced but cannot catch up): --execute starts it, --list shows the merged
// replicas with what is added and removed (kafka-topics --describe too), --verify has it in progress, --cancel reverts it (the
// original replicas without A, in Kafka's revert order); healed, --execute again and --verify until
// Kafka's tool reports it completed; the records written before are read back. What the tool prints
// is what it prints against Kafka (the strings are ReassignPartitionsCommand's).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(300_000);
const TOPIC = 'tool';
const REASSIGN = 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand';

const registration = (c: RunningCluster, nodeId: number) => c.node(nodeId).node?.metadata.image.topics.get(TOPIC)?.registrations.get(0);

t.test('kafka-reassign-partitions --execute, --list, --verify, --cancel, and a completed move', async (t) => {
  const dir = tempDir(t);
  const c = await startCluster({
    nodes: 4,
    dataDir: dir,
    config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'replica.lag.time.max.ms': '3000' },
  });
  t.teardown(() => c.close());
  const quorumLeader = (await waitUntil('a quorum leader', 30_000, () => c.leader())).nodeId;
  // P leads the partition and A is added; neither runs the quorum, so cutting P from A leaves
  // both their heartbeats and the metadata log alone.
  const [P, A] = [1, 2, 3, 4].filter((id) => id !== quorumLeader);
  const [x, y] = [1, 2, 3, 4].filter((id) => id !== P && id !== A);
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'reassign-tool', logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [P, x, y] }] }] });
  await admin.disconnect();
  await waitUntil(`the partition in sync on [${P}, ${x}, ${y}]`, 30_000, () => c.nodes.every((n) => registration(c, n.nodeId)?.isr.length === 3));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let i = 0; i < 100; i += 10) await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 10 }, (_, j) => ({ value: `r-${i + j}` })) });
  await producer.disconnect();

  c.faults.drop(A, P);
  c.faults.drop(P, A);
  const plan = path.join(dir, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 0, replicas: [x, y, A], log_dirs: ['any', 'any', 'any'] }] }));
  const tool = (...args: string[]) => kafkaTool(REASSIGN, '--bootstrap-server', c.bootstrap, ...args);

  const started = await tool('--execute', '--reassignment-json-file', plan);
  t.equal(started.code, 0, started.out);
  t.match(started.out, 'Successfully started partition reassignment for tool-0', '--execute: started');
  const list = await tool('--list');
  t.match(list.out, `Current partition reassignments:\ntool-0: replicas: ${x},${y},${A},${P}. adding: ${A}. removing: ${P}.`, '--list: the merged replicas, adding and removing');
  const topics = await kafkaTool('org.apache.kafka.tools.TopicCommand', '--bootstrap-server', c.bootstrap, '--describe', '--topic', TOPIC);
  t.match(topics.out, new RegExp(`Partition: 0\\tLeader: ${P}\\tReplicas: ${x},${y},${A},${P}\\tIsr: [\\d,]+\\tAdding Replicas: ${A}\\tRemoving Replicas: ${P}\\t`), 'kafka-topics --describe shows the replicas being added and removed');
  const verify = await tool('--verify', '--reassignment-json-file', plan);
  t.match(verify.out, 'Status of partition reassignment:\nReassignment of partition tool-0 is still in progress.', `--verify: in progress while ${A} cannot fetch`);

  const cancel = await tool('--cancel', '--reassignment-json-file', plan);
  t.equal(cancel.code, 0, cancel.out);
  t.match(cancel.out, 'Successfully cancelled partition reassignment for: tool-0', '--cancel');
  t.match(cancel.out, 'Clearing topic-level throttles on topic tool', 'and the throttles cleared');
  await waitUntil('the revert on every node', 30_000, () =>
    c.nodes.every((n) => String(registration(c, n.nodeId)?.replicas) === `${x},${y},${P}` && registration(c, n.nodeId)?.addingReplicas.length === 0),
  );
  t.pass("reverted to the original replicas in Kafka's order (the merged list without the adding one)");
  t.match((await tool('--list')).out, 'No partition reassignments found.', '--list after the cancel');

  c.faults.heal();
  const again = await tool('--execute', '--reassignment-json-file', plan);
  t.match(again.out, 'Successfully started partition reassignment for tool-0');
  const completed = await waitUntil('--verify reports it completed', 120_000, async () => {
    const v = await tool('--verify', '--reassignment-json-file', plan);
    return v.out.includes('Reassignment of partition tool-0 is completed.') ? v : undefined;
  }, 1000);
  t.match(completed.out, 'Clearing broker-level throttles', '--verify clears the throttles once complete');
  await waitUntil(`replicas [${x}, ${y}, ${A}] on every node`, 30_000, () => c.nodes.every((n) => String(registration(c, n.nodeId)?.replicas) === `${x},${y},${A}`));
  t.not(registration(c, x)!.leader, P, 'the removed replica leads no more');

  const consumer = kafka.consumer({ groupId: 'reassign-tool-check' });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await waitUntil('every record read back', 60_000, () => seen.length >= 100);
  await consumer.disconnect();
  t.same(seen, Array.from({ length: 100 }, (_, i) => `r-${i}`), 'the 100 records, in order');
});
