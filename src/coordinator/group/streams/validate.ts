// Checks of a StreamsGroupHeartbeat before the coordinator looks at the group, with Kafka 4.4's
// errors and messages (GroupCoordinatorService.throwIfStreamsGroupHeartbeatRequestIsInvalid).
import { ErrorCode } from '../../../protocol/errors.js';
import type { StreamsGroupHeartbeatRequest } from '../../../protocol/generated/streams-group-heartbeat-request.js';

export interface RequestError {
  errorCode: number;
  errorMessage: string;
}

const invalid = (errorMessage: string): RequestError => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage });

export function validateHeartbeat(req: StreamsGroupHeartbeatRequest): RequestError | null {
  for (const s of req.topology?.subtopologies ?? []) {
    if (s.sourceTopicRegex.length > 0) return invalid('Regular expressions for source topics are not supported yet.');
  }
  if (req.memberId === '') return invalid("MemberId can't be empty.");
  if (req.groupId === '') return invalid("GroupId can't be empty.");
  if (req.instanceId !== null && req.instanceId.trim() === '') return invalid("InstanceId can't be empty.");
  if (req.rackId !== null && req.rackId.trim() === '') return invalid("RackId can't be empty.");
  if (req.memberEpoch === 0) {
    if (req.rebalanceTimeoutMs === -1) return invalid('RebalanceTimeoutMs must be provided in first request.');
    if ((req.activeTasks?.length ?? 0) > 0) return invalid('ActiveTasks must be empty when (re-)joining.');
    if ((req.standbyTasks?.length ?? 0) > 0) return invalid('StandbyTasks must be empty when (re-)joining.');
    if ((req.warmupTasks?.length ?? 0) > 0) return invalid('WarmupTasks must be empty when (re-)joining.');
    if (req.topology === null) return invalid('Topology must be non-null when (re-)joining.');
    for (const s of req.topology.subtopologies) {
      for (const t of s.stateChangelogTopics) {
        if (t.partitions !== 0) {
          return { errorCode: ErrorCode.STREAMS_INVALID_TOPOLOGY, errorMessage: `Changelog topic ${t.name} must have an undefined partition count, but it is set to ${t.partitions}.` };
        }
      }
    }
  } else if (req.memberEpoch === -2) {
    if (req.instanceId === null) return invalid("InstanceId can't be null.");
  } else if (req.memberEpoch < -2) {
    return invalid(`MemberEpoch is ${req.memberEpoch}, but must be greater than or equal to -2.`);
  }
  if (req.activeTasks !== null || req.standbyTasks !== null || req.warmupTasks !== null) {
    if (req.activeTasks === null || req.standbyTasks === null || req.warmupTasks === null) return invalid('If one task-type is non-null, all must be non-null.');
  }
  if (req.memberEpoch !== 0 && req.topology !== null) return invalid('Topology can only be provided when (re-)joining.');
  return null;
}
