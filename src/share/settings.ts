// A share group's settings for its partitions: the group's configs over the broker's defaults
// (group.share.*). Group-level overrides come from GroupConfigs once it is wired; the settings
// with no broker-level default take Kafka 4.4's GroupConfig defaults.
import type { BrokerConfig } from '../config.js';
import type { ShareSettings } from './share-partition.js';

/** Kafka 4.4's GroupConfig defaults for the settings with no broker-level config. */
export const SHARE_AUTO_OFFSET_RESET_DEFAULT = 'latest';
export const SHARE_ISOLATION_LEVEL_DEFAULT = 'read_uncommitted';
export const SHARE_RENEW_ACKNOWLEDGE_ENABLE_DEFAULT = true;

export function brokerShareSettings(config: BrokerConfig): ShareSettings {
  return {
    recordLockDurationMs: config.number('group.share.record.lock.duration.ms'),
    deliveryCountLimit: config.number('group.share.delivery.count.limit'),
    maxRecordLocks: config.number('group.share.partition.max.record.locks'),
    renewEnabled: SHARE_RENEW_ACKNOWLEDGE_ENABLE_DEFAULT,
    autoOffsetReset: SHARE_AUTO_OFFSET_RESET_DEFAULT,
    isolationLevel: SHARE_ISOLATION_LEVEL_DEFAULT,
  };
}
