// Produce v12 and v13 over a real socket, requests and responses in samsa's generated codecs,
// expectations from Apache Kafka 4.4.0's answers to the same requests: v13 names topics by id
// (KIP-516) in the request and the response, an id the cluster does not know (the zero id too)
// gets UNKNOWN_TOPIC_ID on every partition, and what v13 appends reads back by name.
import t from 'tap';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { GroupWire } from '../coordinator/group-wire.js';
import { buildBatch } from '../helpers/batch-builder.js';
import { fetchAllBatches, requestFrame } from '../helpers/wire.js';
import { Writer } from '../../src/protocol/writer.js';

const E = { NONE: 0, UNKNOWN_TOPIC_OR_PARTITION: 3, INVALID_REQUIRED_ACKS: 21, UNKNOWN_TOPIC_ID: 100 };
const ZERO_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const UNKNOWN_ID = 'AAAAAAAAAAAAAAAAAAAAAg';

let b: RunningBroker;
let c: GroupWire;
let id: string;
t.before(async () => {
  b = await startBroker({ port: 0, memory: true });
  id = (await b.broker.createTopic('pid', 2, {})).topicId;
  c = await GroupWire.connect(t, b);
});
t.teardown(() => b.close());

const batch = (n: number) =>
  buildBatch(Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), headers: [], timestamp: Date.now() })), 'none');
const produce = (version: number, topicData: ProduceRequest['topicData'], acks = -1) =>
  c.call(ProduceRequest, ProduceResponse, version, { transactionalId: null, acks, timeoutMs: 5000, topicData });
const brief = (r: ProduceResponse) => r.responses.map((x) => [x.name ?? null, x.topicId ?? null, x.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset])]);

t.test('v13: by topic id, answered by topic id; the records read back by name', async (t) => {
  const r = await produce(13, [{ topicId: id, partitionData: [{ index: 0, records: batch(3) }, { index: 1, records: batch(2) }, { index: 5, records: batch(1) }] }]);
  // (Decoded at v13 the name reads as the codec's default "": it is not on the wire.)
  t.same(brief(r), [['', id, [[0, E.NONE, 0], [1, E.NONE, 0], [5, E.UNKNOWN_TOPIC_OR_PARTITION, -1]]]]);
  t.same(r.nodeEndpoints, [], 'no leader hints: nothing answered NOT_LEADER_OR_FOLLOWER');
  const again = await produce(13, [{ topicId: id, partitionData: [{ index: 0, records: batch(1) }] }]);
  t.equal(again.responses[0].partitionResponses[0].baseOffset, 3, 'appends after the first three');
  const wire = c.conn;
  const p0 = await fetchAllBatches(wire, 'pid', 0);
  t.same(p0.batches.map((x) => [x.baseOffset, x.recordCount]), [[0, 3], [3, 1]], 'Fetch by name sees what v13 appended by id');
  t.equal((await fetchAllBatches(wire, 'pid', 1)).highWatermark, 2);
});

t.test('v13: unknown ids get UNKNOWN_TOPIC_ID on every partition', async (t) => {
  const r = await produce(13, [
    { topicId: UNKNOWN_ID, partitionData: [{ index: 0, records: batch(1) }, { index: 1, records: batch(1) }] },
    { topicId: ZERO_ID, partitionData: [{ index: 0, records: batch(1) }] },
  ]);
  t.same(brief(r), [
    ['', UNKNOWN_ID, [[0, E.UNKNOWN_TOPIC_ID, -1], [1, E.UNKNOWN_TOPIC_ID, -1]]],
    ['', ZERO_ID, [[0, E.UNKNOWN_TOPIC_ID, -1]]],
  ]);
  t.equal(b.broker.partitionLog('pid', 1)!.highWatermark, 2, 'nothing appended');
  t.same(brief(await produce(13, [{ topicId: id, partitionData: [{ index: 0, records: batch(1) }] }], 5)), [['', id, [[0, E.INVALID_REQUIRED_ACKS, -1]]]], 'acks are checked as before');
});

t.test('v12: the same as v11, by name', async (t) => {
  const r = await produce(12, [
    { name: 'pid', partitionData: [{ index: 1, records: batch(1) }] },
    { name: 'nope', partitionData: [{ index: 0, records: batch(1) }] },
  ]);
  t.same(brief(r), [['pid', ZERO_ID, [[1, E.NONE, 2]]], ['nope', ZERO_ID, [[0, E.UNKNOWN_TOPIC_OR_PARTITION, -1]]]]);
});

t.test('v13 with acks=0: no answer, and the connection closes when a partition failed', async (t) => {
  const w = await GroupWire.connect(t, b);
  const body = (topicId: string) => {
    const wr = new Writer();
    ProduceRequest.encode(wr, 13, { transactionalId: null, acks: 0, timeoutMs: 5000, topicData: [{ topicId, partitionData: [{ index: 0, records: batch(1) }] }] });
    return wr.toBuffer();
  };
  const before = b.broker.partitionLog('pid', 0)!.highWatermark;
  w.conn.write(requestFrame(0, 13, 1, body(id), { headerVersion: 2 }));
  w.conn.write(requestFrame(0, 13, 2, body(UNKNOWN_ID), { headerVersion: 2 }));
  t.ok(await w.conn.closesWithin(5000), 'closed after the failed acks=0 produce, as Kafka does');
  t.equal(b.broker.partitionLog('pid', 0)!.highWatermark, before + 1, 'the good one was appended');
  t.equal(w.conn.received.length, 0, 'no response to either');
});
