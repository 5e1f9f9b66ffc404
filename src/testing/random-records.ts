// Random but valid metadata record sequences for property tests: each op (a tuple of small
// numbers from the test framework) is read against a shadow image of what is visible so far
// (records of an open transaction included; an abort rolls the shadow back), so the records
// only ever reference brokers, topics and partitions that exist.
import { MetadataDelta } from '../metadata/delta.js';
import { emptyImage, type MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';

export type Op = readonly [kind: number, a: number, b: number];

function uuid(n: number, salt: number): string {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(n >>> 0, 0);
  b.writeUInt32BE(salt >>> 0, 12);
  return b.toString('base64url');
}

function pick<T>(items: readonly T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

export function generateRecords(ops: readonly Op[]): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  let shadow: MetadataImage = emptyImage;
  let beforeTxn: MetadataImage | null = null;
  let counter = 0;
  const emit = (r: MetadataRecord): void => {
    out.push(r);
    const d = new MetadataDelta(shadow);
    d.replay(r);
    shadow = d.apply();
  };
  for (const [kind, a, b] of ops) {
    counter++;
    const brokers = [...shadow.brokers.values()];
    const topics = [...shadow.topicsById.values()];
    switch (kind % 16) {
      case 0: {
        const id = a % 6;
        const epoch = (shadow.brokers.get(id)?.epoch ?? 0) + 1 + (b % 3);
        emit({ type: 'registerBroker', brokerId: id, incarnationId: uuid(id, counter), brokerEpoch: epoch, endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 + 100 * id, securityProtocol: 'PLAINTEXT' }], rack: b % 2 ? `rack-${b % 3}` : null, fenced: b % 2 === 0, inControlledShutdown: false });
        break;
      }
      case 1: {
        const br = pick(brokers, a);
        if (br) emit({ type: b % 2 ? 'fenceBroker' : 'unfenceBroker', brokerId: br.id, brokerEpoch: br.epoch });
        break;
      }
      case 2: {
        const br = pick(brokers, a);
        if (br) emit({ type: 'brokerRegistrationChange', brokerId: br.id, brokerEpoch: br.epoch, fenced: b % 3 === 0 ? null : b % 3 === 1, inControlledShutdown: b % 2 ? true : null });
        break;
      }
      case 3: {
        const br = pick(brokers, a);
        if (br) emit({ type: 'unregisterBroker', brokerId: br.id, brokerEpoch: br.epoch });
        break;
      }
      case 4: {
        const name = `topic-${a % 20}`;
        if (shadow.topicsByName.has(name)) break;
        const topicId = uuid(a, counter);
        emit({ type: 'topic', name, topicId });
        for (let p = 0; p < 1 + (b % 4); p++) {
          const replicas = [p % 6, (p + 1) % 6, (p + 2) % 6];
          emit({ type: 'partition', topicId, partitionId: p, replicas, isr: replicas.slice(0, 1 + (b % 3)), removingReplicas: [], addingReplicas: [], leader: replicas[0]!, leaderEpoch: 0, partitionEpoch: 0 });
        }
        break;
      }
      case 5: {
        const t = pick(topics, a);
        const p = t ? pick([...t.partitions.keys()], b) : undefined;
        if (t && p !== undefined) {
          emit({ type: 'partitionChange', topicId: t.id, partitionId: p, isr: b % 2 ? [b % 6] : null, leader: b % 3 === 0 ? -1 : b % 3 === 1 ? b % 6 : null, replicas: null, removingReplicas: b % 5 === 0 ? [b % 6] : null, addingReplicas: null });
        }
        break;
      }
      case 6: {
        const t = pick(topics, a);
        if (t) emit({ type: 'removeTopic', topicId: t.id });
        break;
      }
      case 7: {
        const t = pick(topics, a);
        const [resourceType, resourceName] = b % 3 === 0 && t ? [2, t.name] : b % 3 === 1 ? [4, String(a % 6)] : [4, ''];
        emit({ type: 'config', resourceType, resourceName, name: `key.${b % 4}`, value: a % 4 === 0 ? null : `v${a}` });
        break;
      }
      case 8: {
        const next = (shadow.producerIds?.nextProducerId ?? 0) + 1000 * (1 + (b % 2));
        emit({ type: 'producerIds', brokerId: a % 6, brokerEpoch: b, nextProducerId: next });
        break;
      }
      case 9:
        emit({ type: 'featureLevel', name: `feature.${a % 3}`, featureLevel: b % 4 });
        break;
      case 10: {
        const acl = pick([...shadow.acls.values()], a);
        if (acl && b % 2) emit({ type: 'removeAccessControlEntry', id: acl.id });
        else emit({ type: 'accessControlEntry', id: uuid(a, counter + 7), resourceType: 2, resourceName: `topic-${a % 20}`, patternType: 3, principal: `User:u${b % 4}`, host: '*', operation: 2 + (b % 10), permissionType: 3 });
        break;
      }
      case 11:
        if (b % 2) emit({ type: 'removeUserScramCredential', name: `u${a % 4}`, mechanism: 1 + (b % 2) });
        else emit({ type: 'userScramCredential', name: `u${a % 4}`, mechanism: 1 + (a % 2), salt: Uint8Array.from([a & 255, b & 255]), storedKey: Uint8Array.from([b & 255]), serverKey: Uint8Array.from([a & 255]), iterations: 4096 + b });
        break;
      case 12:
        emit({ type: 'clientQuota', entity: b % 2 ? [{ entityType: 'user', entityName: `u${a % 3}` }, { entityType: 'client-id', entityName: null }] : [{ entityType: 'client-id', entityName: `c${a % 3}` }], key: `rate.${b % 3}`, value: a + b / 8, remove: a % 5 === 0 });
        break;
      case 13:
        emit({ type: 'zkMigrationState', zkMigrationState: a % 4 });
        break;
      case 14:
        emit({ type: 'noOp' });
        break;
      case 15:
        if (beforeTxn === null) {
          out.push({ type: 'beginTransaction', name: `txn-${counter}` });
          beforeTxn = shadow;
        } else if (b % 2) {
          out.push({ type: 'endTransaction' });
          beforeTxn = null;
        } else {
          out.push({ type: 'abortTransaction', reason: 'test' });
          shadow = beforeTxn;
          beforeTxn = null;
        }
        break;
    }
  }
  return out;
}
