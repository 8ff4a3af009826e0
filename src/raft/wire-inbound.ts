// A peer's raft request as Kafka's controller takes it: Kafka's checks first (cluster id, the one
// partition, the voter key, in Kafka's order), then the core message it carries; and the wire
// response the core's answer becomes (wire.ts is the outbound direction).
import { ErrorCode } from '../protocol/errors.js';
import type { BeginQuorumEpochRequest as WireBeginRequest } from '../protocol/generated/begin-quorum-epoch-request.js';
import type { BeginQuorumEpochResponse as WireBeginResponse } from '../protocol/generated/begin-quorum-epoch-response.js';
import type { EndQuorumEpochRequest as WireEndRequest } from '../protocol/generated/end-quorum-epoch-request.js';
import type { EndQuorumEpochResponse as WireEndResponse } from '../protocol/generated/end-quorum-epoch-response.js';
import type { FetchRequest as WireFetchRequest } from '../protocol/generated/fetch-request.js';
import type { FetchResponse as WireFetchResponse } from '../protocol/generated/fetch-response.js';
import type { FetchSnapshotRequest as WireFetchSnapshotRequest } from '../protocol/generated/fetch-snapshot-request.js';
import type { FetchSnapshotResponse as WireFetchSnapshotResponse } from '../protocol/generated/fetch-snapshot-response.js';
import type { VoteRequest as WireVoteRequest } from '../protocol/generated/vote-request.js';
import type { VoteResponse as WireVoteResponse } from '../protocol/generated/vote-response.js';
import type * as core from './messages.js';
import { METADATA_TOPIC, METADATA_TOPIC_ID, type WireContext } from './wire.js';

/** A request the core may see, or the wire answer Kafka gives without it. */
export type Inbound<M, R> = { message: M } | { response: R };

/** Top-level checks every raft request gets: the cluster id (when sent), then exactly our one partition. */
function requestError(clusterId: string | null | undefined, ctx: WireContext, single: boolean): number {
  if (clusterId != null && clusterId !== ctx.clusterId) return ErrorCode.INCONSISTENT_CLUSTER_ID;
  if (!single) return ErrorCode.INVALID_REQUEST;
  return ErrorCode.NONE;
}

function isMetadataPartition(topics: { topicName: string; partitions: { partitionIndex: number }[] }[]): boolean {
  return topics.length === 1 && topics[0].topicName === METADATA_TOPIC && topics[0].partitions.length === 1 && topics[0].partitions[0].partitionIndex === 0;
}

/** v1+ names the voter a request is meant for (KIP-853): another id is INVALID_VOTER_KEY. */
function wrongVoter(voterId: number | undefined, ctx: WireContext): boolean {
  return voterId !== undefined && voterId >= 0 && voterId !== ctx.localId;
}

function nodeEndpoints(ctx: WireContext, leaderId: number, version: number): { nodeId: number; host: string; port: number }[] {
  const e = version >= 1 && leaderId >= 0 ? ctx.endpointOf(leaderId) : undefined;
  return e ? [{ nodeId: leaderId, host: e.host, port: e.port }] : [];
}

export function voteFromWire(req: WireVoteRequest, version: number, ctx: WireContext): Inbound<core.VoteRequest, WireVoteResponse> {
  const error = requestError(req.clusterId, ctx, isMetadataPartition(req.topics));
  if (error !== ErrorCode.NONE) return { response: { errorCode: error, topics: [], nodeEndpoints: [] } };
  const p = req.topics[0].partitions[0];
  const { leaderId, epoch } = ctx.leaderAndEpoch();
  const preVote = version >= 2 && (p.preVote ?? false);
  // A candidate's last entry precedes its candidacy (a pre-vote's may be in the epoch it would
  // stand in): anything else, or a negative position, is INVALID_REQUEST, as Kafka answers.
  const illegalEpoch = preVote ? p.lastOffsetEpoch > p.replicaEpoch : p.lastOffsetEpoch >= p.replicaEpoch;
  if (p.lastOffset < 0 || p.lastOffsetEpoch < 0 || illegalEpoch) {
    return { response: voteToWire({ type: 'VoteResponse', errorCode: ErrorCode.INVALID_REQUEST, leaderId, leaderEpoch: epoch, voteGranted: false, preVote }, version, ctx) };
  }
  // Then the epoch (a stale one is FENCED_LEADER_EPOCH, from the core), then the voter key.
  if (version >= 1 && p.replicaEpoch >= epoch && wrongVoter(req.voterId, ctx)) {
    return { response: voteToWire({ type: 'VoteResponse', errorCode: ErrorCode.INVALID_VOTER_KEY, leaderId, leaderEpoch: epoch, voteGranted: false, preVote: false }, version, ctx) };
  }
  return {
    message: { type: 'VoteRequest', candidateEpoch: p.replicaEpoch, candidateId: p.replicaId, lastOffsetEpoch: p.lastOffsetEpoch, lastOffset: p.lastOffset, preVote },
  };
}

export function voteToWire(res: core.VoteResponse, version: number, ctx: WireContext): WireVoteResponse {
  return {
    errorCode: ErrorCode.NONE,
    topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0, errorCode: res.errorCode, leaderId: res.leaderId, leaderEpoch: res.leaderEpoch, voteGranted: res.voteGranted }] }],
    nodeEndpoints: nodeEndpoints(ctx, res.leaderId, version),
  };
}

export function beginQuorumEpochFromWire(req: WireBeginRequest, version: number, ctx: WireContext): Inbound<core.BeginQuorumEpochRequest, WireBeginResponse> {
  const error = requestError(req.clusterId, ctx, isMetadataPartition(req.topics));
  if (error !== ErrorCode.NONE) return { response: { errorCode: error, topics: [], nodeEndpoints: [] } };
  const p = req.topics[0].partitions[0];
  const { leaderId, epoch } = ctx.leaderAndEpoch();
  if (version >= 1 && p.leaderEpoch >= epoch && wrongVoter(req.voterId, ctx)) {
    return { response: beginQuorumEpochToWire({ type: 'BeginQuorumEpochResponse', errorCode: ErrorCode.INVALID_VOTER_KEY, leaderId, leaderEpoch: epoch }, version, ctx) };
  }
  return { message: { type: 'BeginQuorumEpochRequest', leaderId: p.leaderId, leaderEpoch: p.leaderEpoch } };
}

export function beginQuorumEpochToWire(res: core.BeginQuorumEpochResponse, version: number, ctx: WireContext): WireBeginResponse {
  return {
    errorCode: ErrorCode.NONE,
    topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0, errorCode: res.errorCode, leaderId: res.leaderId, leaderEpoch: res.leaderEpoch }] }],
    nodeEndpoints: nodeEndpoints(ctx, res.leaderId, version),
  };
}

export function endQuorumEpochFromWire(req: WireEndRequest, version: number, ctx: WireContext): Inbound<core.EndQuorumEpochRequest, WireEndResponse> {
  const error = requestError(req.clusterId, ctx, isMetadataPartition(req.topics));
  if (error !== ErrorCode.NONE) return { response: { errorCode: error, topics: [], nodeEndpoints: [] } };
  const p = req.topics[0].partitions[0];
  const preferredSuccessors = version >= 1 ? (p.preferredCandidates ?? []).map((c) => c.candidateId) : (p.preferredSuccessors ?? []);
  return { message: { type: 'EndQuorumEpochRequest', leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, preferredSuccessors } };
}

export function endQuorumEpochToWire(res: core.EndQuorumEpochResponse, version: number, ctx: WireContext): WireEndResponse {
  return {
    errorCode: ErrorCode.NONE,
    topics: [{ topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0, errorCode: res.errorCode, leaderId: res.leaderId, leaderEpoch: res.leaderEpoch }] }],
    nodeEndpoints: nodeEndpoints(ctx, res.leaderId, version),
  };
}

/** Fetch is also a broker API: only a fetch of exactly __cluster_metadata-0 from a replica is raft's. */
export function fetchFromWire(req: WireFetchRequest, version: number, ctx: WireContext): Inbound<core.FetchRequest, WireFetchResponse> {
  const topics = req.topics;
  const t = topics.length === 1 ? topics[0] : undefined;
  const isMetadata = t !== undefined && (version >= 13 ? t.topicId === METADATA_TOPIC_ID : t.topic === METADATA_TOPIC) && t.partitions.length === 1 && t.partitions[0].partition === 0;
  const error = requestError(req.clusterId, ctx, isMetadata);
  if (error !== ErrorCode.NONE) return { response: { throttleTimeMs: 0, errorCode: error, sessionId: 0, responses: [], nodeEndpoints: [] } };
  const p = t!.partitions[0];
  const replicaId = version >= 15 ? (req.replicaState?.replicaId ?? -1) : (req.replicaId ?? -1);
  return {
    message: {
      type: 'FetchRequest',
      replicaId,
      currentLeaderEpoch: p.currentLeaderEpoch ?? -1,
      fetchOffset: p.fetchOffset,
      lastFetchedEpoch: p.lastFetchedEpoch ?? -1,
      maxWaitMs: req.maxWaitMs,
      // Long.MAX_VALUE (the default) means the fetcher does not send it.
      ...(version >= 18 && p.highWatermark !== undefined && p.highWatermark < Number.MAX_SAFE_INTEGER ? { highWatermark: p.highWatermark } : {}),
    },
  };
}

/** The core's answer, with `records` already read from the log by the driver. */
export function fetchToWire(res: core.FetchResponse, version: number, ctx: WireContext, records: Buffer | Buffer[] | null): WireFetchResponse {
  const leaderEndpoint = version >= 16 && res.leaderId >= 0 ? ctx.endpointOf(res.leaderId) : undefined;
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: 0,
    responses: [
      {
        topic: METADATA_TOPIC,
        topicId: METADATA_TOPIC_ID,
        partitions: [
          {
            partitionIndex: 0,
            errorCode: res.errorCode,
            highWatermark: res.highWatermark,
            lastStableOffset: -1,
            logStartOffset: res.logStartOffset,
            divergingEpoch: res.divergingEpoch ? { epoch: res.divergingEpoch.epoch, endOffset: res.divergingEpoch.endOffset } : { epoch: -1, endOffset: -1 },
            currentLeader: { leaderId: res.leaderId, leaderEpoch: res.leaderEpoch },
            snapshotId: res.snapshotId ? { endOffset: res.snapshotId.offset, epoch: res.snapshotId.epoch } : { endOffset: -1, epoch: -1 },
            abortedTransactions: [],
            preferredReadReplica: -1,
            records: records ?? Buffer.alloc(0),
          },
        ],
      },
    ],
    nodeEndpoints: leaderEndpoint ? [{ nodeId: res.leaderId, host: leaderEndpoint.host, port: leaderEndpoint.port, rack: null }] : [],
  };
}

export function fetchSnapshotFromWire(req: WireFetchSnapshotRequest, _version: number, ctx: WireContext): Inbound<core.FetchSnapshotRequest, WireFetchSnapshotResponse> {
  const topics = req.topics;
  const single = topics.length === 1 && topics[0].name === METADATA_TOPIC && topics[0].partitions.length === 1 && topics[0].partitions[0].partition === 0;
  const error = requestError(req.clusterId, ctx, single);
  if (error !== ErrorCode.NONE) return { response: { throttleTimeMs: 0, errorCode: error, topics: [], nodeEndpoints: [] } };
  const p = topics[0].partitions[0];
  return {
    message: {
      type: 'FetchSnapshotRequest',
      replicaId: req.replicaId,
      currentLeaderEpoch: p.currentLeaderEpoch,
      snapshotId: { offset: p.snapshotId.endOffset, epoch: p.snapshotId.epoch },
      position: p.position,
      maxBytes: req.maxBytes,
    },
  };
}

export function fetchSnapshotToWire(res: core.FetchSnapshotResponse, version: number, ctx: WireContext): WireFetchSnapshotResponse {
  const chunk = res.chunk;
  const leaderEndpoint = version >= 1 && res.leaderId >= 0 ? ctx.endpointOf(res.leaderId) : undefined;
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    topics: [
      {
        name: METADATA_TOPIC,
        partitions: [
          {
            index: 0,
            errorCode: res.errorCode,
            snapshotId: { endOffset: res.snapshotId.offset, epoch: res.snapshotId.epoch },
            currentLeader: { leaderId: res.leaderId, leaderEpoch: res.leaderEpoch },
            size: chunk?.size ?? -1,
            position: chunk?.position ?? -1,
            unalignedRecords: (chunk?.bytes as Buffer | undefined) ?? Buffer.alloc(0),
          },
        ],
      },
    ],
    nodeEndpoints: leaderEndpoint ? [{ nodeId: res.leaderId, host: leaderEndpoint.host, port: leaderEndpoint.port }] : [],
  };
}
