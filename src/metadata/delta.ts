// MetadataDelta: the changes a run of committed records makes to a base image. replay() is the
// one place metadata state changes — controllers, brokers and snapshot loading all run it —
// and apply() returns the next immutable image, copying only the sections that changed.
// A record that contradicts the image (a partition of an unknown topic, a fence of a broker
// epoch that is not registered) is a controller bug, not bad input: replay asserts.
//
// Transaction markers (KIP-868) are handled one level up, by MetadataLoader: a delta only ever
// sees records that are committed and visible.
import { assert, assertNever } from '../common/assert.js';
import {
  configResourceKey,
  quotaEntityKey,
  scramKey,
  type AclEntry,
  type ControllerRegistration,
  type BrokerRegistration,
  type MetadataImage,
  type PartitionRegistration,
  type ProducerIdsImage,
  type QuotaImage,
  type ScramCredential,
  type TopicImage,
} from './image.js';
import type { MetadataRecord, RecordOf } from './records.js';

interface MutableTopic {
  readonly name: string;
  readonly id: string;
  partitions: Map<number, PartitionRegistration>;
}

export class MetadataDelta {
  private features: Map<string, number> | null = null;
  private brokers: Map<number, BrokerRegistration> | null = null;
  /** Topics touched by this delta (copied on first touch); null value = removed. */
  private topics = new Map<string, MutableTopic | null>();
  private configs: Map<string, ReadonlyMap<string, string>> | null = null;
  private acls: Map<string, AclEntry> | null = null;
  private scram: Map<string, ScramCredential> | null = null;
  private quotas: Map<string, QuotaImage> | null = null;
  private producerIds: ProducerIdsImage | null | undefined = undefined;
  private zkMigrationState: number | null = null;
  private controllers: Map<number, ControllerRegistration> | null = null;

  constructor(readonly base: MetadataImage) {}

  replay(record: MetadataRecord): void {
    switch (record.type) {
      case 'registerBroker':
        return this.replayRegisterBroker(record);
      case 'registerController': {
        this.controllers ??= new Map(this.base.controllers);
        this.controllers.set(record.controllerId, {
          id: record.controllerId,
          incarnationId: record.incarnationId,
          endpoints: record.endpoints,
        });
        return;
      }
      case 'unregisterBroker': {
        const b = this.broker(record.brokerId);
        assert(
          b !== undefined && b.epoch === record.brokerEpoch,
          `unregister of broker ${record.brokerId} epoch ${record.brokerEpoch}: not registered`,
        );
        this.brokersMut().delete(record.brokerId);
        return;
      }
      case 'fenceBroker':
      case 'unfenceBroker':
        return this.changeBroker(record.brokerId, record.brokerEpoch, { fenced: record.type === 'fenceBroker' });
      case 'brokerRegistrationChange':
        return this.changeBroker(record.brokerId, record.brokerEpoch, {
          ...(record.fenced !== null ? { fenced: record.fenced } : {}),
          ...(record.inControlledShutdown !== null ? { inControlledShutdown: record.inControlledShutdown } : {}),
        });
      case 'topic': {
        assert(this.topic(record.topicId) === undefined, `topic id ${record.topicId} exists`);
        assert(this.topicIdByName(record.name) === undefined, `topic ${record.name} exists`);
        this.topics.set(record.topicId, { name: record.name, id: record.topicId, partitions: new Map() });
        return;
      }
      case 'partition': {
        const t = this.topicMut(record.topicId);
        t.partitions.set(record.partitionId, {
          replicas: record.replicas,
          isr: record.isr,
          removingReplicas: record.removingReplicas,
          addingReplicas: record.addingReplicas,
          leader: record.leader,
          leaderEpoch: record.leaderEpoch,
          partitionEpoch: record.partitionEpoch,
        });
        return;
      }
      case 'partitionChange':
        return this.replayPartitionChange(record);
      case 'removeTopic': {
        const t = this.topic(record.topicId);
        assert(t !== undefined, `remove of unknown topic id ${record.topicId}`);
        this.topics.set(record.topicId, null);
        this.configsMut().delete(configResourceKey(2, t.name)); // a topic's configs go with it
        return;
      }
      case 'config': {
        const key = configResourceKey(record.resourceType, record.resourceName);
        const configs = this.configsMut();
        const next = new Map(configs.get(key) ?? []);
        if (record.value === null) next.delete(record.name);
        else next.set(record.name, record.value);
        if (next.size === 0) configs.delete(key);
        else configs.set(key, next);
        return;
      }
      case 'producerIds': {
        const current = this.producerIds === undefined ? this.base.producerIds : this.producerIds;
        assert(!current || record.nextProducerId >= current.nextProducerId, 'producer ids never go back');
        this.producerIds = {
          nextProducerId: record.nextProducerId,
          lastBlockBrokerId: record.brokerId,
          lastBlockBrokerEpoch: record.brokerEpoch,
        };
        return;
      }
      case 'featureLevel': {
        this.features ??= new Map(this.base.features);
        if (record.featureLevel === 0) this.features.delete(record.name);
        else this.features.set(record.name, record.featureLevel);
        return;
      }
      case 'accessControlEntry': {
        const { type: _type, ...entry } = record;
        (this.acls ??= new Map(this.base.acls)).set(record.id, entry);
        return;
      }
      case 'removeAccessControlEntry': {
        const acls = (this.acls ??= new Map(this.base.acls));
        assert(acls.has(record.id), `remove of unknown ACL ${record.id}`);
        acls.delete(record.id);
        return;
      }
      case 'userScramCredential': {
        const { type: _type, ...credential } = record;
        (this.scram ??= new Map(this.base.scram)).set(scramKey(record.name, record.mechanism), credential);
        return;
      }
      case 'removeUserScramCredential':
        (this.scram ??= new Map(this.base.scram)).delete(scramKey(record.name, record.mechanism));
        return;
      case 'clientQuota': {
        const quotas = (this.quotas ??= new Map(this.base.quotas));
        const key = quotaEntityKey(record.entity);
        const values = new Map(quotas.get(key)?.values ?? []);
        if (record.remove) values.delete(record.key);
        else values.set(record.key, record.value);
        if (values.size === 0) quotas.delete(key);
        else
          quotas.set(key, {
            entity: [...record.entity].sort((a, b) => a.entityType.localeCompare(b.entityType)),
            values,
          });
        return;
      }
      case 'zkMigrationState':
        this.zkMigrationState = record.zkMigrationState;
        return;
      case 'noOp':
        return;
      case 'beginTransaction':
      case 'endTransaction':
      case 'abortTransaction':
        assert(false, `${record.type} reached a delta; MetadataLoader handles transactions`);
        return;
      default:
        assertNever(record);
    }
  }

  apply(): MetadataImage {
    const b = this.base;
    let topicsById = b.topicsById;
    let topicsByName = b.topicsByName;
    if (this.topics.size > 0) {
      const byId = new Map(b.topicsById);
      const byName = new Map(b.topicsByName);
      for (const [id, t] of this.topics) {
        const old = b.topicsById.get(id);
        if (old) byName.delete(old.name);
        if (t === null) {
          byId.delete(id);
        } else {
          const image: TopicImage = { name: t.name, id: t.id, partitions: t.partitions };
          byId.set(id, image);
          byName.set(t.name, image);
        }
      }
      topicsById = byId;
      topicsByName = byName;
    }
    return {
      features: this.features ?? b.features,
      brokers: this.brokers ?? b.brokers,
      controllers: this.controllers ?? b.controllers,
      topicsById,
      topicsByName,
      configs: this.configs ?? b.configs,
      acls: this.acls ?? b.acls,
      scram: this.scram ?? b.scram,
      quotas: this.quotas ?? b.quotas,
      producerIds: this.producerIds === undefined ? b.producerIds : this.producerIds,
      zkMigrationState: this.zkMigrationState ?? b.zkMigrationState,
    };
  }

  // ------------------------------------------------------------ brokers

  private brokersMut(): Map<number, BrokerRegistration> {
    return (this.brokers ??= new Map(this.base.brokers));
  }

  private broker(id: number): BrokerRegistration | undefined {
    return (this.brokers ?? this.base.brokers).get(id);
  }

  private replayRegisterBroker(r: RecordOf<'registerBroker'>): void {
    const existing = this.broker(r.brokerId);
    assert(!existing || existing.epoch < r.brokerEpoch, `broker ${r.brokerId} re-registered with an old epoch`);
    this.brokersMut().set(r.brokerId, {
      id: r.brokerId,
      incarnationId: r.incarnationId,
      epoch: r.brokerEpoch,
      endpoints: r.endpoints,
      rack: r.rack,
      fenced: r.fenced,
      inControlledShutdown: r.inControlledShutdown,
    });
  }

  private changeBroker(
    id: number,
    epoch: number,
    change: Partial<Pick<BrokerRegistration, 'fenced' | 'inControlledShutdown'>>,
  ): void {
    const b = this.broker(id);
    assert(b !== undefined && b.epoch === epoch, `change of broker ${id} epoch ${epoch}: not registered`);
    this.brokersMut().set(id, { ...b, ...change });
  }

  // ------------------------------------------------------------ topics

  private topic(id: string): { name: string; partitions: ReadonlyMap<number, PartitionRegistration> } | undefined {
    if (this.topics.has(id)) return this.topics.get(id) ?? undefined;
    return this.base.topicsById.get(id);
  }

  private topicIdByName(name: string): string | undefined {
    for (const [id, t] of this.topics) if (t?.name === name) return id;
    const base = this.base.topicsByName.get(name);
    return base && this.topics.get(base.id) !== null ? base.id : undefined;
  }

  private topicMut(id: string): MutableTopic {
    const touched = this.topics.get(id);
    if (touched) return touched;
    assert(touched !== null, `topic id ${id} was removed`);
    const base = this.base.topicsById.get(id);
    assert(base !== undefined, `unknown topic id ${id}`);
    const copy: MutableTopic = { name: base.name, id, partitions: new Map(base.partitions) };
    this.topics.set(id, copy);
    return copy;
  }

  private replayPartitionChange(r: RecordOf<'partitionChange'>): void {
    const t = this.topicMut(r.topicId);
    const p = t.partitions.get(r.partitionId);
    assert(p !== undefined, `change of unknown partition ${r.topicId}-${r.partitionId}`);
    const leaderChanged = r.leader !== null && r.leader !== p.leader;
    t.partitions.set(r.partitionId, {
      replicas: r.replicas ?? p.replicas,
      isr: r.isr ?? p.isr,
      removingReplicas: r.removingReplicas ?? p.removingReplicas,
      addingReplicas: r.addingReplicas ?? p.addingReplicas,
      leader: r.leader ?? p.leader,
      leaderEpoch: leaderChanged ? p.leaderEpoch + 1 : p.leaderEpoch,
      partitionEpoch: p.partitionEpoch + 1,
    });
  }

  private configsMut(): Map<string, ReadonlyMap<string, string>> {
    return (this.configs ??= new Map(this.base.configs));
  }
}
