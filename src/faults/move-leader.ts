// Moving a partition's leader the way an operator does it on Kafka: a reassignment that only
// reorders the replicas puts the target node first (the preferred replica), then a PREFERRED
// ElectLeaders makes it leader. Both go over the wire to a broker, which forwards them to the
// active controller; the caller's image shows when each step has taken effect.
import type { MetadataImage, PartitionRegistration } from '../metadata/image.js';
import { NodeClient, type NodeEndpoint } from '../network/node-client.js';
import { ErrorCode, errorName } from '../protocol/errors.js';
import { AlterPartitionReassignmentsRequest } from '../protocol/generated/alter-partition-reassignments-request.js';
import { AlterPartitionReassignmentsResponse } from '../protocol/generated/alter-partition-reassignments-response.js';
import { ElectLeadersRequest } from '../protocol/generated/elect-leaders-request.js';
import { ElectLeadersResponse } from '../protocol/generated/elect-leaders-response.js';

const PREFERRED = 0;
const BROKER = 0;

export interface MoveLeaderTarget {
  /** A running broker's listener (requests go there). */
  broker(): NodeEndpoint;
  /** The running nodes' current metadata images (each step has taken effect once all show it). */
  images(): MetadataImage[];
}

async function until(what: string, timeoutMs: number, done: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function moveLeader(target: MoveLeaderTarget, topic: string, partition: number, toNode: number, timeoutMs = 60_000): Promise<void> {
  const regs = (): (PartitionRegistration | undefined)[] => target.images().map((i) => i.topics.get(topic)?.registrations.get(partition));
  const current = regs()[0];
  if (current === undefined) throw new Error(`no partition ${topic}-${partition}`);
  if (current.leader === toNode) return;
  if (!current.replicas.includes(toNode)) throw new Error(`node ${toNode} is not a replica of ${topic}-${partition} (replicas ${current.replicas.join(',')})`);
  if (!current.isr.includes(toNode)) throw new Error(`node ${toNode} is not in the ISR of ${topic}-${partition} (ISR ${current.isr.join(',')})`);
  const client = new NodeClient({ nodeId: -1, clientId: 'samsa-move-leader', requestTimeoutMs: 30_000 });
  client.setEndpoint(BROKER, target.broker());
  try {
    if (current.replicas[0] !== toNode) {
      const replicas = [toNode, ...current.replicas.filter((r) => r !== toNode)];
      const res = await client.send(BROKER, AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse, 0, {
        timeoutMs: 30_000,
        topics: [{ name: topic, partitions: [{ partitionIndex: partition, replicas }] }],
      });
      const code = res.errorCode || (res.responses[0]?.partitions[0]?.errorCode ?? ErrorCode.NONE);
      if (code !== ErrorCode.NONE) throw new Error(`reordering the replicas of ${topic}-${partition}: ${errorName(code)}`);
      await until(`${topic}-${partition}'s replicas to start with ${toNode}`, timeoutMs, () => regs().every((r) => r?.replicas[0] === toNode));
    }
    const res = await client.send(BROKER, ElectLeadersRequest, ElectLeadersResponse, 2, {
      electionType: PREFERRED,
      topicPartitions: [{ topic, partitions: [partition] }],
      timeoutMs: 30_000,
    });
    const code = res.errorCode || (res.replicaElectionResults[0]?.partitionResult[0]?.errorCode ?? ErrorCode.NONE);
    if (code !== ErrorCode.NONE && code !== ErrorCode.ELECTION_NOT_NEEDED) throw new Error(`electing ${toNode} for ${topic}-${partition}: ${errorName(code)}`);
    await until(`${toNode} to lead ${topic}-${partition}`, timeoutMs, () => regs().every((r) => r?.leader === toNode));
  } finally {
    client.close();
  }
}
