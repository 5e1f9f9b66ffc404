// Kafka's names and numbers the ZooKeeper layout uses: ACL resource types, operations and
// permissions as ZooKeeper stores them ("Topic", "ClusterAction", "Allow") mapped to Kafka's enum
// names and wire codes (ResourceType, PatternType, AclOperation, AclPermissionType: the codes are
// src/protocol/acl-types.ts's), SCRAM mechanisms and quota keys.
import { AclOperation, AclPatternType, AclPermission, AclResourceType } from '../../../src/protocol/acl-types.js';
import { ScramMechanism } from '../../../src/protocol/scram-types.js';

interface EnumValue {
  readonly name: string;
  readonly code: number;
}

/** ZooKeeper path segment (/kafka-acl/<Type>/...) → ResourceType. */
export const aclResourceTypes: Readonly<Record<string, EnumValue>> = {
  Topic: { name: 'TOPIC', code: AclResourceType.TOPIC },
  Group: { name: 'GROUP', code: AclResourceType.GROUP },
  Cluster: { name: 'CLUSTER', code: AclResourceType.CLUSTER },
  TransactionalId: { name: 'TRANSACTIONAL_ID', code: AclResourceType.TRANSACTIONAL_ID },
  DelegationToken: { name: 'DELEGATION_TOKEN', code: AclResourceType.DELEGATION_TOKEN },
  User: { name: 'USER', code: AclResourceType.USER },
};

export const aclPatternTypes = {
  LITERAL: { name: 'LITERAL', code: AclPatternType.LITERAL },
  PREFIXED: { name: 'PREFIXED', code: AclPatternType.PREFIXED },
} as const;

/** AclOperation as stored in ZooKeeper JSON ("Read", "IdempotentWrite") → enum. */
export const aclOperations: Readonly<Record<string, EnumValue>> = {
  All: { name: 'ALL', code: AclOperation.ALL },
  Read: { name: 'READ', code: AclOperation.READ },
  Write: { name: 'WRITE', code: AclOperation.WRITE },
  Create: { name: 'CREATE', code: AclOperation.CREATE },
  Delete: { name: 'DELETE', code: AclOperation.DELETE },
  Alter: { name: 'ALTER', code: AclOperation.ALTER },
  Describe: { name: 'DESCRIBE', code: AclOperation.DESCRIBE },
  ClusterAction: { name: 'CLUSTER_ACTION', code: AclOperation.CLUSTER_ACTION },
  DescribeConfigs: { name: 'DESCRIBE_CONFIGS', code: AclOperation.DESCRIBE_CONFIGS },
  AlterConfigs: { name: 'ALTER_CONFIGS', code: AclOperation.ALTER_CONFIGS },
  IdempotentWrite: { name: 'IDEMPOTENT_WRITE', code: AclOperation.IDEMPOTENT_WRITE },
  CreateTokens: { name: 'CREATE_TOKENS', code: AclOperation.CREATE_TOKENS },
  DescribeTokens: { name: 'DESCRIBE_TOKENS', code: AclOperation.DESCRIBE_TOKENS },
};

export const aclPermissions: Readonly<Record<string, EnumValue>> = {
  Deny: { name: 'DENY', code: AclPermission.DENY },
  Allow: { name: 'ALLOW', code: AclPermission.ALLOW },
};

/** UserScramCredentialRecord.mechanism. */
export const scramMechanisms: Readonly<Record<string, number>> = {
  'SCRAM-SHA-256': ScramMechanism.SCRAM_SHA_256,
  'SCRAM-SHA-512': ScramMechanism.SCRAM_SHA_512,
};

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
