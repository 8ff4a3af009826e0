// New partitions in a cluster are placed over the registered brokers by Kafka 4.4's
// StripedReplicaPlacer (src/replica/placement.ts, checked against Kafka's own elsewhere): every replica list distinct, leaders only on unfenced brokers and spread over
// them, the ISR the unfenced replicas, each replica's directory the broker's one log dir;
// INVALID_REPLICATION_FACTOR with Kafka's reasons when the brokers cannot hold the factor.
import t from 'tap';
import { ErrorCode } from '../../src/protocol/errors.js';
import { heartbeat, quorumOfOne, registration } from './helpers.js';

async function cluster(unfenced: number[], fenced: number[] = []) {
  const q = await quorumOfOne();
  const dirs = new Map<number, string>();
  for (const id of [...unfenced, ...fenced]) {
    const req = registration(q.clusterId, id);
    dirs.set(id, req.logDirs![0]);
    const epoch = await q.controller.registerBrokerRequest(req);
    if (unfenced.includes(id)) await q.controller.brokerHeartbeat(heartbeat(id, epoch, epoch));
  }
  return { ...q, dirs };
}

const topic = (name: string, numPartitions: number, replicationFactor: number) => ({ name, numPartitions, replicationFactor, assignments: [], configs: [] });

t.test('replicas spread over the brokers, leaders over the unfenced ones', async (t) => {
  const { controller, manager, dirs } = await cluster([2, 3, 4], [5]);
  const [r] = await controller.createTopics([topic('spread', 6, 3)], false);
  t.equal(r.errorCode, ErrorCode.NONE);
  t.equal(r.replicationFactor, 3);
  const leaders = new Map<number, number>();
  for (const p of manager.image.topics.get('spread')!.registrations.values()) {
    t.equal(new Set(p.replicas).size, 3, 'three distinct replicas');
    t.not(p.leader, 5, 'a fenced broker never leads');
    t.equal(p.leader, p.replicas[0]);
    t.same(p.isr, p.replicas.filter((id) => id !== 5));
    t.same(p.directories, p.replicas.map((id) => dirs.get(id)));
    leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
  }
  t.same([...leaders.entries()].sort(), [[2, 2], [3, 2], [4, 2]], 'each unfenced broker leads two of six');
  // New partitions keep partition 0's factor.
  await controller.createPartitions([{ name: 'spread', count: 9, assignments: null }], false);
  for (const p of manager.image.topics.get('spread')!.registrations.values()) t.equal(p.replicas.length, 3);
});

t.test("a factor the brokers cannot hold is INVALID_REPLICATION_FACTOR, with Kafka's reason", async (t) => {
  const { controller } = await cluster([2, 3], [4]);
  const [r] = await controller.createTopics([topic('too-many', 1, 4)], false);
  t.equal(r.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
  t.equal(r.errorMessage, 'Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be reached because only 3 broker(s) are registered or some brokers have all their log directories cordoned.');
  const [ok] = await controller.createTopics([topic('default-factor', 2, -1)], false);
  t.equal(ok.errorCode, ErrorCode.NONE);
  t.equal(ok.replicationFactor, 1, 'default.replication.factor 1');
});

t.test('no unfenced broker: "All brokers are currently fenced..."', async (t) => {
  const { controller } = await cluster([], [2]);
  const [r] = await controller.createTopics([topic('nobody', 1, 1)], false);
  t.equal(r.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
  t.equal(r.errorMessage, 'Unable to replicate the partition 1 time(s): All brokers are currently fenced, or have all their log directories cordoned.');
});

t.test('manual assignments: a registered broker set, one of them able to lead', async (t) => {
  const { controller, manager } = await cluster([2], [3]);
  const manual = (name: string, brokerIds: number[]) => ({ name, numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds }], configs: [] });
  const [fencedOnly] = await controller.createTopics([manual('fenced-only', [3])], false);
  t.equal(fencedOnly.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  t.equal(fencedOnly.errorMessage, 'All brokers specified in the manual partition assignment for partition 0 are fenced or in controlled shutdown.');
  const [unknown] = await controller.createTopics([manual('unknown', [1])], false);
  t.equal(unknown.errorMessage, 'The manual partition assignment includes broker 1, but no such broker is registered.', "the controller's own id is no broker");
  const [mixed] = await controller.createTopics([manual('mixed', [3, 2])], false);
  t.equal(mixed.errorCode, ErrorCode.NONE);
  const p = manager.image.topics.get('mixed')!.registrations.get(0)!;
  t.equal(p.leader, 2);
  t.same(p.isr, [2]);
});
