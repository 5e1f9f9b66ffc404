import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecord, encodeRecord, RecordDecodeError, type MetadataRecord } from '../../src/metadata/records.js';

const topicId = 'AAECAwQFBgcICQoLDA0ODw';
export const sampleRecords: MetadataRecord[] = [
  {
    type: 'registerBroker',
    brokerId: 1,
    incarnationId: 'ZmZmZmZmZmZmZmZmZmZmZg',
    brokerEpoch: 2 ** 40,
    endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }],
    rack: 'r1',
    fenced: true,
    inControlledShutdown: false,
  },
  {
    type: 'registerBroker',
    brokerId: 2,
    incarnationId: 'ZmZmZmZmZmZmZmZmZmZmZg',
    brokerEpoch: 3,
    endpoints: [],
    rack: null,
    fenced: false,
    inControlledShutdown: false,
  },
  { type: 'unregisterBroker', brokerId: 1, brokerEpoch: 7 },
  { type: 'fenceBroker', brokerId: 1, brokerEpoch: 7 },
  { type: 'unfenceBroker', brokerId: 1, brokerEpoch: 7 },
  { type: 'brokerRegistrationChange', brokerId: 1, brokerEpoch: 7, fenced: false, inControlledShutdown: null },
  { type: 'brokerRegistrationChange', brokerId: 1, brokerEpoch: 7, fenced: null, inControlledShutdown: true },
  { type: 'topic', name: 'orders', topicId },
  {
    type: 'partition',
    topicId,
    partitionId: 3,
    replicas: [1, 2, 3],
    isr: [1, 2],
    removingReplicas: [],
    addingReplicas: [3],
    leader: 1,
    leaderEpoch: 4,
    partitionEpoch: 9,
  },
  {
    type: 'partitionChange',
    topicId,
    partitionId: 3,
    isr: [1],
    leader: null,
    replicas: null,
    removingReplicas: null,
    addingReplicas: [],
  },
  {
    type: 'partitionChange',
    topicId,
    partitionId: 0,
    isr: null,
    leader: -1,
    replicas: null,
    removingReplicas: null,
    addingReplicas: null,
  },
  { type: 'removeTopic', topicId },
  { type: 'config', resourceType: 2, resourceName: 'orders', name: 'retention.ms', value: '1000' },
  { type: 'config', resourceType: 4, resourceName: '', name: 'log.retention.ms', value: null },
  { type: 'producerIds', brokerId: 1, brokerEpoch: 7, nextProducerId: 5000 },
  { type: 'featureLevel', name: 'metadata.version', featureLevel: 21 },
  {
    type: 'accessControlEntry',
    id: topicId,
    resourceType: 2,
    resourceName: 'orders',
    patternType: 3,
    principal: 'User:alice',
    host: '*',
    operation: 3,
    permissionType: 3,
  },
  { type: 'removeAccessControlEntry', id: topicId },
  {
    type: 'userScramCredential',
    name: 'alice',
    mechanism: 1,
    salt: Uint8Array.from([1, 2]),
    storedKey: Uint8Array.from([3]),
    serverKey: Uint8Array.from([4]),
    iterations: 4096,
  },
  { type: 'removeUserScramCredential', name: 'alice', mechanism: 1 },
  {
    type: 'clientQuota',
    entity: [
      { entityType: 'user', entityName: 'alice' },
      { entityType: 'client-id', entityName: null },
    ],
    key: 'producer_byte_rate',
    value: 1024.5,
    remove: false,
  },
  { type: 'zkMigrationState', zkMigrationState: 0 },
  { type: 'noOp' },
  { type: 'beginTransaction', name: 'bootstrap' },
  { type: 'endTransaction' },
  { type: 'abortTransaction', reason: 'controller failover' },
];

test('every record type round-trips through its protobuf encoding', () => {
  for (const r of sampleRecords) assert.deepEqual(decodeRecord(encodeRecord(r)), r, r.type);
});

test('garbage and records from a newer version are refused', () => {
  assert.throws(() => decodeRecord(Uint8Array.from([0xff, 0xff, 0xff])), RecordDecodeError);
  assert.throws(() => decodeRecord(Uint8Array.from([0x08, 0x05, 0xa2, 0x05, 0x00])), /version 5 is newer/);
  assert.throws(() => decodeRecord(new Uint8Array(0)), /without a body/);
});
