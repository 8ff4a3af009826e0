// UpdateFeatures as the KRaft controller checks it (Kafka's FeatureControlManager): each update
// must name a feature this broker supports, at a level in its supported range; lowering a level
// (or removing a feature with level 0) needs a downgrade upgrade type. One bad update fails the
// whole request. The result is FeatureLevelRecords.
import { ErrorCode } from '../protocol/errors.js';
import { supportedFeature } from './features.js';
import type { MetadataImage } from './image.js';
import { RecordType, type MetadataRecord } from './records.js';
import type { ApiError, ControllerResult } from './replication-control.js';

/** UpdateFeatures upgrade types (v1+); v0's allowDowngrade maps to SAFE_DOWNGRADE. */
export const UpgradeType = { UPGRADE: 1, SAFE_DOWNGRADE: 2, UNSAFE_DOWNGRADE: 3 } as const;

export interface FeatureUpdate {
  feature: string;
  maxVersionLevel: number;
  upgradeType: number;
}

export function updateFeatures(image: MetadataImage, nodeId: number, updates: FeatureUpdate[]): ControllerResult<ApiError> {
  const records: MetadataRecord[] = [];
  for (const u of updates) {
    const invalid = (why: string): ControllerResult<ApiError> => ({
      records: [],
      response: {
        errorCode: ErrorCode.INVALID_UPDATE_VERSION,
        errorMessage: `The update failed for all features since the following feature had an error: Invalid update version ${u.maxVersionLevel} for feature ${u.feature}. ${why}`,
      },
    });
    if (u.upgradeType < UpgradeType.UPGRADE || u.upgradeType > UpgradeType.UNSAFE_DOWNGRADE) return invalid('The controller does not support the given upgrade type.');
    const current = image.features.level(u.feature);
    const downgrade = u.maxVersionLevel < current || u.maxVersionLevel < 1;
    if (downgrade && u.upgradeType === UpgradeType.UPGRADE) {
      return invalid("Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.");
    }
    const supported = supportedFeature(u.feature);
    if (!supported) return invalid(`Local controller ${nodeId} does not support this feature.`);
    if (u.maxVersionLevel > 0 && (u.maxVersionLevel < supported.minVersion || u.maxVersionLevel > supported.maxVersion)) {
      return invalid(`Local controller ${nodeId} only supports versions ${supported.minVersion}-${supported.maxVersion}`);
    }
    if (u.maxVersionLevel !== current) records.push({ type: RecordType.FEATURE_LEVEL, version: 0, data: { name: u.feature, featureLevel: Math.max(u.maxVersionLevel, 0) } });
  }
  return { records, response: { errorCode: ErrorCode.NONE, errorMessage: null } };
}
