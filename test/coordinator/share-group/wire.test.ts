// The share group APIs over a real socket with the generated codecs (Kafka 4.4's schemas):
// ShareGroupHeartbeat v1, ShareGroupDescribe v1, DescribeShareGroupOffsets v1, Alter/DeleteShareGroupOffsets v0;
// KafkaApis' member id check, and UNSUPPORTED_VERSION once share.version is downgraded to 0.
import t from 'tap';
import { ErrorCode as E } from '../../../src/protocol/errors.js';
import { ShareGroupHeartbeatRequest } from '../../../src/protocol/generated/share-group-heartbeat-request.js';
import { ShareGroupHeartbeatResponse } from '../../../src/protocol/generated/share-group-heartbeat-response.js';
import { ShareGroupDescribeRequest } from '../../../src/protocol/generated/share-group-describe-request.js';
import { ShareGroupDescribeResponse } from '../../../src/protocol/generated/share-group-describe-response.js';
import { DescribeShareGroupOffsetsRequest } from '../../../src/protocol/generated/describe-share-group-offsets-request.js';
import { DescribeShareGroupOffsetsResponse } from '../../../src/protocol/generated/describe-share-group-offsets-response.js';
import { AlterShareGroupOffsetsRequest } from '../../../src/protocol/generated/alter-share-group-offsets-request.js';
import { AlterShareGroupOffsetsResponse } from '../../../src/protocol/generated/alter-share-group-offsets-response.js';
import { DeleteShareGroupOffsetsRequest } from '../../../src/protocol/generated/delete-share-group-offsets-request.js';
import { DeleteShareGroupOffsetsResponse } from '../../../src/protocol/generated/delete-share-group-offsets-response.js';
import { GroupWire, groupBroker } from '../group-wire.js';

const heartbeat = (w: GroupWire, body: Partial<ShareGroupHeartbeatRequest>) =>
  w.call(ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse, 1, { groupId: 'wg', memberId: 'member-1', memberEpoch: 0, rackId: null, subscribedTopicNames: ['wt'], ...body });

t.test('share group APIs on the wire, and UNSUPPORTED_VERSION without share.version', async (t) => {
  const b = await groupBroker(t);
  await b.broker.createTopic('wt', 2, {});
  const w = await GroupWire.connect(t, b);

  const join = await heartbeat(w, {});
  t.same([join.errorCode, join.memberId, join.memberEpoch, join.heartbeatIntervalMs], [E.NONE, 'member-1', 1, 5000]);
  // The broker's Persister (the share coordinator) initializes the partitions; a later heartbeat assigns them.
  let assigned: number[] = [];
  const deadline = Date.now() + 30_000;
  let epoch = join.memberEpoch;
  while (assigned.length < 2 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1100));
    const r = await heartbeat(w, { memberEpoch: epoch, subscribedTopicNames: null });
    t.equal(r.errorCode, E.NONE);
    epoch = r.memberEpoch;
    if (r.assignment) assigned = r.assignment.topicPartitions.flatMap((tp) => tp.partitions).sort();
  }
  t.same(assigned, [0, 1], 'both partitions assigned once their share state is initialized');

  const described = await w.call(ShareGroupDescribeRequest, ShareGroupDescribeResponse, 1, { groupIds: ['wg', 'nope'], includeAuthorizedOperations: false });
  t.same(
    described.groups.map((g) => [g.groupId, g.errorCode, g.errorMessage, g.groupState, g.assignorName, g.members.map((m) => [m.memberId, m.memberEpoch, m.assignment.topicPartitions.map((tp) => [tp.topicName, tp.partitions])])]),
    [
      ['wg', E.NONE, null, 'Stable', 'simple', [['member-1', epoch, [['wt', [0, 1]]]]]],
      ['nope', E.GROUP_ID_NOT_FOUND, 'Group nope not found.', '', '', []],
    ],
  );
  const offsets = await w.call(DescribeShareGroupOffsetsRequest, DescribeShareGroupOffsetsResponse, 1, { groups: [{ groupId: 'wg', topics: null }] });
  t.same(offsets.groups[0].topics.map((tp) => [tp.topicName, tp.partitions.map((p) => [p.partitionIndex, p.errorCode])]), [['wt', [[0, E.NONE], [1, E.NONE]]]]);
  const alter = await w.call(AlterShareGroupOffsetsRequest, AlterShareGroupOffsetsResponse, 0, { groupId: 'wg', topics: [{ topicName: 'wt', partitions: [{ partitionIndex: 0, startOffset: 0 }] }] });
  t.same([alter.errorCode, alter.errorMessage], [E.NON_EMPTY_GROUP, 'The group is not empty.']);

  // KafkaApis refuses an empty or over-long member id.
  for (const memberId of ['', 'x'.repeat(37)]) {
    const bad = await heartbeat(w, { memberId });
    t.same([bad.errorCode, bad.errorMessage], [E.INVALID_REQUEST, 'Invalid member id in the request.']);
  }
  const left = await heartbeat(w, { memberEpoch: -1, subscribedTopicNames: null });
  t.same([left.errorCode, left.memberEpoch], [E.NONE, -1]);

  // share.version 0: the share group APIs are UNSUPPORTED_VERSION, as Kafka 4.4's KafkaApis answers.
  const err = await b.broker.controller.updateFeatures([{ feature: 'share.version', maxVersionLevel: 0, upgradeType: 2 }], false);
  t.equal(err.errorCode, E.NONE, JSON.stringify(err));
  const off = await heartbeat(w, { memberId: 'member-2' });
  t.same([off.errorCode, off.errorMessage], [E.UNSUPPORTED_VERSION, 'The version of API is not supported.']);
  const d = await w.call(ShareGroupDescribeRequest, ShareGroupDescribeResponse, 1, { groupIds: ['wg'], includeAuthorizedOperations: false });
  t.equal(d.groups[0].errorCode, E.UNSUPPORTED_VERSION);
  const del = await w.call(DeleteShareGroupOffsetsRequest, DeleteShareGroupOffsetsResponse, 0, { groupId: 'wg', topics: [{ topicName: 'wt' }] });
  t.equal(del.errorCode, E.UNSUPPORTED_VERSION);
});
