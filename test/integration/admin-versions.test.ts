// The admin API versions added to reach Kafka 4.1's ranges, on the wire against one controller and
// two brokers: CreateTopics v7 answers the topic id, partition count, replication factor and
// effective configs (KIP-525); DescribeConfigs v4 gives each config's type and, when asked, its
// documentation; DeleteTopics v6 deletes by topic id (UNKNOWN_TOPIC_ID, duplicate ids refused);
// AlterPartitionReassignments v1 refuses a replication factor change when told to (KIP-860);
// AddPartitionsToTxn v5's verify-only form answers TRANSACTION_ABORTABLE where v4 says
// INVALID_TXN_STATE (KIP-890);
// DescribeCluster v1 refuses a controller description on a broker (KIP-919) and v2 lists fenced
// brokers on request (KIP-1073).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterFixture, waitFor } from '../../src/testing/cluster-fixture.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { ErrorCode } from '../../src/common/errors.js';
import { createTopicsApi } from '../../src/protocol/messages/create-topics.js';
import { deleteTopicsApi } from '../../src/protocol/messages/delete-topics.js';
import { describeConfigsApi } from '../../src/protocol/messages/describe-configs.js';
import { describeClusterApi } from '../../src/protocol/messages/describe-cluster.js';
import { alterPartitionReassignmentsApi } from '../../src/protocol/messages/partition-reassignments.js';
import { zeroUuid } from '../../src/protocol/primitives/uuid.js';
import { findCoordinatorApi } from '../../src/protocol/messages/find-coordinator.js';
import { initProducerIdApi } from '../../src/protocol/messages/init-producer-id.js';
import { addPartitionsToTxnApi } from '../../src/protocol/messages/add-partitions-to-txn.js';
import { CoordinatorKeyType } from '../../src/protocol/txn-types.js';

test('admin APIs at their Kafka 4.1 versions: topic ids, configs, endpoint types, fenced brokers, KIP-860', {
  timeout: 120_000,
}, async (t) => {
  const f = await ClusterFixture.controllers({
    controllers: 1,
    brokers: 2,
    extra: {
      'broker.heartbeat.interval.ms': '300',
      'broker.session.timeout.ms': '2000',
      'transaction.state.log.num.partitions': '4',
    },
  });
  t.after(() => f.destroy());
  await f.up();
  // Talk to broker 100 only: broker 101 is killed at the end.
  const client = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[0]! }]);
  t.after(() => client.close());
  const c = await client.anyConnection();
  const timeoutMs = 15_000;
  const cluster = (version: number, req: Parameters<typeof describeClusterApi.encodeRequest>[1]) =>
    c.send(describeClusterApi, req, timeoutMs, version);
  await waitFor(
    'two unfenced brokers',
    async () =>
      (await cluster(2, { includeClusterAuthorizedOperations: false })).brokers.length === 2 ? true : undefined,
    30_000,
    100,
  );

  // CreateTopics v7: the id, counts and effective configs of the new topic.
  const created = (
    await c.send(
      createTopicsApi,
      {
        topics: [
          {
            name: 'versions',
            numPartitions: 2,
            replicationFactor: 2,
            assignments: [],
            configs: [{ name: 'retention.ms', value: '123456' }],
          },
        ],
        timeoutMs,
        validateOnly: false,
      },
      timeoutMs,
      7,
    )
  ).topics[0]!;
  assert.equal(created.errorCode, ErrorCode.NONE);
  assert.notEqual(created.topicId, zeroUuid);
  assert.deepEqual([created.numPartitions, created.replicationFactor], [2, 2]);
  const configs = new Map((created.configs ?? []).map((x) => [x.name, x]));
  assert.deepEqual(
    [configs.get('retention.ms')?.value, configs.get('retention.ms')?.configSource],
    ['123456', 1],
    'the given config, DYNAMIC_TOPIC_CONFIG',
  );
  assert.equal(configs.get('segment.bytes')?.configSource, 5, 'a default, DEFAULT_CONFIG');

  // DescribeConfigs v4: types always, documentation only when asked for.
  const describe = (includeDocumentation: boolean) =>
    waitFor(
      "the topic in the broker's metadata",
      async () => {
        const r = (
          await c.send(
            describeConfigsApi,
            {
              resources: [
                { resourceType: 2, resourceName: 'versions', configurationKeys: ['retention.ms', 'cleanup.policy'] },
              ],
              includeSynonyms: false,
              includeDocumentation,
            },
            timeoutMs,
            4,
          )
        ).results[0]!;
        return r.errorCode === ErrorCode.NONE ? r.configs : undefined;
      },
      15_000,
      100,
    );
  const documented = await describe(true);
  assert.deepEqual(
    documented.map((x) => [x.name, x.value, x.configType]),
    [
      ['cleanup.policy', 'delete', 7], // LIST
      ['retention.ms', '123456', 5], // LONG
    ],
  );
  assert.ok(documented.every((x) => typeof x.documentation === 'string' && x.documentation.length > 10));
  assert.ok((await describe(false)).every((x) => x.documentation === null && x.configType > 0));

  // AlterPartitionReassignments v1: with AllowReplicationFactorChange false, two replicas to one is
  // refused (and the flag echoed); allowed, the same target is accepted.
  const reassign = (allowReplicationFactorChange: boolean) =>
    c.send(
      alterPartitionReassignmentsApi,
      {
        timeoutMs,
        allowReplicationFactorChange,
        topics: [{ name: 'versions', partitions: [{ partitionIndex: 0, replicas: [100] }] }],
      },
      timeoutMs,
      1,
    );
  const refused = await reassign(false);
  assert.equal(refused.allowReplicationFactorChange, false);
  assert.deepEqual(
    [refused.responses[0]!.partitions[0]!.errorCode, refused.responses[0]!.partitions[0]!.errorMessage],
    [ErrorCode.INVALID_REPLICATION_FACTOR, 'The replication factor is changed from 2 to 1'],
  );
  const allowed = await reassign(true);
  assert.equal(allowed.allowReplicationFactorChange, true);
  assert.equal(allowed.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE);

  // DeleteTopics v6: an unknown id, a duplicated id, then the topic by its id.
  const unknownId = 'AAECAwQFBgcICQoLDA0ODw';
  const del = async (topics: { name: string | null; topicId: string }[]) =>
    (await c.send(deleteTopicsApi, { topics, timeoutMs }, timeoutMs, 6)).responses;
  assert.deepEqual(
    (await del([{ name: null, topicId: unknownId }])).map((r) => [r.name, r.topicId, r.errorCode]),
    [[null, unknownId, ErrorCode.UNKNOWN_TOPIC_ID]],
  );
  const id = created.topicId!;
  assert.deepEqual(
    (
      await del([
        { name: null, topicId: id },
        { name: null, topicId: id },
        { name: 'versions', topicId: id }, // a name and an id
        { name: null, topicId: zeroUuid }, // neither
      ])
    ).map((r) => r.errorCode),
    [ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
  );
  assert.deepEqual(
    (await del([{ name: null, topicId: id }])).map((r) => [r.name, r.topicId, r.errorCode]),
    [['versions', id, ErrorCode.NONE]],
  );
  await waitFor(
    'the topic gone',
    async () => {
      const r = await c.send(
        describeConfigsApi,
        { resources: [{ resourceType: 2, resourceName: 'versions', configurationKeys: null }] },
        timeoutMs,
      );
      return r.results[0]!.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? true : undefined;
    },
    15_000,
    100,
  );

  // AddPartitionsToTxn v4/v5, the brokers' verify-only form: a partition outside the transaction
  // is INVALID_TXN_STATE at v4 and TRANSACTION_ABORTABLE from v5 (KIP-890).
  await client.createTopic('in-txn', 2, 1);
  const txnId = 'tx-versions';
  const coordinatorId = await waitFor(
    'the transaction coordinator',
    async () => {
      const r = await c.send(
        findCoordinatorApi,
        { keyType: CoordinatorKeyType.TRANSACTION, coordinatorKeys: [txnId] },
        timeoutMs,
      );
      const k = r.coordinators?.[0];
      return k?.errorCode === ErrorCode.NONE ? k.nodeId : undefined;
    },
    60_000,
    200,
  );
  await client.metadata(null);
  const tc = await client.connectionTo(coordinatorId);
  const producer = await waitFor(
    'a transactional producer id',
    async () => {
      const r = await tc.send(
        initProducerIdApi,
        { transactionalId: txnId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 },
        timeoutMs,
      );
      return r.errorCode === ErrorCode.NONE ? { id: r.producerId, epoch: r.producerEpoch } : undefined;
    },
    60_000,
    200,
  );
  await waitFor(
    'in-txn-0 added to the transaction',
    async () => {
      const r = await tc.send(
        addPartitionsToTxnApi,
        {
          v3AndBelowTransactionalId: txnId,
          v3AndBelowProducerId: producer.id,
          v3AndBelowProducerEpoch: producer.epoch,
          v3AndBelowTopics: [{ name: 'in-txn', partitions: [0] }],
        },
        timeoutMs,
        3,
      );
      return r.resultsByTopicV3AndBelow?.[0]?.resultsByPartition[0]?.partitionErrorCode === ErrorCode.NONE
        ? true
        : undefined;
    },
    30_000,
    100,
  );
  const verify = async (version: number) =>
    (
      await tc.send(
        addPartitionsToTxnApi,
        {
          transactions: [
            {
              transactionalId: txnId,
              producerId: producer.id,
              producerEpoch: producer.epoch,
              verifyOnly: true,
              topics: [{ name: 'in-txn', partitions: [0, 1] }],
            },
          ],
        },
        timeoutMs,
        version,
      )
    ).resultsByTransaction?.[0]?.topicResults[0]?.resultsByPartition.map((p) => p.partitionErrorCode);
  assert.deepEqual(await verify(5), [ErrorCode.NONE, ErrorCode.TRANSACTION_ABORTABLE]);
  assert.deepEqual(await verify(4), [ErrorCode.NONE, ErrorCode.INVALID_TXN_STATE]);

  // DescribeCluster v1: a broker describes brokers only.
  const asController = await cluster(1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
  assert.equal(asController.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE);
  assert.equal(
    (await cluster(1, { includeClusterAuthorizedOperations: false, endpointType: 7 })).errorCode,
    ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
  );
  // v2: a killed broker is fenced, left out unless asked for, then listed with IsFenced.
  await f.kill9(101);
  await waitFor(
    'broker 101 fenced',
    async () =>
      (await cluster(2, { includeClusterAuthorizedOperations: false })).brokers.length === 1 ? true : undefined,
    30_000,
    100,
  );
  const all = await cluster(2, { includeClusterAuthorizedOperations: false, includeFencedBrokers: true });
  assert.deepEqual(
    all.brokers.map((b) => [b.brokerId, b.isFenced]),
    [
      [100, false],
      [101, true],
    ],
  );
});
