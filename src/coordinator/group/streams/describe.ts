// StreamsGroupDescribe (key 89): a streams group's state, epochs, topology (with the partition
// counts the coordinator configured), members with their current and target tasks. A group that
// does not exist, or is of another type, is GROUP_ID_NOT_FOUND with Kafka's message.
import { ErrorCode } from '../../../protocol/errors.js';
import type { StreamsGroupDescribeResponseDescribedGroup, StreamsGroupDescribeResponseTopicInfo } from '../../../protocol/generated/streams-group-describe-response.js';
import type { Group } from '../group.js';
import { StreamsGroup } from './group.js';
import { toTaskIds, emptyTuple } from './tasks.js';
import type { PartitionCounts, TopicInfo } from './topology.js';

export type DescribedStreamsGroup = StreamsGroupDescribeResponseDescribedGroup;

/** AclEntry.supportedOperations(GROUP): READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS. */
const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);
const NO_AUTHORIZED_OPERATIONS = -2147483648;

export interface DescribeSource {
  status(groupId: string): number;
  group(groupId: string): Group | undefined;
  partitions: PartitionCounts;
  assignor: string;
}

export function describeStreamsGroups(groupIds: string[], includeAuthorizedOperations: boolean, src: DescribeSource): DescribedStreamsGroup[] {
  return groupIds.map((groupId) => {
    const status = src.status(groupId);
    if (status !== ErrorCode.NONE) return errorGroup(groupId, status, null);
    const g = src.group(groupId);
    if (g === undefined) return errorGroup(groupId, ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} not found.`);
    if (!(g instanceof StreamsGroup)) return errorGroup(groupId, ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a streams group.`);
    return describeGroup(g, includeAuthorizedOperations, src);
  });
}

function errorGroup(groupId: string, errorCode: number, errorMessage: string | null): DescribedStreamsGroup {
  return {
    errorCode,
    errorMessage,
    groupId,
    groupState: '',
    groupEpoch: 0,
    assignmentEpoch: 0,
    topology: null,
    members: [],
    authorizedOperations: NO_AUTHORIZED_OPERATIONS,
    topologyDescription: null,
    topologyDescriptionStatus: 0,
    assignorName: null,
  };
}

function describeGroup(g: StreamsGroup, includeAuthorizedOperations: boolean, src: DescribeSource): DescribedStreamsGroup {
  const configured = g.configured?.subtopologies ?? null;
  const info = (t: TopicInfo, partitions: number | undefined): StreamsGroupDescribeResponseTopicInfo => ({
    name: t.name,
    partitions: partitions ?? t.partitions,
    replicationFactor: t.replicationFactor,
    topicConfigs: t.topicConfigs.map((c) => ({ key: c.key, value: c.value })),
  });
  const offsets = (m: Map<string, number>) =>
    [...m].map(([k, offset]) => {
      const i = k.lastIndexOf(':');
      return { subtopologyId: k.slice(0, i), partition: Number(k.slice(i + 1)), offset };
    });
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    groupId: g.groupId,
    groupState: g.state(),
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    topology:
      g.topology === null
        ? null
        : {
            epoch: g.topology.epoch,
            subtopologies: g.topology.subtopologies.map((s) => {
              const c = configured?.get(s.subtopologyId);
              return {
                subtopologyId: s.subtopologyId,
                sourceTopics: s.sourceTopics,
                repartitionSinkTopics: s.repartitionSinkTopics,
                stateChangelogTopics: s.stateChangelogTopics.map((t) => info(t, c?.stateChangelogTopics.get(t.name))),
                repartitionSourceTopics: s.repartitionSourceTopics.map((t) => info(t, c?.repartitionSourceTopics.get(t.name))),
              };
            }),
          },
    members: [...g.members.values()].map((m) => {
      const target = g.targetAssignment.get(m.memberId) ?? emptyTuple();
      return {
        memberId: m.memberId,
        memberEpoch: m.memberEpoch,
        instanceId: m.instanceId,
        rackId: m.rackId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        topologyEpoch: m.topologyEpoch,
        processId: m.processId,
        userEndpoint: m.userEndpoint,
        clientTags: [...m.clientTags].map(([key, value]) => ({ key, value })),
        taskOffsets: offsets(m.taskOffsets),
        taskEndOffsets: offsets(m.taskEndOffsets),
        assignment: { activeTasks: toTaskIds(m.assigned.active), standbyTasks: toTaskIds(m.assigned.standby), warmupTasks: toTaskIds(m.assigned.warmup) },
        targetAssignment: { activeTasks: toTaskIds(target.active), standbyTasks: toTaskIds(target.standby), warmupTasks: toTaskIds(target.warmup) },
        isClassic: false,
      };
    }),
    authorizedOperations: includeAuthorizedOperations ? GROUP_AUTHORIZED_OPERATIONS : NO_AUTHORIZED_OPERATIONS,
    topologyDescription: null,
    topologyDescriptionStatus: 0,
    assignorName: src.assignor,
  };
}
