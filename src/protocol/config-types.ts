// Kafka's config-alteration vocabulary: the operation codes of IncrementalAlterConfigs, used by
// the broker (legacy AlterConfigs becomes SET/DELETE), the controller, the CLI and jepsen-like.
// (Config resource types live with the metadata records: src/metadata/records.ts.)

/** Kafka's AlterConfigOp types. */
export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
