// The core's messages <-> Kafka's wire messages (the generated codecs), for __cluster_metadata-0.
// Out: the request a core message becomes, at the version Kafka 4.4 sends between its nodes, and
// how its response reads back into the core's terms. In: Kafka's checks of a peer's request
// (cluster id, the one partition, the voter key), the core message it carries, and the wire
// response the core's answer becomes. Fetched records stay bytes: only batch headers are read.
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
import { BATCH_HEADER_SIZE, batchSize, readBatchHeader } from '../protocol/records/batch.js';
import type * as core from './messages.js';

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

// ---- Records: batch headers only ---------------------------------------------------------------

/** Splits fetched bytes into whole batches (a trailing partial batch is dropped, as Kafka does). */
export function splitBatches(records: Buffer | Buffer[] | null | undefined): core.RaftBatch[] {
  if (!records) return [];
  const buf = Array.isArray(records) ? Buffer.concat(records) : records;
  const out: core.RaftBatch[] = [];
  for (let pos = 0; pos + BATCH_HEADER_SIZE <= buf.length; ) {
    const size = batchSize(buf, pos);
    if (pos + size > buf.length) break;
    const h = readBatchHeader(buf, pos);
    out.push({ baseOffset: h.baseOffset, lastOffset: h.baseOffset + h.lastOffsetDelta, epoch: h.partitionLeaderEpoch, data: buf.subarray(pos, pos + size) });
    pos += size;
  }
  return out;
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

// ---- Inbound: Kafka's checks, the core message, the wire answer ---------------------------------

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
  // Kafka checks the epoch first (a stale one is FENCED_LEADER_EPOCH, from the core), then the voter key.
  const { leaderId, epoch } = ctx.leaderAndEpoch();
  if (version >= 1 && p.replicaEpoch >= epoch && wrongVoter(req.voterId, ctx)) {
    return { response: voteToWire({ type: 'VoteResponse', errorCode: ErrorCode.INVALID_VOTER_KEY, leaderId, leaderEpoch: epoch, voteGranted: false, preVote: false }, version, ctx) };
  }
  return {
    message: { type: 'VoteRequest', candidateEpoch: p.replicaEpoch, candidateId: p.replicaId, lastOffsetEpoch: p.lastOffsetEpoch, lastOffset: p.lastOffset, preVote: version >= 2 && (p.preVote ?? false) },
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
