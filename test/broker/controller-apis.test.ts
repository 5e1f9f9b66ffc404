// A controller's Kafka listener (KIP-919): src/broker/controller-apis.ts serves exactly the APIs
// apis.ts lists for it (each one Kafka marks "controller"), DescribeQuorum from the quorum
// leader's description with KIP-853's nodes, DescribeCluster listing the registered controllers;
// the controller registration record (cluster-control.ts, delta.ts, image-records.ts); and the
// config shape (the second and later controller.listener.names speak the Kafka protocol).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestContext } from '../../src/broker/api-context.js';
import { BrokerAuthorization } from '../../src/broker/authorization.js';
import { controllerHandlers, type ControllerListenerContext } from '../../src/broker/controller-apis.js';
import type { QuorumDescription } from '../../src/client/quorum-client.js';
import { parseNodeConfig } from '../../src/common/config.js';
import { ErrorCode } from '../../src/common/errors.js';
import { controllerKafkaListeners, controllerQuorumListener } from '../../src/common/node-config.js';
import { registerController } from '../../src/controller/cluster-control.js';
import { MetadataDelta } from '../../src/metadata/delta.js';
import { emptyImage, type MetadataImage } from '../../src/metadata/image.js';
import { imageRecords } from '../../src/metadata/image-records.js';
import { decodeRecord, encodeRecord } from '../../src/metadata/records.js';
import { apis as protocolApis, controllerListenerApiKeys } from '../../src/protocol/apis.js';
import { decodeResponseHeader } from '../../src/protocol/header.js';
import { kafkaApiRange } from '../../src/protocol/kafka-api-ranges.js';
import type { AnyApi } from '../../src/protocol/messages/define.js';
import { apiVersionsApi } from '../../src/protocol/messages/api-versions.js';
import { describeClusterApi } from '../../src/protocol/messages/describe-cluster.js';
import { describeQuorumApi } from '../../src/protocol/messages/describe-quorum.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { zeroUuid } from '../../src/protocol/primitives/uuid.js';

const clusterId = 'AAAAAAAAAAAAAAAAAAAAAQ';

/** An image where controllers 1 and 2 registered a CONTROLLER_KAFKA listener (replayed through the record path). */
function imageWithControllers(): MetadataImage {
  let image = emptyImage;
  for (const [id, port] of [
    [1, 19097],
    [2, 19197],
  ] as const) {
    const d = registerController(
      image,
      {
        controllerId: id,
        clusterId,
        incarnationId: zeroUuid,
        listeners: [{ name: 'CONTROLLER_KAFKA', host: '127.0.0.1', port, securityProtocol: 'PLAINTEXT' }],
      },
      clusterId,
    );
    const delta = new MetadataDelta(image);
    for (const r of d.records) delta.replay(decodeRecord(encodeRecord(r)));
    image = delta.apply();
  }
  return image;
}

const quorum: QuorumDescription = {
  clusterId,
  leaderId: 2,
  leaderEpoch: 5,
  highWatermark: 42,
  maxFollowerLag: 0,
  maxFollowerLagTimeMs: 0,
  currentVoters: [1, 2, 3],
  currentObservers: [4],
  replicas: [1, 2, 3, 4].map((nodeId) => ({
    nodeId,
    logEndOffset: 42 - (nodeId === 3 ? 2 : 0),
    lag: nodeId === 3 ? 2 : 0,
    lastFetchTimestamp: nodeId === 2 ? null : 1000 + nodeId,
    lastCaughtUpTimestamp: nodeId === 2 ? null : 2000 + nodeId,
    status: nodeId === 2 ? ('Leader' as const) : nodeId === 4 ? ('Observer' as const) : ('Follower' as const),
  })),
};

function context(image: MetadataImage): ControllerListenerContext {
  return {
    nodeId: 1,
    clusterId,
    config: parse({}),
    logger: undefined as never, // no handler here logs
    controller: undefined as never, // no handler here writes
    image: () => image,
    dynamicConfig: () => undefined as never,
    authorization: BrokerAuthorization.none,
    activeControllerId: () => 2,
    describeQuorum: async () => quorum,
    quorumListeners: new Map([1, 2, 3].map((id) => [id, { name: 'CONTROLLER', host: '127.0.0.1', port: 9093 + id }])),
  };
}

function parse(extra: Record<string, string>) {
  return parseNodeConfig(
    new Map(
      Object.entries({
        'node.id': '1',
        'process.roles': 'controller',
        'controller.quorum.voters': '1@127.0.0.1:9093',
        listeners: 'CONTROLLER://127.0.0.1:9093,CONTROLLER_KAFKA://127.0.0.1:9097',
        'controller.listener.names': 'CONTROLLER,CONTROLLER_KAFKA',
        'log.dirs': '/tmp/unused',
        'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,CONTROLLER_KAFKA:PLAINTEXT',
        ...extra,
      }),
    ),
    'node.properties',
  );
}

async function call<Res>(
  ctx: ControllerListenerContext,
  api: AnyApi & { decodeResponse(v: number, r: Reader): Res },
  version: number,
  request: unknown,
): Promise<Res> {
  const registry = controllerHandlers(ctx);
  const body = (api.encodeRequest as (v: number, value: unknown) => Buffer)(version, request);
  const rc: RequestContext = {
    header: { apiKey: api.key, apiVersion: version, correlationId: 7, clientId: 't', bodyOffset: 0, headerVersion: 2 },
    listenerName: 'CONTROLLER_KAFKA',
    clientHost: '127.0.0.1',
    connectionId: 1,
    principal: 'User:ANONYMOUS',
    signal: new AbortController().signal,
  };
  const { chunks } = await registry.get(api.key)!.decode(version, new Reader(body))(rc);
  assert.ok(chunks);
  const frame = Buffer.concat(chunks).subarray(4);
  const h = decodeResponseHeader(frame, api.key, version);
  return api.decodeResponse(version, new Reader(frame, h.bodyOffset)) as Res;
}

test('the controller listener serves exactly its listed APIs, each one Kafka serves on controllers', async () => {
  const registry = controllerHandlers(context(emptyImage));
  // SaslHandshake and SaslAuthenticate are added by the listener (kafka-listeners.ts), as on brokers.
  const registered = [...protocolApis.keys()].filter((k) => registry.has(k));
  assert.deepEqual(
    [...registered, 17, 36].sort((a, b) => a - b),
    [...controllerListenerApiKeys].sort((a, b) => a - b),
  );
  for (const key of controllerListenerApiKeys)
    assert.ok(kafkaApiRange(key)?.listeners.includes('controller'), `Kafka serves key ${key} on controllers`);
  const answer = await call(context(emptyImage), apiVersionsApi, 3, {
    clientSoftwareName: 'test',
    clientSoftwareVersion: '1',
  });
  assert.deepEqual(
    answer.apiKeys.map((k) => k.apiKey),
    registered.sort((a, b) => a - b),
  );
  // Broker-only APIs are not advertised (Produce, Fetch, Metadata, DescribeClientQuotas).
  for (const key of [0, 1, 3, 48]) assert.equal(registry.has(key), false, `key ${key}`);
});

test('DescribeQuorum answers the leader, voters, observers and, at v2, the voters with their listeners', async () => {
  const ctx = context(imageWithControllers());
  const request = { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] };
  const v2 = await call(ctx, describeQuorumApi, 2, request);
  assert.equal(v2.errorCode, ErrorCode.NONE);
  const p = v2.topics[0]!.partitions[0]!;
  assert.deepEqual([p.leaderId, p.leaderEpoch, p.highWatermark], [2, 5, 42]);
  assert.deepEqual(
    p.currentVoters.map((v) => [v.replicaId, v.logEndOffset, v.lastFetchTimestamp, v.lastCaughtUpTimestamp]),
    [
      [1, 42, 1001, 2001],
      [2, 42, -1, -1],
      [3, 40, 1003, 2003],
    ],
  );
  assert.deepEqual(
    p.observers.map((v) => v.replicaId),
    [4],
  );
  assert.deepEqual(
    v2.nodes?.map((n) => [n.nodeId, n.listeners.map((l) => `${l.name}://${l.host}:${l.port}`)]),
    [
      [1, ['CONTROLLER://127.0.0.1:9094', 'CONTROLLER_KAFKA://127.0.0.1:19097']],
      [2, ['CONTROLLER://127.0.0.1:9095', 'CONTROLLER_KAFKA://127.0.0.1:19197']],
      [3, ['CONTROLLER://127.0.0.1:9096']],
    ],
  );
  const v0 = await call(ctx, describeQuorumApi, 0, request);
  const v3 = v0.topics[0]!.partitions[0]!.currentVoters[2]!;
  // v0 carries no timestamps: the decoder gives Kafka's defaults.
  assert.deepEqual([v3.replicaId, v3.logEndOffset, v3.lastFetchTimestamp], [3, 40, -1]);
  const wrong = await call(ctx, describeQuorumApi, 2, {
    topics: [{ topicName: 'orders', partitions: [{ partitionIndex: 0 }] }],
  });
  assert.equal(wrong.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

test('DescribeCluster on a controller listener lists the registered controllers, and refuses brokers', async () => {
  const ctx = context(imageWithControllers());
  const controllers = await call(ctx, describeClusterApi, 1, {
    includeClusterAuthorizedOperations: false,
    endpointType: 2,
  });
  assert.equal(controllers.errorCode, ErrorCode.NONE);
  assert.equal(controllers.endpointType, 2);
  assert.equal(controllers.controllerId, 2);
  assert.equal(controllers.clusterId, clusterId);
  assert.deepEqual(
    controllers.brokers.map((b) => [b.brokerId, b.host, b.port]),
    [
      [1, '127.0.0.1', 19097],
      [2, '127.0.0.1', 19197],
    ],
  );
  const brokers = await call(ctx, describeClusterApi, 1, {
    includeClusterAuthorizedOperations: false,
    endpointType: 1,
  });
  assert.equal(brokers.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE);
});

test('a controller registration is one record, survives a snapshot, and is not written twice', () => {
  const image = imageWithControllers();
  assert.deepEqual([...image.controllers.keys()], [1, 2]);
  const replayed = new MetadataDelta(emptyImage);
  for (const r of imageRecords(image)) replayed.replay(decodeRecord(encodeRecord(r)));
  assert.deepEqual(replayed.apply().controllers, image.controllers);
  const again = registerController(
    image,
    {
      controllerId: 1,
      clusterId,
      incarnationId: zeroUuid,
      listeners: image.controllers.get(1)!.endpoints,
    },
    clusterId,
  );
  assert.deepEqual(again.records, []);
  const foreign = registerController(
    image,
    { controllerId: 1, clusterId: 'other', incarnationId: zeroUuid, listeners: [] },
    clusterId,
  );
  assert.equal(foreign.response.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID);
});

test('the first controller.listener.names entry is the quorum listener, later ones speak Kafka', () => {
  const c = parse({ 'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,CONTROLLER_KAFKA:SASL_PLAINTEXT' });
  assert.equal(controllerQuorumListener(c)?.port, 9093);
  assert.deepEqual(
    controllerKafkaListeners(c).map((l) => l.name),
    ['CONTROLLER_KAFKA'],
  );
  // TLS/SASL settings are parsed for it as for a broker listener.
  assert.equal(c.listenerSecurity.get('CONTROLLER_KAFKA')?.protocol, 'SASL_PLAINTEXT');
  const single = parse({ listeners: 'CONTROLLER://127.0.0.1:9093', 'controller.listener.names': 'CONTROLLER' });
  assert.deepEqual(controllerKafkaListeners(single), []);
});
