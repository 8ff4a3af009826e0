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
  /** AddRaftVoter / RemoveRaftVoter on the leader (kraft.version 1): resolves once committed, or with Kafka's error. */
  changeVoter(change: {
    add?: { voterId: number; voterDirectoryId: string; endpoints: { name: string; host: string; port: number }[]; kRaftVersionFeature: { minSupportedVersion: number; maxSupportedVersion: number } };
    remove?: { voterId: number; voterDirectoryId: string };
    update?: { voterId: number; voterDirectoryId: string; endpoints: { name: string; host: string; port: number }[]; kRaftVersionFeature: { minSupportedVersion: number; maxSupportedVersion: number } };
  }): Promise<{ errorCode: number; errorMessage: string | null }>;
}

export interface ControllerRequestContext extends RequestInfo {
  raft: QuorumEndpoint;
  /** ApiVersions v3+'s features part (supported and finalized), from the node's metadata image. */
  apiVersionsFeatures(apiVersion: number): object;
}

/**
 * The raft core's answer to a peer's request; undefined when the driver stopped meanwhile (the
 * node is shutting down or crashed): the connection is closed unanswered, as a stopping node's is.
 */
export async function askQuorum(ctx: ControllerRequestContext, message: RaftRequest): Promise<RaftAnswer | undefined> {
  try {
    return await ctx.raft.handle(message);
  } catch (e) {
    ctx.closeConnection(`the raft quorum stopped: ${(e as Error).message}`);
    return undefined;
  }
}
