// SubscribedTopicRegex (ConsumerGroupHeartbeat v1): resolved against the topics when a member first
// brings it, checked with Kafka's INVALID_REGULAR_EXPRESSION message, resolved again at most every
// 10 s (new matching topics bump the group epoch), deleted with its last member; all as records.
import t from 'tap';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { Harness, flat } from './harness.js';

const types = (h: Harness) => h.log.map((r) => r.key.readInt16BE(0));

t.test('a regular expression subscription is resolved, refreshed and deleted with its last member', async (t) => {
  const h = new Harness();
  const r = await h.hb({ memberId: 'm1', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicRegex: 'a|b', topicPartitions: [] });
  t.equal(r.errorCode, ErrorCode.NONE);
  t.equal(flat(r.assignment).length, 9, 'a and b');
  t.ok(types(h).includes(16), 'the resolution is written');
  t.same([...h.consumer().resolvedRegexes.get('a|b')!.topics].sort(), ['a', 'b']);
  t.ok(h.consumer().isSubscribedToTopic('b'));

  const second = await h.hb({ memberId: 'm2', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicRegex: 'a.*', topicPartitions: [] });
  t.equal(second.errorCode, ErrorCode.NONE);
  t.equal(h.consumer().resolvedRegexes.size, 2);

  // A new matching topic is picked up at the next refresh, not before.
  h.topics.set('a2', { topicId: 'AAAAAAAAAAAAAAAAAAAABA', partitions: 2 });
  const epoch = h.consumer().groupEpoch;
  await h.hb({ memberId: 'm2', memberEpoch: second.memberEpoch });
  t.equal(h.consumer().groupEpoch, epoch, 'within 10 s the resolution stands');
  h.clock.advance(10_000);
  await h.hb({ memberId: 'm2', memberEpoch: second.memberEpoch });
  t.same([...h.consumer().resolvedRegexes.get('a.*')!.topics].sort(), ['a', 'a2']);
  t.equal(h.consumer().groupEpoch, epoch + 1, 'the new topic bumps the group epoch');

  // Its last member leaving deletes the resolution.
  await h.hb({ memberId: 'm2', memberEpoch: -1 });
  t.notOk(h.consumer().resolvedRegexes.has('a.*'));
  t.ok(h.consumer().resolvedRegexes.has('a|b'));
  // Changing the expression replaces the old resolution.
  await h.hb({ memberId: 'm1', memberEpoch: h.consumer().members.get('m1')!.memberEpoch, subscribedTopicRegex: 'b' });
  t.same([...h.consumer().resolvedRegexes.keys()], ['b']);
  t.same([...h.replayed().consumer().resolvedRegexes.keys()], ['b'], 'replay gives the same resolutions');
});

t.test('an invalid regular expression is INVALID_REGULAR_EXPRESSION with Kafka message', async (t) => {
  const h = new Harness();
  const r = await h.hb({ memberId: 'm1', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicRegex: '(a', topicPartitions: [] });
  t.equal(r.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION);
  t.match(r.errorMessage, /^SubscribedTopicRegex `\(a` is not a valid regular expression: .+\.$/);
  t.equal(h.log.length, 0);
  t.notOk(h.groups.has('g'));
});
