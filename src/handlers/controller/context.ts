// What a controller listener's handlers may reach (Kafka's ControllerApis): the raft quorum
// through a narrow interface, never the Broker. The node builds it; the controller's own APIs
// add their part here.
import type { RequestInfo } from '../../network/api.js';
import type { RaftAnswer } from '../../raft/driver.js';
import type { QuorumDescription, RaftRequest, RaftStatus } from '../../raft/messages.js';
import type { WireContext } from '../../raft/wire.js';

/** The raft driver as the quorum's handlers see it. */
export interface QuorumEndpoint {
  readonly nodeId: number;
  readonly clusterId: string;
  /** Cluster id, this node's id, voters' endpoints: what the wire checks and answers need. */
  readonly wire: WireContext;
  /** The voters (controller.quorum.voters) and their controller endpoints, by id. */
  readonly voters: ReadonlyMap<number, { name: string; host: string; port: number }>;
  handle(message: RaftRequest): Promise<RaftAnswer>;
  describeQuorum(): QuorumDescription | undefined;
  status(): RaftStatus;
}

export interface ControllerRequestContext extends RequestInfo {
  raft: QuorumEndpoint;
  /** ApiVersions v3+'s features part (supported and finalized), from the node's metadata image. */
  apiVersionsFeatures(apiVersion: number): object;
}
