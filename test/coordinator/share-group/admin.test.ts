// The share group admin paths (KIP-932): DescribeShareGroupOffsets (start offset and lag from the
// Persister's summary), AlterShareGroupOffsets and DeleteShareGroupOffsets on Empty groups only,
// DeleteGroups deleting the share-partition state first, ListGroups/DescribeGroups for share groups,
// and the periodic cleanup keeping Empty share groups. ManualClock, in-memory Persister double.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { ErrorCode as E } from '../../../src/protocol/errors.js';
import { CLIENT, hb, shareFixture, shareGroupOf, until } from './fixture.js';

async function withInitializedGroup(t: Tap.Test) {
  const f = await shareFixture(t);
  await f.broker.broker.createTopic('a', 2, {});
  const s = f.coordinator.shareGroups;
  await s.heartbeat(hb('g', 'm', 0, ['a']), CLIENT);
  await until(() => shareGroupOf(f.coordinator, 'g').statePartitions?.initialized.size === 1, 'initialized');
  return { f, s, topicId: f.broker.broker.topics.get('a')!.topicId };
}

t.test('DescribeShareGroupOffsets: start offset and lag per initialized partition; unknown topics -1', async (t) => {
  const { f, s, topicId } = await withInitializedGroup(t);
  // 10 records in partition 0; the share partition starts at 4 and 3 records after it were delivered.
  const producer = new Kafka({ brokers: [`127.0.0.1:${f.broker.port}`], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({ topic: 'a', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `v${i}` })) });
  await producer.disconnect();
  const log = f.broker.broker.partitionLog('a', 0)!;
  f.persister.states.set(`g:${topicId}:0`, { stateEpoch: 1, startOffset: 4, deliveryCompleteCount: 3 });
  const hw = log.highWatermark;
  t.equal(hw, 10);
  const [all] = await s.describeOffsets({ groups: [{ groupId: 'g', topics: null }] });
  t.equal(all.errorCode, E.NONE);
  t.same(
    all.topics.map((tp) => [tp.topicName, tp.topicId, tp.partitions.map((p) => [p.partitionIndex, p.startOffset, p.lag])]),
    [['a', topicId, [[0, 4, hw - 4 - 3], [1, -1, -1]]]],
    'partition 1 was initialized with -1 (no start yet): no lag',
  );
  const [named] = await s.describeOffsets({ groups: [{ groupId: 'g', topics: [{ topicName: 'nope', partitions: [0] }, { topicName: 'a', partitions: [0] }] }] });
  t.same(
    named.topics.map((tp) => [tp.topicName, tp.topicId, tp.partitions.map((p) => [p.partitionIndex, p.startOffset, p.lag, p.errorCode])]),
    [
      ['nope', 'AAAAAAAAAAAAAAAAAAAAAA', [[0, -1, -1, 0]]],
      ['a', topicId, [[0, 4, hw - 7, 0]]],
    ],
  );
  const [unknown] = await s.describeOffsets({ groups: [{ groupId: 'other', topics: null }] });
  t.same([unknown.errorCode, unknown.topics], [E.NONE, []], 'a group without initialized partitions has nothing to show');
  const [empty] = await s.describeOffsets({ groups: [{ groupId: '', topics: null }] });
  t.equal(empty.errorCode, E.INVALID_GROUP_ID);
});

t.test('AlterShareGroupOffsets: NON_EMPTY_GROUP with members; on an Empty or new group the Persister is initialized at the offsets', async (t) => {
  const { f, s, topicId } = await withInitializedGroup(t);
  const busy = await s.alterOffsets({ groupId: 'g', topics: [{ topicName: 'a', partitions: [{ partitionIndex: 0, startOffset: 5 }] }] });
  t.same([busy.errorCode, busy.errorMessage], [E.NON_EMPTY_GROUP, 'The group is not empty.']);

  await s.heartbeat(hb('g', 'm', -1), CLIENT);
  f.persister.calls.length = 0;
  const r = await s.alterOffsets({
    groupId: 'g',
    topics: [
      { topicName: 'a', partitions: [{ partitionIndex: 0, startOffset: 5 }, { partitionIndex: 9, startOffset: 1 }] },
      { topicName: 'missing', partitions: [{ partitionIndex: 0, startOffset: 0 }] },
    ],
  });
  t.equal(r.errorCode, E.NONE);
  t.same(
    r.responses.map((tp) => [tp.topicName, tp.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
    [
      ['a', [[0, E.NONE], [9, E.UNKNOWN_TOPIC_OR_PARTITION]]],
      ['missing', [[0, E.UNKNOWN_TOPIC_OR_PARTITION]]],
    ],
  );
  t.same(f.persister.calls.map((c) => [c.op, c.key, c.startOffset]), [['initialize', `g:${topicId}:0`, 5]]);
  t.same([...shareGroupOf(f.coordinator, 'g').statePartitions!.initialized.get(topicId)!.partitions].sort(), [0, 1]);

  // A group that does not exist yet is created by its offsets (as Kafka 4.4 does).
  const fresh = await s.alterOffsets({ groupId: 'new', topics: [{ topicName: 'a', partitions: [{ partitionIndex: 1, startOffset: 0 }] }] });
  t.equal(fresh.errorCode, E.NONE);
  const g = shareGroupOf(f.coordinator, 'new');
  t.same([g.stateName(), [...g.statePartitions!.initialized.get(topicId)!.partitions]], ['Empty', [1]]);
  // Its first member is assigned the initialized partition without waiting for an initialization.
  const join = await s.heartbeat(hb('new', 'x', 0, ['a']), CLIENT);
  t.ok(join.assignment?.topicPartitions.some((tp) => tp.topicId === topicId && tp.partitions.includes(1)), JSON.stringify(join.assignment));

  // Another type's group is not a share group.
  const { ClassicGroup } = await import('../../../src/coordinator/group/classic/group.js');
  f.coordinator.addGroup(new ClassicGroup('classic', 'Empty', f.clock.now()));
  const other = await s.alterOffsets({ groupId: 'classic', topics: [] });
  t.same([other.errorCode, other.errorMessage], [E.GROUP_ID_NOT_FOUND, 'Group classic is not a share group.']);
});

t.test('DeleteShareGroupOffsets: the state of an Empty group\'s topic is deleted and forgotten', async (t) => {
  const { f, s, topicId } = await withInitializedGroup(t);
  t.equal((await s.deleteOffsets({ groupId: 'g', topics: [{ topicName: 'a' }] })).errorCode, E.NON_EMPTY_GROUP);
  t.same((await s.deleteOffsets({ groupId: 'none', topics: [{ topicName: 'a' }] })).errorCode, E.GROUP_ID_NOT_FOUND);
  await s.heartbeat(hb('g', 'm', -1), CLIENT);
  f.persister.calls.length = 0;
  const r = await s.deleteOffsets({ groupId: 'g', topics: [{ topicName: 'a' }, { topicName: 'missing' }] });
  t.equal(r.errorCode, E.NONE);
  t.same(
    r.responses.map((x) => [x.topicName, x.errorCode, x.errorMessage]),
    [
      ['a', E.NONE, null],
      ['missing', E.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'],
    ],
  );
  t.same(f.persister.calls.map((c) => c.key).sort(), [`g:${topicId}:0`, `g:${topicId}:1`]);
  const st = shareGroupOf(f.coordinator, 'g').statePartitions!;
  t.same([st.initialized.size, st.deleting.size], [0, 0]);
  const again = await s.deleteOffsets({ groupId: 'g', topics: [{ topicName: 'a' }] });
  t.same(again.responses.map((x) => [x.errorCode, x.errorMessage]), [[E.UNKNOWN_TOPIC_OR_PARTITION, 'There is no offset information to delete.']]);
});

t.test('DeleteGroups deletes the share state first; ListGroups and DescribeGroups see share groups; cleanup keeps them', async (t) => {
  const { f, s, topicId } = await withInitializedGroup(t);
  t.same(f.coordinator.listGroups([], ['share']).groups, [{ groupId: 'g', protocolType: 'share', groupState: 'Stable', groupType: 'share' }]);
  t.same(f.coordinator.listGroups([], ['classic']).groups, []);
  const [v6] = f.coordinator.describeGroups(['g'], false, true);
  t.same([v6.errorCode, v6.errorMessage, v6.groupState], [E.GROUP_ID_NOT_FOUND, 'Group g is not a classic group.', 'Dead']);
  const [v5] = f.coordinator.describeGroups(['g'], false, false);
  t.same([v5.errorCode, v5.groupState], [E.NONE, 'Dead']);

  t.same(await f.coordinator.deleteGroups(['g']), [{ groupId: 'g', errorCode: E.NON_EMPTY_GROUP }]);
  await s.heartbeat(hb('g', 'm', -1), CLIENT);
  // Empty and without offsets: the periodic cleanup leaves a share group alone.
  f.coordinator.cleanup();
  t.equal(shareGroupOf(f.coordinator, 'g').stateName(), 'Empty');

  f.persister.failWith = E.COORDINATOR_LOAD_IN_PROGRESS;
  t.same(await f.coordinator.deleteGroups(['g']), [{ groupId: 'g', errorCode: E.COORDINATOR_LOAD_IN_PROGRESS }], 'the Persister failed: the group stays');
  t.ok(f.coordinator.group('g'));
  f.persister.failWith = E.NONE;
  f.persister.calls.length = 0;
  t.same(await f.coordinator.deleteGroups(['g']), [{ groupId: 'g', errorCode: E.NONE }]);
  t.same(f.persister.calls.map((c) => [c.op, c.key]).sort(), [['delete', `g:${topicId}:0`], ['delete', `g:${topicId}:1`]]);
  t.equal(f.coordinator.group('g'), undefined);
  const [d] = await s.describe(['g'], false);
  t.same([d.errorCode, d.errorMessage], [E.GROUP_ID_NOT_FOUND, 'Group g not found.']);
  // Gone after a reload too: the tombstones were written.
  const again = await f.reload();
  t.equal(again.group('g'), undefined);
});

t.test('DeleteGroups of a share group whose topic was deleted asks the Persister only about existing topics', async (t) => {
  const { f, s, topicId } = await withInitializedGroup(t);
  await f.broker.broker.createTopic('b', 1, {});
  const bId = f.broker.broker.topics.get('b')!.topicId;
  await s.heartbeat(hb('g', 'm', 1, ['a', 'b']), CLIENT);
  const g = shareGroupOf(f.coordinator, 'g');
  await until(() => g.statePartitions?.initialized.size === 2, 'both topics initialized');
  await s.heartbeat(hb('g', 'm', -1), CLIENT);
  const { ZERO_UUID } = await import('../../../src/metadata/uuid.js');
  const [deleted] = await f.broker.broker.controller.deleteTopics([{ name: 'a', topicId: ZERO_UUID }]);
  t.equal(deleted.errorCode, E.NONE);
  f.persister.calls.length = 0;
  t.same(await f.coordinator.deleteGroups(['g']), [{ groupId: 'g', errorCode: E.NONE }]);
  t.same(f.persister.calls.map((c) => c.key), [`g:${bId}:0`], `nothing asked of ${topicId}`);
});
