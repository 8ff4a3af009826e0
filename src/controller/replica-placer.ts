// Replica placement for a cluster's new partitions until src/replica/placement.ts (Kafka's
// StripedReplicaPlacer, rack-aware) is wired in: leaders striped round-robin over the unfenced
// brokers, followers the next brokers after the leader, fenced ones only when the unfenced run
// out; Kafka's InvalidReplicationFactorException reasons.
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import type { ReplicaPlacer } from '../metadata/replication-control.js';

export const roundRobinPlacer: ReplicaPlacer = (startPartition, numPartitions, replicationFactor, brokers) => {
  if (replicationFactor <= 0) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, `Invalid replication factor ${replicationFactor}: the replication factor must be positive.`);
  }
  const unfenced = brokers.filter((b) => !b.fenced).map((b) => b.id);
  if (unfenced.length === 0) throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'All brokers are currently fenced.');
  if (replicationFactor > brokers.length) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `The target replication factor of ${replicationFactor} cannot be reached because only ${brokers.length} broker(s) are registered.`,
    );
  }
  const ordered = [...unfenced, ...brokers.filter((b) => b.fenced).map((b) => b.id)];
  const out: number[][] = [];
  for (let p = 0; p < numPartitions; p++) {
    const leader = unfenced[(startPartition + p) % unfenced.length];
    const replicas = [leader];
    const from = ordered.indexOf(leader);
    for (let i = 1; replicas.length < replicationFactor; i++) {
      const id = ordered[(from + i) % ordered.length];
      if (!replicas.includes(id)) replicas.push(id);
    }
    out.push(replicas);
  }
  return out;
};
