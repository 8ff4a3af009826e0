// kafkajs retrying through faults set over HTTP (POST /api/faults on samsa.http.port): produce
// errors, a delayed and a failed fetch, a closed connection on Metadata. Each case asserts the
// client succeeded and that GET /api/faults shows the fault used up (0 remaining).
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';

const broker = await startBroker({ port: 0, memory: true, httpPort: 0, config: { 'num.partitions': '1' } });
t.teardown(() => broker.close());
const base = `http://127.0.0.1:${broker.httpPort}`;

async function http(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

async function faults(): Promise<any[]> {
  const r = await http('GET', '/api/faults');
  return r.json.faults;
}

function kafka(clientId: string) {
  return new Kafka({ clientId, brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50, maxRetryTime: 500 } });
}

const admin = kafka('setup').admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }], waitForLeaders: true });
t.teardown(() => admin.disconnect());

t.test('the HTTP API: add, list, refuse, delete', async (t) => {
  const added = await http('POST', '/api/faults', { api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', times: 2 });
  t.equal(added.status, 201);
  t.match(added.json, { id: Number, api: 'Produce', apiKey: 0, error: 'NOT_LEADER_OR_FOLLOWER', errorCode: 6, times: 2, remaining: 2, matched: 0 });
  const list = await faults();
  t.equal(list.length, 1);
  t.equal(list[0].remaining, 2);
  const bad = await http('POST', '/api/faults', { api: 'Produce', error: 'NO_SUCH_ERROR' });
  t.equal(bad.status, 400);
  t.match(bad.json.error, /unknown error/);
  t.equal((await http('POST', '/api/faults', [{ api: 'Fetch', delayMs: 10 }, { api: 'Nope', delayMs: 10 }])).status, 400);
  t.equal((await faults()).length, 1, 'an array is added all or none');
  t.equal((await http('DELETE', `/api/faults/${added.json.id}`)).status, 200);
  t.equal((await http('DELETE', `/api/faults/${added.json.id}`)).status, 404);
  t.same(await faults(), []);
});

t.test('Produce: NOT_LEADER_OR_FOLLOWER twice, then the producer succeeds', async (t) => {
  await http('DELETE', '/api/faults');
  await http('POST', '/api/faults', { api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', times: 2 });
  const producer = kafka('retrying-producer').producer({ idempotent: true });
  await producer.connect();
  const [res] = await producer.send({ topic: 'orders', messages: [{ key: 'k', value: 'v1' }], acks: -1 });
  await producer.disconnect();
  t.equal(res.errorCode, 0);
  t.equal(Number(res.baseOffset), 0);
  const [f] = await faults();
  t.equal(f.remaining, 0, 'both injected errors were consumed');
  t.equal(f.matched, 2);
});

// One fault per request, the first matching one in the order added.
t.test('Produce: REQUEST_TIMED_OUT once, then a 1.5 s delay, on the topic only', async (t) => {
  await http('DELETE', '/api/faults');
  await http('POST', '/api/faults', [
    { api: 'Produce', error: 'REQUEST_TIMED_OUT', times: 1, topic: 'orders' },
    { api: 'Produce', delayMs: 1500, times: 1, topic: 'orders' },
  ]);
  const producer = kafka('slow-producer').producer({ idempotent: true });
  await producer.connect();
  const [res] = await producer.send({ topic: 'orders', messages: [{ value: 'v2' }], acks: -1 });
  await producer.disconnect();
  t.equal(res.errorCode, 0);
  t.equal(Number(res.baseOffset), 1, 'stored once, after v1');
  t.same(
    (await faults()).map((f) => f.remaining),
    [0, 0],
  );
});

t.test('Metadata: the connection closed once, the producer reconnects', async (t) => {
  await http('DELETE', '/api/faults');
  const producer = kafka('reconnecting-producer').producer();
  await producer.connect();
  await http('POST', '/api/faults', { api: 'Metadata', action: 'close-connection', times: 1, clientId: 'reconnecting-producer' });
  const [res] = await producer.send({ topic: 'orders', messages: [{ value: 'v3' }] });
  await producer.disconnect();
  t.equal(res.errorCode, 0);
  const [f] = await faults();
  t.equal(f.remaining, 0);
});

t.test('Fetch: NOT_LEADER_OR_FOLLOWER twice and a delay, the consumer reads everything', async (t) => {
  await http('DELETE', '/api/faults');
  await http('POST', '/api/faults', [
    { api: 'Fetch', error: 'NOT_LEADER_OR_FOLLOWER', times: 2, clientId: 'retrying-consumer', topic: 'orders' },
    { api: 'Fetch', delayMs: 1000, times: 1, clientId: 'retrying-consumer' },
  ]);
  const consumer = kafka('retrying-consumer').consumer({ groupId: 'g1', maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  const got: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value!.toString());
        if (got.length === 3) resolve();
      },
    });
  });
  await consumer.disconnect();
  t.same(got, ['v1', 'v2', 'v3']);
  const list = await faults();
  t.same(
    list.map((f) => [f.remaining, f.matched]),
    [
      [0, 2],
      [0, 1],
    ],
  );
});
