// What the HTTP routes see of the broker: a narrow view built in src/broker.ts. Route modules add
// the fields they need here (additively), never the whole Broker.
import type { BrokerConfig } from '../config.js';
import type { MetadataImage } from '../metadata/image.js';
import type { BrokerMetrics } from '../metrics/broker-metrics.js';
import type { ConsoleSource } from './console/source.js';
import type { FaultRegistry } from '../faults/registry.js';
import type { ClusterControl } from '../faults/cluster-control.js';
import type { RaftStatus } from '../raft/messages.js';
import type { StandardAuthorizer } from '../security/acl/authorizer.js';
import type { SecurityProtocol } from '../security/listener-security.js';

export interface HttpContext {
  readonly nodeId: number;
  /** The broker's static config (its samsa.* and Kafka settings). */
  readonly config: BrokerConfig;
  /** The current metadata image (topics, partitions, brokers). */
  image(): MetadataImage;
  /** The counters the listeners keep (/metrics). */
  readonly metrics: BrokerMetrics;
  /** Whether this node is the active controller (a lone node always is). */
  activeController(): boolean;
  /** The metadata quorum as this node sees it (kafka_server_raft_metrics_*); null on a lone broker. */
  raftStatus(): RaftStatus | null;
  /** The topic's min.insync.replicas. */
  minInsyncReplicas(topic: string): number;
  /** A partition's log start offset and high watermark, when its log is on this broker. */
  partitionOffsets(topic: string, partition: number): { logStartOffset: number; highWatermark: number } | null;
  /** The committed offsets of the groups this broker coordinates. */
  committedOffsets(): Iterable<{ group: string; topic: string; partition: number; offset: number }>;
  /** The web console's reads and in-process requests (src/http/console/source.ts). */
  readonly console: ConsoleSource;
  /** Injected faults and hooks (/api/faults). */
  readonly faults: FaultRegistry;
  /** The startCluster() cluster this broker is a node of (/api/cluster); null otherwise. */
  cluster(): ClusterControl | null;
  /** The broker's authorizer over the current ACLs; null without authorizer.class.name (src/http/auth.ts). */
  authorizer(): StandardAuthorizer | null;
  /** The broker's Kafka listeners: a SASL one puts the port behind HTTP Basic auth. */
  listeners(): readonly { name: string; securityProtocol: SecurityProtocol }[];
}
