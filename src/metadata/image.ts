// MetadataImage: the cluster metadata every controller and broker holds, built only by replaying
// committed records (MetadataDelta). Deeply readonly: a reader holding an image never sees half
// an update; the next image shares every section the records did not touch.
import type { BrokerEndpoint, QuotaEntity } from './records.js';

export interface BrokerRegistration {
  readonly id: number;
  readonly incarnationId: string;
  readonly epoch: number;
  readonly endpoints: readonly BrokerEndpoint[];
  readonly rack: string | null;
  readonly fenced: boolean;
  readonly inControlledShutdown: boolean;
}

/** A controller's Kafka-protocol listeners (KIP-919), as it last registered them. */
export interface ControllerRegistration {
  readonly id: number;
  readonly incarnationId: string;
  readonly endpoints: readonly BrokerEndpoint[];
}

export interface PartitionRegistration {
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly removingReplicas: readonly number[];
  readonly addingReplicas: readonly number[];
  /** -1 when offline. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

export interface TopicImage {
  readonly name: string;
  readonly id: string;
  readonly partitions: ReadonlyMap<number, PartitionRegistration>;
}

export interface AclEntry {
  readonly id: string;
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

export interface ScramCredential {
  readonly name: string;
  readonly mechanism: number;
  readonly salt: Uint8Array;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
  readonly iterations: number;
}

export interface QuotaImage {
  readonly entity: readonly QuotaEntity[];
  readonly values: ReadonlyMap<string, number>;
}

export interface ProducerIdsImage {
  /** The first producer id not yet handed out. */
  readonly nextProducerId: number;
  readonly lastBlockBrokerId: number;
  readonly lastBlockBrokerEpoch: number;
}

export interface MetadataImage {
  readonly features: ReadonlyMap<string, number>;
  readonly brokers: ReadonlyMap<number, BrokerRegistration>;
  /** Controllers that registered Kafka-protocol listeners (KIP-919), by id. */
  readonly controllers: ReadonlyMap<number, ControllerRegistration>;
  readonly topicsById: ReadonlyMap<string, TopicImage>;
  readonly topicsByName: ReadonlyMap<string, TopicImage>;
  /** By `configResourceKey(type, name)`, then config name → value. */
  readonly configs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly acls: ReadonlyMap<string, AclEntry>;
  /** By `scramKey(user, mechanism)`. */
  readonly scram: ReadonlyMap<string, ScramCredential>;
  /** By `quotaEntityKey(entity)`. */
  readonly quotas: ReadonlyMap<string, QuotaImage>;
  readonly producerIds: ProducerIdsImage | null;
  readonly zkMigrationState: number;
}

export const emptyImage: MetadataImage = {
  features: new Map(),
  brokers: new Map(),
  controllers: new Map(),
  topicsById: new Map(),
  topicsByName: new Map(),
  configs: new Map(),
  acls: new Map(),
  scram: new Map(),
  quotas: new Map(),
  producerIds: null,
  zkMigrationState: 0,
};

/**
 * How many partitions `topic` has in the image, or `otherwise` when it does not exist. Internal
 * topics are found by hashing over their real partition count, which a cluster migrated from
 * ZooKeeper (or created with other settings) keeps whatever today's config says.
 */
export function partitionCountOr(image: MetadataImage, topic: string, otherwise: number): number {
  return image.topicsByName.get(topic)?.partitions.size ?? otherwise;
}

export function configResourceKey(resourceType: number, resourceName: string): string {
  return `${resourceType}:${resourceName}`;
}

export function scramKey(name: string, mechanism: number): string {
  return `${mechanism}:${name}`;
}

/** One key per quota entity, independent of the order its parts were given in. */
export function quotaEntityKey(entity: readonly QuotaEntity[]): string {
  return [...entity]
    .map((e) => `${e.entityType}=${e.entityName === null ? '<default>' : encodeURIComponent(e.entityName)}`)
    .sort()
    .join(',');
}
