// UpdateFeatures as the KRaft controller checks it (Kafka 4.4's FeatureControlManager), in its
// order: a known upgrade type, a level of at least 0 in this broker's supported range, lowering a
// level only with a downgrade type and raising one only with UPGRADE; kraft.version is never
// lowered, and metadata.version only where no level in between changed the metadata records
// (unsafe downgrades are refused too). One bad update fails the whole request. The result is
// FeatureLevelRecords, plus, when eligible leader replicas are turned on, the config records Kafka
// writes with them (elrSafetyRecords). Kafka's checks of one feature's level against another's
// (dependencies) are not made.
import { ErrorCode } from '../protocol/errors.js';
import { ELR_VERSION, KRAFT_VERSION, METADATA_VERSION, metadataChangedBetween, supportedFeature } from './features.js';
import type { MetadataImage } from './image.js';
import { RecordType, ResourceType, type MetadataRecord } from './records.js';
import type { ApiError, ControllerResult } from './replication-control.js';

/** UpdateFeatures upgrade types (v1+); v0's allowDowngrade maps to SAFE_DOWNGRADE. */
export const UpgradeType = { UPGRADE: 1, SAFE_DOWNGRADE: 2, UNSAFE_DOWNGRADE: 3 } as const;

export interface FeatureUpdate {
  feature: string;
  maxVersionLevel: number;
  upgradeType: number;
}

const FAILED = 'The update failed for all features since the following feature had an error: ';

const MIN_ISR = 'min.insync.replicas';

/**
 * What Kafka writes as eligible leader replicas (KIP-966) are turned on: a cluster-wide
 * min.insync.replicas (the static one) unless one is set, and no broker-level ones.
 */
export function elrSafetyRecords(image: MetadataImage, staticMinInsyncReplicas: number): MetadataRecord[] {
  const config = (resourceName: string, value: string | null): MetadataRecord => ({
    type: RecordType.CONFIG,
    version: 0,
    data: { resourceType: ResourceType.BROKER, resourceName, name: MIN_ISR, value },
  });
  const records: MetadataRecord[] = [];
  if (!image.configs.get(ResourceType.BROKER, '').has(MIN_ISR)) records.push(config('', String(staticMinInsyncReplicas)));
  for (const b of image.cluster.brokers.keys()) if (image.configs.get(ResourceType.BROKER, String(b)).has(MIN_ISR)) records.push(config(String(b), null));
  return records;
}

export function updateFeatures(image: MetadataImage, nodeId: number, updates: FeatureUpdate[], staticMinInsyncReplicas: number): ControllerResult<ApiError> {
  const records: MetadataRecord[] = [];
  const fail = (errorMessage: string): ControllerResult<ApiError> => ({
    records: [],
    response: { errorCode: ErrorCode.INVALID_UPDATE_VERSION, errorMessage: FAILED + errorMessage },
  });
  for (const u of updates) {
    const level = u.maxVersionLevel;
    const invalid = (why: string) => fail(`Invalid update version ${level} for feature ${u.feature}. ${why}`);
    if (u.upgradeType < UpgradeType.UPGRADE || u.upgradeType > UpgradeType.UNSAFE_DOWNGRADE) return invalid('The controller does not support the given upgrade type.');
    if (level < 0) return invalid('A feature version cannot be less than 0.');
    const supported = supportedFeature(u.feature);
    if (!supported) return invalid(`Local controller ${nodeId} does not support this feature.`);
    if (level < supported.minVersion || level > supported.maxVersion) {
      return invalid(`Local controller ${nodeId} only supports versions ${supported.minVersion}-${supported.maxVersion}`);
    }
    const current = image.features.level(u.feature);
    if (level < current && u.upgradeType === UpgradeType.UPGRADE) {
      return invalid("Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.");
    }
    if (level > current && u.upgradeType !== UpgradeType.UPGRADE) return invalid("Can't downgrade to a newer version.");
    if (u.feature === KRAFT_VERSION && level < current) return invalid("Can't downgrade the version of this feature.");
    if (u.feature === METADATA_VERSION && level < current && metadataChangedBetween(current, level)) {
      const why =
        u.upgradeType === UpgradeType.UNSAFE_DOWNGRADE
          ? 'Unsafe metadata downgrade is not supported in this version.'
          : 'Refusing to perform the requested downgrade because it might delete metadata information.';
      return fail(`Unsupported metadata.version downgrade from ${current} to ${level}. ${why}`);
    }
    if (level !== current) records.push({ type: RecordType.FEATURE_LEVEL, version: 0, data: { name: u.feature, featureLevel: level } });
    if (u.feature === ELR_VERSION && level >= 1 && current < 1) records.push(...elrSafetyRecords(image, staticMinInsyncReplicas));
  }
  return { records, response: { errorCode: ErrorCode.NONE, errorMessage: null } };
}
