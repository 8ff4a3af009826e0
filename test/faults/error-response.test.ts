// The error responses the fault registry builds from the message schemas: every API the broker
// serves, at every version, encodes (a fault on any API answers in its real shape), and the error
// lands where Kafka's getErrorResponse puts it for the APIs clients retry on. Checked by decoding the
// encoded bytes with the response codec.
import t from 'tap';
import { HANDLERS } from '../../src/handlers/registry.js';
import { errorResponse } from '../../src/faults/error-response.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

const CODE = 6; // NOT_LEADER_OR_FOLLOWER

function roundTrip(apiKey: number, version: number, request: unknown): any {
  const api = HANDLERS.get(apiKey)!;
  const res = errorResponse(api.request.name, (api.response as { name: string }).name, version, request, CODE);
  const w = new Writer();
  api.response.encode(w, version, res);
  return (api.response as any).decode(new Reader(w.toBuffer()), version);
}

/** A request as a client would send it, through the request codec. */
function request(apiKey: number, version: number, body: object): unknown {
  const api = HANDLERS.get(apiKey)!;
  const w = new Writer();
  (api.request as any).encode(w, version, body);
  return api.request.decode(new Reader(w.toBuffer()), version);
}

t.test('every API at every version it serves gets an encodable error response', async (t) => {
  let checked = 0;
  for (const api of HANDLERS.values()) {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      let req: unknown;
      try {
        req = request(api.apiKey, v, {});
      } catch {
        req = {};
      }
      t.doesNotThrow(() => roundTrip(api.apiKey, v, req), `${api.request.name} v${v}`);
      checked++;
    }
  }
  t.ok(checked > 200, `${checked} API versions`);
});

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

t.test('Produce: each partition of the request, by name and by topic id', async (t) => {
  const body = { acks: -1, timeoutMs: 1000, topicData: [{ name: 'a', topicId: TOPIC_ID, partitionData: [{ index: 0, records: null }, { index: 2, records: null }] }] };
  const v3 = roundTrip(0, 3, request(0, 3, body));
  t.same(
    v3.responses.map((r: any) => [r.name, r.partitionResponses.map((p: any) => [p.index, p.errorCode, p.baseOffset])]),
    [['a', [[0, CODE, -1], [2, CODE, -1]]]],
  );
  const v13 = roundTrip(0, 13, request(0, 13, body));
  t.equal(v13.responses[0].topicId, TOPIC_ID);
  t.same(v13.responses[0].partitionResponses.map((p: any) => p.errorCode), [CODE, CODE]);
});

t.test('Fetch: each partition, empty records, the top-level error left alone', async (t) => {
  const body = { maxWaitMs: 1, minBytes: 1, topics: [{ topic: 'a', topicId: TOPIC_ID, partitions: [{ partition: 1, fetchOffset: 5, partitionMaxBytes: 100 }] }] };
  for (const v of [4, 12, 17]) {
    const res = roundTrip(1, v, request(1, v, body));
    t.equal(res.errorCode ?? 0, 0, `v${v} top-level`);
    const p = res.responses[0].partitions[0];
    t.equal(p.partitionIndex, 1);
    t.equal(p.errorCode, CODE);
    t.equal(p.highWatermark, -1);
    t.equal(Buffer.concat([].concat(p.records ?? [])).length, 0, `v${v} records empty`);
  }
});

t.test('Metadata, ListOffsets, FindCoordinator, DescribeGroups, OffsetFetch, DeleteTopics: the entries the request names', async (t) => {
  const md = roundTrip(3, 12, request(3, 12, { topics: [{ name: 'a', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }] }));
  t.same(md.topics.map((x: any) => [x.name, x.errorCode]), [['a', CODE]]);
  const lo = roundTrip(2, 7, request(2, 7, { replicaId: -1, topics: [{ name: 'a', partitions: [{ partitionIndex: 3, timestamp: -1 }] }] }));
  t.same(lo.topics[0].partitions.map((p: any) => [p.partitionIndex, p.errorCode]), [[3, CODE]]);
  const fc3 = roundTrip(10, 3, request(10, 3, { key: 'g', keyType: 0 }));
  t.equal(fc3.errorCode, CODE, 'v3: the top-level error');
  const fc4 = roundTrip(10, 4, request(10, 4, { keyType: 0, coordinatorKeys: ['g1', 'g2'] }));
  t.same(fc4.coordinators.map((c: any) => [c.key, c.errorCode]), [['g1', CODE], ['g2', CODE]], 'v4+: each key');
  const dg = roundTrip(15, 5, request(15, 5, { groups: ['g'] }));
  t.same(dg.groups.map((g: any) => [g.groupId, g.errorCode]), [['g', CODE]]);
  const of = roundTrip(9, 9, request(9, 9, { groups: [{ groupId: 'g', topics: [{ name: 'a', partitionIndexes: [0, 1] }] }] }));
  t.equal(of.groups[0].errorCode, CODE);
  t.same(of.groups[0].topics[0].partitions.map((p: any) => [p.partitionIndex, p.errorCode]), [[0, CODE], [1, CODE]]);
  const dt = roundTrip(20, 4, request(20, 4, { topicNames: ['a', 'b'], timeoutMs: 1 }));
  t.same(dt.responses.map((r: any) => [r.name, r.errorCode]), [['a', CODE], ['b', CODE]]);
});
