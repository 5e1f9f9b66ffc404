// The Kafka ZooKeeper-mode metadata, parsed out of a znode tree: what the rehearse report shows
// and what translation turns into KRaft records. Plain data, no behaviour. Partitions whose
// state znode is missing or malformed carry Kafka's migration fallback (leader = first replica,
// ISR = all replicas, epochs 0) and say so in `stateSource`; topics that cannot be migrated at all
// carry `skipReason`. Every problem found while parsing is in `problems`.
import type { Problem } from '../problems.js';

export interface BrokerInfo {
  readonly id: number;
  readonly host: string | null;
  readonly port: number;
  readonly endpoints: readonly string[];
  readonly rack: string | null;
  readonly version: number;
}

export interface PartitionModel {
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  /** The state znode's ZooKeeper data version (Kafka's partitionEpoch). */
  readonly partitionEpoch: number;
  readonly leaderRecoveryState: number;
  readonly controllerEpoch: number;
  readonly stateSource: 'zk' | 'missing' | 'malformed';
}

export interface TopicModel {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: readonly PartitionModel[];
  /** Null when the config znode is malformed (nothing of it can be migrated). */
  readonly configs: ReadonlyMap<string, string> | null;
  readonly pendingDeletion: boolean;
  /** Set when the topic cannot be migrated (its znode is unreadable, a duplicate id...). */
  readonly skipReason: string | null;
}

export interface ScramCredentialModel {
  readonly user: string;
  readonly mechanism: string;
  readonly salt: Uint8Array;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
  readonly iterations: number;
}

/** A quota entity: entity type (user, client-id, ip) → name, null for <default>, in Kafka's order. */
export type QuotaEntityModel = ReadonlyArray<readonly [string, string | null]>;

export interface ClientQuotaModel {
  readonly entity: QuotaEntityModel;
  readonly quotas: ReadonlyMap<string, number>;
}

export interface AclBindingModel {
  readonly resourceType: string;
  readonly resourceTypeCode: number;
  readonly patternType: 'LITERAL' | 'PREFIXED';
  readonly patternTypeCode: number;
  readonly resourceName: string;
  readonly principal: string;
  readonly host: string;
  readonly operation: string;
  readonly operationCode: number;
  readonly permissionType: string;
  readonly permissionTypeCode: number;
}

export interface ProducerIdBlock {
  readonly brokerId: number;
  readonly blockStart: number;
  readonly blockEnd: number;
}

export interface KafkaZkModel {
  readonly clusterId: string | null;
  readonly controller: {
    readonly brokerId: number | null;
    readonly epoch: number | null;
    readonly epochZkVersion: number | null;
  };
  readonly brokers: ReadonlyMap<number, BrokerInfo>;
  /** Every topic in /brokers/topics, sorted by name, including those pending deletion. */
  readonly topics: readonly TopicModel[];
  /** "<default>" or a broker id → config. */
  readonly brokerConfigs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly scramCredentials: readonly ScramCredentialModel[];
  readonly clientQuotas: readonly ClientQuotaModel[];
  readonly acls: readonly AclBindingModel[];
  readonly producerIdBlock: ProducerIdBlock | null;
  readonly featureZnode: unknown;
  readonly znodeCount: number;
  readonly problems: readonly Problem[];
}
