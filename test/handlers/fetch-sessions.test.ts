// Fetch sessions (KIP-227) over a real socket, checked against Kafka's FetchManager behaviour:
// a full fetch opens a session, incremental fetches name only what changed and get back only
// partitions with something new, a long poll waits on every partition of the session, forgotten
// partitions leave it (one it never had is ignored), epoch -1 closes it; unknown ids, wrong epochs
// and by-id requests on a by-name session get their session errors with no partitions; a full cache
// answers sessionless; and the broker keeps serving through all of it.
import t, { type Test } from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { FetchRequest, type FetchRequestFetchTopic, type FetchRequestForgottenTopic } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import { WireConnection, metadataV1Body, parseMetadataV1Response } from '../helpers/wire.js';
import { buildBatch, produceRaw } from '../helpers/batch-builder.js';
import { GroupWire } from '../coordinator/group-wire.js';

const NOT_FOUND = 70;
const INVALID_EPOCH = 71;
const UNKNOWN_TOPIC_ID = 100;
const TOPIC_ID_ERROR = 106;

async function broker(t: Test, slots: number): Promise<RunningBroker> {
  const b = await startBroker({ port: 0, memory: true, config: { 'num.partitions': '3', 'max.incremental.fetch.session.cache.slots': String(slots) } });
  t.teardown(() => b.close());
  return b;
}

async function createTopic(c: WireConnection, topic: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const md = parseMetadataV1Response(await c.request(3, 1, metadataV1Body([topic])));
    if (md.topics.find((x) => x.name === topic)?.partitions.length === 3) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`topic ${topic} was not created`);
}

async function produce(c: WireConnection, topic: string, partition: number, records = 1): Promise<void> {
  const batch = buildBatch([...Array(records)].map(() => ({ key: null, value: Buffer.from('value'), headers: [], timestamp: Date.now() })), 'none');
  const [err] = await produceRaw(c, topic, partition, batch);
  if (err !== 0) throw new Error(`produce failed: ${err}`);
}

interface Fetch {
  sessionId: number;
  epoch: number;
  topics?: FetchRequestFetchTopic[];
  forgotten?: FetchRequestForgottenTopic[];
  maxWaitMs?: number;
}

function byName(topic: string, parts: [number, number][]): FetchRequestFetchTopic {
  return { topic, partitions: parts.map(([partition, fetchOffset]) => ({ partition, fetchOffset, partitionMaxBytes: 1 << 20 })) };
}

function byId(topicId: string, parts: [number, number][]): FetchRequestFetchTopic {
  return { topicId, partitions: parts.map(([partition, fetchOffset]) => ({ partition, fetchOffset, partitionMaxBytes: 1 << 20 })) };
}

function fetch(w: GroupWire, version: number, f: Fetch, timeoutMs = 10_000): Promise<FetchResponse> {
  return w.call(FetchRequest, FetchResponse, version, {
    maxWaitMs: f.maxWaitMs ?? 0,
    minBytes: 1,
    maxBytes: 50 << 20,
    isolationLevel: 0,
    sessionId: f.sessionId,
    sessionEpoch: f.epoch,
    topics: f.topics ?? [],
    forgottenTopicsData: f.forgotten ?? [],
    rackId: '',
  }, timeoutMs);
}

/** "topic:partition(+records)" for each partition answered, in order. */
function answered(r: FetchResponse): string[] {
  return r.responses.flatMap((tr) => tr.partitions.map((p) => `${tr.topic || tr.topicId}:${p.partitionIndex}${p.errorCode ? ` error ${p.errorCode}` : ''}${(p.records as Buffer | null)?.length ? ' +records' : ''}`));
}

t.test('a session by topic name (v12): full, incremental, long poll, forgotten partitions, close', async (t) => {
  const b = await broker(t, 1000);
  const c = await WireConnection.connect(b.host, b.port);
  t.teardown(() => c.destroy());
  await createTopic(c, 's');
  await produce(c, 's', 0, 2);
  await produce(c, 's', 1);
  const w = await GroupWire.connect(t, b);

  const full = await fetch(w, 12, { sessionId: 0, epoch: 0, topics: [byName('s', [[0, 0], [1, 0], [2, 0]])] });
  t.equal(full.errorCode, 0);
  t.not(full.sessionId, 0, 'the full fetch opened a session');
  t.same(answered(full), ['s:0 +records', 's:1 +records', 's:2'], 'a full fetch answers every partition');
  const id = full.sessionId!;

  const quiet = await fetch(w, 12, { sessionId: id, epoch: 1, topics: [byName('s', [[0, 2], [1, 1]])] });
  t.equal(quiet.sessionId, id);
  t.same(answered(quiet), [], 'nothing changed: no partitions');

  await produce(c, 's', 2, 3);
  const news = await fetch(w, 12, { sessionId: id, epoch: 2 });
  t.same(answered(news), ['s:2 +records'], 'only the partition with new records, though the request named none');
  t.equal(news.responses[0].partitions[0].highWatermark, 3);

  // A long poll on the session: partition 1 is not in this request, only in the session.
  const polling = fetch(w, 12, { sessionId: id, epoch: 3, topics: [byName('s', [[2, 3]])], maxWaitMs: 60_000 }, 30_000);
  await new Promise((r) => setTimeout(r, 300));
  await produce(c, 's', 1);
  const woke = await polling;
  t.same(answered(woke), ['s:1 +records'], 'an append to any partition of the session ends the wait');

  const forgot = await fetch(w, 12, { sessionId: id, epoch: 4, topics: [byName('s', [[1, 2]])], forgotten: [{ topic: 's', partitions: [0, 9] }, { topic: 'never', partitions: [0] }] });
  t.equal(forgot.errorCode, 0, 'forgetting partitions the session never had is no error');
  t.same(answered(forgot), [], 'nothing new');
  await produce(c, 's', 0);
  const afterForget = await fetch(w, 12, { sessionId: id, epoch: 5 });
  t.same(answered(afterForget), [], 'a forgotten partition is no longer fetched');

  const closing = await fetch(w, 12, { sessionId: id, epoch: -1, topics: [byName('s', [[0, 0]])] });
  t.equal(closing.sessionId, 0, 'epoch -1: a sessionless answer');
  t.same(answered(closing), ['s:0 +records']);
  const gone = await fetch(w, 12, { sessionId: id, epoch: 6 });
  t.equal(gone.errorCode, NOT_FOUND, 'the closed session is gone');
});

t.test('session errors answer with no partitions, and the broker keeps serving', async (t) => {
  const b = await broker(t, 1000);
  const c = await WireConnection.connect(b.host, b.port);
  t.teardown(() => c.destroy());
  await createTopic(c, 'e');
  await produce(c, 'e', 0);
  const w = await GroupWire.connect(t, b);
  const id = (await fetch(w, 12, { sessionId: 0, epoch: 0, topics: [byName('e', [[0, 0]])] })).sessionId!;
  t.not(id, 0);

  for (const [what, version, f, error] of [
    ['an unknown session id', 12, { sessionId: id === 1 ? 2 : id - 1, epoch: 1 }, NOT_FOUND],
    ['a negative session id', 12, { sessionId: -5, epoch: 1 }, NOT_FOUND],
    ['the largest session id', 12, { sessionId: 0x7fffffff, epoch: 1 }, NOT_FOUND],
    ['an epoch ahead of the session', 12, { sessionId: id, epoch: 7 }, INVALID_EPOCH],
    ['a by-id request (v13) on a by-name session', 13, { sessionId: id, epoch: 1 }, TOPIC_ID_ERROR],
  ] as [string, number, Fetch, number][]) {
    const r = await fetch(w, version, { ...f, topics: [byName('e', [[0, 0]])] }).catch((e) => e as Error);
    if (r instanceof Error) {
      t.fail(`${what}: ${r.message}`);
      continue;
    }
    t.same({ errorCode: r.errorCode, sessionId: r.sessionId, partitions: answered(r) }, { errorCode: error, sessionId: 0, partitions: [] }, what);
  }
  const next = await fetch(w, 12, { sessionId: id, epoch: 1 });
  t.same({ errorCode: next.errorCode, sessionId: next.sessionId }, { errorCode: 0, sessionId: id }, 'the session survived the errors at epoch 1');
  const replay = await fetch(w, 12, { sessionId: id, epoch: 1 });
  t.equal(replay.errorCode, INVALID_EPOCH, 'a replayed epoch is refused');
  const plain = await fetch(w, 12, { sessionId: 0, epoch: -1, topics: [byName('e', [[0, 0]])] });
  t.same(answered(plain), ['e:0 +records'], 'sessionless fetches are still served');
});

t.test('a session by topic id (v18): forgotten by id, unknown ids answered after the others', async (t) => {
  const b = await broker(t, 1000);
  const c = await WireConnection.connect(b.host, b.port);
  t.teardown(() => c.destroy());
  await createTopic(c, 'i');
  await produce(c, 'i', 1);
  const topicId = b.broker.topics.get('i')!.topicId;
  const unknownId = 'AAAAAAAAAAAAAAAAAAAAAQ';
  const w = await GroupWire.connect(t, b);
  const full = await fetch(w, 18, { sessionId: 0, epoch: 0, topics: [byId(unknownId, [[0, 0]]), byId(topicId, [[0, 0], [1, 0]])] });
  t.same(answered(full), [`${topicId}:0`, `${topicId}:1 +records`, `${unknownId}:0 error ${UNKNOWN_TOPIC_ID}`], 'the unknown topic id is answered last');
  const id = full.sessionId!;
  t.not(id, 0);
  const inc = await fetch(w, 18, { sessionId: id, epoch: 1, topics: [byId(topicId, [[1, 1]])], forgotten: [{ topicId, partitions: [0] }] });
  t.same(answered(inc), [`${unknownId}:0 error ${UNKNOWN_TOPIC_ID}`], 'a partition with an error goes out on every fetch');
  await produce(c, 'i', 0);
  const inc2 = await fetch(w, 18, { sessionId: id, epoch: 2, forgotten: [{ topicId: unknownId, partitions: [0] }] });
  t.same(answered(inc2), [], 'partition 0 was forgotten by id, the unknown id too');
  const byNameAgain = await fetch(w, 12, { sessionId: id, epoch: 3 });
  t.equal(byNameAgain.errorCode, TOPIC_ID_ERROR, 'a by-name request (v12) on a by-id session');
});

t.test('a full cache: a new full fetch is answered sessionless; existing sessions keep working', async (t) => {
  // 8 slots over Kafka's 8 shards: one session each.
  const b = await broker(t, 8);
  const c = await WireConnection.connect(b.host, b.port);
  t.teardown(() => c.destroy());
  await createTopic(c, 'f');
  await produce(c, 'f', 0);
  const w = await GroupWire.connect(t, b);
  const ids: number[] = [];
  for (let i = 0; i < 8; i++) ids.push((await fetch(w, 12, { sessionId: 0, epoch: 0, topics: [byName('f', [[0, 0]])] })).sessionId!);
  t.ok(ids.every((id) => id !== 0), 'eight sessions');
  t.equal(new Set(ids).size, 8, 'with distinct ids');
  const ninth = await fetch(w, 12, { sessionId: 0, epoch: 0, topics: [byName('f', [[0, 0]])] });
  t.same({ errorCode: ninth.errorCode, sessionId: ninth.sessionId, partitions: answered(ninth) }, { errorCode: 0, sessionId: 0, partitions: ['f:0 +records'] }, 'no room: a sessionless answer with the data');
  const first = await fetch(w, 12, { sessionId: ids[0], epoch: 1 });
  t.same({ errorCode: first.errorCode, sessionId: first.sessionId }, { errorCode: 0, sessionId: ids[0] }, 'the first session is still there');
  // Closing one frees its shard's slot; the turn comes back to that shard after the other seven.
  await fetch(w, 12, { sessionId: ids[0], epoch: -1, topics: [] });
  const again: number[] = [];
  for (let i = 0; i < 8; i++) again.push((await fetch(w, 12, { sessionId: 0, epoch: 0, topics: [byName('f', [[0, 0]])] })).sessionId!);
  t.equal(again.filter((id) => id !== 0).length, 1, 'exactly one new session fits, in the freed slot');
});
