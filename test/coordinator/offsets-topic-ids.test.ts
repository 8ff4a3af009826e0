// OffsetCommit and OffsetFetch v10 (KIP-848): topics named by id in requests and responses.
// Expectations from Apache Kafka 4.4.0's answers to the same requests: an id the cluster does not
// know (the zero id too) is UNKNOWN_TOPIC_ID on each partition, an unknown partition of a known
// topic UNKNOWN_TOPIC_OR_PARTITION (listed first, as Kafka's response builder orders errors);
// offsets committed by id read back by name and the other way round; "all offsets" names topics by
// id and leaves out offsets of topics that no longer exist.
import t from 'tap';
import { GroupWire, groupBroker, E } from './group-wire.js';

const UNKNOWN_TOPIC_ID = 100;
const ZERO_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const UNKNOWN_ID = 'AAAAAAAAAAAAAAAAAAAAAg';
const part = (partitionIndex: number, committedOffset: number, committedMetadata: string | null = 'm') => ({
  partitionIndex,
  committedOffset,
  committedLeaderEpoch: -1,
  committedMetadata,
});

t.test('OffsetCommit v10 and OffsetFetch v10 by topic id', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  await c.createTopic('a', 2);
  await c.createTopic('b', 1);
  const idA = b.broker.topics.get('a')!.topicId;
  const idB = b.broker.topics.get('b')!.topicId;

  const res = await c.commit(10, {
    groupId: 'g',
    topics: [
      { topicId: idA, partitions: [part(0, 5), part(1, 7), part(9, 1)] },
      { topicId: UNKNOWN_ID, partitions: [part(0, 1)] },
      { topicId: ZERO_ID, partitions: [part(0, 1)] },
    ],
  });
  // (Decoded at v10 a topic's name reads as the codec's default "": it is not on the wire.)
  t.same(
    res.topics.map((x) => [x.name, x.topicId, x.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
    [
      ['', idA, [[9, E.UNKNOWN_TOPIC_OR_PARTITION], [0, E.NONE], [1, E.NONE]]],
      ['', UNKNOWN_ID, [[0, UNKNOWN_TOPIC_ID]]],
      ['', ZERO_ID, [[0, UNKNOWN_TOPIC_ID]]],
    ],
  );
  await c.commit(9, { groupId: 'g', topics: [{ name: 'b', partitions: [part(0, 3, null)] }] });

  const fetched = await c.fetch(10, {
    groups: [
      { groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ topicId: idA, partitionIndexes: [0, 1, 5] }, { topicId: UNKNOWN_ID, partitionIndexes: [0] }, { topicId: idB, partitionIndexes: [0] }] },
      { groupId: 'nobody', memberId: null, memberEpoch: -1, topics: [{ topicId: idA, partitionIndexes: [0] }] },
    ],
    requireStable: false,
  });
  const brief = (g: NonNullable<typeof fetched.groups>[number]) => [
    g.groupId,
    g.errorCode,
    g.topics.map((x) => [x.topicId, x.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode])]),
  ];
  t.same(fetched.groups!.map(brief), [
    [
      'g',
      E.NONE,
      [
        [idA, [[0, 5, 'm', E.NONE], [1, 7, 'm', E.NONE], [5, -1, '', E.NONE]]],
        [UNKNOWN_ID, [[0, -1, '', UNKNOWN_TOPIC_ID]]],
        [idB, [[0, 3, '', E.NONE]]],
      ],
    ],
    ['nobody', E.NONE, [[idA, [[0, -1, '', E.NONE]]]]],
  ], 'by id: what v9 committed by name too; unknown ids per partition');

  const byName = await c.fetch(9, { groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ name: 'a', partitionIndexes: [0, 1] }] }], requireStable: false });
  t.same(byName.groups![0].topics[0].partitions.map((p) => p.committedOffset), [5, 7], 'v9 by name reads what v10 committed by id');

  const all = async () => (await c.fetch(10, { groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: null }], requireStable: false })).groups!.map(brief);
  t.same(await all(), [['g', E.NONE, [[idA, [[0, 5, 'm', E.NONE], [1, 7, 'm', E.NONE]]], [idB, [[0, 3, '', E.NONE]]]]]], 'all offsets, by topic id');
  await b.broker.controller.deleteTopics([{ name: 'b', topicId: ZERO_ID }]);
  t.same(await all(), [['g', E.NONE, [[idA, [[0, 5, 'm', E.NONE], [1, 7, 'm', E.NONE]]]]]], 'a deleted topic has no id: its offsets are left out');
  const gone = await c.fetch(10, { groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ topicId: idB, partitionIndexes: [0] }] }], requireStable: false });
  t.same(gone.groups!.map(brief), [['g', E.NONE, [[idB, [[0, -1, '', UNKNOWN_TOPIC_ID]]]]]], 'and its id is unknown');
});
