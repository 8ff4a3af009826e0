// The console's view of a KIP-848 consumer group and a KIP-932 share group. A consumer group (group.protocol=consumer): Apache Kafka 4.4.0's
// VerifiableConsumer reads a topic and commits; the console (JSON API and the page in headless
// Chromium) shows the group as type consumer, its member with every partition assigned, and the
// committed offsets, end offsets and lag that kafkajs' fetchOffsets/ListOffsets report. A share
// group: Kafka 4.4.0's KafkaShareConsumer accepts every record; the console shows its member, both
// partitions, and start offsets and lag as Kafka's kafka-share-groups --describe prints them.
import t from 'tap';
import { spawn } from 'node:child_process';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
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

t.test('a share group (KIP-932): member, assignment, start offsets and lag', async (t) => {
  const topic = 'kip932-console';
  const group = 'kip932-console-readers';
  const b = await startBroker({ port: 0, httpPort: 0, memory: true, config: { 'offsets.topic.num.partitions': '1', 'share.coordinator.state.topic.num.partitions': '1' } });
  t.teardown(() => b.close());
  const url = `http://127.0.0.1:${b.httpPort}`;
  const kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `s${i}` })) });
  await producer.disconnect();
  // A new share group starts at the latest offset: Kafka's kafka-share-groups starts it at the earliest.
  const reset = await kafkaTool('org.apache.kafka.tools.consumer.group.ShareGroupCommand', '--bootstrap-server', b.bootstrap, '--reset-offsets', '--to-earliest', '--group', group, '--topic', topic, '--execute');
  t.equal(reset.code, 0, reset.out);

  const reader = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'java', path.join(REPO_ROOT, 'test/groups/fixtures/ShareReader.java'), b.bootstrap, group, topic, '1000000'], {
    stdio: ['pipe', 'pipe', 'ignore'],
    env: { ...process.env, CLIENT_ID: 'share-console' },
  });
  const closed = new Promise((resolve) => reader.on('close', resolve));
  t.teardown(async () => {
    reader.kill('SIGKILL');
    await closed;
  });
  const accepted = new Set<string>();
  let buf = '';
  reader.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.startsWith('{"event":"ack"') && line.includes('"ACCEPT"')) {
        const e = JSON.parse(line) as { partition: number; offset: number };
        accepted.add(`${e.partition}:${e.offset}`);
      }
    }
  });
  await waitFor('every record accepted', async () => accepted.size === 10, 180_000);

  type Detail = { type: string; members: { clientId: string; assignment: string[] }[]; offsets: { topic: string; partition: number; offset: number; highWatermark: number; lag: number }[] };
  const detail = await waitFor(
    'the share group\'s lag to reach 0',
    async () => {
      const d = (await (await fetch(`${url}/api/console/groups/${group}`)).json()) as Detail;
      return d.offsets.length === 2 && d.offsets.every((o) => o.lag === 0) ? d : null;
    },
    120_000,
  );
  t.equal(detail.type, 'share');
  t.equal(detail.members.length, 1);
  t.same(detail.members[0].clientId, 'share-console');
  t.same(detail.members[0].assignment, [`${topic}-0`, `${topic}-1`], 'both partitions');
  t.same(detail.offsets.map((o) => [o.partition, o.highWatermark, o.lag]), [[0, 5, 0], [1, 5, 0]], 'end offsets, lag 0');
  // The start offsets and lag as Kafka's kafka-share-groups --describe prints them.
  const described = await kafkaTool('org.apache.kafka.tools.consumer.group.ShareGroupCommand', '--bootstrap-server', b.bootstrap, '--describe', '--group', group);
  t.equal(described.code, 0, described.out);
  const rows = described.out
    .split('\n')
    .filter((l) => l.startsWith(group))
    .map((l) => l.trim().split(/\s+/))
    .map((c) => [Number(c[2]), Number(c[3]), Number(c[4])])
    .sort((a, c) => a[0] - c[0]);
  t.same(detail.offsets.map((o) => [o.partition, o.offset, o.lag]), rows, `start offset and lag per partition as kafka-share-groups shows them:\n${described.out}`);

  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${url}/groups/${group}`);
  t.equal(await page.textContent('#group-type'), 'share');
  t.equal(await page.$$eval('#lag thead th', (ths) => ths[2].textContent), 'start offset');
});
