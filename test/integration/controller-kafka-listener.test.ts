// KIP-919 on a real cluster: three combined nodes whose controller.listener.names has a second
// name, CONTROLLER_KAFKA, a SASL_PLAINTEXT Kafka listener beside the gRPC quorum listener. raftka's
// own Kafka client (kcat and kafkajs speak only to brokers) logs in there with PLAIN and checks the
// answers against the cluster: ApiVersions lists the controller APIs only, DescribeCluster
// (endpointType 2) lists every controller's registered Kafka listener and the quorum leader as
// controller, DescribeQuorum v2 matches `raftka metadata-quorum` (gRPC, still working), and
// CreateTopics / IncrementalAlterConfigs / DescribeConfigs sent to a controller are seen by a broker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterFixture, freePorts, waitFor } from '../../src/testing/cluster-fixture.js';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { KafkaConnection } from '../../src/client/kafka-connection.js';
import { ErrorCode } from '../../src/common/errors.js';
import { AlterConfigOp } from '../../src/protocol/config-types.js';
import { createTopicsApi } from '../../src/protocol/messages/create-topics.js';
import { describeClusterApi } from '../../src/protocol/messages/describe-cluster.js';
import { describeConfigsApi } from '../../src/protocol/messages/describe-configs.js';
import { describeQuorumApi } from '../../src/protocol/messages/describe-quorum.js';
import { incrementalAlterConfigsApi } from '../../src/protocol/messages/incremental-alter-configs.js';

const plainJaas =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret";';
const TOPIC = 2;
const BROKER = 4;

test('a controller Kafka listener answers KIP-919 clients with the cluster as it is', {
  timeout: 120_000,
}, async (t) => {
  const kafkaPorts = await freePorts(3);
  const f = await ClusterFixture.combined({
    nodes: 3,
    perNode: (k, layout) => ({
      listeners: [
        `PLAINTEXT://127.0.0.1:${layout.kafka[k]}`,
        `CONTROLLER://127.0.0.1:${layout.controller[k]}`,
        `CONTROLLER_KAFKA://127.0.0.1:${kafkaPorts[k]}`,
      ].join(','),
      'controller.listener.names': 'CONTROLLER,CONTROLLER_KAFKA',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,CONTROLLER_KAFKA:SASL_PLAINTEXT',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.controller_kafka.plain.sasl.jaas.config': plainJaas,
    }),
  });
  t.after(() => f.destroy());
  await f.up();
  const security = {
    protocol: 'SASL_PLAINTEXT' as const,
    tls: null,
    sasl: { mechanism: 'PLAIN' as const, username: 'admin', password: 'admin-secret' },
  };
  const timeoutMs = 10_000;
  const c = await KafkaConnection.open({ host: '127.0.0.1', port: kafkaPorts[2]! }, 'kip919', timeoutMs, security);
  t.after(() => c.close());

  // ApiVersions: the controller APIs, none of the broker-only ones.
  for (const key of [55, 60, 32, 44, 19, 57]) assert.ok(c.serves(key), `controller listener serves key ${key}`);
  for (const key of [0, 1, 3, 10]) assert.equal(c.serves(key), false, `controller listener does not serve key ${key}`);

  // DescribeCluster for controllers: each registered its Kafka listener; the controller id is the leader.
  const described = await waitFor('three registered controllers', async () => {
    const d = await c.send(
      describeClusterApi,
      { includeClusterAuthorizedOperations: false, endpointType: 2 },
      timeoutMs,
      1,
    );
    return d.errorCode === ErrorCode.NONE && d.brokers.length === 3 ? d : undefined;
  });
  assert.equal(described.endpointType, 2);
  assert.deepEqual(
    described.brokers.map((b) => [b.brokerId, b.host, b.port]),
    kafkaPorts.map((p, k) => [k + 1, '127.0.0.1', p]),
  );
  // The gRPC quorum tool (`raftka metadata-quorum`) keeps working beside the new listener.
  const quorum = await f.quorumStatus();
  assert.equal(described.controllerId, quorum.leaderId);
  const asBrokers = await c.send(
    describeClusterApi,
    { includeClusterAuthorizedOperations: false, endpointType: 1 },
    timeoutMs,
    1,
  );
  assert.equal(asBrokers.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE);

  // DescribeQuorum v2: the same leader, epoch and voters as the gRPC tool, and KIP-853's nodes.
  const dq = await c.send(
    describeQuorumApi,
    { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] },
    timeoutMs,
    2,
  );
  assert.equal(dq.errorCode, ErrorCode.NONE);
  const part = dq.topics[0]!.partitions[0]!;
  assert.equal(part.leaderId, quorum.leaderId);
  assert.equal(part.leaderEpoch, quorum.leaderEpoch);
  assert.deepEqual(part.currentVoters.map((v) => v.replicaId).sort(), [...quorum.currentVoters].sort());
  assert.ok(part.highWatermark > 0);
  assert.deepEqual(
    dq.nodes?.map((n) => [n.nodeId, n.listeners.map((l) => `${l.name}:${l.port}`)]),
    [1, 2, 3].map((id) => [id, [`CONTROLLER:${f.controllerPorts[id - 1]}`, `CONTROLLER_KAFKA:${kafkaPorts[id - 1]}`]]),
  );

  // Admin calls Kafka routes to controllers: create a topic, alter its config, read it back.
  const created = await c.send(
    createTopicsApi,
    {
      topics: [{ name: 'kip919', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs,
      validateOnly: false,
    },
    timeoutMs,
    7,
  );
  assert.equal(created.topics[0]?.errorCode, ErrorCode.NONE);
  const altered = await c.send(
    incrementalAlterConfigsApi,
    {
      resources: [
        {
          resourceType: TOPIC,
          resourceName: 'kip919',
          configs: [{ name: 'retention.ms', configOperation: AlterConfigOp.SET, value: '4321' }],
        },
      ],
      validateOnly: false,
    },
    timeoutMs,
    1,
  );
  assert.equal(altered.responses[0]?.errorCode, ErrorCode.NONE);
  const retention = async (conn: KafkaConnection) => {
    const r = await conn.send(
      describeConfigsApi,
      { resources: [{ resourceType: TOPIC, resourceName: 'kip919', configurationKeys: ['retention.ms'] }] },
      timeoutMs,
      4,
    );
    return r.results[0]?.configs.find((x) => x.name === 'retention.ms')?.value;
  };
  // The answer came after the commit, but this controller's image may apply it a moment later.
  await waitFor('retention.ms on the controller listener', async () =>
    (await retention(c)) === '4321' ? true : undefined,
  );
  const brokers = new KafkaClient([{ host: '127.0.0.1', port: f.brokerPorts[0]! }]);
  t.after(() => brokers.close());
  const b = await brokers.anyConnection();
  await waitFor('retention.ms on a broker', async () => ((await retention(b)) === '4321' ? true : undefined));

  // DescribeConfigs of the controller itself (a BROKER resource named by its node id, as Kafka's controllers answer).
  const own = await c.send(
    describeConfigsApi,
    { resources: [{ resourceType: BROKER, resourceName: '3', configurationKeys: ['node.id', 'process.roles'] }] },
    timeoutMs,
    4,
  );
  assert.equal(own.results[0]?.errorCode, ErrorCode.NONE);
  assert.deepEqual(own.results[0]?.configs.map((x) => [x.name, x.value]).sort(), [
    ['node.id', '3'],
    ['process.roles', 'broker,controller'],
  ]);
});
