// A broker with its HTTP port and data the console shows: topics with JSON and binary messages
// (produced by kafkajs), a classic consumer group whose member is paused with a known lag, and
// headless Chromium (Debian's /usr/bin/chromium through playwright-core). Used by
// console.test.ts and the screenshot script (console-screenshots.ts).
import kafkajs, { type Admin, type Consumer, type Kafka as KafkaClient, type Producer } from 'kafkajs';
import { chromium, type Browser } from 'playwright-core';
import { startBroker, type RunningBroker } from '../../src/index.js';

const { Kafka, logLevel } = kafkajs;

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Binary values of the `sensor-frames` topic: bytes no text or JSON rendering could show. */
export const BINARY_VALUES = [Buffer.from([0x00, 0x01, 0x02, 0xfe, 0xff]), Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0x00, 0x7f]), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
export const SEED_ORDERS = 30;
/** Orders produced after the group committed the first SEED_ORDERS: the group's lag. */
export const LAGGING_ORDERS = 12;
export const GROUP = 'billing';

export interface ConsoleFixture {
  broker: RunningBroker;
  /** The console's base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  kafka: KafkaClient;
  admin: Admin;
  producer: Producer;
  close(): Promise<void>;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function order(i: number) {
  return {
    key: `customer-${i % 5}`,
    value: JSON.stringify({ order: 1000 + i, customer: `customer-${i % 5}`, items: (i % 3) + 1, total: Math.round((19.9 + i * 3.15) * 100) / 100 }),
    headers: { source: i % 2 === 0 ? 'web' : 'mobile', 'trace-id': `t-${(i * 7919).toString(16)}` },
  };
}

export async function startConsoleFixture(dataDir: string): Promise<ConsoleFixture> {
  const broker = await startBroker({ port: 0, httpPort: 0, dataDir, config: { 'offsets.topic.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' } });
  const kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'console-fixture', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let consumer: Consumer | null = null;
  const close = async () => {
    await consumer?.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
    await broker.close();
  };
  try {
    await admin.createTopics({
      topics: [
        { topic: 'orders', numPartitions: 3 },
        { topic: 'sensor-frames', numPartitions: 1 },
        { topic: 'audit-log', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '86400000' }] },
      ],
    });
    await producer.send({ topic: 'orders', acks: -1, messages: Array.from({ length: SEED_ORDERS }, (_, i) => order(i)) });
    await producer.send({ topic: 'sensor-frames', acks: -1, messages: BINARY_VALUES.map((value, i) => ({ key: `sensor-${i}`, value })) });
    await producer.send({ topic: 'audit-log', acks: -1, messages: [{ key: 'admin', value: 'topic orders created' }, { key: 'admin', value: 'retention of audit-log set to 1 day' }] });

    // The group reads every seeded order and commits, then pauses: later orders are its lag.
    // Short fetch waits: once paused, no fetch sent before the pause is still out when the lagging orders come.
    consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: 30_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    await waitFor('the group to commit every seeded order', async () => {
      const offsets = await admin.fetchOffsets({ groupId: GROUP, topics: ['orders'] });
      return offsets[0].partitions.reduce((n, p) => n + Math.max(Number(p.offset), 0), 0) === SEED_ORDERS;
    });
    consumer.pause([{ topic: 'orders' }]);
    await new Promise((r) => setTimeout(r, 1000));
    await producer.send({ topic: 'orders', acks: -1, messages: Array.from({ length: LAGGING_ORDERS }, (_, i) => order(SEED_ORDERS + i)) });
  } catch (e) {
    await close();
    throw e;
  }
  return { broker, url: `http://127.0.0.1:${broker.httpPort}`, kafka, admin, producer, close };
}

export function launchChromium(): Promise<Browser> {
  // Root in CI: Chromium's sandbox needs user namespaces it may not get.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
