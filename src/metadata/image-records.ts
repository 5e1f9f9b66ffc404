// An image written as records (what a snapshot holds): replaying them from an empty image gives
// an equal image. The order is fixed (features, migration state, brokers, controllers, topics and their
// partitions, configs, producer ids, ACLs, SCRAM, quotas; each sorted by key), so the same image
// always gives the same bytes — imageDigest() relies on that.
import { crc32c } from '../common/crc32c.js';
import type { MetadataImage } from './image.js';
import { encodeRecord, type MetadataRecord } from './records.js';

function byKey<K extends string | number, V>(m: ReadonlyMap<K, V>): [K, V][] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function* imageRecords(image: MetadataImage): Generator<MetadataRecord> {
  for (const [name, featureLevel] of byKey(image.features)) yield { type: 'featureLevel', name, featureLevel };
  yield { type: 'zkMigrationState', zkMigrationState: image.zkMigrationState };
  for (const [, b] of byKey(image.brokers)) {
    yield {
      type: 'registerBroker',
      brokerId: b.id,
      incarnationId: b.incarnationId,
      brokerEpoch: b.epoch,
      endpoints: b.endpoints,
      rack: b.rack,
      fenced: b.fenced,
      inControlledShutdown: b.inControlledShutdown,
    };
  }
  for (const [, c] of byKey(image.controllers))
    yield { type: 'registerController', controllerId: c.id, incarnationId: c.incarnationId, endpoints: c.endpoints };
  for (const [, t] of byKey(image.topicsByName)) {
    yield { type: 'topic', name: t.name, topicId: t.id };
    for (const [partitionId, p] of byKey(t.partitions)) yield { type: 'partition', topicId: t.id, partitionId, ...p };
  }
  for (const [key, values] of byKey(image.configs)) {
    const i = key.indexOf(':');
    const resourceType = Number(key.slice(0, i));
    const resourceName = key.slice(i + 1);
    for (const [name, value] of byKey(values)) yield { type: 'config', resourceType, resourceName, name, value };
  }
  if (image.producerIds) {
    const p = image.producerIds;
    yield {
      type: 'producerIds',
      brokerId: p.lastBlockBrokerId,
      brokerEpoch: p.lastBlockBrokerEpoch,
      nextProducerId: p.nextProducerId,
    };
  }
  for (const [, acl] of byKey(image.acls)) yield { type: 'accessControlEntry', ...acl };
  for (const [, c] of byKey(image.scram)) yield { type: 'userScramCredential', ...c };
  for (const [, q] of byKey(image.quotas)) {
    for (const [key, value] of byKey(q.values))
      yield { type: 'clientQuota', entity: q.entity, key, value, remove: false };
  }
}

const digests = new WeakMap<MetadataImage, number>();

/** CRC32C over the image's records: equal images print equal digests on every node. */
export function imageDigest(image: MetadataImage): number {
  const known = digests.get(image);
  if (known !== undefined) return known; // images are immutable: compute once per image
  let crc = 0;
  for (const r of imageRecords(image)) crc = crc32c(encodeRecord(r), 0, undefined, crc);
  digests.set(image, crc);
  return crc;
}
