// Quotas on the wire, request by request, as Kafka 4.4 answers them: a consumer over its
// consumer_byte_rate gets an empty Fetch (no partitions, no new session; an incremental session
// keeps its id) with throttle_time_ms, and its fetch max bytes are capped to one quota window; a
// client over controller_mutation_rate (KIP-599) gets THROTTLING_QUOTA_EXCEEDED for the topics it
// asks for once its token bucket is below zero (strict: CreateTopics v6+, DeleteTopics v5+,
// CreatePartitions v3+), only a throttle before those versions; request_percentage throttles any
// API by at most one quota window. Clients without a quota are never throttled.
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { DeleteTopicsRequest } from '../../src/protocol/generated/delete-topics-request.js';
import { DeleteTopicsResponse } from '../../src/protocol/generated/delete-topics-response.js';
import { CreatePartitionsRequest } from '../../src/protocol/generated/create-partitions-request.js';
import { CreatePartitionsResponse } from '../../src/protocol/generated/create-partitions-response.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { WireConnection } from '../helpers/wire.js';
import { buildBatch, produceRaw } from '../helpers/batch-builder.js';
import { ZERO_UUID } from '../../src/metadata/uuid.js';

t.setTimeout(300_000);

const THROTTLING_QUOTA_EXCEEDED = 89;

interface Codec<T> {
  apiKey: number;
  name: string;
  firstFlexibleVersion: number;
  encode(w: Writer, v: number, m: T): void;
  decode(r: Reader, v: number): T;
}

/** One request under `clientId` over `conn`, with the generated codecs. */
async function call<Req, Res>(conn: WireConnection, clientId: string, req: Codec<Req>, res: Codec<Res>, version: number, body: Req): Promise<Res> {
  const w = new Writer();
  req.encode(w, version, body);
  const flexible = req.firstFlexibleVersion >= 0 && version >= req.firstFlexibleVersion;
  const frame = await conn.request(req.apiKey, version, w.toBuffer(), { headerVersion: flexible ? 2 : 1, clientId, timeoutMs: 60_000 });
  const r = new Reader(frame);
  r.int32();
  if (flexible) r.taggedFields();
  return res.decode(r, version);
}

async function quota(b: RunningBroker, clientId: string, key: string, value: number): Promise<void> {
  const r = await b.broker.controller.alterClientQuotas({ validateOnly: false, entries: [{ entity: [{ entityType: 'client-id', entityName: clientId }], ops: [{ key, value, remove: false }] }] });
  if (r.entries[0].errorCode !== 0) throw new Error(`AlterClientQuotas: ${r.entries[0].errorMessage}`);
}

function fetchBody(topic: string, offset: number, sessionId = 0, sessionEpoch = -1) {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 50 << 20,
    isolationLevel: 0,
    sessionId,
    sessionEpoch,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 10 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

const recordBytes = (r: FetchResponse) => r.responses.reduce((n, tr) => n + tr.partitions.reduce((m, p) => m + ((p.records as Buffer | null)?.length ?? 0), 0), 0);

async function topicWith(b: RunningBroker, conn: WireConnection, topic: string, batches: number, batchBytes: number): Promise<void> {
  await b.broker.createTopic(topic, 1, {});
  for (let i = 0; i < batches; i++) {
    const batch = buildBatch([{ key: null, value: Buffer.alloc(batchBytes, i), headers: [], timestamp: Date.now() }], 'none');
    const [err] = await produceRaw(conn, topic, 0, batch);
    if (err !== 0) throw new Error(`produce: ${err}`);
  }
}

t.test('a consumer over consumer_byte_rate gets an empty Fetch with throttle_time_ms', async (t) => {
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  const conn = await WireConnection.connect(b.host, b.port);
  t.teardown(() => conn.destroy());
  await topicWith(b, conn, 'f', 3, 50_000);
  // 20 kB/s: one window (10 s minimum) allows 200 kB; 150 kB fits, a second 150 kB does not.
  await quota(b, 'slow-fetch', 'consumer_byte_rate', 20_000);
  const slow = await WireConnection.connect(b.host, b.port);
  t.teardown(() => slow.destroy());

  const first = await call(slow, 'slow-fetch', FetchRequest, FetchResponse, 12, fetchBody('f', 0, 0, 0));
  t.equal(first.throttleTimeMs, 0, 'the first fetch is within the quota');
  t.ok(recordBytes(first) > 150_000, `it carries the records (${recordBytes(first)} bytes)`);
  t.not(first.sessionId, 0, 'and opens a session');

  const second = await call(slow, 'slow-fetch', FetchRequest, FetchResponse, 12, fetchBody('f', 0, 0, 0));
  t.ok(second.throttleTimeMs > 0, `over the quota: throttle_time_ms ${second.throttleTimeMs}`);
  t.equal(second.errorCode, 0);
  t.same(second.responses, [], 'no partitions, no data');
  t.equal(second.sessionId, 0, 'a throttled full fetch opens no session');

  // Kafka unrecords a throttled fetch's bytes: once the mute is over the rate is what the first fetch took.
  // This connection was muted for the throttle time; the next fetch is read once it is over.
  const incremental = await call(slow, 'slow-fetch', FetchRequest, FetchResponse, 12, fetchBody('f', 3, first.sessionId, 1));
  t.equal(incremental.throttleTimeMs, 0, 'the throttled fetch was not counted');
  t.equal(incremental.sessionId, first.sessionId, 'the session goes on');
  t.equal(incremental.errorCode, 0);

  // Another client on the same topic is not throttled.
  const free = await call(conn, 'free-fetch', FetchRequest, FetchResponse, 12, fetchBody('f', 0));
  t.equal(free.throttleTimeMs, 0);
  t.ok(recordBytes(free) > 150_000);
});

t.test('a consumer fetch is capped to what one quota window allows (getMaxValueInQuotaWindow)', async (t) => {
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  const conn = await WireConnection.connect(b.host, b.port);
  t.teardown(() => conn.destroy());
  await topicWith(b, conn, 'cap', 8, 30_000);
  // 10 kB/s x (11 - 1) windows of 1 s: at most 100 kB per fetch (whole batches of ~30 kB: 3).
  await quota(b, 'capped', 'consumer_byte_rate', 10_000);
  const r = await call(conn, 'capped', FetchRequest, FetchResponse, 12, fetchBody('cap', 0));
  const bytes = recordBytes(r);
  t.ok(bytes > 0 && bytes <= 100_000, `${bytes} bytes of 240 kB returned`);
  const free = await call(conn, 'uncapped', FetchRequest, FetchResponse, 12, fetchBody('cap', 0));
  t.ok(recordBytes(free) > 230_000, `without a quota all of it: ${recordBytes(free)} bytes`);
});

const creatable = (name: string, numPartitions: number) => ({ name, numPartitions, replicationFactor: -1, assignments: [], configs: [] });

t.test('controller_mutation_rate: THROTTLING_QUOTA_EXCEEDED once the token bucket is below zero (KIP-599)', async (t) => {
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  // A throttled response mutes its connection until the bucket is back at zero: each request
  // here goes on a connection of its own, so it reaches the broker while the bucket is still below.
  const fresh = async () => {
    const c = await WireConnection.connect(b.host, b.port);
    t.teardown(() => c.destroy());
    return c;
  };
  const conn = await fresh();
  // 1 partition/s: a bucket of 11 (quota x 11 windows of 1 s).
  await quota(b, 'admin', 'controller_mutation_rate', 1);
  const create = async (version: number, topics: ReturnType<typeof creatable>[]) =>
    call(await fresh(), 'admin', CreateTopicsRequest, CreateTopicsResponse, version, { topics, timeoutMs: 30_000, validateOnly: false });

  const r = await create(7, [creatable('m1', 5), creatable('m2', 5), creatable('m3', 5), creatable('m4', 1)]);
  const codes = Object.fromEntries(r.topics.map((x) => [x.name, x.errorCode]));
  // 11 - 5 - 5 = 1 >= 0, so m3 passes and takes the bucket to -4; m4 finds it below zero.
  t.same(codes, { m1: 0, m2: 0, m3: 0, m4: THROTTLING_QUOTA_EXCEEDED }, 'the topic asked for below zero is refused');
  t.equal(r.topics.find((x) => x.name === 'm4')?.errorMessage, 'The throttling quota has been exceeded.');
  t.ok(r.throttleTimeMs > 0 && r.throttleTimeMs <= 4000, `throttle_time_ms ${r.throttleTimeMs} (4 tokens short at 1/s)`);
  t.notOk(b.broker.topics.get('m4'), 'm4 was not created');

  const del = await call(await fresh(), 'admin', DeleteTopicsRequest, DeleteTopicsResponse, 6, { topics: [{ name: 'm1', topicId: ZERO_UUID }], timeoutMs: 30_000 });
  t.equal(del.responses[0].errorCode, THROTTLING_QUOTA_EXCEEDED, 'DeleteTopics v6 is strict too');
  t.ok(del.throttleTimeMs > 0);
  t.ok(b.broker.topics.get('m1'), 'm1 is still there');

  const parts = await call(await fresh(), 'admin', CreatePartitionsRequest, CreatePartitionsResponse, 3, { topics: [{ name: 'm1', count: 6, assignments: null }], timeoutMs: 30_000, validateOnly: false });
  t.equal(parts.results[0].errorCode, THROTTLING_QUOTA_EXCEEDED, 'CreatePartitions v3 is strict');

  // Before v6, CreateTopics' quota is permissive: the topic is created, the response throttled.
  const old = await create(5, [creatable('m5', 1)]);
  t.equal(old.topics[0].errorCode, 0, 'CreateTopics v5 creates it anyway');
  t.ok(old.throttleTimeMs > 0, `and throttles: ${old.throttleTimeMs} ms`);

  const other = await call(conn, 'other-admin', CreateTopicsRequest, CreateTopicsResponse, 7, { topics: [creatable('o1', 20)], timeoutMs: 30_000, validateOnly: false });
  t.equal(other.topics[0].errorCode, 0, 'a client without the quota creates 20 partitions');
  t.equal(other.throttleTimeMs, 0);
});

t.test('request_percentage throttles any API, by at most one quota window', async (t) => {
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  const conn = await WireConnection.connect(b.host, b.port);
  t.teardown(() => conn.destroy());
  await b.broker.createTopic('rq', 1, {});
  // A millionth of one thread: a few Metadata requests are over it.
  await quota(b, 'busy', 'request_percentage', 0.000001);
  const metadata = (clientId: string) =>
    call(conn, clientId, MetadataRequest, MetadataResponse, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  let throttled = 0;
  for (let i = 0; i < 5; i++) {
    const r = await metadata('busy');
    if (r.throttleTimeMs > 0) {
      throttled++;
      t.ok(r.throttleTimeMs <= 1000, `throttle_time_ms ${r.throttleTimeMs} is at most one window (quota.window.size.seconds=1)`);
    }
  }
  t.ok(throttled > 0, `${throttled} of 5 Metadata responses throttled`);
  t.equal((await metadata('idle')).throttleTimeMs, 0, 'another client is not');
});
