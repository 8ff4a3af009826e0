// The in-process hooks (broker.faults.onRequest / onResponse), as a test suite uses them, like
// franz-go kfake's Control: each hook sees the decoded request or response (the generated codec's
// objects), and returns nothing to go on, { request } to hand the handler another request,
// { response } to answer with it, 'drop' for no answer, or 'close' to close the connection.
// Each hook call returns its unsubscribe. The README's "Fault injection" section shows these.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';

const running = await startBroker({ port: 0, memory: true });
t.teardown(() => running.close());
const faults = running.broker.faults;

function kafka(clientId = 'hooks-example') {
  return new Kafka({ clientId, brokers: [running.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 50 } });
}
const admin = kafka().admin();
await admin.connect();
t.teardown(() => admin.disconnect());

async function highWatermark(topic: string): Promise<number> {
  const [p] = await admin.fetchTopicOffsets(topic);
  return Number(p.high);
}

t.test('watch: onRequest sees every request, decoded', async (t) => {
  const seen: string[] = [];
  const stop = faults.onRequest((call) => {
    seen.push(`${call.clientId} ${call.api} v${call.apiVersion}`);
  });
  await admin.createTopics({ topics: [{ topic: 'watched', numPartitions: 1 }], waitForLeaders: true });
  stop();
  t.ok(seen.some((s) => /^hooks-example CreateTopics v\d+$/.test(s)), seen.join('\n'));
  t.ok(faults.idle, 'unsubscribed: requests go straight to their handlers again');
});

t.test('rewrite a request: CreateTopics asks for 3 partitions instead of 1', async (t) => {
  const stop = faults.onRequest((call) => {
    if (call.api !== 'CreateTopics') return;
    return { request: { ...call.request, topics: call.request.topics.map((tp: any) => ({ ...tp, numPartitions: 3 })) } };
  });
  await admin.createTopics({ topics: [{ topic: 'widened', numPartitions: 1 }], waitForLeaders: true });
  stop();
  const md = await admin.fetchTopicMetadata({ topics: ['widened'] });
  t.equal(md.topics[0].partitions.length, 3);
});

t.test('answer without the handler: ListGroups lists a group that does not exist', async (t) => {
  const stop = faults.onRequest((call) => {
    if (call.api !== 'ListGroups') return;
    return { response: { throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'phantom', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }] } };
  });
  const { groups } = await admin.listGroups();
  stop();
  t.same(groups, [{ groupId: 'phantom', protocolType: 'consumer' }]);
});

t.test('rewrite a response: the first Produce is stored but answered NOT_ENOUGH_REPLICAS_AFTER_APPEND, and a producer without idempotence stores it twice', async (t) => {
  await admin.createTopics({ topics: [{ topic: 'lost-ack', numPartitions: 1 }], waitForLeaders: true });
  let first = true;
  const stop = faults.onResponse((call) => {
    if (call.api !== 'Produce' || !first) return;
    first = false;
    for (const topic of call.response.responses) for (const p of topic.partitionResponses) p.errorCode = 20; // NOT_ENOUGH_REPLICAS_AFTER_APPEND
    return { response: call.response };
  });
  const producer = kafka().producer({ idempotent: false });
  await producer.connect();
  await producer.send({ topic: 'lost-ack', messages: [{ value: 'once?' }], acks: -1 });
  await producer.disconnect();
  stop();
  t.equal(await highWatermark('lost-ack'), 2, 'the retry appended the record a second time');
});

t.test("'close' closes the connection before the handler runs: the retried Produce is stored once", async (t) => {
  await admin.createTopics({ topics: [{ topic: 'closed', numPartitions: 1 }], waitForLeaders: true });
  let closes = 0;
  const stop = faults.onRequest((call) => {
    if (call.api === 'Produce' && closes === 0) {
      closes++;
      return 'close';
    }
  });
  const producer = kafka('closing').producer({ idempotent: false });
  await producer.connect();
  await producer.send({ topic: 'closed', messages: [{ value: 'x' }], acks: -1 });
  await producer.disconnect();
  stop();
  t.equal(closes, 1);
  t.equal(await highWatermark('closed'), 1);
});

t.test('hooks and faults together: the hook sees the request first, the fault answers it', async (t) => {
  await admin.createTopics({ topics: [{ topic: 'both', numPartitions: 1 }], waitForLeaders: true });
  const answers: number[] = [];
  const stopRes = faults.onResponse((call) => {
    if (call.api === 'Produce') answers.push(call.response.responses[0].partitionResponses[0].errorCode);
  });
  faults.add({ api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', times: 1, topic: 'both' });
  const producer = kafka().producer({ idempotent: true });
  await producer.connect();
  await producer.send({ topic: 'both', messages: [{ value: 'y' }], acks: -1 });
  await producer.disconnect();
  stopRes();
  faults.clear();
  t.same(answers, [6, 0], 'the injected error, then the real answer');
  t.equal(await highWatermark('both'), 1);
});
