// Feature flags (KIP-584): what this broker supports and the levels a new cluster starts with,
// both as Apache Kafka 4.4.0 has them, so clients and tools see the same ranges from samsa as
// from Kafka. A finalized level says what the cluster may use; samsa serves what it implements
// of it (see README's API table): group.version 1's APIs (KIP-848: ConsumerGroupHeartbeat and
// ConsumerGroupDescribe) are served; share.version 2's (KIP-932) are: the share groups'
// (ShareGroupHeartbeat, ShareGroupDescribe, Describe/Alter/DeleteShareGroupOffsets), the share
// partitions' (ShareFetch, ShareAcknowledge) and the share coordinator's (Initialize/Read/Write/
// Delete/ReadSummaryShareGroupState, FindCoordinator key type 2); streams.version 1's (KIP-1071:
// StreamsGroupHeartbeat, StreamsGroupDescribe, StreamsGroupTopologyDescriptionUpdate) are; the rest
// of those behind transaction.version 2 (KIP-890) are not served yet.

export const METADATA_VERSION = 'metadata.version';
export const KRAFT_VERSION = 'kraft.version';
/** Eligible leader replicas (KIP-966): at level 1 min.insync.replicas is kept cluster-wide only. */
export const ELR_VERSION = 'eligible.leader.replicas.version';
/** metadata.version 33 is Kafka 4.4-IV2, the level `kafka-storage format` gives a Kafka 4.4 cluster. */
export const LATEST_METADATA_VERSION = 33;
/** The lowest metadata.version KRaft accepts (3.3-IV3). */
export const MINIMUM_METADATA_VERSION = 7;

/**
 * The metadata.version levels whose records differ from the level below (Kafka's
 * MetadataVersion.didMetadataChange): a safe downgrade may not cross one of them.
 */
const METADATA_CHANGED = new Set([7, 8, 11, 13, 14, 15, 17, 23, 30, 32, 33]);

/** Kafka's MetadataVersion.checkIfMetadataChanged: does going from `from` down to `to` lose metadata? */
export function metadataChangedBetween(from: number, to: number): boolean {
  for (let level = to + 1; level <= from; level++) if (METADATA_CHANGED.has(level)) return true;
  return false;
}

export interface SupportedFeature {
  name: string;
  minVersion: number;
  maxVersion: number;
}

/** In the order Kafka 4.4's ApiVersions lists them. */
export const SUPPORTED_FEATURES: readonly SupportedFeature[] = [
  { name: 'group.version', minVersion: 0, maxVersion: 1 },
  { name: KRAFT_VERSION, minVersion: 0, maxVersion: 1 },
  { name: METADATA_VERSION, minVersion: MINIMUM_METADATA_VERSION, maxVersion: LATEST_METADATA_VERSION },
  { name: 'share.version', minVersion: 0, maxVersion: 2 },
  { name: 'streams.version', minVersion: 0, maxVersion: 1 },
  { name: 'transaction.version', minVersion: 0, maxVersion: 2 },
  { name: ELR_VERSION, minVersion: 0, maxVersion: 1 },
];

export function supportedFeature(name: string): SupportedFeature | undefined {
  return SUPPORTED_FEATURES.find((f) => f.name === name);
}

/**
 * Finalized levels written when a new metadata log is bootstrapped: what Kafka 4.4's
 * `kafka-storage format` writes for a single node with static voters (kraft.version stays 0).
 */
export const BOOTSTRAP_FEATURES: ReadonlyMap<string, number> = new Map([
  [METADATA_VERSION, LATEST_METADATA_VERSION],
  [ELR_VERSION, 1],
  ['group.version', 1],
  ['share.version', 2],
  ['streams.version', 1],
  ['transaction.version', 2],
]);

/** The feature fields of an ApiVersions v3+ response, for this image (KIP-584). */
export function apiVersionsFeatures(image: { offset: number; features: { finalized: ReadonlyMap<string, number> } }, apiVersion: number) {
  // Before v4 a supported range starting at 0 broke older clients' parsing (KAFKA-17011): Kafka leaves such features out.
  const supported = apiVersion < 4 ? SUPPORTED_FEATURES.filter((f) => f.minVersion > 0) : SUPPORTED_FEATURES;
  return {
    supportedFeatures: supported.map((f) => ({ name: f.name, minVersion: f.minVersion, maxVersion: f.maxVersion })),
    // Kafka reports the offset of the image the levels come from as the epoch.
    finalizedFeaturesEpoch: image.offset,
    finalizedFeatures: [...image.features.finalized].map(([name, level]) => ({ name, maxVersionLevel: level, minVersionLevel: level })),
  };
}
