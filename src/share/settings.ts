// A share group's settings for its partitions: the group's configs (share.*, resource type GROUP)
// over the broker's defaults (group.share.*); settings with no broker-level config default as
// Kafka 4.4's GroupConfig does.
import type { ShareSettings } from './share-partition.js';

/** Kafka 4.4's GroupConfig defaults for the settings with no broker-level config. */
export const SHARE_AUTO_OFFSET_RESET_DEFAULT = 'latest';
export const SHARE_ISOLATION_LEVEL_DEFAULT = 'read_uncommitted';
export const SHARE_RENEW_ACKNOWLEDGE_ENABLE_DEFAULT = true;

/** The group configs view (src/coordinator/group/group-config.ts's GroupConfigs): a group's override, else the broker's value. */
export interface GroupConfigView {
  number(groupId: string, name: string): number;
  string(groupId: string, name: string): string;
}

/** A group's share settings from its group configs (Kafka's ShareGroupConfigProvider). */
export function groupShareSettings(configs: GroupConfigView, groupId: string): ShareSettings {
  const isolation = configs.string(groupId, 'share.isolation.level');
  const renew = configs.string(groupId, 'share.renew.acknowledge.enable');
  return {
    recordLockDurationMs: configs.number(groupId, 'share.record.lock.duration.ms'),
    deliveryCountLimit: configs.number(groupId, 'share.delivery.count.limit'),
    maxRecordLocks: configs.number(groupId, 'share.partition.max.record.locks'),
    renewEnabled: renew === '' ? SHARE_RENEW_ACKNOWLEDGE_ENABLE_DEFAULT : renew === 'true',
    autoOffsetReset: configs.string(groupId, 'share.auto.offset.reset') || SHARE_AUTO_OFFSET_RESET_DEFAULT,
    isolationLevel: isolation === 'read_committed' ? 'read_committed' : SHARE_ISOLATION_LEVEL_DEFAULT,
  };
}
