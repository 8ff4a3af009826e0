// KIP-848 online migration end to end with Apache Kafka 4.4.0 VerifiableConsumers: a classic group of
// two consumers (group.protocol=classic); one is restarted with group.protocol=consumer, which
// upgrades the group to a consumer group with the other still a classic member; then that one stops,
// the last consumer-protocol member, and the group downgrades to classic. Records produced in each
// phase are read exactly once throughout; kafka-consumer-groups --list --type shows the group type.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { kafkaTool } from '../helpers/kafka-tool.js';

const TOPIC = 'migrate';
const GROUP = 'migrate-readers';
const PARTITIONS = 4;
const PER_PHASE = 200;

interface Reader {
  proc: ChildProcess;
  owned: Set<number>;
  ranges: { partition: number; minOffset: number; maxOffset: number; count: number }[];
  stderr: string;
  closed: Promise<number | null>;
}

function startReader(bootstrap: string, name: string, protocol: 'classic' | 'consumer'): Reader {
  const args = ['java', 'org.apache.kafka.tools.VerifiableConsumer', '--bootstrap-server', bootstrap, '--topic', TOPIC, '--group-id', GROUP, '--group-protocol', protocol, '--reset-policy', 'earliest'];
  const proc = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CLIENT_ID: name } });
  const r: Reader = { proc, owned: new Set(), ranges: [], stderr: '', closed: Promise.resolve(null) };
  let buf = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line);
      if (e.name === 'partitions_assigned') for (const p of e.partitions) r.owned.add(p.partition);
      if (e.name === 'partitions_revoked') for (const p of e.partitions) r.owned.delete(p.partition);
      if (e.name === 'records_consumed') for (const p of e.partitions) r.ranges.push({ partition: p.partition, minOffset: p.minOffset, maxOffset: p.maxOffset, count: p.count });
    }
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (r.stderr += d));
  r.closed = new Promise((resolve) => proc.on('close', resolve));
  return r;
}

async function waitFor(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('classic -> consumer -> classic with Java 4.4 consumers: every partition consumed, every record read once', async (t) => {
  const b = await startBroker({ port: 0, memory: true, config: { 'offsets.topic.num.partitions': '1' } });
  t.teardown(() => b.close());
  const bootstrap = `127.0.0.1:${b.port}`;
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());

  const all: Reader[] = [];
  const start = (name: string, protocol: 'classic' | 'consumer') => {
    const r = startReader(bootstrap, name, protocol);
    all.push(r);
    return r;
  };
  t.teardown(async () => {
    for (const r of all) r.proc.kill('SIGKILL');
    await Promise.all(all.map((r) => r.closed));
  });
  const tool = (...args: string[]) => kafkaTool('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', '--bootstrap-server', bootstrap, ...args);
  const groupType = async () => {
    const out = (await tool('--list', '--type')).out;
    return new RegExp(`^${GROUP}\\s+(\\w+)`, 'm').exec(out)?.[1]?.toLowerCase();
  };
  let produced = 0;
  const produce = async () => {
    await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: PER_PHASE }, (_, i) => ({ partition: (produced + i) % PARTITIONS, value: `v${produced + i}` })) });
    produced += PER_PHASE;
  };
  const total = () => all.reduce((n, r) => n + r.ranges.reduce((m, x) => m + x.count, 0), 0);
  const split = async (what: string, readers: Reader[]) => {
    try {
      await waitFor(what, 120_000, () => readers.every((r) => r.owned.size > 0) && readers.flatMap((r) => [...r.owned]).length === PARTITIONS && new Set(readers.flatMap((r) => [...r.owned])).size === PARTITIONS);
    } catch (e) {
      t.comment(all.map((r) => r.stderr.slice(-3000)).join('\n---\n'));
      throw new Error(`${(e as Error).message}; owned: ${JSON.stringify(readers.map((r) => [...r.owned]))}`);
    }
  };
  const readAll = async (what: string) => {
    await waitFor(what, 120_000, () => total() >= produced);
    await new Promise((r) => setTimeout(r, 1500));
    t.equal(total(), produced, `${what}: no record read twice`);
  };

  // 1. A classic group of two.
  const a = start('reader-a', 'classic');
  const b1 = start('reader-b', 'classic');
  await split('the classic group to split the partitions', [a, b1]);
  t.equal(await groupType(), 'classic');
  await produce();
  await readAll('classic phase');

  // 2. b restarts with group.protocol=consumer: the group upgrades, a stays a classic member.
  b1.proc.kill('SIGTERM');
  await b1.closed;
  await split('a to take over', [a]);
  const b2 = start('reader-b2', 'consumer');
  await split('the upgraded group to split the partitions', [a, b2]);
  t.equal(await groupType(), 'consumer', 'upgraded to a consumer group');
  const described = await tool('--describe', '--group', GROUP, '--members', '--verbose');
  t.comment(described.out);
  const upgraded = described.out.split('\n').filter((l) => l.startsWith(GROUP)).map((l) => l.trim().split(/\s+/).pop()).sort();
  t.same(upgraded, ['false', 'true'], 'UPGRADED: the classic member (false) and the consumer-protocol member (true) in one consumer group');
  await produce();
  await readAll('upgraded phase');

  // 3. b2, the last consumer-protocol member, stops: the group is classic again with a alone.
  b2.proc.kill('SIGTERM');
  await b2.closed;
  await split('a to own every partition after the downgrade', [a]);
  await waitFor('the group to be classic again', 60_000, async () => (await groupType()) === 'classic');
  t.pass('downgraded to a classic group');
  await produce();
  await readAll('downgraded phase');

  for (let p = 0; p < PARTITIONS; p++) {
    const ranges = all.flatMap((r) => r.ranges.filter((x) => x.partition === p)).sort((x, y) => x.minOffset - y.minOffset);
    let next = 0;
    for (const x of ranges) {
      t.equal(x.minOffset, next, `partition ${p}: read from ${next} on`);
      next = x.maxOffset + 1;
    }
    t.equal(next, produced / PARTITIONS, `partition ${p}: every offset read`);
  }
});
