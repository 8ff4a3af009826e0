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

export function streamsSettings(config: BrokerConfig): StreamsSettings {
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
