// What a node of a startCluster() cluster may do to the cluster it is part of (its HTTP port's
// /api/cluster routes): the faults a test injects on nodes, and moving a partition's leader.

export interface ClusterNodeView {
  nodeId: number;
  running: boolean;
  /** "host:port" of its broker listener, null on a controller-only node. */
  bootstrap: string | null;
  /** "host:port" of its controller listener, null on a broker-only node. */
  controller: string | null;
  /** Its HTTP port while running, if it has one. */
  httpPort: number | null;
}

export interface ClusterControl {
  nodes(): ClusterNodeView[];
  kill(nodeId: number): Promise<void>;
  stop(nodeId: number): Promise<void>;
  restart(nodeId: number): Promise<void>;
  isolate(nodeId: number): void;
  /** Removes every inter-node network fault. */
  heal(): void;
  /** Makes `toNode` the partition's leader (a replica of it; it must be in the ISR). */
  moveLeader(topic: string, partition: number, toNode: number): Promise<void>;
}
