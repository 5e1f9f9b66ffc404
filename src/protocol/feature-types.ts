// Kafka's feature vocabulary (KIP-584/KIP-778): the upgrade types of an UpdateFeatures item. Used
// by the controller and the CLI.

/** Kafka's FeatureUpdate upgradeType values. */
export const FeatureUpgradeType = { UPGRADE: 1, SAFE_DOWNGRADE: 2, UNSAFE_DOWNGRADE: 3 } as const;
