// broker.faults in-process, driven by kafkajs (its own codecs decode the error responses the fault
// registry builds from the schemas): errors on Produce retried without duplicates, an error on one
// topic of a two-topic produce, Metadata errors and a closed connection, a delayed Fetch, and the
// specs the registry refuses.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';

const broker = await startBroker({ port: 0, memory: true, config: { 'num.partitions': '1' } });
t.teardown(() => broker.close());
const faults = broker.broker.faults;

function kafka(clientId = 'faults-test') {
  return new Kafka({ clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50, maxRetryTime: 500 } });
}

const admin = kafka().admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: 'a', numPartitions: 1 }, { topic: 'b', numPartitions: 1 }, { topic: 'c', numPartitions: 1 }], waitForLeaders: true });
t.teardown(() => admin.disconnect());

async function highWatermark(topic: string): Promise<number> {
  const [p] = await admin.fetchTopicOffsets(topic);
  return Number(p.high);
}

t.test('Produce NOT_LEADER_OR_FOLLOWER twice: kafkajs retries, the record is stored once', async (t) => {
  faults.clear();
  const f = faults.add({ api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', times: 2 });
  t.equal(f.remaining, 2);
  const producer = kafka().producer();
  await producer.connect();
  const [res] = await producer.send({ topic: 'a', messages: [{ value: 'one' }], acks: -1 });
  await producer.disconnect();
  t.equal(res.errorCode, 0);
  t.equal(Number(res.baseOffset), 0, 'the failed attempts appended nothing');
  const [listed] = faults.list();
  t.equal(listed.remaining, 0);
  t.equal(listed.matched, 2);
  t.equal(listed.error, 'NOT_LEADER_OR_FOLLOWER');
  t.equal(await highWatermark('a'), 1);
  t.ok(faults.idle, 'a used-up fault costs nothing');
});

t.test('a topic filter fails only that topic of a two-topic produce; the other is appended once', async (t) => {
  faults.clear();
  faults.add({ api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', topic: 'b', times: 1 });
  // kafkajs resends the whole request; idempotence makes the resent c batch a duplicate.
  const producer = kafka().producer({ idempotent: true });
  await producer.connect();
  const before = await highWatermark('c');
  const res = await producer.sendBatch({ acks: -1, topicMessages: [{ topic: 'b', messages: [{ value: 'b1' }] }, { topic: 'c', messages: [{ value: 'c1' }] }] });
  await producer.disconnect();
  t.same(res.map((r) => [r.topicName, r.errorCode]).sort(), [['b', 0], ['c', 0]]);
  t.equal(faults.list()[0].remaining, 0);
  t.equal(await highWatermark('b'), 1);
  t.equal(await highWatermark('c'), before + 1, 'c was not appended twice');
});

t.test('Metadata: a topic error retried by the admin client', async (t) => {
  faults.clear();
  const other = kafka('metadata-client').admin();
  await other.connect();
  faults.add({ api: 'Metadata', error: 'LEADER_NOT_AVAILABLE', topic: 'a', times: 2, clientId: 'metadata-client' });
  const md = await other.fetchTopicMetadata({ topics: ['a'] });
  await other.disconnect();
  t.equal(md.topics[0].name, 'a');
  t.equal(md.topics[0].partitions.length, 1);
  t.equal(faults.list()[0].remaining, 0);
});

t.test('Metadata: a closed connection, and the producer reconnects', async (t) => {
  faults.clear();
  const producer = kafka('closing-client').producer();
  await producer.connect();
  faults.add({ api: 'Metadata', action: 'close-connection', times: 1, clientId: 'closing-client' });
  // The producer has no metadata for c yet: its first Metadata request is the one closed.
  const [res] = await producer.send({ topic: 'c', messages: [{ value: 'after-close' }] });
  await producer.disconnect();
  t.equal(res.errorCode, 0);
  t.equal(faults.list()[0].remaining, 0);
  t.equal(faults.list()[0].matched, 1);
});

t.test('a connection filter: only requests on that client connection', async (t) => {
  faults.clear();
  const mine = kafka('conn-a').admin();
  const theirs = kafka('conn-b').admin();
  await mine.connect();
  await theirs.connect();
  let conn: string | null = null;
  const stop = faults.onRequest((call) => {
    if (call.clientId === 'conn-a' && call.api === 'Metadata') conn = call.connection;
  });
  await mine.fetchTopicMetadata({ topics: ['a'] });
  stop();
  t.match(conn, /^127\.0\.0\.1:\d+$/);
  faults.add({ api: 'Metadata', error: 'LEADER_NOT_AVAILABLE', topic: 'a', times: 1, connection: conn! });
  await theirs.fetchTopicMetadata({ topics: ['a'] });
  t.equal(faults.list()[0].remaining, 1, 'another connection is not affected');
  await mine.fetchTopicMetadata({ topics: ['a'] });
  t.equal(faults.list()[0].remaining, 0, 'the filtered connection met the fault (and kafkajs retried)');
  await mine.disconnect();
  await theirs.disconnect();
});

t.test('a delayed Fetch still delivers', async (t) => {
  faults.clear();
  const producer = kafka().producer();
  await producer.connect();
  await producer.send({ topic: 'c', messages: [{ value: 'late' }] });
  await producer.disconnect();
  faults.add({ api: 'Fetch', delayMs: 1500, times: 1, clientId: 'slow-consumer' });
  const consumer = kafka('slow-consumer').consumer({ groupId: 'slow', maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'c', fromBeginning: true });
  const got: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value!.toString());
        if (got.includes('late')) resolve();
      },
    });
  });
  await consumer.disconnect();
  t.ok(got.includes('late'));
  t.equal(faults.list()[0].remaining, 0);
  t.equal(faults.list()[0].matched, 1);
});

t.test('a delayed Produce keeps its place: the request behind it on the connection waits (Kafka handles one at a time)', async (t) => {
  faults.clear();
  await admin.createTopics({ topics: [{ topic: 'ordered', numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka('ordered').producer({ idempotent: false });
  await producer.connect();
  await producer.send({ topic: 'ordered', messages: [{ value: 'warm-up' }] });
  faults.add({ api: 'Produce', delayMs: 1000, times: 1, clientId: 'ordered' });
  const answered: [number, number][] = [];
  const stop = faults.onResponse((call) => {
    if (call.api === 'Produce' && call.clientId === 'ordered') answered.push([call.correlationId, Number(call.response.responses[0].partitionResponses[0].baseOffset)]);
  });
  // Two requests in flight on the same connection: the first is held, the second arrives meanwhile.
  await Promise.all([producer.send({ topic: 'ordered', messages: [{ value: 'x' }] }), producer.send({ topic: 'ordered', messages: [{ value: 'y' }] })]);
  await producer.disconnect();
  stop();
  t.equal(faults.list()[0].matched, 1);
  answered.sort((a, b) => a[0] - b[0]);
  t.same(
    answered.map(([, offset]) => offset),
    [1, 2],
    'appended in the order the requests were sent',
  );
});

t.test('specs the registry refuses', async (t) => {
  t.throws(() => faults.add({ api: 'NoSuchApi', error: 'NOT_LEADER_OR_FOLLOWER' }), { name: 'FaultSpecError' });
  t.throws(() => faults.add({ api: 'Produce', error: 'NOT_AN_ERROR' }), { name: 'FaultSpecError' });
  t.throws(() => faults.add({ api: 'Produce' }), { name: 'FaultSpecError' });
  t.throws(() => faults.add({ api: 'Produce', times: 0, delayMs: 10 }), { name: 'FaultSpecError' });
  t.throws(() => faults.add({ api: 'Produce', error: 6, action: 'close-connection' }), { name: 'FaultSpecError' });
  const f = faults.add({ api: 0, error: 6 });
  t.equal(f.api, 'Produce');
  t.equal(f.error, 'NOT_LEADER_OR_FOLLOWER');
  t.equal(f.remaining, null, 'no times: every request until removed');
  t.ok(faults.remove(f.id));
  t.notOk(faults.remove(f.id));
});
