// ElectLeaders on a controller as Kafka 4.4's ReplicationControlManager answers it, brokers fenced
// through expired sessions: preferred elections (not needed, preferred replica fenced or out of the
// ISR), unclean elections (not needed while led, a live replica outside the ISR and ELR of a
// leaderless partition leads with itself as the ISR, none alive), unknown topics and partitions.
import t from 'tap';
import { ErrorCode } from '../../src/protocol/errors.js';
import { heartbeat, quorumOfOne, registration } from './helpers.js';

const PREFERRED = 0;
const UNCLEAN = 1;

t.test('preferred and unclean elections', async (t) => {
  const { manager, controller, clock, clusterId } = await quorumOfOne({ 'broker.session.timeout.ms': '9000' });
  const epochs = new Map<number, number>();
  for (const id of [2, 3, 4]) epochs.set(id, await controller.registerBrokerRequest(registration(clusterId, id)));
  const beat = async (...ids: number[]) => {
    for (const id of ids) await controller.brokerHeartbeat(heartbeat(id, epochs.get(id)!, manager.metadataLog.endOffset));
  };
  await beat(2, 3, 4);
  const created = await controller.createTopics(
    [
      { name: 'u', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [2, 3, 4] }], configs: [] },
      { name: 'one', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [3] }], configs: [] },
    ],
    false,
  );
  t.same(created.map((c) => c.errorCode), [0, 0]);
  const part = (name: string) => manager.image.topics.get(name)!.registrations.get(0)!;
  const elect = async (type: number, topic = 'u', partitions = [0]) => (await controller.electLeaders(type, [{ topic, partitions }]))[0].partitionResult;
  t.same(part('u').leader, 2);

  t.same(await elect(PREFERRED), [{ partitionId: 0, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.' }]);
  t.same(await elect(UNCLEAN), [{ partitionId: 0, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.' }], 'unclean: the partition has a leader');
  t.same(await elect(PREFERRED, 'u', [7]), [{ partitionId: 7, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such partition as u-7' }]);
  t.same(await elect(PREFERRED, 'nope'), [{ partitionId: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such topic as nope' }]);

  // Broker 2's session expires: 3 leads, and the preferred replica cannot.
  clock.advance(8000);
  await beat(3, 4);
  clock.advance(1001);
  t.same(await controller.fenceStaleBrokers(), [2]);
  t.same([part('u').leader, part('u').isr], [3, [3, 4]]);
  const unavailable = [{ partitionId: 0, errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: 'The preferred leader was not available.' }];
  t.same(await elect(PREFERRED), unavailable, 'the preferred replica is fenced');
  await beat(2);
  t.notOk(manager.image.cluster.brokers.get(2)!.fenced, 'broker 2 unfenced');
  t.same(await elect(PREFERRED), unavailable, 'unfenced but not back in the ISR');
  const all = await controller.electLeaders(PREFERRED, null);
  t.same(all.find((r) => r.topic === 'u')!.partitionResult, unavailable, 'every partition: u-0 reported');

  // 3 and 4 expire too: u-0 has no leader, an empty ISR and 4 as its eligible leader replica.
  clock.advance(8000);
  await beat(2);
  clock.advance(1001);
  t.same((await controller.fenceStaleBrokers()).sort(), [3, 4]);
  t.same([part('u').leader, part('u').isr], [-1, []]);
  t.same(await elect(PREFERRED), unavailable, 'no clean leader for a preferred election');
  const epochBefore = part('u').leaderEpoch;
  t.same(await elect(UNCLEAN), [{ partitionId: 0, errorCode: ErrorCode.NONE, errorMessage: null }]);
  const after = part('u');
  t.same([after.leader, after.isr, after.elr ?? []], [2, [2], []], 'the live replica leads, alone in the ISR');
  t.ok(after.leaderEpoch > epochBefore, 'in a new leader epoch');
  t.same(await elect(UNCLEAN, 'one'), [{ partitionId: 0, errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, errorMessage: 'Eligible topic partition leaders are not available.' }], 'no replica alive');
});
