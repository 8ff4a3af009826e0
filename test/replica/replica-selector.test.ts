// Kafka's RackAwareReplicaSelector rules (KIP-392) and replica.selector.class as Kafka 4.4 takes it.
import t from 'tap';
import { rackAwareSelector, replicaSelector, RACK_AWARE_REPLICA_SELECTOR, LEADER_SELECTOR, type ReplicaView } from '../../src/replica/replica-selector.js';

const view = (id: number, rack: string | null, logEndOffset = 100, timeSinceLastCaughtUpMs = 0): ReplicaView => ({ id, rack, logEndOffset, timeSinceLastCaughtUpMs });

t.test('the leader when the client names no rack, no replica shares it, or the leader is on it', async (t) => {
  const leader = view(1, 'r1');
  const replicas = [leader, view(2, 'r2'), view(3, 'r3')];
  t.equal(rackAwareSelector('', replicas, leader), leader);
  t.equal(rackAwareSelector('r9', replicas, leader), leader);
  t.equal(rackAwareSelector('r1', [...replicas, view(4, 'r1')], leader), leader);
});

t.test('a follower on the client rack; among several the most caught up, then the most recently caught up', async (t) => {
  const leader = view(1, 'r1');
  t.equal(rackAwareSelector('r2', [leader, view(2, 'r2'), view(3, 'r3')], leader)?.id, 2);
  t.equal(rackAwareSelector('r2', [leader, view(2, 'r2', 90), view(3, 'r2', 100)], leader)?.id, 3);
  t.equal(rackAwareSelector('r2', [leader, view(2, 'r2', 100, 50), view(3, 'r2', 100, 10)], leader)?.id, 3);
});

t.test('replica.selector.class: unset is none, Kafka class names accepted, others refused', async (t) => {
  t.equal(replicaSelector(null), null);
  t.equal(replicaSelector(RACK_AWARE_REPLICA_SELECTOR), rackAwareSelector);
  const leader = view(1, 'r1');
  t.equal(replicaSelector(LEADER_SELECTOR)!('r2', [leader, view(2, 'r2')], leader), leader);
  t.throws(() => replicaSelector('com.example.Nope'), /replica.selector.class/);
});
