// A consumer group inside the GroupCoordinator (real broker storage, ManualClock): offset expiration
// as Kafka does it for consumer groups (from the commit, only for topics no member subscribes to;
// the Empty group goes with its last offsets), deletion, and reload from __consumer_offsets.
import t from 'tap';
import { startBroker } from '../../../src/index.js';
import { GroupCoordinator } from '../../../src/coordinator/group/coordinator.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const HB = { instanceId: null, rackId: null, subscribedTopicRegex: null, serverAssignor: null };
const CTX = { clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 1 };

t.test('consumer group offsets expire from their commit once no member subscribes; the empty group goes with them', async (t) => {
  const b = await startBroker({ port: 0, memory: true, config: { 'offsets.topic.num.partitions': '1', 'offsets.retention.minutes': '1' } });
  t.teardown(() => b.close());
  await b.broker.groups.whenLoaded();
  await b.broker.createTopic('x', 2, {});
  const clock = new ManualClock(Date.now());
  const make = async () => {
    const c = new GroupCoordinator(b.broker, { now: clock.now, scheduler: clock });
    t.teardown(() => c.close());
    await c.start();
    await c.whenLoaded();
    return c;
  };
  const c = await make();
  const joined = await c.consumerGroupHeartbeat({ ...HB, groupId: 'eg', memberId: 'm', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['x'], topicPartitions: [] }, CTX);
  t.equal(joined.memberEpoch, 1);
  const commit = await c.commitOffsets(
    {
      groupId: 'eg',
      generationIdOrMemberEpoch: 1,
      memberId: 'm',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [{ name: 'x', partitions: [{ partitionIndex: 0, committedOffset: 3, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }],
    },
    9,
  );
  t.same(commit.map((r) => r.errorCode), [ErrorCode.NONE]);

  // Subscribed: kept well past retention (the member heartbeats to stay in).
  for (let i = 0; i < 4; i++) {
    clock.advance(30_000);
    await c.consumerGroupHeartbeat({ ...HB, groupId: 'eg', memberId: 'm', memberEpoch: 1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: null }, CTX);
  }
  c.cleanup();
  t.equal(c.fetchOffsets('eg', null).topics.length, 1, 'a subscribed topic keeps its offsets');
  t.same((await c.deleteGroups(['eg']))[0].errorCode, ErrorCode.NON_EMPTY_GROUP);

  // The member leaves: the commit is two minutes old, so it expires at once (counted from the commit, not from emptying).
  await c.consumerGroupHeartbeat({ ...HB, groupId: 'eg', memberId: 'm', memberEpoch: -1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: null }, CTX);
  t.equal(c.listGroups([], ['consumer']).groups[0].groupState, 'Empty');
  c.cleanup();
  await new Promise((r) => setTimeout(r, 50));
  t.same(c.fetchOffsets('eg', null).topics, [], 'expired');
  t.same(c.listGroups([], []).groups, [], 'and the empty group deleted');
  const reloaded = await make();
  t.same(reloaded.listGroups([], []).groups, [], 'its tombstones are in the log: a reload finds nothing');
});

t.test('a consumer group is reloaded with its members; their sessions start again at the load', async (t) => {
  const b = await startBroker({ port: 0, memory: true, config: { 'offsets.topic.num.partitions': '1' } });
  t.teardown(() => b.close());
  await b.broker.groups.whenLoaded();
  await b.broker.createTopic('y', 3, {});
  const clock = new ManualClock(Date.now());
  const make = async () => {
    const c = new GroupCoordinator(b.broker, { now: clock.now, scheduler: clock });
    t.teardown(() => c.close());
    await c.start();
    await c.whenLoaded();
    return c;
  };
  const c = await make();
  await c.consumerGroupHeartbeat({ ...HB, groupId: 'lg', memberId: 'a', memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: ['y'], topicPartitions: [] }, CTX);
  const before = c.consumerGroupDescribe(['lg'], false)[0];
  await c.close();
  const again = await make();
  t.same(again.consumerGroupDescribe(['lg'], false)[0], before);
  clock.advance(45_000);
  await new Promise((r) => setTimeout(r, 50));
  const after = again.consumerGroupDescribe(['lg'], false)[0];
  t.equal(after.members.length, 0, 'the silent member is fenced a session timeout after the load');
  t.equal(after.groupEpoch, before.groupEpoch + 1);
});
