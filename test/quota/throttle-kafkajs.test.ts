// A producer and a consumer over their client-id's quota (set with AlterClientQuotas through the
// controller) get throttle_time_ms > 0 in their Produce/Fetch responses: kafkajs (KIP-219) logs
// "Client side throttling in effect" and backs off. Clients without a quota are never throttled.
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import t from 'tap';
import { startBroker } from '../../src/index.js';

t.setTimeout(300_000);

function throttleLogger(seen: number[]) {
  return () => (entry: LogEntry) => {
    const m = /Client side throttling in effect for (\d+)ms/.exec(String(entry.log.message));
    if (m) seen.push(Number(m[1]));
  };
}

t.test('kafkajs sees throttle_time_ms under producer and consumer byte-rate quotas', async (t) => {
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  const alter = (clientId: string, key: string, value: number) =>
    b.broker.controller.alterClientQuotas({ validateOnly: false, entries: [{ entity: [{ entityType: 'client-id', entityName: clientId }], ops: [{ key, value, remove: false }] }] });
  const r = await alter('slow-producer', 'producer_byte_rate', 20_000);
  t.equal(r.entries[0].errorCode, 0);
  t.equal((await alter('slow-consumer', 'consumer_byte_rate', 20_000)).entries[0].errorCode, 0);

  const seen: number[] = [];
  const brokers = [`127.0.0.1:${b.port}`];
  const kafka = new Kafka({ clientId: 'slow-producer', brokers, logLevel: logLevel.DEBUG, logCreator: throttleLogger(seen) });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'q', numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const value = Buffer.alloc(50_000, 1);
  // 5 x 50 kB is over 20 kB/s measured over the 10 s minimum window: the later sends are throttled.
  for (let i = 0; i < 5; i++) await producer.send({ topic: 'q', messages: [{ value }] });
  await producer.disconnect();
  t.ok(seen.length > 0 && seen.every((ms) => ms > 0), `producer throttled: ${seen.join(', ')} ms`);

  const free: number[] = [];
  const other = new Kafka({ clientId: 'free-producer', brokers, logLevel: logLevel.DEBUG, logCreator: throttleLogger(free) }).producer();
  await other.connect();
  for (let i = 0; i < 5; i++) await other.send({ topic: 'q', messages: [{ value }] });
  await other.disconnect();
  t.same(free, [], 'a client without a quota is not throttled');

  const consumed: number[] = [];
  const consumer = new Kafka({ clientId: 'slow-consumer', brokers, logLevel: logLevel.DEBUG, logCreator: throttleLogger(consumed) }).consumer({ groupId: 'g' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'q', fromBeginning: true });
  let count = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async () => {
        if (++count === 10) resolve();
      },
    });
  });
  await consumer.disconnect();
  t.equal(count, 10);
  t.ok(consumed.length > 0 && consumed.every((ms) => ms > 0), `consumer throttled: ${consumed.join(', ')} ms`);
});
