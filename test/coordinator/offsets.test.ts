// OffsetCommit / OffsetFetch / OffsetDelete as Kafka answers them: generation and member checks,
// simple (memberless) groups, unknown topics, metadata round trips and limits, every OffsetFetch
// shape (v1 per partition, v2+ all partitions, v8+ several groups), deletion and expiration.
import t from 'tap';
import { GroupWire, groupBroker, subscription, E } from './group-wire.js';
import { GroupCoordinator } from '../../src/coordinator/group/coordinator.js';
import { sleep } from '../helpers/timeout.js';

/** What the codec reads for topicId where a version names topics by name (v10 names them by id). */
const NO_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const part = (partitionIndex: number, committedOffset: number, committedMetadata: string | null = null, committedLeaderEpoch = -1) => ({
  partitionIndex,
  committedOffset,
  committedLeaderEpoch,
  committedMetadata,
});

t.test('commits without membership (generation -1) create a simple group and round-trip metadata', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  await c.createTopic('orders', 3);
  const res = await c.commit(8, {
    groupId: 'simple',
    topics: [
      { name: 'orders', partitions: [part(0, 10, 'first'), part(1, 20, null), part(2, 30, '', 7)] },
      { name: 'missing', partitions: [part(0, 1)] },
    ],
  });
  t.same(res.topics, [
    { name: 'missing', topicId: NO_ID, partitions: [{ partitionIndex: 0, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }] },
    {
      name: 'orders',
      topicId: NO_ID,
      partitions: [
        { partitionIndex: 0, errorCode: E.NONE },
        { partitionIndex: 1, errorCode: E.NONE },
        { partitionIndex: 2, errorCode: E.NONE },
      ],
    },
  ]);
  const v5 = await c.fetch(5, { groupId: 'simple', topics: [{ name: 'orders', partitionIndexes: [0, 1, 2, 3] }, { name: 'missing', partitionIndexes: [0] }] });
  t.equal(v5.errorCode, E.NONE);
  t.same(v5.topics, [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: -1, metadata: 'first', errorCode: E.NONE },
        { partitionIndex: 1, committedOffset: 20, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
        { partitionIndex: 2, committedOffset: 30, committedLeaderEpoch: 7, metadata: '', errorCode: E.NONE },
        { partitionIndex: 3, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
      ],
    },
    { name: 'missing', partitions: [{ partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE }] },
  ]);
  const listed = await c.list(4);
  t.same(listed.groups, [{ groupId: 'simple', protocolType: '', groupState: 'Empty', groupType: '' }], 'a simple group: Empty, no protocol type');
  t.equal((await c.describe(1, ['simple'])).groups[0].groupState, 'Empty');

  // Out-of-range partitions, metadata over offset.metadata.max.bytes (4096).
  const bad = await c.commit(2, { groupId: 'simple', topics: [{ name: 'orders', partitions: [part(3, 1), part(0, 11, 'x'.repeat(4097)), part(1, 21, 'y'.repeat(4096))] }] });
  t.same(bad.topics, [
    {
      name: 'orders',
      topicId: NO_ID,
      partitions: [
        { partitionIndex: 3, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION },
        { partitionIndex: 0, errorCode: E.OFFSET_METADATA_TOO_LARGE },
        { partitionIndex: 1, errorCode: E.NONE },
      ],
    },
  ]);
  const after = await c.fetch(1, { groupId: 'simple', topics: [{ name: 'orders', partitionIndexes: [0, 1] }] });
  t.same(
    after.topics[0].partitions.map((p) => [p.committedOffset, p.metadata.length]),
    [
      [10, 5],
      [21, 4096],
    ],
    'the rejected partition keeps its offset',
  );
});

t.test('OffsetFetch: all partitions with a null topic list (v2+), several groups at once (v8+), unknown groups', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  await c.createTopic('a', 2);
  await c.createTopic('b', 1);
  await c.commit(8, { groupId: 'g1', topics: [{ name: 'a', partitions: [part(1, 5, 'm')] }, { name: 'b', partitions: [part(0, 6)] }] });
  await c.commit(8, { groupId: 'g2', topics: [{ name: 'a', partitions: [part(0, 7)] }] });
  const all = await c.fetch(2, { groupId: 'g1', topics: null });
  t.same(all.topics, [
    { name: 'a', partitions: [{ partitionIndex: 1, committedOffset: 5, metadata: 'm', errorCode: E.NONE, committedLeaderEpoch: -1 }] },
    { name: 'b', partitions: [{ partitionIndex: 0, committedOffset: 6, metadata: '', errorCode: E.NONE, committedLeaderEpoch: -1 }] },
  ]);
  t.same((await c.fetch(7, { groupId: 'nobody', topics: null, requireStable: true })).topics, [], 'an unknown group has no offsets');
  const multi = await c.fetch(8, {
    groups: [
      { groupId: 'g1', topics: [{ name: 'a', partitionIndexes: [0, 1] }] },
      { groupId: 'g2', topics: null },
      { groupId: 'g3', topics: null },
    ],
    requireStable: false,
  });
  t.same(multi.groups, [
    {
      groupId: 'g1',
      errorCode: E.NONE,
      topics: [
        {
          name: 'a',
          topicId: NO_ID,
          partitions: [
            { partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
            { partitionIndex: 1, committedOffset: 5, committedLeaderEpoch: -1, metadata: 'm', errorCode: E.NONE },
          ],
        },
      ],
    },
    { groupId: 'g2', errorCode: E.NONE, topics: [{ name: 'a', topicId: NO_ID, partitions: [{ partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE }] }] },
    { groupId: 'g3', errorCode: E.NONE, topics: [] },
  ]);
});

t.test('commits from members: generation, member and state checks', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  await c.createTopic('t', 1);
  const topics = [{ name: 't', partitions: [part(0, 1)] }];
  const code = async (version: number, body: { groupId: string; generationIdOrMemberEpoch?: number; memberId?: string; groupInstanceId?: string | null }) =>
    (await c.commit(version, { ...body, topics })).topics[0].partitions[0].errorCode;

  t.equal(await code(8, { groupId: 'absent', generationIdOrMemberEpoch: 1, memberId: 'm' }), E.ILLEGAL_GENERATION, 'unknown group before v9');
  t.equal(await code(9, { groupId: 'absent', generationIdOrMemberEpoch: 1, memberId: 'm' }), E.GROUP_ID_NOT_FOUND, 'unknown group from v9');

  const j = await c.joinFully({ groupId: 'm' });
  // Joined, not synced: CompletingRebalance.
  t.equal(await code(8, { groupId: 'm', generationIdOrMemberEpoch: 1, memberId: j.memberId }), E.REBALANCE_IN_PROGRESS, 'before SyncGroup');
  await c.sync(3, { groupId: 'm', generationId: 1, memberId: j.memberId });
  t.equal(await code(8, { groupId: 'm', generationIdOrMemberEpoch: 1, memberId: j.memberId }), E.NONE);
  t.equal(await code(8, { groupId: 'm', generationIdOrMemberEpoch: 2, memberId: j.memberId }), E.ILLEGAL_GENERATION);
  t.equal(await code(8, { groupId: 'm', generationIdOrMemberEpoch: 1, memberId: 'other' }), E.UNKNOWN_MEMBER_ID);
  t.equal(await code(8, { groupId: 'm', generationIdOrMemberEpoch: -1, memberId: '' }), E.UNKNOWN_MEMBER_ID, 'generation -1 while the group has members');
  t.equal(await code(2, { groupId: 'm' }), E.UNKNOWN_MEMBER_ID, 'v2 with no generation (-1) while the group has members');
  t.equal(await code(7, { groupId: 'm', generationIdOrMemberEpoch: 1, memberId: j.memberId, groupInstanceId: 'not-mine' }), E.UNKNOWN_MEMBER_ID);

  // During a rebalance the old generation may still commit (before rejoining).
  const d = await GroupWire.connect(t, b);
  const idD = (await d.join(5, { groupId: 'm' })).memberId;
  const joining = d.join(5, { groupId: 'm', memberId: idD });
  for (let i = 0; i < 100 && (await c.heartbeat(3, { groupId: 'm', generationId: 1, memberId: j.memberId })) !== E.REBALANCE_IN_PROGRESS; i++) await sleep(10);
  t.equal(await code(8, { groupId: 'm', generationIdOrMemberEpoch: 1, memberId: j.memberId }), E.NONE, 'PreparingRebalance, current generation');
  await c.join(5, { groupId: 'm', memberId: j.memberId });
  await joining;
  await c.leave(3, { groupId: 'm', members: [{ memberId: j.memberId, groupInstanceId: null }, { memberId: idD, groupInstanceId: null }] });
  t.equal(await code(8, { groupId: 'm', generationIdOrMemberEpoch: -1, memberId: '' }), E.NONE, 'the admin path once the group is Empty');
  t.equal(await code(2, { groupId: 'm' }), E.NONE, 'v2 with no generation once the group is Empty');
});

t.test('OffsetDelete: group and topic errors, subscribed topics, deletion', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  await c.createTopic('x', 2);
  await c.createTopic('y', 1);
  t.same(await c.deleteOffsets({ groupId: 'none', topics: [{ name: 'x', partitions: [{ partitionIndex: 0 }] }] }), {
    errorCode: E.GROUP_ID_NOT_FOUND,
    throttleTimeMs: 0,
    topics: [],
  });
  // A consumer group subscribed to x: offsets of x stay, those of y may go.
  const j = await c.joinFully({ groupId: 'cg', protocols: [{ name: 'range', metadata: subscription(['x']) }] });
  await c.sync(3, { groupId: 'cg', generationId: 1, memberId: j.memberId });
  await c.commit(8, {
    groupId: 'cg',
    generationIdOrMemberEpoch: 1,
    memberId: j.memberId,
    topics: [
      { name: 'x', partitions: [part(0, 1), part(1, 2)] },
      { name: 'y', partitions: [part(0, 3)] },
    ],
  });
  const del = await c.deleteOffsets({
    groupId: 'cg',
    topics: [
      { name: 'x', partitions: [{ partitionIndex: 0 }] },
      { name: 'y', partitions: [{ partitionIndex: 0 }, { partitionIndex: 5 }] },
      { name: 'zz', partitions: [{ partitionIndex: 0 }] },
    ],
  });
  t.equal(del.errorCode, E.NONE);
  t.same(del.topics, [
    { name: 'y', partitions: [{ partitionIndex: 5, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }, { partitionIndex: 0, errorCode: E.NONE }] },
    { name: 'zz', partitions: [{ partitionIndex: 0, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }] },
    { name: 'x', partitions: [{ partitionIndex: 0, errorCode: E.GROUP_SUBSCRIBED_TO_TOPIC }] },
  ]);
  const left = await c.fetch(2, { groupId: 'cg', topics: null });
  t.same(left.topics.map((tp) => [tp.name, tp.partitions.map((p) => p.partitionIndex)]), [['x', [0, 1]]]);

  // A non-consumer protocol group with members: NON_EMPTY_GROUP.
  const o = await GroupWire.connect(t, b);
  const jo = await o.joinFully({ groupId: 'connect-group', protocolType: 'connect' });
  await o.sync(3, { groupId: 'connect-group', generationId: 1, memberId: jo.memberId });
  t.equal((await o.deleteOffsets({ groupId: 'connect-group', topics: [] })).errorCode, E.NON_EMPTY_GROUP);
});

t.test('offsets with an explicit retention (OffsetCommit v2-4) expire; the Empty group then goes', async (t) => {
  const b = await groupBroker(t, { 'offsets.retention.check.interval.ms': '100' });
  const c = await GroupWire.connect(t, b);
  await c.createTopic('r', 1);
  await c.commit(2, { groupId: 'ret', retentionTimeMs: 300, topics: [{ name: 'r', partitions: [part(0, 9)] }] });
  await c.commit(2, { groupId: 'keep', retentionTimeMs: -1, topics: [{ name: 'r', partitions: [part(0, 9)] }] });
  const first = await c.fetch(1, { groupId: 'ret', topics: [{ name: 'r', partitionIndexes: [0] }] });
  t.equal(first.topics[0].partitions[0].committedOffset, 9);
  await sleep(700);
  const later = await c.fetch(1, { groupId: 'ret', topics: [{ name: 'r', partitionIndexes: [0] }] });
  t.equal(later.topics[0].partitions[0].committedOffset, -1, 'expired');
  t.same((await c.list(0)).groups.map((g) => g.groupId), ['keep'], 'the empty group without offsets was deleted');
  t.equal((await c.fetch(1, { groupId: 'keep', topics: [{ name: 'r', partitionIndexes: [0] }] })).topics[0].partitions[0].committedOffset, 9);
});

t.test('offsets of an Empty group expire offsets.retention.minutes after it became empty', async (t) => {
  const b = await groupBroker(t, { 'offsets.retention.minutes': '1' });
  // A second coordinator on the same storage, with a clock the test moves.
  let now = Date.now();
  const coordinator = new GroupCoordinator(b.broker, { now: () => now });
  t.teardown(() => coordinator.close());
  await coordinator.start();
  await coordinator.whenLoaded();
  await b.broker.createTopic('e', 1, {});
  const commit = (groupId: string, offset: number) =>
    coordinator.commitOffsets(
      {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [{ name: 'e', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }],
      },
      8,
    );
  t.same(await commit('old', 1), [{ topic: 'e', partition: 0, errorCode: E.NONE }]);
  now += 30_000;
  await commit('young', 2);
  now += 30_000;
  coordinator.cleanup();
  t.same(coordinator.fetchOffsets('old', null).topics, [], 'one minute after its commit: gone');
  t.same(coordinator.listGroups([], []).groups.map((g) => g.groupId), ['young'], 'and its group with it');
  t.equal(coordinator.fetchOffsets('young', null).topics[0].partitions[0].committedOffset, 2, '30 s old: kept');
  now += 30_000;
  coordinator.cleanup();
  t.same(coordinator.fetchOffsets('young', null).topics, []);

  // A group with members keeps its offsets; once Empty, retention counts from when it emptied.
  const j = await coordinator.joinGroup(
    { groupId: 'members', sessionTimeoutMs: 600_000, rebalanceTimeoutMs: 600_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['e']) }] },
    { clientId: 'c', clientHost: '/h', apiVersion: 3 },
  );
  await sleep(20);
  await coordinator.syncGroup({ groupId: 'members', generationId: 1, memberId: j.memberId, assignments: [] });
  await coordinator.commitOffsets(
    { groupId: 'members', generationIdOrMemberEpoch: 1, memberId: j.memberId, groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: 'e', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }] },
    8,
  );
  now += 120_000;
  coordinator.cleanup();
  t.equal(coordinator.fetchOffsets('members', null).topics.length, 1, 'subscribed by a member: kept');
  coordinator.leaveGroup('members', [{ memberId: j.memberId, groupInstanceId: null }]);
  now += 59_000;
  coordinator.cleanup();
  t.equal(coordinator.fetchOffsets('members', null).topics.length, 1, '59 s after emptying: kept');
  now += 1_000;
  coordinator.cleanup();
  t.same(coordinator.fetchOffsets('members', null).topics, [], '60 s after emptying: expired');
});
