// A KIP-848 consumer group on 3 samsa processes: its records are replicated in __consumer_offsets
// (RF 3) before each heartbeat is answered, so when the coordinator is SIGKILLed the new leader of
// the group's partition loads the same group (epochs, members, assignments) and its members carry
// on heartbeating at their epochs.
import t from 'tap';
import { startProcCluster, type ProcCluster } from '../helpers/cluster-procs.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { codecRequest } from '../metadata/helpers.js';
import { ErrorCode } from '../../src/protocol/errors.js';

t.setTimeout(300_000);

const TOPIC = 'kip848-ha';
const GROUP = 'kip848-ha-group';

async function coordinatorOf(c: ProcCluster, not = -1): Promise<number> {
  return waitUntil(`a coordinator of ${GROUP} other than ${not}`, 60_000, async () => {
    const ask = c.nodes.find((n) => n.alive)!;
    const res = await codecRequest('127.0.0.1', ask.spec.port!, 'FindCoordinator', 4, { keyType: 0, coordinatorKeys: [GROUP] });
    const found = res.coordinators[0];
    return found.errorCode === ErrorCode.NONE && found.nodeId !== not && c.node(found.nodeId).alive ? found.nodeId : undefined;
  });
}

function heartbeat(c: ProcCluster, node: number, body: Record<string, unknown>) {
  return codecRequest('127.0.0.1', c.node(node).spec.port!, 'ConsumerGroupHeartbeat', 1, {
    groupId: GROUP,
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

t.test('a consumer group survives kill -9 of its coordinator', async (t) => {
  const c = await startProcCluster(t, { nodes: 3, config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500' } });
  await waitUntil('the topic created', 60_000, async () => {
    const r = await kafkaTool('org.apache.kafka.tools.TopicCommand', '--bootstrap-server', c.bootstrap, '--create', '--topic', TOPIC, '--partitions', '4', '--replication-factor', '3');
    return r.code === 0 ? r : undefined;
  });
  const coordinator = await coordinatorOf(c);
  const join = (memberId: string) =>
    waitUntil(`${memberId} joined`, 60_000, async () => {
      const r = await heartbeat(c, coordinator, { memberId, memberEpoch: 0, rebalanceTimeoutMs: 60_000, subscribedTopicNames: [TOPIC], topicPartitions: [] });
      return r.errorCode === ErrorCode.NONE ? r : undefined;
    });
  const a = await join('member-a');
  await join('member-b');
  // A gives up half, B takes it: a Stable group at epoch 2.
  const rev = await heartbeat(c, coordinator, { memberId: 'member-a', memberEpoch: 1, topicPartitions: a.assignment.topicPartitions });
  await heartbeat(c, coordinator, { memberId: 'member-a', memberEpoch: 1, topicPartitions: rev.assignment.topicPartitions });
  const bDone = await heartbeat(c, coordinator, { memberId: 'member-b', memberEpoch: 2, topicPartitions: [] });
  t.equal(bDone.assignment.topicPartitions[0].partitions.length, 2);
  const describe = async (node: number) => (await codecRequest('127.0.0.1', c.node(node).spec.port!, 'ConsumerGroupDescribe', 1, { groupIds: [GROUP], includeAuthorizedOperations: false })).groups[0];
  const before = await describe(coordinator);
  t.equal(before.groupState, 'Stable');
  t.equal(before.groupEpoch, 2);

  await c.node(coordinator).kill9();
  const next = await coordinatorOf(c, coordinator);
  t.not(next, coordinator);
  const after = await waitUntil('the group loaded on the new coordinator', 60_000, async () => {
    const d = await describe(next);
    return d.errorCode === ErrorCode.NONE ? d : undefined;
  });
  const norm = (d: typeof before) => ({ ...d, members: [...d.members].sort((x: { memberId: string }, y: { memberId: string }) => (x.memberId < y.memberId ? -1 : 1)) });
  t.same(norm(after), norm(before), 'the same group on the new coordinator');
  const hbA = await heartbeat(c, next, { memberId: 'member-a', memberEpoch: 2 });
  t.equal(hbA.errorCode, ErrorCode.NONE, 'member A heartbeats on at epoch 2');
  t.equal(hbA.memberEpoch, 2);
  const stale = await heartbeat(c, next, { memberId: 'member-b', memberEpoch: 3 });
  t.equal(stale.errorCode, ErrorCode.FENCED_MEMBER_EPOCH, 'epochs are checked as before');
  await c.node(coordinator).restart();
});
