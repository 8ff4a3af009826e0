// TxnOffsetCommit on one broker (file engine): offsets committed in a transaction stay pending
// (OffsetFetch require_stable: UNSTABLE_OFFSET_COMMIT, plain fetch: the old offset) until the
// transaction's marker reaches the group's __consumer_offsets partition through WriteTxnMarkers:
// COMMIT makes them the group's offsets, ABORT drops them; a restart replays records and markers
// the same way (a transaction left open stays pending). Error codes as Kafka's
// KafkaApis/OffsetMetadataManager answer them.
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { partitionFor } from '../../src/coordinator/group/records.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { codecRequest } from '../metadata/helpers.js';
import { tempDir } from '../helpers/tmp.js';
import { groupBroker, GroupWire } from '../coordinator/group-wire.js';

t.setTimeout(120_000);

const TOPIC = 'orders';
const OFFSETS = '__consumer_offsets';

type Partition = { partitionIndex: number; committedOffset: number; committedLeaderEpoch?: number; committedMetadata: string | null };

async function txnCommit(b: RunningBroker, o: { group: string; producerId: number; producerEpoch: number; partitions: Partition[]; topic?: string; version?: number; generation?: number; memberId?: string; transactionalId?: string }): Promise<number[]> {
  const res = await codecRequest(b.host, b.port, 'TxnOffsetCommit', o.version ?? 3, {
    transactionalId: o.transactionalId ?? 'txn-1',
    groupId: o.group,
    producerId: o.producerId,
    producerEpoch: o.producerEpoch,
    generationIdOrMemberEpoch: o.generation ?? -1,
    memberId: o.memberId ?? '',
    groupInstanceId: null,
    topics: [{ name: o.topic ?? TOPIC, partitions: o.partitions.map((p) => ({ committedLeaderEpoch: -1, ...p })) }],
  });
  return res.topics.flatMap((t: any) => t.partitions.map((p: any) => p.errorCode));
}

async function fetchOffset(b: RunningBroker, group: string, partition: number, requireStable: boolean): Promise<{ offset: number; errorCode: number }> {
  const res = await codecRequest(b.host, b.port, 'OffsetFetch', 8, { requireStable, groups: [{ groupId: group, topics: [{ name: TOPIC, partitionIndexes: [partition] }] }] });
  const p = res.groups[0].topics[0].partitions[0];
  return { offset: p.committedOffset, errorCode: p.errorCode };
}

async function marker(b: RunningBroker, producerId: number, producerEpoch: number, commit: boolean, partitions: { topic: string; partition: number }[], coordinatorEpoch = 0): Promise<number[]> {
  const res = await codecRequest(b.host, b.port, 'WriteTxnMarkers', 1, {
    markers: [{ producerId, producerEpoch, transactionResult: commit, coordinatorEpoch, topics: partitions.map((p) => ({ name: p.topic, partitionIndexes: [p.partition] })) }],
  });
  return res.markers[0].topics.flatMap((t: any) => t.partitions.map((p: any) => p.errorCode));
}

/** Verification off: these producers are not the transaction coordinator's (the last test goes through it). */
async function setup(t: Tap.Test, dir: string, config: Record<string, string> = { 'transaction.partition.verification.enable': 'false' }): Promise<RunningBroker> {
  const b = await startBroker({ port: 0, dataDir: dir, config: { 'offsets.topic.num.partitions': '4', 'transaction.state.log.num.partitions': '2', ...config } });
  t.teardown(() => b.close());
  await b.broker.createTopic(TOPIC, 3, {});
  await b.broker.groups.whenLoaded();
  return b;
}

t.test('offsets of a transaction are pending until its marker, then committed or dropped', async (t) => {
  const dir = tempDir(t);
  let b = await setup(t, dir);
  const group = 'etl';
  const offsetsPartition = { topic: OFFSETS, partition: partitionFor(group, 4) };

  t.same(await txnCommit(b, { group, producerId: 4000, producerEpoch: 0, partitions: [{ partitionIndex: 0, committedOffset: 5, committedMetadata: 'm' }, { partitionIndex: 1, committedOffset: 7, committedMetadata: null }] }), [0, 0], 'a simple group (generation -1) commits in a transaction');
  t.same(await fetchOffset(b, group, 0, true), { offset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }, 'require_stable: UNSTABLE_OFFSET_COMMIT while pending');
  t.same(await fetchOffset(b, group, 0, false), { offset: -1, errorCode: 0 }, 'without require_stable: not yet committed');
  t.same(await fetchOffset(b, group, 2, true), { offset: -1, errorCode: 0 }, 'a partition outside the transaction is stable');

  t.same(await marker(b, 4000, 0, true, [offsetsPartition]), [0], 'COMMIT marker on the group\'s offsets partition');
  t.same(await fetchOffset(b, group, 0, true), { offset: 5, errorCode: 0 }, 'committed by the marker');
  t.same(await fetchOffset(b, group, 1, true), { offset: 7, errorCode: 0 });

  t.same(await txnCommit(b, { group, producerId: 4000, producerEpoch: 0, partitions: [{ partitionIndex: 0, committedOffset: 9, committedMetadata: '' }] }), [0], 'second transaction');
  t.same(await marker(b, 4000, 0, false, [offsetsPartition]), [0], 'ABORT marker');
  t.same(await fetchOffset(b, group, 0, true), { offset: 5, errorCode: 0 }, 'the aborted offset is dropped');

  // A transaction left open, then a regular commit written after it: its COMMIT must not undo the later commit.
  t.same(await txnCommit(b, { group, producerId: 4000, producerEpoch: 0, partitions: [{ partitionIndex: 1, committedOffset: 11, committedMetadata: '' }, { partitionIndex: 2, committedOffset: 3, committedMetadata: '' }] }), [0, 0]);
  const regular = await codecRequest(b.host, b.port, 'OffsetCommit', 8, { groupId: group, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 1, committedOffset: 20, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
  t.equal(regular.topics[0].partitions[0].errorCode, 0, 'a regular commit meanwhile');

  // Restart: records and markers are replayed from __consumer_offsets; the open transaction is still pending.
  await b.close();
  b = await setup(t, dir);
  t.same(await fetchOffset(b, group, 0, true), { offset: 5, errorCode: 0 }, 'after restart: committed offset replayed, aborted one not');
  t.same(await fetchOffset(b, group, 2, true), { offset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }, 'after restart: the open transaction is pending');
  t.same(await fetchOffset(b, group, 1, false), { offset: 20, errorCode: 0 }, 'after restart: the regular commit');

  t.same(await marker(b, 4000, 0, true, [offsetsPartition]), [0], 'COMMIT after the restart');
  t.same(await fetchOffset(b, group, 2, true), { offset: 3, errorCode: 0 }, 'the open transaction committed');
  t.same(await fetchOffset(b, group, 1, true), { offset: 20, errorCode: 0 }, 'the later regular commit stays (Kafka compares record offsets)');

  await b.close();
  b = await setup(t, dir);
  t.same([(await fetchOffset(b, group, 1, true)).offset, (await fetchOffset(b, group, 2, true)).offset], [20, 3], 'the same after another restart');
});

t.test('TxnOffsetCommit errors', async (t) => {
  const b = await setup(t, tempDir(t));
  const p0 = [{ partitionIndex: 0, committedOffset: 1, committedMetadata: '' }];

  t.same(await txnCommit(b, { group: 'g1', producerId: 5000, producerEpoch: 0, partitions: p0, topic: 'nope' }), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], 'unknown topic');
  t.same(await txnCommit(b, { group: 'g1', producerId: 5000, producerEpoch: 0, partitions: [{ partitionIndex: 3, committedOffset: 1, committedMetadata: '' }, ...p0] }), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0], 'unknown partition (first, as Kafka\'s builder adds errors first), the rest committed');
  t.same(await txnCommit(b, { group: '', producerId: 5000, producerEpoch: 0, partitions: p0 }), [ErrorCode.INVALID_GROUP_ID], 'empty group id');
  t.same(await txnCommit(b, { group: 'g2', producerId: 5000, producerEpoch: 0, partitions: p0, generation: 3, memberId: 'm' }), [ErrorCode.ILLEGAL_GENERATION], 'a generation for a group that does not exist');
  t.same(await txnCommit(b, { group: 'g1', producerId: 5000, producerEpoch: 0, partitions: p0, generation: 0, memberId: 'ghost' }), [ErrorCode.UNKNOWN_MEMBER_ID], 'a member the group does not have');
  t.same(await txnCommit(b, { group: 'g1', producerId: 5000, producerEpoch: 0, partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: 'x'.repeat(4097) }] }), [ErrorCode.OFFSET_METADATA_TOO_LARGE], 'metadata over offset.metadata.max.bytes');
  t.same(await txnCommit(b, { group: 'g1', producerId: 5000, producerEpoch: 0, partitions: p0, version: 0 }), [0], 'v0');

  // The producer's epoch moves on (a marker from epoch 1); a commit from epoch 0 is a zombie's.
  const offsetsPartition = { topic: OFFSETS, partition: partitionFor('g1', 4) };
  t.same(await marker(b, 5000, 1, false, [offsetsPartition]), [0], 'ABORT from epoch 1');
  t.same(await txnCommit(b, { group: 'g1', producerId: 5000, producerEpoch: 0, partitions: p0 }), [ErrorCode.INVALID_PRODUCER_EPOCH], 'a fenced epoch');
  t.same(await txnCommit(b, { group: 'g1', producerId: 5000, producerEpoch: 1, partitions: p0 }), [0], 'the current epoch commits');
  t.same(await marker(b, 5000, 1, true, [offsetsPartition], 0), [0]);
  t.same(await fetchOffset(b, 'g1', 0, true), { offset: 1, errorCode: 0 });
});

t.test('a group with members: TxnOffsetCommit checks member and generation, not the group\'s state', async (t) => {
  const b = await groupBroker(t, { 'transaction.partition.verification.enable': 'false' });
  await b.broker.createTopic(TOPIC, 3, {});
  const g = await GroupWire.connect(t, b);
  const joined = await g.joinFully({ groupId: 'members', groupInstanceId: 'i-1' });
  t.equal(joined.errorCode, 0, 'a static member joined (the group waits for its SyncGroup: CompletingRebalance)');
  const p0 = [{ partitionIndex: 0, committedOffset: 3, committedMetadata: '' }];
  const as = (o: { generation: number; memberId: string; instance?: string | null }) =>
    codecRequest(b.host, b.port, 'TxnOffsetCommit', 3, {
      transactionalId: 'txn-m', groupId: 'members', producerId: 6100, producerEpoch: 0, generationIdOrMemberEpoch: o.generation, memberId: o.memberId, groupInstanceId: o.instance ?? null,
      topics: [{ name: TOPIC, partitions: p0.map((p) => ({ ...p, committedLeaderEpoch: -1 })) }],
    }).then((r: any) => r.topics[0].partitions[0].errorCode as number);
  const regular = await g.commit(8, { groupId: 'members', generationIdOrMemberEpoch: joined.generationId, memberId: joined.memberId, groupInstanceId: 'i-1', topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 3, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
  t.equal(regular.topics[0].partitions[0].errorCode, ErrorCode.REBALANCE_IN_PROGRESS, 'OffsetCommit meanwhile: REBALANCE_IN_PROGRESS');
  t.equal(await as({ generation: joined.generationId, memberId: joined.memberId, instance: 'i-1' }), 0, 'TxnOffsetCommit meanwhile: accepted (Kafka does not enforce the state for it)');
  t.equal(await as({ generation: joined.generationId + 1, memberId: joined.memberId, instance: 'i-1' }), ErrorCode.ILLEGAL_GENERATION, 'another generation');
  t.equal(await as({ generation: joined.generationId, memberId: 'nobody' }), ErrorCode.UNKNOWN_MEMBER_ID, 'an unknown member');
  t.equal(await as({ generation: joined.generationId, memberId: 'someone-else', instance: 'i-1' }), ErrorCode.FENCED_INSTANCE_ID, 'the static instance with another member id');
  t.equal(await as({ generation: -1, memberId: '' }), 0, 'no member and generation -1 (TxnOffsetCommit v0-2 carry none): accepted on a non-empty group');
  const old = await g.commit(8, { groupId: 'members', topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 3, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
  t.equal(old.topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'where OffsetCommit without a member is UNKNOWN_MEMBER_ID');
});

t.test('a tombstone ends pending transactional offsets: OffsetDelete and DeleteGroups', async (t) => {
  const dir = tempDir(t);
  let b = await setup(t, dir);
  const commitMarker = (group: string) => marker(b, 6000, 0, true, [{ topic: OFFSETS, partition: partitionFor(group, 4) }]);

  t.same(await txnCommit(b, { group: 'od', producerId: 6000, producerEpoch: 0, partitions: [{ partitionIndex: 0, committedOffset: 4, committedMetadata: '' }, { partitionIndex: 1, committedOffset: 6, committedMetadata: '' }] }), [0, 0]);
  const od = await codecRequest(b.host, b.port, 'OffsetDelete', 0, { groupId: 'od', topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }] });
  t.same([od.errorCode, od.topics[0].partitions[0].errorCode], [0, 0], 'OffsetDelete of a partition with only a pending offset');
  t.same(await fetchOffset(b, 'od', 0, true), { offset: -1, errorCode: 0 }, 'no longer pending');

  t.same(await txnCommit(b, { group: 'dg', producerId: 6000, producerEpoch: 0, partitions: [{ partitionIndex: 2, committedOffset: 8, committedMetadata: '' }] }), [0]);
  const dg = await codecRequest(b.host, b.port, 'DeleteGroups', 2, { groupsNames: ['dg'] });
  t.equal(dg.results[0].errorCode, 0, 'DeleteGroups of a group with only pending offsets');

  t.same(await commitMarker('od'), [0]);
  if (partitionFor('dg', 4) !== partitionFor('od', 4)) t.same(await commitMarker('dg'), [0]);
  t.same([(await fetchOffset(b, 'od', 0, true)).offset, (await fetchOffset(b, 'od', 1, true)).offset], [-1, 6], 'COMMIT: the deleted partition stays deleted, the other is committed');
  t.same(await fetchOffset(b, 'dg', 2, true), { offset: -1, errorCode: 0 }, 'COMMIT brings nothing back to the deleted group');

  await b.close();
  b = await setup(t, dir);
  t.same([(await fetchOffset(b, 'od', 0, true)).offset, (await fetchOffset(b, 'od', 1, true)).offset, (await fetchOffset(b, 'dg', 2, true)).offset], [-1, 6, -1], 'the same after a restart');
});

t.test('through the transaction coordinator: TV1 needs AddOffsetsToTxn, v5 adds the partition, EndTxn\'s markers commit', async (t) => {
  const b = await setup(t, tempDir(t), {});
  const RETRIABLE = [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR, ErrorCode.CONCURRENT_TRANSACTIONS];
  const init = async (transactionalId: string) => {
    for (;;) {
      const res = await codecRequest(b.host, b.port, 'InitProducerId', 5, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
      if (res.errorCode === 0) return { producerId: res.producerId as number, producerEpoch: res.producerEpoch as number };
      if (!RETRIABLE.includes(res.errorCode)) throw new Error(`InitProducerId: ${res.errorCode}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const endTxn = async (transactionalId: string, p: { producerId: number; producerEpoch: number }, commit: boolean, version: number) => {
    for (;;) {
      const res = await codecRequest(b.host, b.port, 'EndTxn', version, { transactionalId, producerId: p.producerId, producerEpoch: p.producerEpoch, committed: commit });
      if (!RETRIABLE.includes(res.errorCode)) return res.errorCode as number;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stableOffset = async (group: string) => {
    for (let i = 0; i < 200; i++) {
      const f = await fetchOffset(b, group, 0, true);
      if (f.errorCode !== ErrorCode.UNSTABLE_OFFSET_COMMIT) return f;
      await new Promise((r) => setTimeout(r, 50));
    }
    return fetchOffset(b, group, 0, true);
  };
  const p0 = [{ partitionIndex: 0, committedOffset: 17, committedMetadata: '' }];

  // Transaction version 1: the offsets partition must be added with AddOffsetsToTxn first.
  const v1 = await init('tv1');
  t.same(await txnCommit(b, { group: 'g-tv1', transactionalId: 'tv1', ...v1, partitions: p0, version: 3 }), [ErrorCode.INVALID_TXN_STATE], 'v3 without AddOffsetsToTxn: INVALID_TXN_STATE');
  const added = await codecRequest(b.host, b.port, 'AddOffsetsToTxn', 3, { transactionalId: 'tv1', producerId: v1.producerId, producerEpoch: v1.producerEpoch, groupId: 'g-tv1' });
  t.equal(added.errorCode, 0, 'AddOffsetsToTxn');
  t.same(await txnCommit(b, { group: 'g-tv1', transactionalId: 'tv1', ...v1, partitions: p0, version: 3 }), [0], 'v3 after AddOffsetsToTxn');
  t.equal((await fetchOffset(b, 'g-tv1', 0, true)).errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT, 'pending');
  t.equal(await endTxn('tv1', v1, true, 4), 0, 'EndTxn commit');
  t.same(await stableOffset('g-tv1'), { offset: 17, errorCode: 0 }, 'the coordinator\'s marker committed the offset');

  // Transaction version 2: TxnOffsetCommit v5 adds the partition itself.
  const v2 = await init('tv2');
  t.same(await txnCommit(b, { group: 'g-tv2', transactionalId: 'tv2', ...v2, partitions: p0, version: 5 }), [0], 'v5 without AddOffsetsToTxn');
  t.equal(await endTxn('tv2', v2, false, 5), 0, 'EndTxn abort (v5)');
  t.same(await stableOffset('g-tv2'), { offset: -1, errorCode: 0 }, 'the coordinator\'s ABORT dropped the offset');
});
