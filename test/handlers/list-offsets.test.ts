// ListOffsets v1-11 over a real socket, in samsa's generated codecs, expectations from Apache
// Kafka 4.4.0's answers to the same requests: each special timestamp from the version that
// introduced it (-6, earliest pending upload, from v11, KIP-1023: no offset without tiered
// storage), UNSUPPORTED_VERSION for one asked too early or unknown, checked before the partition
// exists; a partition named twice gets one INVALID_REQUEST answer.
import t from 'tap';
import { ListOffsetsRequest } from '../../src/protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse } from '../../src/protocol/generated/list-offsets-response.js';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { GroupWire } from '../coordinator/group-wire.js';
import { buildBatch, produceRaw } from '../helpers/batch-builder.js';

const E = { NONE: 0, UNKNOWN_TOPIC_OR_PARTITION: 3, UNSUPPORTED_VERSION: 35, INVALID_REQUEST: 42, UNKNOWN_LEADER_EPOCH: 75 };
const T0 = 1_700_000_000_000;

let b: RunningBroker;
let c: GroupWire;
t.before(async () => {
  b = await startBroker({ port: 0, memory: true });
  await b.broker.createTopic('lo', 2, {});
  c = await GroupWire.connect(t, b);
  const batch = buildBatch([0, 1, 2].map((i) => ({ key: null, value: Buffer.from(`v${i}`), headers: [], timestamp: T0 + i * 10 })), 'none');
  t.same(await produceRaw(c.conn, 'lo', 0, batch), [0, 0]);
});
t.teardown(() => b.close());

type P = { partitionIndex: number; timestamp: number; currentLeaderEpoch?: number };
const list = async (version: number, topics: { name: string; partitions: P[] }[]) => {
  const r = await c.call(ListOffsetsRequest, ListOffsetsResponse, version, {
    replicaId: -1,
    isolationLevel: 0,
    timeoutMs: 1000,
    topics: topics.map((x) => ({ name: x.name, partitions: x.partitions.map((p) => ({ currentLeaderEpoch: -1, ...p })) })),
  });
  return r.topics.map((x) => [x.name, x.partitions.map((p) => [p.partitionIndex, p.errorCode, p.timestamp, p.offset])]);
};
const one = async (version: number, timestamp: number) => (await list(version, [{ name: 'lo', partitions: [{ partitionIndex: 0, timestamp }] }]))[0][1][0];

t.test('special timestamps, each from its version', async (t) => {
  const unsupported = [0, E.UNSUPPORTED_VERSION, -1, -1];
  const answers: Record<number, unknown[]> = {
    [-1]: [0, E.NONE, -1, 3],
    [-2]: [0, E.NONE, -1, 0],
    [-3]: [0, E.NONE, T0 + 20, 2],
    [-4]: [0, E.NONE, -1, 0],
    [-5]: [0, E.NONE, -1, -1],
    [-6]: [0, E.NONE, -1, -1],
  };
  const since: Record<number, number> = { [-1]: 1, [-2]: 1, [-3]: 7, [-4]: 8, [-5]: 9, [-6]: 11 };
  for (const version of [1, 6, 7, 8, 9, 10, 11]) {
    for (const ts of [-1, -2, -3, -4, -5, -6]) {
      t.same(await one(version, ts), version >= since[ts] ? answers[ts] : unsupported, `v${version} timestamp ${ts}`);
    }
    t.same(await one(version, -7), unsupported, `v${version}: -7 is no special timestamp`);
    t.same(await one(version, -100), unsupported, `v${version}: nor is -100`);
    t.same(await one(version, T0 + 5), [0, E.NONE, T0 + 10, 1], `v${version}: a timestamp finds the first record at or after it`);
  }
});

t.test('errors: an unsupported timestamp before the partition, duplicates answered once', async (t) => {
  t.same(
    await list(11, [
      { name: 'lo', partitions: [{ partitionIndex: 9, timestamp: -100 }, { partitionIndex: 1, timestamp: -1, currentLeaderEpoch: 5 }, { partitionIndex: 9, timestamp: -1 }] },
      { name: 'nope', partitions: [{ partitionIndex: 0, timestamp: -100 }, { partitionIndex: 1, timestamp: -1 }] },
    ]),
    [
      ['lo', [[9, E.INVALID_REQUEST, -1, -1], [1, E.UNKNOWN_LEADER_EPOCH, -1, -1]]],
      ['nope', [[0, E.UNSUPPORTED_VERSION, -1, -1], [1, E.UNKNOWN_TOPIC_OR_PARTITION, -1, -1]]],
    ],
    'partition lo-9 named twice: one INVALID_REQUEST answer',
  );
  t.same(
    await list(11, [
      { name: 'lo', partitions: [{ partitionIndex: 0, timestamp: -1 }] },
      { name: 'lo', partitions: [{ partitionIndex: 1, timestamp: -1 }, { partitionIndex: 0, timestamp: -2 }] },
    ]),
    [['lo', [[0, E.INVALID_REQUEST, -1, -1], [1, E.NONE, -1, 0]]]],
    'a topic named twice: one entry, its partitions answered once each',
  );
});
