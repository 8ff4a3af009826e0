// Kafka 4.4.0's kafka-leader-election (LeaderElectionCommand) against 3 samsa nodes: a partition
// whose preferred replica was killed keeps its new leader (PREFERRED_LEADER_NOT_AVAILABLE while
// that replica is down), and once it is back in the ISR a preferred election, forwarded by the
// broker to the active controller, hands leadership back to it; asked again, none is needed.
// The records written before the kill are read back from the preferred leader.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(240_000);
const TOPICS = 'org.apache.kafka.tools.TopicCommand';
const ELECTION = 'org.apache.kafka.tools.LeaderElectionCommand';

const running = (c: RunningCluster) => c.nodes.filter((n) => n.running).map((n) => n.bootstrap!).join(',');

/** The partition's line of kafka-topics --describe: leader and ISR. */
async function describe(c: RunningCluster): Promise<{ leader: number; isr: number[]; line: string } | undefined> {
  const out = (await kafkaTool(TOPICS, '--bootstrap-server', running(c), '--describe', '--topic', 'pref')).out;
  const line = out.split('\n').find((l) => l.includes('Partition: 0'));
  const m = line && /Leader: (-?\d+)\s+Replicas: [\d,]+\s+Isr: ([\d,]*)/.exec(line);
  return m ? { leader: Number(m[1]), isr: m[2].split(',').filter(Boolean).map(Number), line: line! } : undefined;
}

t.test('kafka-leader-election --election-type preferred moves leadership back after a restart', async (t) => {
  const c = await startCluster({
    nodes: 3,
    dataDir: tempDir(t),
    config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500' },
  });
  t.teardown(() => c.close());
  const quorumLeader = await waitUntil('a leader', 20_000, () => c.leader());
  // The preferred replica is not the quorum leader, so killing it needs no new controller.
  const preferred = c.nodes.find((n) => n.nodeId !== quorumLeader.nodeId)!;
  const others = c.nodes.filter((n) => n !== preferred).map((n) => n.nodeId);
  const assignment = [preferred.nodeId, ...others].join(':');
  const create = await kafkaTool(TOPICS, '--bootstrap-server', c.bootstrap, '--create', '--topic', 'pref', '--replica-assignment', assignment);
  t.match(create.out, /Created topic pref\./);
  await waitUntil('the preferred replica leads with all three in sync', 30_000, async () => {
    const d = await describe(c);
    return d && d.leader === preferred.nodeId && d.isr.length === 3;
  }, 1000);

  const kafka = new Kafka({ clientId: 'elect', brokers: running(c).split(','), logLevel: logLevel.NOTHING, connectionTimeout: 10_000 });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const sent = Array.from({ length: 20 }, (_, i) => ({ value: `v${i}` }));
  await producer.send({ topic: 'pref', acks: -1, messages: sent });
  await producer.disconnect();

  await preferred.kill();
  const moved = await waitUntil('another replica leads', 60_000, async () => {
    const d = await describe(c);
    return d && d.leader !== -1 && d.leader !== preferred.nodeId && !d.isr.includes(preferred.nodeId) ? d : undefined;
  }, 1000);
  t.ok(others.includes(moved.leader), `node ${moved.leader} took over`);

  const down = await kafkaTool(ELECTION, '--bootstrap-server', running(c), '--election-type', 'preferred', '--topic', 'pref', '--partition', '0');
  t.match(down.out, /pref-0.*PreferredLeaderNotAvailableException/s, 'the preferred replica is down: not available');
  t.equal((await describe(c))!.leader, moved.leader, 'and the leader stays');

  await preferred.restart();
  await waitUntil('the preferred replica back in the ISR', 60_000, async () => {
    const d = await describe(c);
    return d && d.isr.includes(preferred.nodeId);
  }, 1000);
  t.equal((await describe(c))!.leader, moved.leader, 'rejoining the ISR does not move leadership by itself');

  const back = await kafkaTool(ELECTION, '--bootstrap-server', running(c), '--election-type', 'preferred', '--topic', 'pref', '--partition', '0');
  t.equal(back.code, 0, back.out);
  t.match(back.out, /Successfully completed leader election \(PREFERRED\) for partitions pref-0/);
  const after = await waitUntil('the preferred replica leads again', 30_000, async () => {
    const d = await describe(c);
    return d && d.leader === preferred.nodeId ? d : undefined;
  }, 1000);
  t.equal(after.isr.length, 3, 'all three still in sync');

  const again = await kafkaTool(ELECTION, '--bootstrap-server', running(c), '--election-type', 'preferred', '--topic', 'pref', '--partition', '0');
  t.match(again.out, /Valid replica already elected for partitions pref-0/, 'a second election: none needed');
  // Every partition (a null list): those needing no election are left out of the answer, so nothing to report.
  const all = await kafkaTool(ELECTION, '--bootstrap-server', running(c), '--election-type', 'preferred', '--all-topic-partitions');
  t.equal(all.code, 0, all.out);
  t.notMatch(all.out, /Exception|Error/, all.out);

  const consumer = kafka.consumer({ groupId: 'elect-read' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'pref', fromBeginning: true });
  const got: { offset: string; value: string }[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void got.push({ offset: message.offset, value: message.value!.toString() }) });
  await waitUntil('every record read back', 60_000, () => got.length >= sent.length);
  await consumer.disconnect();
  t.same(got, sent.map((m, i) => ({ offset: String(i), value: m.value })), 'every acknowledged record at its offset');
});

t.test('auto.leader.rebalance.enable: leadership goes back to the preferred replica by itself', async (t) => {
  const c = await startCluster({
    nodes: 3,
    dataDir: tempDir(t),
    config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'leader.imbalance.check.interval.seconds': '1' },
  });
  t.teardown(() => c.close());
  const quorumLeader = await waitUntil('a leader', 20_000, () => c.leader());
  const preferred = c.nodes.find((n) => n.nodeId !== quorumLeader.nodeId)!;
  const assignment = [preferred.nodeId, ...c.nodes.filter((n) => n !== preferred).map((n) => n.nodeId)].join(':');
  t.match((await kafkaTool(TOPICS, '--bootstrap-server', c.bootstrap, '--create', '--topic', 'pref', '--replica-assignment', assignment)).out, /Created topic pref\./);
  await waitUntil('all three in sync', 30_000, async () => (await describe(c))?.isr.length === 3, 1000);
  await preferred.kill();
  const moved = await waitUntil('another replica leads', 60_000, async () => {
    const d = await describe(c);
    return d && d.leader !== -1 && d.leader !== preferred.nodeId ? d : undefined;
  }, 1000);
  t.not(moved.leader, preferred.nodeId, `node ${moved.leader} took over`);
  await preferred.restart();
  const back = await waitUntil('the preferred replica leads again', 60_000, async () => {
    const d = await describe(c);
    return d && d.leader === preferred.nodeId ? d : undefined;
  }, 1000);
  t.ok(back.isr.includes(preferred.nodeId), 'from the ISR');
});
