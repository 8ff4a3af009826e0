// The core's requests -> Kafka's wire messages (the generated codecs), for __cluster_metadata-0:
// the request a core message becomes, at the version Kafka 4.4 sends between its nodes, and how
// its response reads back into the core's terms (wire-inbound.ts is the other direction).
// Fetched records stay bytes: only batch headers are read.
import { ErrorCode } from '../protocol/errors.js';
import type { Codec } from '../protocol/generated/index.js';
import { BeginQuorumEpochRequest as WireBeginRequest } from '../protocol/generated/begin-quorum-epoch-request.js';
import { BeginQuorumEpochResponse as WireBeginResponse } from '../protocol/generated/begin-quorum-epoch-response.js';
import { EndQuorumEpochRequest as WireEndRequest } from '../protocol/generated/end-quorum-epoch-request.js';
import { EndQuorumEpochResponse as WireEndResponse } from '../protocol/generated/end-quorum-epoch-response.js';
import { FetchRequest as WireFetchRequest } from '../protocol/generated/fetch-request.js';
import { FetchResponse as WireFetchResponse } from '../protocol/generated/fetch-response.js';
import { FetchSnapshotRequest as WireFetchSnapshotRequest } from '../protocol/generated/fetch-snapshot-request.js';
import { FetchSnapshotResponse as WireFetchSnapshotResponse } from '../protocol/generated/fetch-snapshot-response.js';
import { VoteRequest as WireVoteRequest } from '../protocol/generated/vote-request.js';
import { VoteResponse as WireVoteResponse } from '../protocol/generated/vote-response.js';
import type * as core from './messages.js';
import { splitBatches } from './raft-batches.js';

export const METADATA_TOPIC = '__cluster_metadata';
/** Kafka's Uuid.METADATA_TOPIC_ID (0, 1): the metadata topic's id in Fetch v13+. */
export const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** The versions a Kafka 4.4 node sends another: the newest of each API. */
export const RAFT_VERSIONS = { vote: 2, beginQuorumEpoch: 1, endQuorumEpoch: 1, fetch: 18, fetchSnapshot: 1 } as const;

export interface Endpoint {
  /** Listener name (e.g. CONTROLLER). */
  name: string;
  host: string;
  port: number;
}

/** What the conversions need to know of this node and its quorum. */
export interface WireContext {
  clusterId: string;
  localId: number;
  /** A voter's controller endpoint (responses name the leader's at v1+); undefined if unknown. */
  endpointOf(nodeId: number): Endpoint | undefined;
  /** Fetch's byte limit. */
  fetchMaxBytes: number;
  /** The leader this node knows (-1: none) and its epoch, for answers Kafka gives before the core sees a request. */
  leaderAndEpoch(): { leaderId: number; epoch: number };
}

// ---- Outbound: a core request, and its response read back ----------------------------------------

export interface OutboundCall {
  request: Codec<any>;
  response: Codec<any>;
  version: number;
  body: unknown;
  /** The wire response in the core's terms; null for a request-level error (the request failed). */
  toCore(res: any): core.RaftResponse | null;
}

function onePartition<T>(topics: { partitions: T[] }[] | undefined): T | undefined {
  return topics?.length === 1 && topics[0].partitions.length === 1 ? topics[0].partitions[0] : undefined;
}

export function outboundRequest(msg: core.RaftRequest, to: number, ctx: WireContext): OutboundCall {
  const self = ctx.endpointOf(ctx.localId);
  const leaderEndpoints = self ? [self] : [];
  switch (msg.type) {
    case 'VoteRequest':
      return {
        request: WireVoteRequest,
        response: WireVoteResponse,
        version: RAFT_VERSIONS.vote,
        body: {
          clusterId: ctx.clusterId,
          voterId: to,
          topics: [
            {
              topicName: METADATA_TOPIC,
              partitions: [
                {
                  partitionIndex: 0,
                  replicaEpoch: msg.candidateEpoch,
                  replicaId: msg.candidateId,
                  replicaDirectoryId: ZERO_UUID,
                  voterDirectoryId: ZERO_UUID,
                  lastOffsetEpoch: msg.lastOffsetEpoch,
                  lastOffset: msg.lastOffset,
                  preVote: msg.preVote,
                },
              ],
            },
          ],
        } satisfies WireVoteRequest,
        toCore: (res: WireVoteResponse) => {
          const p = onePartition(res.topics);
          if (res.errorCode !== ErrorCode.NONE || !p) return null;
          return { type: 'VoteResponse', errorCode: p.errorCode as core.ErrorCodeValue, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, voteGranted: p.voteGranted, preVote: msg.preVote };
        },
      };
    case 'BeginQuorumEpochRequest':
      return {
        request: WireBeginRequest,
        response: WireBeginResponse,
        version: RAFT_VERSIONS.beginQuorumEpoch,
        body: {
          clusterId: ctx.clusterId,
          voterId: to,
          topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0, voterDirectoryId: ZERO_UUID, leaderId: msg.leaderId, leaderEpoch: msg.leaderEpoch }] }],
          leaderEndpoints,
        } satisfies WireBeginRequest,
        toCore: (res: WireBeginResponse) => {
          const p = onePartition(res.topics);
          if (res.errorCode !== ErrorCode.NONE || !p) return null;
          return { type: 'BeginQuorumEpochResponse', errorCode: p.errorCode as core.ErrorCodeValue, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch };
        },
      };
    case 'EndQuorumEpochRequest':
      return {
        request: WireEndRequest,
        response: WireEndResponse,
        version: RAFT_VERSIONS.endQuorumEpoch,
        body: {
          clusterId: ctx.clusterId,
          topics: [
            {
              topicName: METADATA_TOPIC,
              partitions: [
                {
                  partitionIndex: 0,
                  leaderId: msg.leaderId,
                  leaderEpoch: msg.leaderEpoch,
                  preferredSuccessors: [],
                  preferredCandidates: msg.preferredSuccessors.map((candidateId) => ({ candidateId, candidateDirectoryId: ZERO_UUID })),
                },
              ],
            },
          ],
          leaderEndpoints,
        } satisfies WireEndRequest,
        toCore: (res: WireEndResponse) => {
          const p = onePartition(res.topics);
          if (res.errorCode !== ErrorCode.NONE || !p) return null;
          return { type: 'EndQuorumEpochResponse', errorCode: p.errorCode as core.ErrorCodeValue, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch };
        },
      };
    case 'FetchRequest':
      return {
        request: WireFetchRequest,
        response: WireFetchResponse,
        version: RAFT_VERSIONS.fetch,
        body: {
          clusterId: ctx.clusterId,
          replicaState: { replicaId: msg.replicaId, replicaEpoch: -1 },
          maxWaitMs: msg.maxWaitMs,
          minBytes: 0,
          maxBytes: ctx.fetchMaxBytes,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topicId: METADATA_TOPIC_ID,
              partitions: [
                {
                  partition: 0,
                  currentLeaderEpoch: msg.currentLeaderEpoch,
                  fetchOffset: msg.fetchOffset,
                  lastFetchedEpoch: msg.lastFetchedEpoch,
                  logStartOffset: -1,
                  partitionMaxBytes: ctx.fetchMaxBytes,
                  replicaDirectoryId: ZERO_UUID,
                  ...(msg.highWatermark !== undefined ? { highWatermark: msg.highWatermark } : {}),
                },
              ],
            },
          ],
          forgottenTopicsData: [],
          rackId: '',
        } satisfies WireFetchRequest,
        toCore: (res: WireFetchResponse) => {
          const p = onePartition(res.responses);
          if ((res.errorCode ?? 0) !== ErrorCode.NONE || !p) return null;
          const out: core.FetchResponse = {
            type: 'FetchResponse',
            errorCode: p.errorCode as core.ErrorCodeValue,
            leaderId: p.currentLeader?.leaderId ?? -1,
            leaderEpoch: p.currentLeader?.leaderEpoch ?? -1,
            highWatermark: p.highWatermark,
            logStartOffset: p.logStartOffset ?? -1,
            batches: p.errorCode === ErrorCode.NONE ? splitBatches(p.records) : [],
          };
          if (p.divergingEpoch && p.divergingEpoch.epoch >= 0 && p.divergingEpoch.endOffset >= 0) out.divergingEpoch = { epoch: p.divergingEpoch.epoch, endOffset: p.divergingEpoch.endOffset };
          if (p.snapshotId && p.snapshotId.endOffset >= 0 && p.snapshotId.epoch >= 0) out.snapshotId = { offset: p.snapshotId.endOffset, epoch: p.snapshotId.epoch };
          return out;
        },
      };
    case 'FetchSnapshotRequest':
      return {
        request: WireFetchSnapshotRequest,
        response: WireFetchSnapshotResponse,
        version: RAFT_VERSIONS.fetchSnapshot,
        body: {
          clusterId: ctx.clusterId,
          replicaId: msg.replicaId,
          maxBytes: msg.maxBytes,
          topics: [
            {
              name: METADATA_TOPIC,
              partitions: [
                {
                  partition: 0,
                  currentLeaderEpoch: msg.currentLeaderEpoch,
                  snapshotId: { endOffset: msg.snapshotId.offset, epoch: msg.snapshotId.epoch },
                  position: msg.position,
                  replicaDirectoryId: ZERO_UUID,
                },
              ],
            },
          ],
        } satisfies WireFetchSnapshotRequest,
        toCore: (res: WireFetchSnapshotResponse) => {
          const p = onePartition(res.topics);
          if (res.errorCode !== ErrorCode.NONE || !p) return null;
          const bytes = Array.isArray(p.unalignedRecords) ? Buffer.concat(p.unalignedRecords) : p.unalignedRecords;
          const out: core.FetchSnapshotResponse = {
            type: 'FetchSnapshotResponse',
            errorCode: p.errorCode as core.ErrorCodeValue,
            leaderId: p.currentLeader?.leaderId ?? -1,
            leaderEpoch: p.currentLeader?.leaderEpoch ?? -1,
            snapshotId: { offset: p.snapshotId.endOffset, epoch: p.snapshotId.epoch },
          };
          if (p.errorCode === ErrorCode.NONE) out.chunk = { size: p.size, position: p.position, length: bytes.length, bytes };
          return out;
        },
      };
  }
}

