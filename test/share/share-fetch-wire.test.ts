// ShareFetch (78) and ShareAcknowledge (79) over a real socket against a broker whose share state
// goes to an in-memory Persister: records acquired with their AcquiredRecords ranges and delivery
// counts and served as whole CRC-checked batches, nothing acquired twice, piggybacked
// acknowledgements (a RELEASE redelivered by the same fetch), another member's records refused with
// INVALID_RECORD_STATE, the session errors and the session limit, a long poll woken by a produce,
// record-limit acquisition (v2), a closed session releasing its records, share.auto.offset.reset
// latest by default, the group's share.* configs, a closed connection releasing its session's records, the start offset persisted once everything is accepted, and the broker's own
// share coordinator keeping the state across a restart.
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { ShareFetchRequest } from '../../src/protocol/generated/share-fetch-request.js';
import { ShareFetchResponse } from '../../src/protocol/generated/share-fetch-response.js';
import { ShareAcknowledgeRequest } from '../../src/protocol/generated/share-acknowledge-request.js';
import { ShareAcknowledgeResponse } from '../../src/protocol/generated/share-acknowledge-response.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { GroupWire } from '../coordinator/group-wire.js';
import { buildBatch, produceRaw } from '../helpers/batch-builder.js';
import { parseBatches } from '../helpers/wire.js';
import { MemoryPersister } from './memory-persister.js';
import { tempDir } from '../helpers/tmp.js';
import { codecRequest } from '../metadata/helpers.js';

const GROUP = 'sg';
const M1 = 'AAAAAAAAAAAAAAAAAAAAAQ';
const M2 = 'AAAAAAAAAAAAAAAAAAAAAg';
const M3 = 'AAAAAAAAAAAAAAAAAAAAAw';
const ACCEPT = 1;
const RELEASE = 2;

async function broker(persister: MemoryPersister, config: Record<string, string> = {}): Promise<RunningBroker> {
  const b = await startBroker({ port: 0, memory: true, sharePersister: persister, config: { 'num.partitions': '1', ...config } });
  t.teardown(() => b.close());
  return b;
}

async function topic(w: GroupWire, b: RunningBroker, name: string): Promise<string> {
  await w.createTopic(name, 1);
  for (let i = 0; i < 200 && !b.broker.partitionLog(name, 0); i++) await new Promise((r) => setTimeout(r, 10));
  return b.broker.topics.get(name)!.topicId;
}

async function produce(w: GroupWire, name: string, records: number): Promise<void> {
  const batch = buildBatch([...Array(records)].map((_, i) => ({ key: null, value: Buffer.from(`v${i}`), headers: [], timestamp: Date.now() })), 'none');
  const [err] = await produceRaw(w.conn, name, 0, batch);
  if (err !== 0) throw new Error(`produce failed: ${err}`);
}

interface Fetch {
  member: string;
  epoch: number;
  topicId?: string;
  acks?: { firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }[];
  maxWaitMs?: number;
  maxRecords?: number;
  mode?: number;
  forget?: boolean;
  version?: number;
}

function shareFetch(w: GroupWire, f: Fetch, timeoutMs = 30_000): Promise<ShareFetchResponse> {
  return w.call(ShareFetchRequest, ShareFetchResponse, f.version ?? 2, {
    groupId: GROUP,
    memberId: f.member,
    shareSessionEpoch: f.epoch,
    maxWaitMs: f.maxWaitMs ?? 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    maxRecords: f.maxRecords ?? 500,
    batchSize: 500,
    shareAcquireMode: f.mode ?? 0,
    isRenewAck: false,
    topics: f.topicId ? [{ topicId: f.topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: f.acks ?? [] }] }] : [],
    forgottenTopicsData: [],
  }, timeoutMs);
}

function shareAck(w: GroupWire, member: string, epoch: number, topicId: string, acks: { firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }[]): Promise<ShareAcknowledgeResponse> {
  return w.call(ShareAcknowledgeRequest, ShareAcknowledgeResponse, 2, {
    groupId: GROUP,
    memberId: member,
    shareSessionEpoch: epoch,
    isRenewAck: false,
    topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: acks }] }],
  });
}

/** The one partition of a response (or undefined), with its batches' offsets. */
function part(r: ShareFetchResponse) {
  const p = r.responses[0]?.partitions[0];
  if (!p) return undefined;
  const buf = Array.isArray(p.records) ? Buffer.concat(p.records) : (p.records ?? Buffer.alloc(0));
  const { batches, partialTail } = parseBatches(buf);
  return { ...p, batches: batches.map((b) => [b.baseOffset, b.baseOffset + b.lastOffsetDelta]), partialTail };
}

t.test('acquire, acknowledge, redeliver, sessions', async (t) => {
  const persister = new MemoryPersister();
  const b = await broker(persister);
  const w = await GroupWire.connect(t, b);
  const topicId = await topic(w, b, 'q');
  const key = { groupId: GROUP, topicId, partition: 0 };
  // The share group coordinator initializes a new share partition's state (part 5); here: at offset 0.
  await persister.initializeState(key, 0, 0);
  for (let i = 0; i < 3; i++) await produce(w, 'q', 5);

  const first = await shareFetch(w, { member: M1, epoch: 0, topicId });
  t.equal(first.errorCode, 0);
  t.equal(first.acquisitionLockTimeoutMs, 30_000, 'group.share.record.lock.duration.ms');
  const p1 = part(first)!;
  t.equal(p1.errorCode, 0);
  t.same(p1.acquiredRecords, [{ firstOffset: 0, lastOffset: 14, deliveryCount: 1 }]);
  t.same(p1.batches, [[0, 4], [5, 9], [10, 14]], 'the log batches, whole');
  t.equal(p1.partialTail, 0);

  const other = await shareFetch(w, { member: M2, epoch: 0, topicId });
  t.same(part(other)?.acquiredRecords ?? [], [], 'nothing is acquired twice');

  // Piggybacked: accept 0-4, release 5-9; the same fetch gets 5-9 again.
  const second = await shareFetch(w, { member: M1, epoch: 1, topicId, acks: [{ firstOffset: 0, lastOffset: 4, acknowledgeTypes: [ACCEPT] }, { firstOffset: 5, lastOffset: 9, acknowledgeTypes: [RELEASE] }] });
  const p2 = part(second)!;
  t.equal(p2.acknowledgeErrorCode, 0);
  t.same(p2.acquiredRecords, [{ firstOffset: 5, lastOffset: 9, deliveryCount: 2 }], 'released records are redelivered with delivery count 2');
  t.same(p2.batches, [[5, 9]], 'only the batches holding acquired records');

  const stolen = await shareAck(w, M2, 1, topicId, [{ firstOffset: 10, lastOffset: 14, acknowledgeTypes: [ACCEPT] }]);
  t.equal(stolen.errorCode, 0);
  t.equal(stolen.responses[0].partitions[0].errorCode, ErrorCode.INVALID_RECORD_STATE, "another member's records: INVALID_RECORD_STATE");

  const ok = await shareAck(w, M1, 2, topicId, [{ firstOffset: 5, lastOffset: 14, acknowledgeTypes: [ACCEPT] }]);
  t.equal(ok.responses[0].partitions[0].errorCode, 0);
  t.equal(ok.acquisitionLockTimeoutMs, 30_000);
  // Kafka 4.4 (SharePartition.writeShareGroupState) writes the start offset from before the change:
  // 5 (accepting 0-4 moved it there), with the 10 records complete from it; in memory it is 15.
  t.equal(persister.startOffset(key), 5, 'the start offset before the acknowledgement is persisted');
  t.equal(persister.writes.at(-1)!.state.deliveryCompleteCount, 10, 'with every record from it delivered');

  t.equal((await shareAck(w, M1, 2, topicId, [])).errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH, 'an epoch used already');
  t.equal((await shareAck(w, M1, 0, topicId, [])).errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH, 'ShareAcknowledge cannot open a session');
  t.equal((await shareFetch(w, { member: M3, epoch: 1, topicId })).errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND);
  t.equal((await shareFetch(w, { member: M3, epoch: 0, topicId, acks: [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [ACCEPT] }] })).errorCode, ErrorCode.INVALID_REQUEST, 'acknowledgements in an opening fetch');
  const unknown = await shareFetch(w, { member: M3, epoch: 0, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' });
  t.equal(part(unknown)?.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
  const noGroup = await w.call(ShareFetchRequest, ShareFetchResponse, 1, { groupId: null, memberId: M1, shareSessionEpoch: 0, maxWaitMs: 0, minBytes: 1, maxBytes: 1024, maxRecords: 1, batchSize: 1, topics: [], forgottenTopicsData: [] });
  t.same([noGroup.errorCode, noGroup.errorMessage], [ErrorCode.INVALID_REQUEST, 'Invalid group id in the request.']);

  // A long poll: M2 (epoch 2: its fetch and its acknowledgement used 0 and 1) waits; a produce wakes it with the new records.
  const waiting = shareFetch(w, { member: M2, epoch: 2, maxWaitMs: 120_000 }, 150_000);
  await new Promise((r) => setTimeout(r, 200));
  const w2 = await GroupWire.connect(t, b);
  await produce(w2, 'q', 4);
  const woken = part(await waiting);
  t.same(woken?.acquiredRecords, [{ firstOffset: 15, lastOffset: 18, deliveryCount: 1 }], 'woken by the append, long before MaxWaitMs');

  // Record-limit mode (v2) takes exactly MaxRecords.
  await produce(w2, 'q', 10);
  const limited = part(await shareFetch(w, { member: M1, epoch: 3, maxRecords: 3, mode: 1 }));
  t.same(limited?.acquiredRecords, [{ firstOffset: 19, lastOffset: 21, deliveryCount: 1 }]);
  t.same(limited?.batches, [[19, 28]], 'the batch holding them');

  // Closing M1's session releases what it holds: M2 gets 19-21 again.
  const closed = await shareAck(w, M1, -1, topicId, []);
  t.equal(closed.errorCode, 0);
  t.equal((await shareAck(w, M1, 4, topicId, [])).errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND, 'the session is gone');
  const again = part(await shareFetch(w, { member: M2, epoch: 3, maxRecords: 500 }));
  t.same(again?.acquiredRecords, [
    { firstOffset: 19, lastOffset: 21, deliveryCount: 2 },
    { firstOffset: 22, lastOffset: 28, deliveryCount: 1 },
  ]);
});

t.test('share.auto.offset.reset latest by default; the session limit', async (t) => {
  const persister = new MemoryPersister();
  const b = await broker(persister, { 'group.share.max.share.sessions': '2' });
  const w = await GroupWire.connect(t, b);
  const topicId = await topic(w, b, 'late');
  await produce(w, 'late', 5);
  t.same(part(await shareFetch(w, { member: M1, epoch: 0, topicId }))?.acquiredRecords, [], 'records before the first fetch are not delivered');
  await produce(w, 'late', 2);
  t.same(part(await shareFetch(w, { member: M1, epoch: 1 }))?.acquiredRecords, [{ firstOffset: 5, lastOffset: 6, deliveryCount: 1 }]);
  t.equal((await shareFetch(w, { member: M2, epoch: 0, topicId })).errorCode, 0);
  const full = await shareFetch(w, { member: M3, epoch: 0, topicId });
  t.same([full.errorCode, full.errorMessage], [ErrorCode.SHARE_SESSION_LIMIT_REACHED, 'The limit of share sessions has been reached.']);
  t.equal((await shareFetch(w, { member: M2, epoch: -1 })).errorCode, 0, 'a final fetch closes a session');
  t.equal((await shareFetch(w, { member: M3, epoch: 0, topicId })).errorCode, 0, 'room again');
});

t.test('a closed connection ends its share sessions and releases their records at once', async (t) => {
  const persister = new MemoryPersister();
  const b = await broker(persister);
  const w1 = await GroupWire.connect(t, b);
  const topicId = await topic(w1, b, 'drop');
  await persister.initializeState({ groupId: GROUP, topicId, partition: 0 }, 0, 0);
  await produce(w1, 'drop', 6);
  t.same(part(await shareFetch(w1, { member: M1, epoch: 0, topicId }))?.acquiredRecords, [{ firstOffset: 0, lastOffset: 5, deliveryCount: 1 }]);
  const w2 = await GroupWire.connect(t, b);
  const waiting = shareFetch(w2, { member: M2, epoch: 0, topicId, maxWaitMs: 120_000 }, 150_000);
  await new Promise((r) => setTimeout(r, 200));
  w1.conn.destroy();
  // Well before the 30 s acquisition lock would expire, the waiting fetch gets the records.
  t.same(part(await waiting)?.acquiredRecords, [{ firstOffset: 0, lastOffset: 5, deliveryCount: 2 }]);
  const w3 = await GroupWire.connect(t, b);
  t.equal((await shareFetch(w3, { member: M1, epoch: 1 })).errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND, "the closed connection's session is gone");
});

t.test("a group's last session ending drops its share partitions: the next fetch reads the state again", async (t) => {
  const persister = new MemoryPersister();
  const b = await broker(persister);
  const w = await GroupWire.connect(t, b);
  const topicId = await topic(w, b, 'reset');
  const key = { groupId: GROUP, topicId, partition: 0 };
  await persister.initializeState(key, 0, 0);
  await produce(w, 'reset', 5);
  t.same(part(await shareFetch(w, { member: M1, epoch: 0, topicId }))?.acquiredRecords, [{ firstOffset: 0, lastOffset: 4, deliveryCount: 1 }]);
  t.equal((await shareAck(w, M1, -1, topicId, [])).errorCode, 0, 'the only session closes (its records released)');
  // What kafka-share-groups --reset-offsets does to an empty group (AlterShareGroupOffsets).
  persister.seed(key, 3, []);
  t.same(part(await shareFetch(w, { member: M2, epoch: 0, topicId }))?.acquiredRecords, [{ firstOffset: 3, lastOffset: 4, deliveryCount: 1 }], 'the new start offset is used');
});

t.test("the group's configs: share.auto.offset.reset earliest, share.record.lock.duration.ms", async (t) => {
  const persister = new MemoryPersister();
  const b = await broker(persister);
  const w = await GroupWire.connect(t, b);
  const topicId = await topic(w, b, 'configured');
  await produce(w, 'configured', 5);
  const set = await codecRequest(b.host, b.port, 'IncrementalAlterConfigs', 1, {
    validateOnly: false,
    resources: [{ resourceType: 32, resourceName: GROUP, configs: [
      { name: 'share.auto.offset.reset', configOperation: 0, value: 'earliest' },
      { name: 'share.record.lock.duration.ms', configOperation: 0, value: '15000' },
    ] }],
  });
  t.equal(set.responses[0].errorCode, 0);
  let r: ShareFetchResponse | undefined;
  // The group configs reach the broker through the metadata log: wait until they apply.
  for (let i = 0; i < 100 && r?.acquisitionLockTimeoutMs !== 15_000; i++) {
    if (r) await new Promise((res) => setTimeout(res, 50));
    r = await shareFetch(w, { member: M3, epoch: 0, maxWaitMs: 0 });
  }
  t.equal(r!.acquisitionLockTimeoutMs, 15_000);
  const first = part(await shareFetch(w, { member: M1, epoch: 0, topicId }));
  t.same(first?.acquiredRecords, [{ firstOffset: 0, lastOffset: 4, deliveryCount: 1 }], 'records before the first fetch are delivered (earliest)');
});

t.test('share.auto.offset.reset by_duration: the first record not older than the duration', async (t) => {
  const persister = new MemoryPersister();
  const b = await broker(persister);
  const w = await GroupWire.connect(t, b);
  const topicId = await topic(w, b, 'aged');
  const now = Date.now();
  for (const ageMs of [3 * 3600_000, 2 * 3600_000, 30 * 60_000, 0]) {
    const [err] = await produceRaw(w.conn, 'aged', 0, buildBatch([{ key: null, value: Buffer.from(`age ${ageMs}`), headers: [], timestamp: now - ageMs }], 'none'));
    t.equal(err, 0);
  }
  const set = await codecRequest(b.host, b.port, 'IncrementalAlterConfigs', 1, {
    validateOnly: false,
    resources: [{ resourceType: 32, resourceName: GROUP, configs: [{ name: 'share.auto.offset.reset', configOperation: 0, value: 'by_duration:PT1H' }] }],
  });
  t.equal(set.responses[0].errorCode, 0);
  // The config reaches the broker through the metadata log.
  for (let i = 0; i < 100 && b.broker.groupConfigs.string(GROUP, 'share.auto.offset.reset') !== 'by_duration:PT1H'; i++) await new Promise((r) => setTimeout(r, 50));
  t.same(part(await shareFetch(w, { member: M1, epoch: 0, topicId }))?.acquiredRecords, [{ firstOffset: 2, lastOffset: 3, deliveryCount: 1 }], 'records of the last hour');
});

t.test('incremental responses: a partition whose acknowledgements were piggybacked is answered, a quiet one left out', async (t) => {
  const persister = new MemoryPersister();
  const b = await broker(persister);
  const w = await GroupWire.connect(t, b);
  const topicId = await topic(w, b, 'quiet');
  await persister.initializeState({ groupId: GROUP, topicId, partition: 0 }, 0, 0);
  await produce(w, 'quiet', 5);
  t.same(part(await shareFetch(w, { member: M1, epoch: 0, topicId }))?.acquiredRecords, [{ firstOffset: 0, lastOffset: 4, deliveryCount: 1 }]);
  const acked = await shareFetch(w, { member: M1, epoch: 1, topicId, acks: [{ firstOffset: 0, lastOffset: 4, acknowledgeTypes: [ACCEPT] }] });
  const p = part(acked);
  t.same([p?.partitionIndex, p?.errorCode, p?.acknowledgeErrorCode, p?.acquiredRecords], [0, 0, 0, []], 'the acknowledged partition is in the response, nothing new acquired');
  const idle = await shareFetch(w, { member: M1, epoch: 2 });
  t.same([idle.errorCode, idle.responses], [0, []], 'an incremental fetch with nothing new answers no partitions');
});

t.test("the broker's own share coordinator: state in __share_group_state survives a restart", async (t) => {
  const dir = tempDir(t);
  const config = { 'num.partitions': '1', 'share.coordinator.state.topic.replication.factor': '1', 'share.coordinator.state.topic.min.isr': '1', 'share.coordinator.state.topic.num.partitions': '3' };
  let b = await startBroker({ port: 0, dataDir: dir, config });
  let w = await GroupWire.connect(t, b);
  const topicId = await topic(w, b, 'durable');
  const key = { groupId: GROUP, topicId, partition: 0 };
  const uninitialized = await shareFetch(w, { member: M1, epoch: 0, topicId });
  t.not(part(uninitialized)?.errorCode, 0, 'a share partition the group never initialized is refused');
  // What the share group coordinator does for a new assignment (part 5): initialize at offset 0.
  t.equal((await b.broker.sharePersister.initializeState(key, 0, 0)).errorCode, 0);
  await produce(w, 'durable', 10);
  const got = part(await shareFetch(w, { member: M1, epoch: 1 }));
  t.same(got?.acquiredRecords, [{ firstOffset: 0, lastOffset: 9, deliveryCount: 1 }]);
  const acked = await shareAck(w, M1, 2, topicId, [{ firstOffset: 0, lastOffset: 9, acknowledgeTypes: [ACCEPT, ACCEPT, ACCEPT, RELEASE, ACCEPT, ACCEPT, ACCEPT, ACCEPT, ACCEPT, ACCEPT] }]);
  t.equal(acked.responses[0].partitions[0].errorCode, 0);
  await b.close();

  b = await startBroker({ port: 0, dataDir: dir, config });
  t.teardown(() => b.close());
  w = await GroupWire.connect(t, b);
  let again: ReturnType<typeof part>;
  for (let i = 0; i < 100; i++) {
    const r = await shareFetch(w, { member: M2, epoch: 0, topicId, maxWaitMs: 100 });
    again = part(r);
    if (again?.errorCode === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.same(again!.acquiredRecords, [{ firstOffset: 3, lastOffset: 3, deliveryCount: 2 }], 'after the restart only the released record is delivered, its delivery count kept');
});
