// Feature flags (KIP-584): what this broker supports and the levels a new cluster starts with.
// Ranges are samsa's own: a feature samsa does not implement has max level 0.

export const METADATA_VERSION = 'metadata.version';
/** metadata.version 25 is Kafka 4.0-IV3, the level a Kafka 4.0 cluster is formatted with. */
export const LATEST_METADATA_VERSION = 25;
/** The lowest metadata.version KRaft in Kafka 4.0 accepts (3.3-IV3). */
export const MINIMUM_METADATA_VERSION = 7;

export interface SupportedFeature {
  name: string;
  minVersion: number;
  maxVersion: number;
}

export const SUPPORTED_FEATURES: readonly SupportedFeature[] = [
  { name: METADATA_VERSION, minVersion: MINIMUM_METADATA_VERSION, maxVersion: LATEST_METADATA_VERSION },
  // The KIP-848 consumer protocol, transactions v2 and KIP-853 dynamic quorums are not served yet.
  { name: 'group.version', minVersion: 0, maxVersion: 0 },
  { name: 'kraft.version', minVersion: 0, maxVersion: 0 },
  { name: 'transaction.version', minVersion: 0, maxVersion: 0 },
  { name: 'eligible.leader.replicas.version', minVersion: 0, maxVersion: 0 },
];

export function supportedFeature(name: string): SupportedFeature | undefined {
  return SUPPORTED_FEATURES.find((f) => f.name === name);
}

/** Finalized levels written when a new metadata log is bootstrapped. */
export const BOOTSTRAP_FEATURES: ReadonlyMap<string, number> = new Map([[METADATA_VERSION, LATEST_METADATA_VERSION]]);

/** The feature fields of an ApiVersions v3+ response, for this image (KIP-584). */
export function apiVersionsFeatures(image: { offset: number; features: { finalized: ReadonlyMap<string, number> } }) {
  return {
    supportedFeatures: SUPPORTED_FEATURES.map((f) => ({ name: f.name, minVersion: f.minVersion, maxVersion: f.maxVersion })),
    // Kafka reports the offset of the image the levels come from as the epoch.
    finalizedFeaturesEpoch: image.offset,
    finalizedFeatures: [...image.features.finalized].map(([name, level]) => ({ name, maxVersionLevel: level, minVersionLevel: level })),
  };
}
