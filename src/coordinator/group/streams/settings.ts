// The broker's group.streams.* settings a streams group runs with (Kafka's GroupCoordinatorConfig).
import type { BrokerConfig } from '../../../config.js';

export interface StreamsSettings {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxSize: number;
  numStandbyReplicas: number;
  initialRebalanceDelayMs: number;
  assignmentIntervalMs: number;
  taskOffsetIntervalMs: number;
  acceptableRecoveryLag: number;
  rackAwareAssignmentTags: string[];
  assignor: string;
}

/** A group's own value of a numeric group config (streams.*), else undefined (src/coordinator/group/group-config.ts). */
export type GroupNumber = (groupId: string, name: string) => number | undefined;

/** The broker's settings, with the group's overrides (GROUP config resources) when `groupId` and `groupNumber` are given. */
export function streamsSettings(config: BrokerConfig, groupId?: string, groupNumber?: GroupNumber): StreamsSettings {
  const base = brokerSettings(config);
  if (groupId === undefined || !groupNumber) return base;
  const n = (name: string, fallback: number) => groupNumber(groupId, name) ?? fallback;
  return {
    ...base,
    sessionTimeoutMs: n('streams.session.timeout.ms', base.sessionTimeoutMs),
    heartbeatIntervalMs: n('streams.heartbeat.interval.ms', base.heartbeatIntervalMs),
    numStandbyReplicas: n('streams.num.standby.replicas', base.numStandbyReplicas),
    initialRebalanceDelayMs: n('streams.initial.rebalance.delay.ms', base.initialRebalanceDelayMs),
    assignmentIntervalMs: n('streams.assignment.interval.ms', base.assignmentIntervalMs),
    taskOffsetIntervalMs: n('streams.task.offset.interval.ms', base.taskOffsetIntervalMs),
    acceptableRecoveryLag: n('streams.acceptable.recovery.lag', base.acceptableRecoveryLag),
  };
}

function brokerSettings(config: BrokerConfig): StreamsSettings {
  const list = (name: string) =>
    (config.get(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  return {
    sessionTimeoutMs: config.number('group.streams.session.timeout.ms'),
    heartbeatIntervalMs: config.number('group.streams.heartbeat.interval.ms'),
    maxSize: config.number('group.streams.max.size'),
    numStandbyReplicas: config.number('group.streams.num.standby.replicas'),
    initialRebalanceDelayMs: config.number('group.streams.initial.rebalance.delay.ms'),
    assignmentIntervalMs: config.number('group.streams.assignment.interval.ms'),
    taskOffsetIntervalMs: config.number('group.streams.task.offset.interval.ms'),
    acceptableRecoveryLag: config.number('group.streams.acceptable.recovery.lag'),
    rackAwareAssignmentTags: list('group.streams.rack.aware.assignment.tags'),
    assignor: list('group.streams.assignors')[0] ?? 'sticky',
  };
}
