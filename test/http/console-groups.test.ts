// The console's view of a KIP-848 consumer group (group.protocol=consumer): Apache Kafka 4.4.0's
// VerifiableConsumer reads a topic and commits; the console (JSON API and the page in headless
// Chromium) shows the group as type consumer, its member with every partition assigned, and the
// committed offsets, end offsets and lag that kafkajs' fetchOffsets/ListOffsets report.
import t from 'tap';
import { spawn } from 'node:child_process';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { launchChromium, waitFor } from './console-fixture.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'kip848-events';
const GROUP = 'kip848-console';
const MESSAGES = 40;

t.test('a consumer-protocol group: member, assignment, offsets and lag', async (t) => {
  const b = await startBroker({ port: 0, httpPort: 0, memory: true, config: { 'offsets.topic.num.partitions': '1' } });
  t.teardown(() => b.close());
  const url = `http://127.0.0.1:${b.httpPort}`;
  const admin = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 4 }] });
  const producer = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: MESSAGES }, (_, i) => ({ key: `k${i}`, value: `event ${i}` })) });
  await producer.disconnect();

  const args = ['java', 'org.apache.kafka.tools.VerifiableConsumer', '--bootstrap-server', b.bootstrap, '--topic', TOPIC, '--group-id', GROUP, '--group-protocol', 'consumer'];
  const proc = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const closed = new Promise((resolve) => proc.on('close', resolve));
  t.teardown(async () => {
    proc.kill('SIGKILL');
    await closed;
  });
  proc.stdout!.resume();

  await waitFor(
    'the consumer to commit every message',
    async () => (await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }))[0].partitions.reduce((n, p) => n + Math.max(Number(p.offset), 0), 0) === MESSAGES,
    180_000,
  );

  const listed = (await (await fetch(`${url}/api/console/groups`)).json()) as { groupId: string; type: string; state: string }[];
  t.same(listed.find((g) => g.groupId === GROUP), { groupId: GROUP, type: 'consumer', state: 'Stable', protocolType: 'consumer' });
  const detail = (await (await fetch(`${url}/api/console/groups/${GROUP}`)).json()) as {
    type: string;
    members: { clientId: string; assignment: string[] }[];
    offsets: { topic: string; partition: number; offset: number; highWatermark: number; lag: number }[];
  };
  t.equal(detail.type, 'consumer');
  t.equal(detail.members.length, 1, 'one member');
  t.same(detail.members[0].assignment, [0, 1, 2, 3].map((p) => `${TOPIC}-${p}`), 'every partition assigned to it');
  const committed = (await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }))[0].partitions;
  const ends = await admin.fetchTopicOffsets(TOPIC);
  t.same(
    detail.offsets,
    ends
      .sort((a, c) => a.partition - c.partition)
      .map((e) => ({ topic: TOPIC, partition: e.partition, offset: Number(committed.find((p) => p.partition === e.partition)!.offset), highWatermark: Number(e.high), lag: 0 })),
    'committed and end offsets as kafkajs reads them, lag 0',
  );

  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${url}/groups/${GROUP}`);
  t.equal(await page.textContent('#group-type'), 'consumer');
  t.equal(await page.textContent('#total-lag'), '0');
  t.equal(await page.$$eval('#lag tbody tr', (rows) => rows.length), 4, 'a lag row per partition');
});
