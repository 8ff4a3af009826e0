// The controller's replica placer: Kafka 4.4's StripedReplicaPlacer (src/replica/placement.ts),
// one per controller with its own random generator, as Kafka's QuorumController keeps one.
import type { ReplicaPlacer } from '../metadata/replication-control.js';
import { StripedReplicaPlacer } from '../replica/placement.js';

export function stripedReplicaPlacer(placer = new StripedReplicaPlacer()): ReplicaPlacer {
  return (_startPartition, numPartitions, replicationFactor, brokers) => placer.place({ numPartitions, numReplicas: replicationFactor }, brokers);
}
