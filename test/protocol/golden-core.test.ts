// Golden bytes for the hot/core APIs, derived by hand from the public field grammar (each hex
// line is one field, commented). Each case checks encode(value) === bytes and
// decode(bytes) === value with absent fields at Kafka's defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiVersionsApi } from '../../src/protocol/messages/api-versions.js';
import { metadataApi } from '../../src/protocol/messages/metadata.js';
import { produceApi, decodeProduceRequest } from '../../src/protocol/messages/produce.js';
import { fetchApi } from '../../src/protocol/messages/fetch.js';
import { listOffsetsApi } from '../../src/protocol/messages/list-offsets.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { golden } from './golden.js';

test('ApiVersions v0 and v3 responses', () => {
  const v = { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }], throttleTimeMs: 0 };
  golden(apiVersionsApi, 'response', 0, v, [
    '0000', // errorCode 0
    '00000001', // apiKeys: 1
    '0012 0000 0003', // ApiKey 18, MinVersion 0, MaxVersion 3
  ]);
  golden(apiVersionsApi, 'response', 3, { ...v, finalizedFeaturesEpoch: 5, zkMigrationReady: true }, [
    '0000', // errorCode
    '02', // apiKeys: compact count 1+1
    '0012 0000 0003 00', // key 18, 0..3, no tagged fields
    '00000000', // throttleTimeMs
    '02', // 2 tagged fields
    '01 08 0000000000000005', // tag 1 FinalizedFeaturesEpoch, 8 bytes, 5
    '03 01 01', // tag 3 ZkMigrationReady, 1 byte, true
  ]);
});

test('Metadata v1 (classic) and v9 (flexible) requests', () => {
  golden(metadataApi, 'request', 1, { topics: [{ name: 'a' }] }, [
    '00000001', // topics: 1
    '0001 61', // name "a"
  ]);
  golden(metadataApi, 'request', 1, { topics: null }, ['ffffffff']); // null = all topics (v1+)
  golden(
    metadataApi,
    'request',
    9,
    {
      topics: [{ name: 'a' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    },
    [
      '02', // topics: compact 1
      '02 61 00', // name "a", no tagged fields (TopicId is v10+)
      '01', // allowAutoTopicCreation true
      '00', // includeClusterAuthorizedOperations (v8-10)
      '00', // includeTopicAuthorizedOperations
      '00', // tagged fields
    ],
  );
});

test('Metadata v1 and v9 responses', () => {
  const base = {
    brokers: [{ nodeId: 1, host: 'h', port: 9092, rack: null }],
    controllerId: 1,
    topics: [
      {
        errorCode: 0,
        name: 't',
        isInternal: false,
        partitions: [
          {
            errorCode: 0,
            partitionIndex: 0,
            leaderId: 1,
            leaderEpoch: 5,
            replicaNodes: [1],
            isrNodes: [1],
            offlineReplicas: [],
          },
        ],
      },
    ],
  };
  golden(metadataApi, 'response', 1, base, [
    '00000001', // brokers: 1
    '00000001 0001 68 00002384 ffff', // nodeId 1, host "h", port 9092, rack null (v1+)
    '00000001', // controllerId 1 (v1+; ClusterId is v2+)
    '00000001', // topics: 1
    '0000 0001 74 00', // errorCode 0, name "t", isInternal false
    '00000001', // partitions: 1
    '0000 00000000 00000001', // errorCode, partitionIndex 0, leaderId 1 (LeaderEpoch is v7+)
    '00000001 00000001', // replicaNodes [1]
    '00000001 00000001', // isrNodes [1]
  ]);
  golden(metadataApi, 'response', 9, { ...base, throttleTimeMs: 0, clusterId: 'cid' }, [
    '00000000', // throttleTimeMs
    '02', // brokers: compact 1
    '00000001 02 68 00002384 00 00', // nodeId, host "h", port, rack null, tagged fields
    '04 636964', // clusterId "cid"
    '00000001', // controllerId
    '02', // topics
    '0000 02 74 00', // errorCode, name "t", isInternal
    '02', // partitions
    '0000 00000000 00000001 00000005', // errorCode, index, leader 1, leaderEpoch 5 (v7+)
    '02 00000001', // replicaNodes
    '02 00000001', // isrNodes
    '01', // offlineReplicas [] (v5+)
    '00', // partition tagged fields
    '80000000', // topicAuthorizedOperations default INT32_MIN (v8+)
    '00', // topic tagged fields
    '80000000', // clusterAuthorizedOperations (v8-10)
    '00', // tagged fields
  ]);
});

test('Produce v3 request; records stay a slice of the frame', () => {
  const value = {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from([0xaa, 0xbb, 0xcc]) }] }],
  };
  const bytes = golden(produceApi, 'request', 3, value, [
    'ffff', // transactionalId null
    'ffff', // acks -1
    '00007530', // timeoutMs 30000
    '00000001', // topicData: 1
    '0001 74', // name "t"
    '00000001', // partitionData: 1
    '00000000', // index 0
    '00000003 aabbcc', // records (3 bytes)
  ]);
  const req = decodeProduceRequest(3, new Reader(bytes));
  const records = req.topicData[0]!.partitionData[0]!.records!;
  assert.equal(records.buffer, bytes.buffer, 'no copy');
  assert.equal(records.byteOffset, bytes.byteOffset + bytes.length - 3);
});

test('Produce v8 response', () => {
  golden(
    produceApi,
    'response',
    8,
    {
      responses: [
        {
          name: 't',
          partitionResponses: [
            {
              index: 0,
              errorCode: 0,
              baseOffset: 10,
              logAppendTimeMs: -1,
              logStartOffset: 0,
              recordErrors: [],
              errorMessage: null,
            },
          ],
        },
      ],
      throttleTimeMs: 0,
    },
    [
      '00000001 0001 74', // responses: 1, name "t"
      '00000001', // partitionResponses: 1
      '00000000 0000', // index 0, errorCode 0
      '000000000000000a', // baseOffset 10
      'ffffffffffffffff', // logAppendTimeMs -1 (v2+)
      '0000000000000000', // logStartOffset 0 (v5+)
      '00000000', // recordErrors [] (v8+)
      'ffff', // errorMessage null (v8+)
      '00000000', // throttleTimeMs
    ],
  );
});

test('Fetch v4 (classic) and v12 (flexible) requests', () => {
  golden(
    fetchApi,
    'request',
    4,
    {
      maxWaitMs: 500,
      minBytes: 1,
      topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 5, partitionMaxBytes: 1048576 }] }],
    },
    [
      'ffffffff', // replicaId -1 (default)
      '000001f4', // maxWaitMs 500
      '00000001', // minBytes 1
      '7fffffff', // maxBytes default (v3+)
      '00', // isolationLevel 0 (v4+)
      '00000001 0001 74', // topics: 1, topic "t"
      '00000001', // partitions: 1
      '00000000', // partition 0
      '0000000000000005', // fetchOffset 5 (CurrentLeaderEpoch v9+, LogStartOffset v5+ absent)
      '00100000', // partitionMaxBytes 1 MiB
    ],
  );
  golden(
    fetchApi,
    'request',
    12,
    {
      clusterId: 'c',
      maxWaitMs: 500,
      minBytes: 1,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 't',
          partitions: [{ partition: 0, currentLeaderEpoch: 3, fetchOffset: 5, partitionMaxBytes: 1048576 }],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    },
    [
      'ffffffff', // replicaId -1 (ClusterId is tagged, written at the end)
      '000001f4 00000001 7fffffff', // maxWaitMs, minBytes, maxBytes
      '01', // isolationLevel 1 (read_committed)
      '00000000 ffffffff', // sessionId 0, sessionEpoch -1
      '02 02 74', // topics: compact 1, topic "t"
      '02', // partitions: compact 1
      '00000000 00000003', // partition 0, currentLeaderEpoch 3
      '0000000000000005', // fetchOffset 5
      'ffffffff', // lastFetchedEpoch -1 (v12+)
      'ffffffffffffffff', // logStartOffset -1
      '00100000 00', // partitionMaxBytes, partition tagged fields
      '00', // topic tagged fields
      '01', // forgottenTopicsData []
      '01', // rackId ""
      '01 00 02 02 63', // 1 tagged field: tag 0 ClusterId, 2 bytes, compact "c"
    ],
  );
});

test('Fetch v4 and v12 responses (tagged struct CurrentLeader in v12)', () => {
  golden(
    fetchApi,
    'response',
    4,
    {
      throttleTimeMs: 0,
      responses: [
        {
          topic: 't',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 10,
              lastStableOffset: 10,
              abortedTransactions: null,
              records: Buffer.from([1, 2]),
            },
          ],
        },
      ],
    },
    [
      '00000000', // throttleTimeMs (ErrorCode/SessionId are v7+)
      '00000001 0001 74', // responses: 1, topic "t"
      '00000001', // partitions: 1
      '00000000 0000', // partitionIndex 0, errorCode 0
      '000000000000000a', // highWatermark 10
      '000000000000000a', // lastStableOffset 10 (v4+)
      'ffffffff', // abortedTransactions null (v4+)
      '00000002 0102', // records
    ],
  );
  golden(
    fetchApi,
    'response',
    12,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 't',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 10,
              lastStableOffset: 10,
              logStartOffset: 0,
              currentLeader: { leaderId: 1, leaderEpoch: 2 },
              abortedTransactions: [{ producerId: 7, firstOffset: 3 }],
              preferredReadReplica: -1,
              records: Buffer.from([1, 2]),
            },
          ],
        },
      ],
    },
    [
      '00000000 0000 00000000', // throttleTimeMs, errorCode, sessionId
      '02 02 74', // responses: compact 1, topic "t"
      '02', // partitions
      '00000000 0000', // partitionIndex, errorCode
      '000000000000000a 000000000000000a 0000000000000000', // highWatermark, lastStableOffset, logStartOffset
      '02 0000000000000007 0000000000000003 00', // abortedTransactions [{producerId 7, firstOffset 3}]
      'ffffffff', // preferredReadReplica -1 (v11+)
      '03 0102', // records (compact length 2+1)
      '01 01 09 00000001 00000002 00', // tagged: tag 1 CurrentLeader, 9 bytes: leaderId 1, leaderEpoch 2, its own empty tags
      '00', // topic tagged fields
      '00', // tagged fields
    ],
  );
});

test('ListOffsets v0, v1 and v4', () => {
  golden(
    listOffsetsApi,
    'request',
    0,
    { replicaId: -1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp: -1, maxNumOffsets: 1 }] }] },
    [
      'ffffffff', // replicaId -1
      '00000001 0001 74', // topics: 1, name "t"
      '00000001 00000000', // partitions: 1, partitionIndex 0
      'ffffffffffffffff', // timestamp -1 (latest)
      '00000001', // maxNumOffsets 1 (v0 only)
    ],
  );
  golden(
    listOffsetsApi,
    'request',
    4,
    {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 2, timestamp: -2 }] }],
    },
    [
      'ffffffff 00', // replicaId, isolationLevel (v2+)
      '00000001 0001 74 00000001 00000000', // topic "t", partition 0
      '00000002', // currentLeaderEpoch 2 (v4+)
      'fffffffffffffffe', // timestamp -2 (earliest)
    ],
  );
  golden(
    listOffsetsApi,
    'response',
    0,
    { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [42] }] }] },
    [
      '00000001 0001 74 00000001', // topic "t", partitions: 1
      '00000000 0000', // partitionIndex, errorCode
      '00000001 000000000000002a', // oldStyleOffsets [42] (v0 only)
    ],
  );
  golden(
    listOffsetsApi,
    'response',
    1,
    { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 42 }] }] },
    [
      '00000001 0001 74 00000001', // topic "t", partitions: 1
      '00000000 0000', // partitionIndex, errorCode
      'ffffffffffffffff 000000000000002a', // timestamp -1, offset 42 (v1+)
    ],
  );
});

test('decoding takes defaults for fields the version does not carry', () => {
  const m = metadataApi.decodeRequest(0, new Reader(Buffer.from('00000000', 'hex')));
  assert.deepEqual(m, {
    topics: [],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  const p = produceApi.decodeResponse(3, new Reader(Buffer.from('00000000' + '00000000', 'hex')));
  assert.deepEqual(p, { responses: [], throttleTimeMs: 0, nodeEndpoints: [] });
});
