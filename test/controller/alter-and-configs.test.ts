import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import { alterPartition, type AlterPartitionItem } from '../../src/controller/alter-partition.js';
import {
  allocateProducerIds,
  incrementalAlterConfigs,
  producerIdBlockSize,
} from '../../src/controller/config-control.js';
import { AlterConfigOp } from '../../src/protocol/config-types.js';

const topicId = 'AAAAAAAAAAAAAAAAAAAAAQ';

function cluster(): MetadataLoader {
  const loader = new MetadataLoader();
  loader.replayAll([
    ...[1, 2, 3, 4].map((id) => ({
      type: 'registerBroker' as const,
      brokerId: id,
      incarnationId: Buffer.alloc(16, id).toString('base64url'),
      brokerEpoch: 10 * id,
      endpoints: [],
      rack: null,
      fenced: id === 4,
      inControlledShutdown: false,
    })),
    { type: 'topic', name: 'orders', topicId },
    {
      type: 'partition',
      topicId,
      partitionId: 0,
      replicas: [1, 2, 3, 4],
      isr: [1, 2, 3],
      removingReplicas: [],
      addingReplicas: [],
      leader: 1,
      leaderEpoch: 5,
      partitionEpoch: 7,
    },
  ]);
  return loader;
}

test("AlterPartition shrinks and expands the ISR with Kafka's checks", () => {
  const loader = cluster();
  const item = (over: Partial<AlterPartitionItem>): AlterPartitionItem => ({
    topicId,
    partitionIndex: 0,
    leaderEpoch: 5,
    partitionEpoch: 7,
    newIsr: [1, 2],
    ...over,
  });
  const send = (brokerId: number, brokerEpoch: number, over: Partial<AlterPartitionItem> = {}) =>
    alterPartition(loader.image, { brokerId, brokerEpoch, partitions: [item(over)] });
  assert.equal(send(1, 9).response.errorCode, ErrorCode.STALE_BROKER_EPOCH);
  assert.equal(send(9, 9).response.errorCode, ErrorCode.BROKER_ID_NOT_REGISTERED);
  const codes: [number, number, Partial<AlterPartitionItem>, number][] = [
    [2, 20, {}, ErrorCode.NOT_LEADER_OR_FOLLOWER],
    [1, 10, { leaderEpoch: 4 }, ErrorCode.FENCED_LEADER_EPOCH],
    [1, 10, { partitionEpoch: 6 }, ErrorCode.INVALID_UPDATE_VERSION],
    [1, 10, { newIsr: [2, 3] }, ErrorCode.INVALID_REQUEST], // the leader must stay in its ISR
    [1, 10, { newIsr: [1, 9] }, ErrorCode.INVALID_REQUEST], // not a replica
    [1, 10, { newIsr: [1, 4] }, ErrorCode.INELIGIBLE_REPLICA], // fenced
    [1, 10, { topicId: 'ZmZmZmZmZmZmZmZmZmZmZg' }, ErrorCode.UNKNOWN_TOPIC_ID],
    [1, 10, { partitionIndex: 3 }, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
  ];
  for (const [brokerId, epoch, over, code] of codes) {
    const d = send(brokerId, epoch, over);
    assert.equal(d.response.partitions[0]!.errorCode, code, JSON.stringify(over));
    assert.equal(d.records.length, 0);
  }
  const ok = send(1, 10);
  assert.deepEqual(ok.response.partitions[0], {
    topicId,
    partitionIndex: 0,
    errorCode: 0,
    leaderId: 1,
    leaderEpoch: 5,
    isr: [1, 2],
    partitionEpoch: 8,
  });
  loader.replayAll(ok.records);
  const p = loader.image.topicsById.get(topicId)!.partitions.get(0)!;
  assert.deepEqual([p.isr, p.partitionEpoch, p.leaderEpoch], [[1, 2], 8, 5]);
  // The same (now stale) request again is refused: the partition epoch moved on.
  assert.equal(send(1, 10).response.partitions[0]!.errorCode, ErrorCode.INVALID_UPDATE_VERSION);
});

test('IncrementalAlterConfigs: set, append, subtract, delete; bad ones fail whole and write nothing', () => {
  const loader = cluster();
  const alter = (
    resourceType: number,
    resourceName: string,
    configs: { name: string; op: number; value: string | null }[],
    validateOnly = false,
  ) => {
    const d = incrementalAlterConfigs(loader.image, [{ resourceType, resourceName, configs }], validateOnly);
    if (d.response[0]!.errorCode === 0) loader.replayAll(d.records);
    else assert.equal(d.records.length, 0);
    return d.response[0]!.errorCode;
  };
  assert.equal(
    alter(2, 'orders', [
      { name: 'retention.ms', op: AlterConfigOp.SET, value: '1000' },
      { name: 'cleanup.policy', op: AlterConfigOp.SET, value: 'delete' },
    ]),
    0,
  );
  assert.equal(alter(2, 'orders', [{ name: 'cleanup.policy', op: AlterConfigOp.APPEND, value: 'compact' }]), 0);
  assert.equal(loader.image.configs.get('2:orders')?.get('cleanup.policy'), 'delete,compact');
  assert.equal(alter(2, 'orders', [{ name: 'cleanup.policy', op: AlterConfigOp.SUBTRACT, value: 'delete' }]), 0);
  assert.equal(alter(2, 'orders', [{ name: 'retention.ms', op: AlterConfigOp.DELETE, value: null }]), 0);
  assert.deepEqual([...loader.image.configs.get('2:orders')!], [['cleanup.policy', 'compact']]);
  assert.equal(
    alter(2, 'orders', [{ name: 'retention.ms', op: AlterConfigOp.SET, value: 'x' }]),
    ErrorCode.INVALID_CONFIG,
  );
  assert.equal(alter(2, 'orders', [{ name: 'made.up', op: AlterConfigOp.SET, value: '1' }]), ErrorCode.INVALID_CONFIG);
  assert.equal(
    alter(2, 'nope', [{ name: 'retention.ms', op: AlterConfigOp.SET, value: '1' }]),
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  );
  assert.equal(alter(4, '', [{ name: 'min.insync.replicas', op: AlterConfigOp.SET, value: '2' }]), 0);
  assert.equal(loader.image.configs.get('4:')?.get('min.insync.replicas'), '2');
  // Kafka refuses static-only broker configs with INVALID_REQUEST (KAFKA-13609).
  assert.equal(alter(4, '1', [{ name: 'node.id', op: AlterConfigOp.SET, value: '2' }]), ErrorCode.INVALID_REQUEST);
  assert.equal(
    alter(4, '', [{ name: 'num.partitions', op: AlterConfigOp.SET, value: '3' }]),
    ErrorCode.INVALID_REQUEST,
  );
  assert.equal(
    alter(4, '', [{ name: 'auto.create.topics.enable', op: AlterConfigOp.SET, value: 'false' }]),
    ErrorCode.INVALID_REQUEST,
  );
  assert.equal(
    alter(4, '', [{ name: 'listeners', op: AlterConfigOp.SET, value: 'X://:1' }]),
    ErrorCode.INVALID_REQUEST,
  );
  assert.equal(
    alter(4, '1', [{ name: 'ssl.keystore.location', op: AlterConfigOp.SET, value: '/k' }]),
    ErrorCode.INVALID_REQUEST,
    'SSL stores only with a listener prefix',
  );
  assert.equal(
    alter(4, '1', [{ name: 'listener.name.external.ssl.keystore.location', op: AlterConfigOp.SET, value: '/k' }]),
    0,
  );
  assert.equal(
    alter(4, '', [{ name: 'log.retention.ms', op: AlterConfigOp.APPEND, value: '5' }]),
    ErrorCode.INVALID_CONFIG,
    'APPEND needs a list config',
  );
  assert.equal(
    alter(4, '', [{ name: 'my.custom.setting', op: AlterConfigOp.SET, value: 'x' }]),
    0,
    'custom names are kept',
  );
  // Kafka's other dynamic broker configs are accepted and kept per broker, strings included.
  assert.equal(
    alter(4, '1', [
      { name: 'sasl.kerberos.min.time.before.relogin', op: AlterConfigOp.SET, value: '60000' },
      { name: 'ssl.enabled.protocols', op: AlterConfigOp.SET, value: 'TLSv1.3' },
      { name: 'log.cleaner.threads', op: AlterConfigOp.SET, value: '2' },
    ]),
    0,
  );
  assert.equal(loader.image.configs.get('4:1')?.get('ssl.enabled.protocols'), 'TLSv1.3');
  assert.equal(
    alter(4, '1', [{ name: 'min.insync.replicas', op: AlterConfigOp.SET, value: 'two' }]),
    ErrorCode.INVALID_REQUEST,
    'a value Kafka cannot parse',
  );
  assert.equal(
    alter(4, 'x', [{ name: 'min.insync.replicas', op: AlterConfigOp.SET, value: '2' }]),
    ErrorCode.INVALID_REQUEST,
  );
  assert.equal(alter(2, 'orders', [{ name: 'retention.ms', op: AlterConfigOp.SET, value: '5' }], true), 0);
  assert.equal(loader.image.configs.get('2:orders')?.get('retention.ms'), undefined, 'validate-only writes nothing');
});

test('AllocateProducerIds hands out consecutive blocks of 1000', () => {
  const loader = cluster();
  const first = allocateProducerIds(loader.image, 1, 10);
  loader.replayAll(first.records);
  const second = allocateProducerIds(loader.image, 2, 20);
  loader.replayAll(second.records);
  assert.deepEqual(
    [first.response.producerIdStart, second.response.producerIdStart, second.response.producerIdLen],
    [0, producerIdBlockSize, producerIdBlockSize],
  );
  assert.equal(loader.image.producerIds?.nextProducerId, 2 * producerIdBlockSize);
  assert.equal(allocateProducerIds(loader.image, 1, 9).response.errorCode, ErrorCode.STALE_BROKER_EPOCH);
});
