// A member of a streams group: one StreamThread's consumer (KIP-1071). Its process id groups the
// threads of one Kafka Streams instance (tasks move freely between them); its epochs and tasks
// follow Kafka's reconciliation (current-assignment.ts).
import { emptyWithEpochs, type TasksWithEpochs } from './tasks.js';

/** Kafka's streams MemberState with the byte stored in StreamsGroupCurrentMemberAssignmentValue. */
export const MemberState = { STABLE: 1, UNREVOKED_TASKS: 2, UNRELEASED_TASKS: 3, UNKNOWN: 127 } as const;
export type MemberStateCode = (typeof MemberState)[keyof typeof MemberState];

export interface Endpoint {
  host: string;
  port: number;
}

export interface StreamsGroupMember {
  memberId: string;
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberStateCode;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  topologyEpoch: number;
  processId: string;
  userEndpoint: Endpoint | null;
  clientTags: Map<string, string>;
  assigned: TasksWithEpochs;
  pendingRevocation: TasksWithEpochs;
  /** Reported by the member (never persisted): cumulative changelog offsets and end offsets per task. */
  taskOffsets: Map<string, number>;
  taskEndOffsets: Map<string, number>;
}

export function newMember(memberId: string): StreamsGroupMember {
  return {
    memberId,
    memberEpoch: 0,
    previousMemberEpoch: -1,
    state: MemberState.STABLE,
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    rebalanceTimeoutMs: -1,
    topologyEpoch: -1,
    processId: '',
    userEndpoint: null,
    clientTags: new Map(),
    assigned: emptyWithEpochs(),
    pendingRevocation: emptyWithEpochs(),
    taskOffsets: new Map(),
    taskEndOffsets: new Map(),
  };
}

/** True when the member's metadata (what StreamsGroupMemberMetadataValue stores) differs. */
export function metadataDiffers(a: StreamsGroupMember, b: StreamsGroupMember): boolean {
  return (
    a.instanceId !== b.instanceId ||
    a.rackId !== b.rackId ||
    a.clientId !== b.clientId ||
    a.clientHost !== b.clientHost ||
    a.rebalanceTimeoutMs !== b.rebalanceTimeoutMs ||
    a.topologyEpoch !== b.topologyEpoch ||
    a.processId !== b.processId ||
    a.userEndpoint?.host !== b.userEndpoint?.host ||
    a.userEndpoint?.port !== b.userEndpoint?.port ||
    a.clientTags.size !== b.clientTags.size ||
    [...a.clientTags].some(([k, v]) => b.clientTags.get(k) !== v)
  );
}
