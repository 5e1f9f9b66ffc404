// A Metadata response's partition (src/broker/metadata-partitions.ts), as Kafka's
// KRaftMetadataCache answers it: a registered leader reachable on the listener is served; a
// leader that is not a registered broker (a controller id after a migration, say) is
// LEADER_NOT_AVAILABLE with leader -1; a registered leader without the listener is
// LISTENER_NOT_FOUND from v6 (LEADER_NOT_AVAILABLE before); no leader is LEADER_NOT_AVAILABLE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metadataPartition } from '../../src/broker/metadata-partitions.js';
import { ErrorCode } from '../../src/common/errors.js';
import type { BrokerRegistration, PartitionRegistration } from '../../src/metadata/image.js';

function broker(id: number, listener = 'PLAINTEXT'): BrokerRegistration {
  return {
    id,
    incarnationId: `inc-${id}`,
    epoch: 1,
    endpoints: [{ name: listener, host: '127.0.0.1', port: 9000 + id, securityProtocol: 'PLAINTEXT' }],
    rack: null,
    fenced: false,
    inControlledShutdown: false,
  };
}

function partition(leader: number, replicas: number[]): PartitionRegistration {
  return {
    replicas,
    isr: replicas,
    removingReplicas: [],
    addingReplicas: [],
    leader,
    leaderEpoch: 7,
    partitionEpoch: 3,
  };
}

const brokers = new Map([
  [100, broker(100)],
  [101, broker(101, 'OTHER')],
]);
const live = new Set([100]);

test('a registered leader with the listener is served', () => {
  const e = metadataPartition(0, partition(100, [100, 101]), brokers, 'PLAINTEXT', live, 12);
  assert.deepEqual(e, {
    errorCode: ErrorCode.NONE,
    partitionIndex: 0,
    leaderId: 100,
    leaderEpoch: 7,
    replicaNodes: [100, 101],
    isrNodes: [100, 101],
    offlineReplicas: [101],
  });
});

test('a leader that is not a registered broker is LEADER_NOT_AVAILABLE with leader -1, epoch and replicas kept', () => {
  for (const version of [0, 5, 12]) {
    const e = metadataPartition(3, partition(1, [1, 2, 100]), brokers, 'PLAINTEXT', live, version);
    assert.equal(e.errorCode, ErrorCode.LEADER_NOT_AVAILABLE);
    assert.equal(e.leaderId, -1);
    assert.equal(e.leaderEpoch, 7);
    assert.deepEqual(e.replicaNodes, [1, 2, 100]);
    assert.deepEqual(e.offlineReplicas, [1, 2]);
  }
});

test('a registered leader without the listener: LISTENER_NOT_FOUND from v6, LEADER_NOT_AVAILABLE before', () => {
  assert.equal(
    metadataPartition(0, partition(101, [101]), brokers, 'PLAINTEXT', live, 6).errorCode,
    ErrorCode.LISTENER_NOT_FOUND,
  );
  const old = metadataPartition(0, partition(101, [101]), brokers, 'PLAINTEXT', live, 5);
  assert.deepEqual([old.errorCode, old.leaderId], [ErrorCode.LEADER_NOT_AVAILABLE, -1]);
});

test('no leader is LEADER_NOT_AVAILABLE', () => {
  const e = metadataPartition(0, partition(-1, [100]), brokers, 'PLAINTEXT', live, 12);
  assert.deepEqual([e.errorCode, e.leaderId], [ErrorCode.LEADER_NOT_AVAILABLE, -1]);
});
