// Kafka's ACL vocabulary: the wire codes of ResourceType, PatternType, AclOperation and
// AclPermissionType, shared by the controller (validation, matching), the authorizer, the CLI and
// clients. Only numbers here; what a binding may hold is the controller's rule.

/** Kafka's enum values (ResourceType, PatternType, AclOperation, AclPermissionType). */
export const AclResourceType = {
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;
export const AclPatternType = { ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const AclOperation = {
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;
export const AclPermission = { ANY: 1, DENY: 2, ALLOW: 3 } as const;
