// Kafka's feature vocabulary (KIP-584/KIP-778): the upgrade types of an UpdateFeatures item and the
// feature levels this build supports. Used by the controller (UpdateFeatures), the broker
// (ApiVersions' SupportedFeatures) and the CLI.

/** Kafka's FeatureUpdate upgradeType values. */
export const FeatureUpgradeType = { UPGRADE: 1, SAFE_DOWNGRADE: 2, UNSAFE_DOWNGRADE: 3 } as const;

export const metadataVersionFeature = 'metadata.version';
/** Kafka's group.version: level 1 turns the consumer group protocol (KIP-848) on. */
export const groupVersionFeature = 'group.version';

/**
 * The feature levels this build can run, by feature name. raftka's metadata.version levels are its
 * own, not Apache Kafka's numbering: level 1 is the record format of proto/metadata.proto as it
 * stands (src/controller/feature-control.ts says more). group.version has Kafka's meaning: 0 the
 * classic group protocol only, 1 the consumer group protocol (KIP-848) as well.
 */
export const supportedFeatures: ReadonlyMap<string, { readonly min: number; readonly max: number }> = new Map([
  [metadataVersionFeature, { min: 1, max: 1 }],
  [groupVersionFeature, { min: 0, max: 1 }],
]);
