// Kafka's names and numbers the ZooKeeper layout uses: ACL resource types, operations and
// permissions as ZooKeeper stores them ("Topic", "ClusterAction", "Allow") mapped to Kafka's enum
// names and wire codes (ResourceType, PatternType, AclOperation, AclPermissionType, the same
// numbers as src/controller/acl-control.ts, repeated here because migration/ depends only on
// src/common and src/metadata/records), SCRAM mechanisms and quota keys.
interface EnumValue {
  readonly name: string;
  readonly code: number;
}

/** ZooKeeper path segment (/kafka-acl/<Type>/...) → ResourceType. */
export const aclResourceTypes: Readonly<Record<string, EnumValue>> = {
  Topic: { name: 'TOPIC', code: 2 },
  Group: { name: 'GROUP', code: 3 },
  Cluster: { name: 'CLUSTER', code: 4 },
  TransactionalId: { name: 'TRANSACTIONAL_ID', code: 5 },
  DelegationToken: { name: 'DELEGATION_TOKEN', code: 6 },
  User: { name: 'USER', code: 7 },
};

export const aclPatternTypes = { LITERAL: { name: 'LITERAL', code: 3 }, PREFIXED: { name: 'PREFIXED', code: 4 } } as const;

/** AclOperation as stored in ZooKeeper JSON ("Read", "IdempotentWrite") → enum. */
export const aclOperations: Readonly<Record<string, EnumValue>> = {
  All: { name: 'ALL', code: 2 },
  Read: { name: 'READ', code: 3 },
  Write: { name: 'WRITE', code: 4 },
  Create: { name: 'CREATE', code: 5 },
  Delete: { name: 'DELETE', code: 6 },
  Alter: { name: 'ALTER', code: 7 },
  Describe: { name: 'DESCRIBE', code: 8 },
  ClusterAction: { name: 'CLUSTER_ACTION', code: 9 },
  DescribeConfigs: { name: 'DESCRIBE_CONFIGS', code: 10 },
  AlterConfigs: { name: 'ALTER_CONFIGS', code: 11 },
  IdempotentWrite: { name: 'IDEMPOTENT_WRITE', code: 12 },
  CreateTokens: { name: 'CREATE_TOKENS', code: 13 },
  DescribeTokens: { name: 'DESCRIBE_TOKENS', code: 14 },
};

export const aclPermissions: Readonly<Record<string, EnumValue>> = {
  Deny: { name: 'DENY', code: 2 },
  Allow: { name: 'ALLOW', code: 3 },
};

/** UserScramCredentialRecord.mechanism. */
export const scramMechanisms: Readonly<Record<string, number>> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };

/** Client quota keys (QuotaConfigs) Kafka stores in /config/users, /config/clients, /config/ips. */
export const quotaKeys: ReadonlySet<string> = new Set([
  'producer_byte_rate',
  'consumer_byte_rate',
  'request_percentage',
  'controller_mutation_rate',
  'connection_creation_rate',
]);

/** ZooKeeper's name for the default entity of a config type. */
export const defaultEntity = '<default>';

/** ConfigRecord.resourceType (Kafka's ConfigResource.Type). */
export const configResourceTypes = { topic: 2, broker: 4 } as const;

/** ZkMigrationStateRecord values. */
export const ZkMigrationState = { NONE: 0, MIGRATION: 1, PRE_MIGRATION: 2, POST_MIGRATION: 3 } as const;
