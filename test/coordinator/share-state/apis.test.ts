// The share coordinator's APIs 83-87 over a real socket on a lone broker, at Kafka 4.4's versions:
// FindCoordinator v6 key type 2 creates __share_group_state (Kafka 4.4's settings) and names this
// broker; Initialize -> Read (a new leader epoch) -> Write (ShareUpdate) -> Read sees the merged
// batches; FENCED_LEADER_EPOCH / FENCED_STATE_EPOCH for stale writers; reads and writes of an
// uninitialized share partition are INVALID_REQUEST with Kafka's messages; Summary v0/v1 (v1 adds
// deliveryCompleteCount); Delete, after which the summary reports no state; an unknown topic is
// UNKNOWN_TOPIC_OR_PARTITION; empty group ids and topic lists get empty answers, as in Kafka.
import t from 'tap';
import { startBroker, type RunningBroker } from '../../../src/index.js';
import { FindCoordinatorRequest } from '../../../src/protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../../../src/protocol/generated/find-coordinator-response.js';
import { InitializeShareGroupStateRequest } from '../../../src/protocol/generated/initialize-share-group-state-request.js';
import { InitializeShareGroupStateResponse } from '../../../src/protocol/generated/initialize-share-group-state-response.js';
import { ReadShareGroupStateRequest } from '../../../src/protocol/generated/read-share-group-state-request.js';
import { ReadShareGroupStateResponse } from '../../../src/protocol/generated/read-share-group-state-response.js';
import { WriteShareGroupStateRequest } from '../../../src/protocol/generated/write-share-group-state-request.js';
import { WriteShareGroupStateResponse } from '../../../src/protocol/generated/write-share-group-state-response.js';
import { DeleteShareGroupStateRequest } from '../../../src/protocol/generated/delete-share-group-state-request.js';
import { DeleteShareGroupStateResponse } from '../../../src/protocol/generated/delete-share-group-state-response.js';
import { ReadShareGroupStateSummaryRequest } from '../../../src/protocol/generated/read-share-group-state-summary-request.js';
import { ReadShareGroupStateSummaryResponse } from '../../../src/protocol/generated/read-share-group-state-summary-response.js';
import { ApiVersionsRequest } from '../../../src/protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../../../src/protocol/generated/api-versions-response.js';
import { ErrorCode as E, errorMessage } from '../../../src/protocol/errors.js';
import { DeleteTopicsRequest } from '../../../src/protocol/generated/delete-topics-request.js';
import { DeleteTopicsResponse } from '../../../src/protocol/generated/delete-topics-response.js';
import { shareStatePartitionFor } from '../../../src/coordinator/share/records.js';
import { ZERO_UUID } from '../../../src/metadata/uuid.js';
import { GroupWire } from '../group-wire.js';

let b: RunningBroker;
let c: GroupWire;
let topicId: string;
t.before(async () => {
  b = await startBroker({ port: 0, memory: true });
  topicId = (await b.broker.createTopic('sp', 3, {})).topicId;
  c = await GroupWire.connect(t, b);
});
t.teardown(() => b.close());

const init = (groupId: string, partition: number, stateEpoch: number, startOffset: number, topic = topicId) =>
  c.call(InitializeShareGroupStateRequest, InitializeShareGroupStateResponse, 0, { groupId, topics: [{ topicId: topic, partitions: [{ partition, stateEpoch, startOffset }] }] });
const read = (groupId: string, partition: number, leaderEpoch: number) =>
  c.call(ReadShareGroupStateRequest, ReadShareGroupStateResponse, 0, { groupId, topics: [{ topicId, partitions: [{ partition, leaderEpoch }] }] });
const write = (version: number, groupId: string, partition: number, p: { stateEpoch: number; leaderEpoch: number; startOffset: number; deliveryCompleteCount?: number; stateBatches: { firstOffset: number; lastOffset: number; deliveryState: number; deliveryCount: number }[] }) =>
  c.call(WriteShareGroupStateRequest, WriteShareGroupStateResponse, version, { groupId, topics: [{ topicId, partitions: [{ partition, ...p }] }] });
const summary = (version: number, groupId: string, partition: number) =>
  c.call(ReadShareGroupStateSummaryRequest, ReadShareGroupStateSummaryResponse, version, { groupId, topics: [{ topicId, partitions: [{ partition, leaderEpoch: 0 }] }] });
const del = (groupId: string, partition: number) =>
  c.call(DeleteShareGroupStateRequest, DeleteShareGroupStateResponse, 0, { groupId, topics: [{ topicId, partitions: [{ partition }] }] });
const one = <P>(r: { results: { partitions: P[] }[] }): P => r.results[0].partitions[0];

t.test('ApiVersions advertises 83-87 at Kafka 4.4.0 versions', async (t) => {
  const r = await c.call(ApiVersionsRequest, ApiVersionsResponse, 0, { clientSoftwareName: '', clientSoftwareVersion: '' });
  const v = (k: number) => r.apiKeys.find((a) => a.apiKey === k);
  t.same([83, 84, 85, 86, 87].map((k) => [k, v(k)?.minVersion, v(k)?.maxVersion]), [[83, 0, 0], [84, 0, 0], [85, 0, 1], [86, 0, 0], [87, 0, 1]]);
});

t.test('FindCoordinator v6 key type 2 creates __share_group_state and names this broker', async (t) => {
  const key = `g1:${topicId}:0`;
  const r = await c.call(FindCoordinatorRequest, FindCoordinatorResponse, 6, { key: '', keyType: 2, coordinatorKeys: [key, 'no-colons', `g:notauuid:0`, `:${topicId}:0`] });
  t.same(r.coordinators!.map((x) => [x.key, x.errorCode, x.nodeId]), [
    [key, E.NONE, b.broker.nodeId],
    ['no-colons', E.INVALID_REQUEST, -1],
    ['g:notauuid:0', E.INVALID_REQUEST, -1],
    [`:${topicId}:0`, E.INVALID_REQUEST, -1],
  ]);
  const topic = b.broker.topics.get('__share_group_state');
  t.equal(topic?.partitions, 50);
  const cfg = b.broker.image.configs.topicConfigs('__share_group_state');
  t.same([cfg['cleanup.policy'], cfg['retention.ms'], cfg['compression.type'], cfg['segment.bytes']], ['delete', '-1', 'producer', '104857600']);
  const v5 = await c.call(FindCoordinatorRequest, FindCoordinatorResponse, 5, { key: '', keyType: 2, coordinatorKeys: [key] });
  t.equal(v5.coordinators![0].errorCode, E.INVALID_REQUEST, 'share keys need FindCoordinator v6');
});

t.test('uninitialized share partitions: read and write are INVALID_REQUEST, the summary has no state', async (t) => {
  const r = one(await read('g0', 0, 0));
  t.same([r.errorCode, r.errorMessage], [E.INVALID_REQUEST, 'Read operation on uninitialized share partition not allowed.']);
  const w = one(await write(1, 'g0', 0, { stateEpoch: 0, leaderEpoch: 0, startOffset: 0, stateBatches: [] }));
  t.same([w.errorCode, w.errorMessage], [E.INVALID_REQUEST, 'Write operation on uninitialized share partition not allowed.']);
  const s = one(await summary(1, 'g0', 0));
  t.same([s.errorCode, s.startOffset, s.stateEpoch, s.leaderEpoch, s.deliveryCompleteCount], [E.NONE, -1, 0, 0, -1]);
});

t.test('initialize, read at a leader epoch, write updates, read back the merged state', async (t) => {
  t.same(one(await init('g1', 0, 0, 10)), { partition: 0, errorCode: E.NONE, errorMessage: null });
  const r0 = one(await read('g1', 0, 3));
  t.same([r0.errorCode, r0.stateEpoch, r0.startOffset, r0.stateBatches], [E.NONE, 0, 10, []]);
  const w1 = one(await write(1, 'g1', 0, { stateEpoch: 0, leaderEpoch: 3, startOffset: 10, deliveryCompleteCount: 2, stateBatches: [{ firstOffset: 10, lastOffset: 14, deliveryState: 2, deliveryCount: 1 }, { firstOffset: 15, lastOffset: 19, deliveryState: 0, deliveryCount: 1 }] }));
  t.equal(w1.errorCode, E.NONE);
  const w2 = one(await write(1, 'g1', 0, { stateEpoch: 0, leaderEpoch: 3, startOffset: 12, deliveryCompleteCount: 4, stateBatches: [{ firstOffset: 15, lastOffset: 16, deliveryState: 4, deliveryCount: 2 }] }));
  t.equal(w2.errorCode, E.NONE);
  const r1 = one(await read('g1', 0, 3));
  t.same([r1.errorCode, r1.startOffset], [E.NONE, 12]);
  t.same(r1.stateBatches, [
    { firstOffset: 12, lastOffset: 14, deliveryState: 2, deliveryCount: 1 },
    { firstOffset: 15, lastOffset: 16, deliveryState: 4, deliveryCount: 2 },
    { firstOffset: 17, lastOffset: 19, deliveryState: 0, deliveryCount: 1 },
  ].map((x) => ({ ...x, _tagged: undefined })).map(({ _tagged, ...x }) => x), 'batches below the start offset cut; the higher delivery count wins');
  const s1 = one(await summary(1, 'g1', 0));
  t.same([s1.errorCode, s1.startOffset, s1.leaderEpoch, s1.stateEpoch, s1.deliveryCompleteCount], [E.NONE, 12, 3, 0, 4]);
  const s0 = one(await summary(0, 'g1', 0));
  t.same([s0.errorCode, s0.startOffset, s0.deliveryCompleteCount], [E.NONE, 12, -1], 'v0 does not carry deliveryCompleteCount');
});

t.test('stale leader and state epochs are fenced', async (t) => {
  await init('g2', 1, 1, 0);
  t.equal(one(await read('g2', 1, 5)).errorCode, E.NONE);
  const stale = one(await read('g2', 1, 4));
  t.same([stale.errorCode, stale.errorMessage], [E.FENCED_LEADER_EPOCH, errorMessage(E.FENCED_LEADER_EPOCH)]);
  const w = one(await write(0, 'g2', 1, { stateEpoch: 1, leaderEpoch: 4, startOffset: 0, stateBatches: [] }));
  t.same([w.errorCode, w.errorMessage], [E.FENCED_LEADER_EPOCH, errorMessage(E.FENCED_LEADER_EPOCH)]);
  const se = one(await write(0, 'g2', 1, { stateEpoch: 0, leaderEpoch: 5, startOffset: 0, stateBatches: [] }));
  t.same([se.errorCode, se.errorMessage], [E.FENCED_STATE_EPOCH, errorMessage(E.FENCED_STATE_EPOCH)]);
  t.equal(one(await init('g2', 1, 0, 0)).errorCode, E.FENCED_STATE_EPOCH, 'initialize below the state epoch');
  t.equal(one(await write(0, 'g2', 1, { stateEpoch: 1, leaderEpoch: 6, startOffset: 3, stateBatches: [] })).errorCode, E.NONE, 'a newer leader writes');
  const neg = one(await write(0, 'g2', 1, { stateEpoch: 1, leaderEpoch: -1, startOffset: 3, stateBatches: [] }));
  t.same([neg.errorCode, neg.errorMessage], [E.INVALID_REQUEST, 'The leader epoch cannot be a negative number.']);
  // Re-initializing at a higher state epoch (AlterShareGroupOffsets) starts over; older writers are then fenced.
  t.equal(one(await init('g2', 1, 2, 100)).errorCode, E.NONE);
  const after = one(await summary(1, 'g2', 1));
  t.same([after.stateEpoch, after.startOffset, after.deliveryCompleteCount], [2, 100, 0]);
  t.equal(one(await write(0, 'g2', 1, { stateEpoch: 1, leaderEpoch: 6, startOffset: 100, stateBatches: [] })).errorCode, E.FENCED_STATE_EPOCH);
});

t.test('delete removes the state; unknown topics and partitions; empty requests', async (t) => {
  await init('g3', 2, 0, 5);
  t.same(one(await del('g3', 2)), { partition: 2, errorCode: E.NONE, errorMessage: null });
  t.equal(one(await summary(1, 'g3', 2)).startOffset, -1, 'no state after delete');
  t.equal(one(await del('g3', 2)).errorCode, E.NONE, 'deleting a missing state succeeds');
  const unknownTopic = one(await init('g3', 0, 0, 0, 'AAAAAAAAAAAAAAAAAAAAAQ'));
  t.same([unknownTopic.errorCode, unknownTopic.errorMessage], [E.UNKNOWN_TOPIC_OR_PARTITION, errorMessage(E.UNKNOWN_TOPIC_OR_PARTITION)]);
  t.equal(one(await init('g3', 7, 0, 0)).errorCode, E.UNKNOWN_TOPIC_OR_PARTITION, 'partition past the topic');
  t.same((await c.call(ReadShareGroupStateRequest, ReadShareGroupStateResponse, 0, { groupId: '', topics: [{ topicId, partitions: [{ partition: 0, leaderEpoch: 0 }] }] })).results, []);
  t.same((await c.call(WriteShareGroupStateRequest, WriteShareGroupStateResponse, 1, { groupId: 'g3', topics: [] })).results, []);
  t.same((await c.call(InitializeShareGroupStateRequest, InitializeShareGroupStateResponse, 0, { groupId: 'g3', topics: [{ topicId, partitions: [] }] })).results, []);
});

t.test('one request, several keys: answered per topic and partition in request order', async (t) => {
  const r = await c.call(InitializeShareGroupStateRequest, InitializeShareGroupStateResponse, 0, {
    groupId: 'g4',
    topics: [{ topicId, partitions: [{ partition: 2, stateEpoch: 0, startOffset: 1 }, { partition: 0, stateEpoch: 0, startOffset: 2 }, { partition: 9, stateEpoch: 0, startOffset: 0 }] }],
  });
  t.same(r.results.map((x) => x.partitions.map((p) => [p.partition, p.errorCode])), [[[2, E.NONE], [0, E.NONE], [9, E.UNKNOWN_TOPIC_OR_PARTITION]]]);
  const s = await c.call(ReadShareGroupStateSummaryRequest, ReadShareGroupStateSummaryResponse, 1, { groupId: 'g4', topics: [{ topicId, partitions: [{ partition: 0, leaderEpoch: 0 }, { partition: 2, leaderEpoch: 0 }] }] });
  t.same(s.results[0].partitions.map((p) => [p.partition, p.startOffset]), [[0, 2], [2, 1]]);
});

t.test("a deleted topic's states are tombstoned by the coordinator's maintenance pass", async (t) => {
  const gone = (await b.broker.createTopic('gone', 1, {})).topicId;
  const k = { groupId: 'g5', topicId: gone, partition: 0 };
  t.equal(one(await init('g5', 0, 0, 0, gone)).errorCode, E.NONE);
  const sp = shareStatePartitionFor(k, 50);
  t.ok(b.broker.shareCoordinator.shard(sp)?.state(k));
  const del = await c.call(DeleteTopicsRequest, DeleteTopicsResponse, 6, { topicNames: ['gone'], topics: [{ name: 'gone', topicId: ZERO_UUID }], timeoutMs: 5000 });
  t.equal(del.responses[0].errorCode, E.NONE);
  await b.broker.shareCoordinator.maintain();
  t.equal(b.broker.shareCoordinator.shard(sp)?.state(k), undefined);
});
