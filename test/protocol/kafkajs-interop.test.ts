// Interop with an independent implementation: kafkajs 2.2.4's own request encoders feed our
// request decoders, and our response encoders feed kafkajs' response decoders, at the versions
// kafkajs actually uses against a Kafka 3.x broker (kafka-protocol.md §1.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { apis, apiVersionsResponse, type AnyApi } from '../../src/protocol/apis.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { buildRecordBatch, readBatchHeader, readRecords, validateBatches } from '../../src/protocol/record-batch.js';
import { produceApi } from '../../src/protocol/messages/produce.js';

const require = createRequire(import.meta.url);

interface KjsRequest {
  apiKey: number;
  apiVersion: number;
  encode(): Promise<{ buffer: Buffer }> | { buffer: Buffer };
}
interface KjsResponse {
  decode(raw: Buffer): Promise<Record<string, unknown>>;
}

function api(key: number): AnyApi {
  const a = apis.get(key);
  assert.ok(a, `api ${key}`);
  return a;
}

/** Encodes a request with kafkajs and decodes its body with ours. */
async function viaKafkajs(path: string, args: object, flexible = false): Promise<Record<string, unknown>> {
  const req = (require(`kafkajs/src/protocol/requests/${path}/request`) as (a: object) => KjsRequest)(args);
  let body = (await req.encode()).buffer;
  if (flexible) {
    // kafkajs writes request header v1 and starts the body with the header's empty tagged fields.
    assert.equal(body[0], 0);
    body = body.subarray(1);
  }
  const r = new Reader(body);
  const decoded = api(req.apiKey).decodeRequest(req.apiVersion, r) as Record<string, unknown>;
  assert.equal(r.pos, body.length, `${path}: ${body.length - r.pos} bytes left`);
  return decoded;
}

/** Encodes a response with ours and decodes it with kafkajs. */
async function intoKafkajs(
  path: string,
  key: number,
  version: number,
  value: object,
  flexible = false,
): Promise<Record<string, unknown>> {
  let body = api(key).encodeResponse(version, value as never);
  if (flexible) body = Buffer.concat([Buffer.from([0]), body]); // response header v1's tagged fields
  const res = require(`kafkajs/src/protocol/requests/${path}/response`) as KjsResponse;
  return res.decode(body);
}

test('Produce v7: kafkajs request (with a real RecordBatch) → our decoder → batch validation', async () => {
  const req = await viaKafkajs('produce/v7', {
    acks: -1,
    timeout: 30000,
    transactionalId: null,
    compression: 0,
    topicData: [
      {
        topic: 'orders',
        partitions: [
          {
            partition: 2,
            firstSequence: 0,
            messages: [
              { key: 'k', value: 'v1', timestamp: 1700000000000 },
              { key: null, value: 'v2', timestamp: 1700000000001, headers: { h: 'x' } },
            ],
          },
        ],
      },
    ],
  });
  assert.equal(req.acks, -1);
  assert.equal(req.timeoutMs, 30000);
  const topic = (req.topicData as { name: string; partitionData: { index: number; records: Buffer }[] }[])[0]!;
  assert.equal(topic.name, 'orders');
  assert.equal(topic.partitionData[0]!.index, 2);
  const records = topic.partitionData[0]!.records;
  const v = validateBatches(records);
  assert.ok(v.ok, v.ok ? '' : v.message);
  const got = readRecords(records, readBatchHeader(records));
  assert.deepEqual(
    got.map((r) => [r.key?.toString() ?? null, r.value?.toString(), r.timestamp]),
    [
      ['k', 'v1', 1700000000000],
      [null, 'v2', 1700000000001],
    ],
  );
});

test('Produce v7 response → kafkajs', async () => {
  const res = await intoKafkajs('produce/v7', 0, 7, {
    responses: [
      {
        name: 'orders',
        partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 41, logAppendTimeMs: -1, logStartOffset: 0 }],
      },
    ],
    throttleTimeMs: 0,
  });
  const topics = res['topics'] as {
    topicName: string;
    partitions: { partition: number; errorCode: number; baseOffset: string }[];
  }[];
  assert.equal(topics[0]!.topicName, 'orders');
  assert.deepEqual(
    [topics[0]!.partitions[0]!.partition, topics[0]!.partitions[0]!.errorCode, topics[0]!.partitions[0]!.baseOffset],
    [2, 0, '41'],
  );
});

test('Fetch v11: kafkajs request → ours; our response with a RecordBatch → kafkajs messages', async () => {
  const req = await viaKafkajs('fetch/v11', {
    replicaId: -1,
    maxWaitTime: 500,
    minBytes: 1,
    maxBytes: 1048576,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    rackId: 'r1',
    topics: [
      {
        topic: 'orders',
        partitions: [
          { partition: 2, currentLeaderEpoch: -1, fetchOffset: '40', logStartOffset: '-1', maxBytes: 65536 },
        ],
      },
    ],
    forgottenTopics: [],
  });
  assert.deepEqual(
    [req.maxWaitMs, req.minBytes, req.maxBytes, req.isolationLevel, req.rackId],
    [500, 1, 1048576, 1, 'r1'],
  );
  const part = (
    req.topics as {
      topic: string;
      partitions: { partition: number; fetchOffset: number; partitionMaxBytes: number }[];
    }[]
  )[0]!;
  assert.deepEqual(
    [part.topic, part.partitions[0]!.partition, part.partitions[0]!.fetchOffset, part.partitions[0]!.partitionMaxBytes],
    ['orders', 2, 40, 65536],
  );

  const batch = buildRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('hello'), timestamp: 1700000000000 }], {
    baseOffset: 40,
  });
  const res = await intoKafkajs('fetch/v11', 1, 11, {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [
      {
        topic: 'orders',
        partitions: [
          {
            partitionIndex: 2,
            errorCode: 0,
            highWatermark: 41,
            lastStableOffset: 41,
            logStartOffset: 0,
            abortedTransactions: [],
            preferredReadReplica: -1,
            records: batch,
          },
        ],
      },
    ],
  });
  const p = (
    res['responses'] as {
      topicName: string;
      partitions: {
        partition: number;
        highWatermark: string;
        messages: { offset: string; key: Buffer; value: Buffer }[];
      }[];
    }[]
  )[0]!;
  assert.equal(p.topicName, 'orders');
  assert.equal(p.partitions[0]!.highWatermark, '41');
  assert.deepEqual(
    p.partitions[0]!.messages.map((m) => [m.offset, m.key.toString(), m.value.toString()]),
    [['40', 'k', 'hello']],
  );
});

test('Metadata v6 and ApiVersions v2 and ListOffsets v3 both ways', async () => {
  const req = await viaKafkajs('metadata/v6', { topics: ['a', 'b'], allowAutoTopicCreation: false });
  assert.deepEqual(req, {
    topics: [
      { topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'a' },
      { topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'b' },
    ],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  const md = await intoKafkajs('metadata/v6', 3, 6, {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null }],
    clusterId: 'cid',
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: 'a',
        isInternal: false,
        partitions: [
          { errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] },
        ],
      },
    ],
  });
  assert.deepEqual(md['brokers'], [{ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null }]);
  assert.equal(md['clusterId'], 'cid');
  const tm = (
    md['topicMetadata'] as {
      topic: string;
      partitionMetadata: { leader: number; replicas: number[]; isr: number[] }[];
    }[]
  )[0]!;
  assert.deepEqual(
    [tm.topic, tm.partitionMetadata[0]!.leader, tm.partitionMetadata[0]!.replicas, tm.partitionMetadata[0]!.isr],
    ['a', 1, [1], [1]],
  );

  const av = await intoKafkajs('apiVersions/v2', 18, 2, apiVersionsResponse());
  const keys = av['apiVersions'] as { apiKey: number; minVersion: number; maxVersion: number }[];
  assert.equal(keys.length, apis.size);
  assert.ok(keys.some((k) => k.apiKey === 0 && k.minVersion === 3 && k.maxVersion === produceApi.maxVersion));

  const lo = await viaKafkajs('listOffsets/v3', {
    replicaId: -1,
    isolationLevel: 1,
    topics: [{ topic: 'a', partitions: [{ partition: 0, timestamp: -2 }] }],
  });
  assert.deepEqual((lo['topics'] as { partitions: { timestamp: number }[] }[])[0]!.partitions[0]!.timestamp, -2);
  const lor = await intoKafkajs('listOffsets/v3', 2, 3, {
    throttleTimeMs: 0,
    topics: [{ name: 'a', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 7 }] }],
  });
  assert.equal((lor['responses'] as { partitions: { offset: string }[] }[])[0]!.partitions[0]!.offset, '7');
});

test('group APIs at kafkajs versions: FindCoordinator v2, JoinGroup v5, SyncGroup v3, Heartbeat v3, OffsetCommit v5, OffsetFetch v4', async () => {
  const fc = await viaKafkajs('findCoordinator/v2', { coordinatorKey: 'g', coordinatorType: 0 });
  assert.deepEqual([fc.key, fc.keyType], ['g', 0]);
  const fcr = await intoKafkajs('findCoordinator/v2', 10, 2, {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    nodeId: 1,
    host: 'h',
    port: 9092,
  });
  assert.deepEqual(fcr['coordinator'], { nodeId: 1, host: 'h', port: 9092 });

  const jg = await viaKafkajs('joinGroup/v5', {
    groupId: 'g',
    sessionTimeout: 30000,
    rebalanceTimeout: 60000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([1]) }],
  });
  assert.deepEqual(
    [jg.groupId, jg.sessionTimeoutMs, jg.rebalanceTimeoutMs, jg.protocolType],
    ['g', 30000, 60000, 'consumer'],
  );
  const jgr = await intoKafkajs('joinGroup/v5', 11, 5, {
    throttleTimeMs: 0,
    errorCode: 0,
    generationId: 3,
    protocolName: 'RoundRobinAssigner',
    leader: 'm',
    memberId: 'm',
    members: [{ memberId: 'm', groupInstanceId: null, metadata: Buffer.from([1]) }],
  });
  assert.deepEqual(
    [jgr['generationId'], jgr['groupProtocol'], jgr['leaderId'], jgr['memberId']],
    [3, 'RoundRobinAssigner', 'm', 'm'],
  );

  const sg = await viaKafkajs('syncGroup/v3', {
    groupId: 'g',
    generationId: 3,
    memberId: 'm',
    groupInstanceId: null,
    groupAssignment: [{ memberId: 'm', memberAssignment: Buffer.from([9]) }],
  });
  assert.deepEqual(
    (sg.assignments as { memberId: string; assignment: Buffer }[]).map((a) => [a.memberId, [...a.assignment]]),
    [['m', [9]]],
  );
  const hb = await viaKafkajs('heartbeat/v3', {
    groupId: 'g',
    groupGenerationId: 3,
    memberId: 'm',
    groupInstanceId: null,
  });
  assert.deepEqual([hb.groupId, hb.generationId, hb.memberId, hb.groupInstanceId], ['g', 3, 'm', null]);

  const oc = await viaKafkajs('offsetCommit/v5', {
    groupId: 'g',
    groupGenerationId: 3,
    memberId: 'm',
    topics: [{ topic: 't', partitions: [{ partition: 0, offset: '10' }] }],
  });
  const ocp = (oc.topics as { partitions: { committedOffset: number; committedMetadata: string | null }[] }[])[0]!
    .partitions[0]!;
  assert.equal(ocp.committedOffset, 10);
  const of = await viaKafkajs('offsetFetch/v4', {
    groupId: 'g',
    topics: [{ topic: 't', partitions: [{ partition: 0 }] }],
  });
  assert.deepEqual(of.topics, [{ name: 't', partitionIndexes: [0] }]);
  const ofr = await intoKafkajs('offsetFetch/v4', 9, 4, {
    throttleTimeMs: 0,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 10, metadata: '', errorCode: 0 }] }],
    errorCode: 0,
  });
  assert.equal((ofr['responses'] as { partitions: { offset: string }[] }[])[0]!.partitions[0]!.offset, '10');
});

test('admin APIs: CreateTopics v3, InitProducerId v1, ListPartitionReassignments v0 (flexible)', async () => {
  const ct = await viaKafkajs('createTopics/v3', {
    topics: [
      {
        topic: 't',
        numPartitions: 3,
        replicationFactor: 1,
        replicaAssignment: [],
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ],
    timeout: 5000,
    validateOnly: false,
  });
  assert.deepEqual(ct, {
    topics: [
      {
        name: 't',
        numPartitions: 3,
        replicationFactor: 1,
        assignments: [],
        configs: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  const ip = await viaKafkajs('initProducerId/v1', { transactionalId: null, transactionTimeout: 60000 });
  assert.deepEqual(ip, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
  const ipr = await intoKafkajs('initProducerId/v1', 22, 1, {
    throttleTimeMs: 0,
    errorCode: 0,
    producerId: 1000,
    producerEpoch: 0,
  });
  assert.deepEqual([ipr['producerId'], ipr['producerEpoch']], ['1000', 0]);
  const lpr = await viaKafkajs(
    'listPartitionReassignments/v0',
    { topics: [{ topic: 't', partitions: [0, 1] }], timeout: 5000 },
    true,
  );
  assert.deepEqual(lpr, { timeoutMs: 5000, topics: [{ name: 't', partitionIndexes: [0, 1] }] });
  const lprr = await intoKafkajs(
    'listPartitionReassignments/v0',
    46,
    0,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, replicas: [1, 2], addingReplicas: [2], removingReplicas: [] }] },
      ],
    },
    true,
  );
  assert.deepEqual(lprr['topics'], [
    { name: 't', partitions: [{ partition: 0, replicas: [1, 2], addingReplicas: [2], removingReplicas: [] }] },
  ]);
});

test('transactions: AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and TxnOffsetCommit v1 both ways', async () => {
  const txn = { transactionalId: 'tx', producerId: '1000', producerEpoch: 2 };
  const apt = await viaKafkajs('addPartitionsToTxn/v1', { ...txn, topics: [{ topic: 't', partitions: [0, 3] }] });
  assert.deepEqual(apt, {
    transactions: [],
    v3AndBelowTransactionalId: 'tx',
    v3AndBelowProducerId: 1000,
    v3AndBelowProducerEpoch: 2,
    v3AndBelowTopics: [{ name: 't', partitions: [0, 3] }],
  });
  const aptr = await intoKafkajs('addPartitionsToTxn/v1', 24, 1, {
    throttleTimeMs: 0,
    resultsByTopicV3AndBelow: [{ name: 't', resultsByPartition: [{ partitionIndex: 3, partitionErrorCode: 51 }] }],
  });
  assert.deepEqual(aptr['errors'], [{ topic: 't', partitionErrors: [{ partition: 3, errorCode: 51 }] }]);

  const aot = await viaKafkajs('addOffsetsToTxn/v1', { ...txn, groupId: 'g' });
  assert.deepEqual(aot, { transactionalId: 'tx', producerId: 1000, producerEpoch: 2, groupId: 'g' });
  const aotr = await intoKafkajs('addOffsetsToTxn/v1', 25, 1, { throttleTimeMs: 0, errorCode: 0 });
  assert.deepEqual([aotr['throttleTime'], aotr['errorCode']], [0, 0]);

  const et = await viaKafkajs('endTxn/v1', { ...txn, transactionResult: true });
  assert.deepEqual(et, { transactionalId: 'tx', producerId: 1000, producerEpoch: 2, committed: true });
  const etr = await intoKafkajs('endTxn/v1', 26, 1, { throttleTimeMs: 5, errorCode: 0 });
  assert.deepEqual([etr['clientSideThrottleTime'], etr['errorCode']], [5, 0]); // kafkajs v1 reports the throttle as client-side (KIP-219)

  const toc = await viaKafkajs('txnOffsetCommit/v1', {
    ...txn,
    groupId: 'g',
    topics: [{ topic: 't', partitions: [{ partition: 0, offset: '42', metadata: null }] }],
  });
  assert.deepEqual(toc, {
    transactionalId: 'tx',
    groupId: 'g',
    producerId: 1000,
    producerEpoch: 2,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: 't',
        partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: null }],
      },
    ],
  });
  const tocr = await intoKafkajs('txnOffsetCommit/v1', 28, 1, {
    throttleTimeMs: 0,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }],
  });
  assert.deepEqual(tocr['topics'], [{ topic: 't', partitions: [{ partition: 0, errorCode: 0 }] }]);
});
