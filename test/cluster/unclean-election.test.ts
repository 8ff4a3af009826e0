// unclean.leader.election.enable end to end on a controller and 3 brokers (2, 3, 4): replica 4
// dies and leaves the ISR; records acknowledged by 2 and 3 follow; then 2 and 3 die and the
// partition has no leader. Replica 4 comes back: out of sync, not eligible, so the partition
// stays leaderless while unclean elections are off. Kafka 4.4.0's kafka-configs turns the
// setting on for the topic (IncrementalAlterConfigs, forwarded to the controller); the
// controller's periodic pass elects 4 with the ISR [4] and RECOVERING (KIP-704); produce works
// again; what only 2 and 3 held is gone (the price Kafka documents). Replica 2 returns, truncates
// to 4's log, joins the ISR through the leader's AlterPartition, which says RECOVERED.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import type { MetadataPublisher } from '../../src/metadata/loader.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(300_000);
const TOPIC = 'unclean';
const CONFIGS = 'org.apache.kafka.tools.ConfigCommand';
const RECOVERING = 1;
const RECOVERED = 0;

interface Seen {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  elr: number[];
  leaderRecoveryState: number;
}

/** Every state of the partition the controller's image has had, in order. */
function watcher(states: Seen[]): MetadataPublisher {
  return {
    name: 'unclean-test',
    onMetadataUpdate(_delta, image) {
      const p = image.topics.get(TOPIC)?.registrations.get(0);
      if (!p) return;
      const s: Seen = { leader: p.leader, leaderEpoch: p.leaderEpoch, isr: [...p.isr], elr: [...(p.elr ?? [])], leaderRecoveryState: p.leaderRecoveryState };
      const last = states.at(-1);
      if (!last || JSON.stringify(last) !== JSON.stringify(s)) states.push(s);
    },
  };
}

const running = (c: RunningCluster) => c.nodes.filter((n) => n.running && n.bootstrap).map((n) => n.bootstrap!);

async function produce(c: RunningCluster, prefix: string, n: number): Promise<number[]> {
  const kafka = new Kafka({ clientId: `unclean-${prefix}`, brokers: running(c), logLevel: logLevel.NOTHING, connectionTimeout: 10_000, retry: { retries: 10 } });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    const offsets: number[] = [];
    for (let i = 0; i < n; i++) {
      const [r] = await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `${prefix}-${i}` }] });
      offsets.push(Number(r.baseOffset));
    }
    return offsets;
  } finally {
    await producer.disconnect();
  }
}

t.test('an out-of-sync replica elected uncleanly once the topic allows it: RECOVERING, then RECOVERED', async (t) => {
  const states: Seen[] = [];
  const c = await startCluster({
    controllers: 1,
    brokers: 3,
    dataDir: tempDir(t),
    config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'unclean.leader.election.interval.ms': '1000', 'replica.lag.time.max.ms': '3000' },
    publishers: (id) => (id === 1 ? [watcher(states)] : []),
  });
  t.teardown(() => c.close());
  const now = () => states.at(-1);

  const admin = new Kafka({ clientId: 'unclean-admin', brokers: running(c), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  // kafkajs's wait for leaders fails on a broker that has not seen the topic yet (UNKNOWN_TOPIC_OR_PARTITION
  // is not one it retries); the controller's image below is what the test waits on.
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [2, 3, 4] }] }] });
  await admin.disconnect();
  await waitUntil('2 leads with all three in sync', 60_000, () => now()?.leader === 2 && now()!.isr.length === 3);
  t.same(await produce(c, 'all', 5), [0, 1, 2, 3, 4], 'written to all three');

  await c.node(4).kill();
  await waitUntil('4 out of the ISR', 60_000, () => now()?.leader === 2 && !now()!.isr.includes(4));
  t.same(await produce(c, 'two', 5), [5, 6, 7, 8, 9], 'acknowledged by 2 and 3 only');

  await c.node(3).kill();
  await c.node(2).kill();
  await waitUntil('no leader', 60_000, () => now()?.leader === -1);
  // Whichever of 2 and 3 was fenced last (their sessions end together) stays eligible.
  t.same(now()!.isr, [], 'the ISR empty');
  t.ok(now()!.elr.length === 1 && [2, 3].includes(now()!.elr[0]), `its last member eligible (ELR ${JSON.stringify(now()!.elr)})`);

  await c.node(4).restart();
  await waitUntil('4 registered and unfenced', 60_000, () => {
    const b = c.node(1).node?.metadata.image.cluster.brokers.get(4);
    return b !== undefined && !b.fenced;
  });
  // Three checks of the periodic pass (1 s apart) find nothing to do: the setting is off.
  await new Promise((r) => setTimeout(r, 3500));
  t.equal(now()!.leader, -1, 'unclean elections off: 4, out of sync, does not lead');

  const alter = await kafkaTool(CONFIGS, '--bootstrap-server', running(c).join(','), '--alter', '--entity-type', 'topics', '--entity-name', TOPIC, '--add-config', 'unclean.leader.election.enable=true');
  t.equal(alter.code, 0, alter.out);
  t.match(alter.out, /Completed updating config for topic unclean\./);

  const elected = await waitUntil('4 elected', 60_000, () => (now()?.leader === 4 ? now() : undefined));
  t.same([elected.isr, elected.elr, elected.leaderRecoveryState], [[4], [], RECOVERING], 'the ISR [4], the ELR cleared, RECOVERING');

  t.same(await produce(c, 'after', 5), [5, 6, 7, 8, 9], 'produce works again, from 4\'s log end');
  const reader = await KafkajsReader.connect(c.node(4).bootstrap!);
  t.teardown(() => reader.close());
  const { messages } = await reader.readPartition(TOPIC, 0);
  t.same(
    messages.map((m) => m.value!.toString()),
    [...Array.from({ length: 5 }, (_, i) => `all-${i}`), ...Array.from({ length: 5 }, (_, i) => `after-${i}`)],
    'what only 2 and 3 held is gone, as an unclean election means',
  );

  await c.node(2).restart();
  const recovered = await waitUntil('2 back in the ISR, RECOVERED', 90_000, () => (now()?.isr.includes(2) ? now() : undefined));
  t.same([recovered.leader, recovered.leaderRecoveryState], [4, RECOVERED], 'the leader said RECOVERED as the ISR grew');
  t.ok(
    states.findIndex((s) => s.leaderRecoveryState === RECOVERING) < states.findIndex((s) => s.isr.length > 1 && s.leader === 4),
    'RECOVERING came first, the ISR grew only with RECOVERED',
  );
  t.same(await produce(c, 'last', 2), [10, 11], 'acks=all with two in sync');
});
