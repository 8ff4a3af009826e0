// Group API calls over a real socket: requests encoded with the generated codecs (from Kafka's
// schemas), responses decoded the same way, so tests can drive the coordinator request by request
// and check the error codes Kafka gives. Also a broker with settings for fast group tests.
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import type { Codec } from '../../src/protocol/generated/index.js';
import { JoinGroupRequest } from '../../src/protocol/generated/join-group-request.js';
import { JoinGroupResponse } from '../../src/protocol/generated/join-group-response.js';
import { SyncGroupRequest } from '../../src/protocol/generated/sync-group-request.js';
import { SyncGroupResponse } from '../../src/protocol/generated/sync-group-response.js';
import { HeartbeatRequest } from '../../src/protocol/generated/heartbeat-request.js';
import { HeartbeatResponse } from '../../src/protocol/generated/heartbeat-response.js';
import { LeaveGroupRequest } from '../../src/protocol/generated/leave-group-request.js';
import { LeaveGroupResponse } from '../../src/protocol/generated/leave-group-response.js';
import { OffsetCommitRequest } from '../../src/protocol/generated/offset-commit-request.js';
import { OffsetCommitResponse } from '../../src/protocol/generated/offset-commit-response.js';
import { OffsetFetchRequest } from '../../src/protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse } from '../../src/protocol/generated/offset-fetch-response.js';
import { DescribeGroupsRequest } from '../../src/protocol/generated/describe-groups-request.js';
import { DescribeGroupsResponse } from '../../src/protocol/generated/describe-groups-response.js';
import { ListGroupsRequest } from '../../src/protocol/generated/list-groups-request.js';
import { ListGroupsResponse } from '../../src/protocol/generated/list-groups-response.js';
import { DeleteGroupsRequest } from '../../src/protocol/generated/delete-groups-request.js';
import { DeleteGroupsResponse } from '../../src/protocol/generated/delete-groups-response.js';
import { OffsetDeleteRequest } from '../../src/protocol/generated/offset-delete-request.js';
import { OffsetDeleteResponse } from '../../src/protocol/generated/offset-delete-response.js';
import { FindCoordinatorRequest } from '../../src/protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../../src/protocol/generated/find-coordinator-response.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { WireConnection } from '../helpers/wire.js';
import { startBroker, type RunningBroker } from '../../src/index.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Group tests run with no initial delay and short minimum session timeouts. */
export const FAST_GROUPS: Record<string, string> = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '100',
  'offsets.topic.num.partitions': '4',
};

export async function groupBroker(t: Teardown, config: Record<string, string> = {}, dataDir?: string): Promise<RunningBroker> {
  const b = await startBroker({ port: 0, ...(dataDir ? { dataDir } : { memory: true }), config: { ...FAST_GROUPS, ...config } });
  t.teardown(() => b.close());
  await b.broker.groups.whenLoaded();
  return b;
}

export class GroupWire {
  private constructor(readonly conn: WireConnection) {}

  static async connect(t: Teardown, b: { host: string; port: number }): Promise<GroupWire> {
    const conn = await WireConnection.connect(b.host, b.port);
    t.teardown(() => conn.destroy());
    return new GroupWire(conn);
  }

  /** Sends the request; resolves with the decoded response. */
  async call<Req, Res>(req: Codec<Req>, res: Codec<Res>, version: number, body: Req, timeoutMs = 10_000): Promise<Res> {
    const w = new Writer();
    req.encode(w, version, body);
    const flexible = req.firstFlexibleVersion >= 0 && version >= req.firstFlexibleVersion;
    const frame = await this.conn.request(req.apiKey, version, w.toBuffer(), { headerVersion: flexible ? 2 : 1, timeoutMs });
    const r = new Reader(frame);
    r.int32();
    if (flexible) r.taggedFields();
    const decoded = res.decode(r, version);
    if (r.remaining() !== 0) throw new Error(`${res.name} v${version}: ${r.remaining()} bytes left after decoding`);
    return decoded;
  }

  join(version: number, body: Partial<JoinGroupRequest> & { groupId: string }, timeoutMs?: number): Promise<JoinGroupResponse> {
    return this.call(JoinGroupRequest, JoinGroupResponse, version, {
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from('meta') }],
      reason: null,
      ...body,
    }, timeoutMs);
  }

  /** JoinGroup v5 (or given) that follows MEMBER_ID_REQUIRED with the id it is handed. */
  async joinFully(body: Partial<JoinGroupRequest> & { groupId: string }, version = 5): Promise<JoinGroupResponse> {
    const first = await this.join(version, body);
    if (first.errorCode !== 79) return first;
    return this.join(version, { ...body, memberId: first.memberId });
  }

  sync(version: number, body: Partial<SyncGroupRequest> & { groupId: string; generationId: number; memberId: string }, timeoutMs?: number): Promise<SyncGroupResponse> {
    return this.call(SyncGroupRequest, SyncGroupResponse, version, { groupInstanceId: null, protocolType: null, protocolName: null, assignments: [], ...body }, timeoutMs);
  }

  async heartbeat(version: number, body: { groupId: string; generationId: number; memberId: string; groupInstanceId?: string | null }): Promise<number> {
    return (await this.call(HeartbeatRequest, HeartbeatResponse, version, { groupInstanceId: null, ...body })).errorCode;
  }

  leave(version: number, body: LeaveGroupRequest): Promise<LeaveGroupResponse> {
    return this.call(LeaveGroupRequest, LeaveGroupResponse, version, body);
  }

  commit(version: number, body: Partial<OffsetCommitRequest> & { groupId: string; topics: OffsetCommitRequest['topics'] }): Promise<OffsetCommitResponse> {
    return this.call(OffsetCommitRequest, OffsetCommitResponse, version, { generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, ...body });
  }

  fetch(version: number, body: OffsetFetchRequest): Promise<OffsetFetchResponse> {
    return this.call(OffsetFetchRequest, OffsetFetchResponse, version, { requireStable: false, ...body });
  }

  describe(version: number, groups: string[], includeAuthorizedOperations = false): Promise<DescribeGroupsResponse> {
    return this.call(DescribeGroupsRequest, DescribeGroupsResponse, version, { groups, includeAuthorizedOperations });
  }

  list(version: number, body: ListGroupsRequest = {}): Promise<ListGroupsResponse> {
    return this.call(ListGroupsRequest, ListGroupsResponse, version, { statesFilter: [], typesFilter: [], ...body });
  }

  deleteGroups(version: number, groupsNames: string[]): Promise<DeleteGroupsResponse> {
    return this.call(DeleteGroupsRequest, DeleteGroupsResponse, version, { groupsNames });
  }

  deleteOffsets(body: OffsetDeleteRequest): Promise<OffsetDeleteResponse> {
    return this.call(OffsetDeleteRequest, OffsetDeleteResponse, 0, body);
  }

  findCoordinator(version: number, body: FindCoordinatorRequest): Promise<FindCoordinatorResponse> {
    return this.call(FindCoordinatorRequest, FindCoordinatorResponse, version, body);
  }

  async createTopic(name: string, numPartitions: number): Promise<void> {
    const res = await this.call(CreateTopicsRequest, CreateTopicsResponse, 5, {
      topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    if (res.topics[0].errorCode !== 0) throw new Error(`creating ${name}: error ${res.topics[0].errorCode}`);
  }
}

/** A "consumer" protocol subscription (v0: int16 version, [topic], user data) as clients send it. */
export function subscription(topics: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 0])];
  const n = Buffer.alloc(4);
  n.writeInt32BE(topics.length);
  parts.push(n);
  for (const t of topics) {
    const len = Buffer.alloc(2);
    len.writeInt16BE(Buffer.byteLength(t));
    parts.push(len, Buffer.from(t));
  }
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
  return Buffer.concat(parts);
}

export const E = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_REQUEST: 42,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  MEMBER_ID_REQUIRED: 79,
  FENCED_INSTANCE_ID: 82,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
} as const;
