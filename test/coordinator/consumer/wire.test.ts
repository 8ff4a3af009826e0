// ConsumerGroupHeartbeat and ConsumerGroupDescribe over a real socket, with the group APIs every
// group type shares: ListGroups (type consumer), DescribeGroups (a consumer group is no classic
// group), OffsetCommit v9+/OffsetFetch v9+ member epochs, DeleteGroups and OffsetDelete; and the
// group as a restarted broker loads it back from __consumer_offsets.
import t from 'tap';
import { GroupWire, groupBroker } from '../group-wire.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { tempDir } from '../../helpers/tmp.js';
import { ConsumerGroupHeartbeatRequest } from '../../../src/protocol/generated/consumer-group-heartbeat-request.js';
import { ConsumerGroupHeartbeatResponse } from '../../../src/protocol/generated/consumer-group-heartbeat-response.js';
import { ConsumerGroupDescribeRequest } from '../../../src/protocol/generated/consumer-group-describe-request.js';
import { ConsumerGroupDescribeResponse } from '../../../src/protocol/generated/consumer-group-describe-response.js';
import { ApiVersionsRequest } from '../../../src/protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../../../src/protocol/generated/api-versions-response.js';

function heartbeat(c: GroupWire, body: Partial<ConsumerGroupHeartbeatRequest> & { memberId: string; memberEpoch: number }, version = 1) {
  return c.call(ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, version, {
    groupId: 'wg',
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: null,
    ...body,
  });
}

function describe(c: GroupWire, groupIds: string[], version = 1) {
  return c.call(ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, version, { groupIds, includeAuthorizedOperations: false });
}

t.test('a consumer group over the wire, with the shared group APIs', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  const versions = await c.call(ApiVersionsRequest, ApiVersionsResponse, 2, { clientSoftwareName: '', clientSoftwareVersion: '' });
  for (const key of [68, 69]) {
    const v = versions.apiKeys.find((k) => k.apiKey === key);
    t.same(v && [v.minVersion, v.maxVersion], [0, 1], `api ${key} v0-1 advertised`);
  }
  await c.createTopic('wt', 4);
  const topicId = b.broker.topics.get('wt')!.topicId;

  const joined = await heartbeat(c, { memberId: 'member-1', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['wt'], topicPartitions: [] });
  t.equal(joined.errorCode, ErrorCode.NONE);
  t.equal(joined.memberEpoch, 1);
  t.equal(joined.heartbeatIntervalMs, 5000, 'group.consumer.heartbeat.interval.ms');
  t.same(joined.assignment?.topicPartitions, [{ topicId, partitions: [0, 1, 2, 3] }]);

  const d = (await describe(c, ['wg', 'missing', ''])).groups;
  t.equal(d[0].groupState, 'Stable');
  t.equal(d[0].assignorName, 'uniform');
  t.equal(d[0].members[0].clientHost, '/127.0.0.1');
  t.same(d[0].members[0].assignment.topicPartitions, [{ topicId, topicName: 'wt', partitions: [0, 1, 2, 3] }]);
  t.equal(d[1].errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  t.equal(d[1].errorMessage, 'Group missing not found.');
  t.equal(d[2].errorCode, ErrorCode.INVALID_GROUP_ID);

  const listed = await c.list(5, { typesFilter: ['consumer'] });
  t.same(listed.groups, [{ groupId: 'wg', protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' }]);
  t.same((await c.list(5, { typesFilter: ['classic'] })).groups, []);
  t.same((await c.list(5, { statesFilter: ['stable'] })).groups.map((g) => g.groupId), ['wg']);

  const classic6 = (await c.describe(6, ['wg'])).groups[0];
  t.equal(classic6.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  t.equal(classic6.errorMessage, 'Group wg is not a classic group.');
  t.equal((await c.describe(5, ['wg'])).groups[0].groupState, 'Dead');

  const commit = (version: number, epoch: number, memberId = 'member-1') =>
    c.commit(version, {
      groupId: 'wg',
      generationIdOrMemberEpoch: epoch,
      memberId,
      topics: [{ name: 'wt', topicId, partitions: [{ partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
  const code = (r: Awaited<ReturnType<typeof commit>>) => r.topics[0].partitions[0].errorCode;
  t.equal(code(await commit(9, 1)), ErrorCode.NONE);
  t.equal(code(await commit(9, 2)), ErrorCode.STALE_MEMBER_EPOCH);
  t.equal(code(await commit(9, 1, 'other')), ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(code(await commit(8, 1)), ErrorCode.UNSUPPORTED_VERSION, 'a consumer member needs OffsetCommit v9+');

  const fetch = (epoch: number) =>
    c.fetch(9, { groups: [{ groupId: 'wg', memberId: 'member-1', memberEpoch: epoch, topics: [{ name: 'wt', partitionIndexes: [0] }] }], requireStable: true });
  const ok = (await fetch(1)).groups![0];
  t.equal(ok.errorCode, ErrorCode.NONE);
  t.equal(ok.topics[0].partitions[0].committedOffset, 7);
  t.equal((await fetch(5)).groups![0].errorCode, ErrorCode.STALE_MEMBER_EPOCH);

  t.equal((await c.deleteGroups(2, ['wg'])).results[0].errorCode, ErrorCode.NON_EMPTY_GROUP);
  const offsetDelete = await c.deleteOffsets({ groupId: 'wg', topics: [{ name: 'wt', partitions: [{ partitionIndex: 0 }] }] });
  t.equal(offsetDelete.topics[0].partitions[0].errorCode, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, 'a subscribed topic keeps its offsets');

  const left = await heartbeat(c, { memberId: 'member-1', memberEpoch: -1 });
  t.equal(left.errorCode, ErrorCode.NONE);
  t.equal((await describe(c, ['wg'])).groups[0].groupState, 'Empty');
  t.equal((await c.deleteGroups(2, ['wg'])).results[0].errorCode, ErrorCode.NONE);
  t.equal((await describe(c, ['wg'])).groups[0].errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
});

t.test('a restarted broker loads the consumer group back; its member carries on at its epoch', async (t) => {
  const dir = tempDir(t);
  let b = await groupBroker(t, {}, dir);
  let c = await GroupWire.connect(t, b);
  await c.createTopic('rt', 4);
  const a = await heartbeat(c, { groupId: 'rg', memberId: 'A', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['rt'], topicPartitions: [] });
  const bj = await heartbeat(c, { groupId: 'rg', memberId: 'B', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['rt'], topicPartitions: [] });
  t.equal(bj.memberEpoch, 2);
  const before = (await describe(c, ['rg'])).groups[0];
  await b.close();

  b = await groupBroker(t, {}, dir);
  c = await GroupWire.connect(t, b);
  const after = (await describe(c, ['rg'])).groups[0];
  t.same(after, before, 'the same group, epochs, members and assignments');
  // A revokes what B is to get, then B gets it.
  const rev = await heartbeat(c, { groupId: 'rg', memberId: 'A', memberEpoch: 1, topicPartitions: a.assignment!.topicPartitions });
  t.equal(rev.errorCode, ErrorCode.NONE);
  t.equal(rev.assignment!.topicPartitions[0].partitions.length, 2);
  const done = await heartbeat(c, { groupId: 'rg', memberId: 'A', memberEpoch: 1, topicPartitions: rev.assignment!.topicPartitions });
  t.equal(done.memberEpoch, 2);
  const got = await heartbeat(c, { groupId: 'rg', memberId: 'B', memberEpoch: 2, topicPartitions: [] });
  t.equal(got.assignment!.topicPartitions[0].partitions.length, 2);
  t.equal((await describe(c, ['rg'])).groups[0].groupState, 'Stable');
});

t.test('an empty consumer group gives way to a classic JoinGroup; a non-empty one does not', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  await c.createTopic('mt', 2);
  const topicId = b.broker.topics.get('mt')!.topicId;
  await heartbeat(c, { groupId: 'mg', memberId: 'cm', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['mt'], topicPartitions: [] });
  const committed = await c.commit(9, {
    groupId: 'mg',
    generationIdOrMemberEpoch: 1,
    memberId: 'cm',
    topics: [{ name: 'mt', topicId, partitions: [{ partitionIndex: 1, committedOffset: 4, committedLeaderEpoch: -1, committedMetadata: null }] }],
  });
  t.equal(committed.topics[0].partitions[0].errorCode, ErrorCode.NONE);
  const busy = await c.join(5, { groupId: 'mg', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0]) }] });
  t.equal(busy.errorCode, ErrorCode.MEMBER_ID_REQUIRED, 'a consumer group with members takes a classic member (online migration): first a member id, as Kafka');
  t.not(busy.memberId, '');

  await heartbeat(c, { groupId: 'mg', memberId: 'cm', memberEpoch: -1 });
  const j = await c.joinFully({ groupId: 'mg', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0]) }] });
  t.equal(j.errorCode, ErrorCode.NONE, 'the empty consumer group became a classic group');
  t.same((await c.list(5)).groups.map((g) => [g.groupId, g.groupType]), [['mg', 'classic']]);
  const fetched = await c.fetch(8, { groups: [{ groupId: 'mg', topics: [{ name: 'mt', partitionIndexes: [1] }] }], requireStable: false });
  t.equal(fetched.groups![0].topics[0].partitions[0].committedOffset, 4, 'its offsets stay');
  t.equal((await describe(c, ['mg'])).groups[0].errorMessage, 'Group mg is not a consumer group.');
});
