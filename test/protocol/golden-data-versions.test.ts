// Golden bytes for the data-path versions added by issue 15 item 1 (Fetch 13-18, Produce 9-13,
// ListOffsets 6-11, Metadata 12-13 by topic id, ApiVersions 4, DeleteRecords 2,
// OffsetForLeaderEpoch 4, DescribeLogDirs 5), written by hand from Kafka's message layout (each
// hex line is one field, commented): encode(value) must give the bytes, decode(bytes) the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiVersionsApi } from '../../src/protocol/messages/api-versions.js';
import { deleteRecordsApi } from '../../src/protocol/messages/delete-records.js';
import { describeLogDirsApi } from '../../src/protocol/messages/describe-log-dirs.js';
import { fetchApi } from '../../src/protocol/messages/fetch.js';
import { listOffsetsApi } from '../../src/protocol/messages/list-offsets.js';
import { metadataApi } from '../../src/protocol/messages/metadata.js';
import { offsetForLeaderEpochApi } from '../../src/protocol/messages/offset-for-leader-epoch.js';
import { produceApi } from '../../src/protocol/messages/produce.js';
import { supportedFeaturesFor } from '../../src/protocol/apis.js';
import { golden } from './golden.js';

/** A partition's answer to an append at offset 10. */
const appended = {
  index: 0,
  errorCode: 0,
  baseOffset: 10,
  logAppendTimeMs: -1,
  logStartOffset: 0,
  recordErrors: [],
  errorMessage: null,
};

/** A topic id whose 16 bytes are 00 01 .. 0f (Kafka's Uuid, base64url without padding). */
const topicId = 'AAECAwQFBgcICQoLDA0ODw';
const topicIdHex = '000102030405060708090a0b0c0d0e0f';

test('ApiVersions v4: request, and a response listing a feature whose minimum is 0', () => {
  golden(apiVersionsApi, 'request', 4, { clientSoftwareName: 'a', clientSoftwareVersion: '1' }, [
    '02 61', // ClientSoftwareName "a" (compact)
    '02 31', // ClientSoftwareVersion "1"
    '00', // tagged fields
  ]);
  const features = [{ name: 'f', minVersion: 0, maxVersion: 1 }];
  golden(
    apiVersionsApi,
    'response',
    4,
    {
      errorCode: 0,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
      throttleTimeMs: 0,
      supportedFeatures: supportedFeaturesFor(4, features),
    },
    [
      '0000', // ErrorCode
      '02', // ApiKeys: compact 1
      '0012 0000 0004 00', // key 18, 0..4, no tagged fields
      '00000000', // ThrottleTimeMs
      '01', // 1 tagged field
      '00 08', // tag 0 SupportedFeatures, 8 bytes:
      '02 02 66 0000 0001 00', //   compact 1: Name "f", MinVersion 0, MaxVersion 1, no tags
    ],
  );
  // Below v4 such a feature is left out (KAFKA-17011): older clients fail on a minimum of 0.
  assert.deepEqual(supportedFeaturesFor(3, features), []);
  assert.deepEqual(supportedFeaturesFor(3, [{ name: 'g', minVersion: 1, maxVersion: 2 }]).length, 1);
});

test('Metadata v12 request by topic id, v13 response with the top-level ErrorCode', () => {
  golden(
    metadataApi,
    'request',
    12,
    { topics: [{ topicId, name: null }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false },
    [
      '02', // Topics: compact 1
      topicIdHex, // TopicId (v10+)
      '00', // Name null (nullable from v10)
      '00', // topic tagged fields
      '00', // AllowAutoTopicCreation false
      '00', // IncludeTopicAuthorizedOperations (IncludeClusterAuthorizedOperations is v8-10)
      '00', // tagged fields
    ],
  );
  golden(
    metadataApi,
    'response',
    13,
    {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: 'h', port: 9092, rack: null }],
      clusterId: 'c',
      controllerId: 1,
      topics: [{ errorCode: 100, name: null, topicId, isInternal: false, partitions: [] }],
      errorCode: 0,
    },
    [
      '00000000', // ThrottleTimeMs
      '02', // Brokers: compact 1
      '00000001 02 68 00002384 00 00', // NodeId 1, Host "h", Port 9092, Rack null, no tags
      '02 63', // ClusterId "c"
      '00000001', // ControllerId 1
      '02', // Topics: compact 1
      '0064', // ErrorCode 100 UNKNOWN_TOPIC_ID
      '00', // Name null (v12+)
      topicIdHex, // TopicId
      '00', // IsInternal false
      '01', // Partitions: compact 0
      '80000000', // TopicAuthorizedOperations INT32_MIN (default)
      '00', // topic tagged fields (ClusterAuthorizedOperations is v8-10)
      '0000', // ErrorCode (v13+)
      '00', // tagged fields
    ],
  );
});

test('DeleteRecords v2 and OffsetForLeaderEpoch v4 (their first flexible versions)', () => {
  golden(
    deleteRecordsApi,
    'request',
    2,
    { topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 5 }] }], timeoutMs: 5000 },
    ['02 02 74', '02 00000000 0000000000000005 00', '00', '00001388', '00'],
  );
  golden(
    deleteRecordsApi,
    'response',
    2,
    { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, lowWatermark: 5, errorCode: 0 }] }] },
    [
      '00000000', // ThrottleTimeMs
      '02 02 74', // Topics: compact 1, Name "t"
      '02 00000000 0000000000000005 0000 00', // Partitions: 1, index 0, LowWatermark 5, ErrorCode 0, no tags
      '00', // topic tags
      '00', // tags
    ],
  );
  golden(
    offsetForLeaderEpochApi,
    'request',
    4,
    { replicaId: -1, topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: 3, leaderEpoch: 2 }] }] },
    [
      'ffffffff', // ReplicaId -1 (a consumer)
      '02 02 74', // Topics: compact 1, Topic "t"
      '02 00000000 00000003 00000002 00', // Partition 0, CurrentLeaderEpoch 3, LeaderEpoch 2
      '00', // topic tags
      '00', // tags
    ],
  );
  golden(
    offsetForLeaderEpochApi,
    'response',
    4,
    {
      throttleTimeMs: 0,
      topics: [{ topic: 't', partitions: [{ errorCode: 0, partition: 0, leaderEpoch: 2, endOffset: 10 }] }],
    },
    ['00000000', '02 02 74', '02 0000 00000000 00000002 000000000000000a 00', '00', '00'],
  );
});

test('DescribeLogDirs v5: IsCordoned in each result', () => {
  golden(describeLogDirsApi, 'request', 5, { topics: null }, ['00', '00']); // Topics null (all), tags
  golden(
    describeLogDirsApi,
    'response',
    5,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      results: [
        {
          errorCode: 0,
          logDir: '/d',
          topics: [
            { name: 't', partitions: [{ partitionIndex: 0, partitionSize: 100, offsetLag: 0, isFutureKey: false }] },
          ],
          totalBytes: 1000,
          usableBytes: 500,
          isCordoned: false,
        },
      ],
    },
    [
      '00000000 0000', // ThrottleTimeMs, ErrorCode (v3+)
      '02 0000 03 2f64', // Results: compact 1, ErrorCode 0, LogDir "/d"
      '02 02 74', // Topics: 1, Name "t"
      '02 00000000 0000000000000064 0000000000000000 00 00', // partition 0, size 100, lag 0, not future
      '00', // topic tags
      '00000000000003e8 00000000000001f4', // TotalBytes 1000, UsableBytes 500 (v4+)
      '00', // IsCordoned false (v5+)
      '00', // result tags
      '00', // tags
    ],
  );
});

test('ListOffsets v6 (flexible) and v11 (TimeoutMs, earliest-pending-upload timestamp -6)', () => {
  const topics = [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 3, timestamp: -6 }] }];
  const requestTopic = ['02 02 74', '02 00000000 00000003 fffffffffffffffa 00', '00'];
  golden(listOffsetsApi, 'request', 6, { replicaId: -1, isolationLevel: 1, topics }, [
    'ffffffff 01', // ReplicaId -1, IsolationLevel read_committed
    ...requestTopic, // Topics: 1, "t", partition 0, CurrentLeaderEpoch 3, Timestamp -6
    '00', // tags
  ]);
  golden(listOffsetsApi, 'request', 11, { replicaId: -1, isolationLevel: 1, topics, timeoutMs: 5000 }, [
    'ffffffff 01',
    ...requestTopic,
    '00001388', // TimeoutMs 5000 (v10+)
    '00',
  ]);
  golden(
    listOffsetsApi,
    'response',
    11,
    {
      throttleTimeMs: 0,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: -1, leaderEpoch: -1 }] },
      ],
    },
    [
      '00000000', // ThrottleTimeMs
      '02 02 74', // Topics: 1, "t"
      '02 00000000 0000', // Partitions: 1, index 0, ErrorCode 0
      'ffffffffffffffff ffffffffffffffff ffffffff 00', // Timestamp -1, Offset -1, LeaderEpoch -1, no tags
      '00',
      '00',
    ],
  );
});

test('Fetch v13 request (topic ids in topics and forgotten topics)', () => {
  golden(
    fetchApi,
    'request',
    13,
    {
      maxWaitMs: 500,
      minBytes: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topicId, partitions: [{ partition: 0, fetchOffset: 5, partitionMaxBytes: 1048576 }] }],
      forgottenTopicsData: [{ topicId, partitions: [1] }],
      rackId: '',
    },
    [
      'ffffffff', // ReplicaId -1 (v0-14)
      '000001f4 00000001 7fffffff 00', // MaxWaitMs 500, MinBytes 1, MaxBytes, IsolationLevel 0
      '00000000 ffffffff', // SessionId 0, SessionEpoch -1
      '02', // Topics: compact 1
      topicIdHex, // TopicId (v13+; no Topic name)
      '02 00000000 ffffffff', // Partitions: 1, Partition 0, CurrentLeaderEpoch -1
      '0000000000000005 ffffffff', // FetchOffset 5, LastFetchedEpoch -1
      'ffffffffffffffff 00100000 00', // LogStartOffset -1, PartitionMaxBytes 1 MiB, no tags
      '00', // topic tags
      '02', // ForgottenTopicsData: compact 1
      topicIdHex, // TopicId
      '02 00000001 00', // Partitions [1], no tags
      '01', // RackId ""
      '00', // tags (ClusterId null: left out)
    ],
  );
});

test('Fetch v18 request: ReplicaState (v15), ReplicaDirectoryId (v17) and HighWatermark (v18) tagged', () => {
  golden(
    fetchApi,
    'request',
    18,
    {
      replicaState: { replicaId: 2, replicaEpoch: 7 },
      maxWaitMs: 500,
      minBytes: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topicId,
          partitions: [
            {
              partition: 0,
              fetchOffset: 5,
              partitionMaxBytes: 1048576,
              replicaDirectoryId: topicId,
              highWatermark: 10,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    },
    [
      '000001f4 00000001 7fffffff 00', // no ReplicaId (v0-14): MaxWaitMs, MinBytes, MaxBytes, IsolationLevel
      '00000000 ffffffff', // SessionId, SessionEpoch
      '02', // Topics: 1
      topicIdHex,
      '02 00000000 ffffffff', // Partition 0, CurrentLeaderEpoch -1
      '0000000000000005 ffffffff ffffffffffffffff 00100000', // FetchOffset, LastFetchedEpoch, LogStartOffset, MaxBytes
      '02', // partition tagged fields: 2
      `00 10 ${topicIdHex}`, // tag 0 ReplicaDirectoryId, 16 bytes
      '01 08 000000000000000a', // tag 1 HighWatermark 10
      '00', // topic tags
      '01', // ForgottenTopicsData: compact 0
      '01', // RackId ""
      '01', // tagged fields: 1
      '01 0d 00000002 0000000000000007 00', // tag 1 ReplicaState, 13 bytes: ReplicaId 2, ReplicaEpoch 7
    ],
  );
});

test('Fetch v16 response: topic id, CurrentLeader and NodeEndpoints (KIP-951)', () => {
  golden(
    fetchApi,
    'response',
    16,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topicId,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 6,
              highWatermark: -1,
              lastStableOffset: -1,
              logStartOffset: -1,
              currentLeader: { leaderId: 2, leaderEpoch: 5 },
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: Buffer.alloc(0),
            },
          ],
        },
      ],
      nodeEndpoints: [{ nodeId: 2, host: 'h', port: 9092, rack: null }],
    },
    [
      '00000000 0000 00000000', // ThrottleTimeMs, ErrorCode, SessionId
      '02', // Responses: 1
      topicIdHex, // TopicId (v13+)
      '02 00000000 0006', // Partitions: 1, index 0, ErrorCode 6 NOT_LEADER_OR_FOLLOWER
      'ffffffffffffffff ffffffffffffffff ffffffffffffffff', // HighWatermark, LastStableOffset, LogStartOffset -1
      '00', // AbortedTransactions null
      'ffffffff', // PreferredReadReplica -1
      '01', // Records: empty (never null)
      '01 01 09 00000002 00000005 00', // tagged: 1, tag 1 CurrentLeader (9 bytes): leader 2, epoch 5
      '00', // topic tags
      '01 00 0d 02 00000002 0268 00002384 00 00', // tagged: tag 0 NodeEndpoints: node 2 "h":9092, rack null
    ],
  );
});

test('Produce v9 request, v10 response with the leader (KIP-951), v11 response', () => {
  golden(
    produceApi,
    'request',
    9,
    {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from([1, 2]) }] }],
    },
    [
      '00', // TransactionalId null (compact nullable)
      'ffff 00007530', // Acks -1, TimeoutMs 30000
      '02 02 74', // TopicData: 1, Name "t"
      '02 00000000 03 0102 00', // PartitionData: 1, Index 0, Records (2 bytes), no tags
      '00', // topic tags
      '00', // tags
    ],
  );
  golden(
    produceApi,
    'response',
    10,
    {
      responses: [
        {
          name: 't',
          partitionResponses: [
            {
              index: 0,
              errorCode: 6,
              baseOffset: -1,
              logAppendTimeMs: -1,
              logStartOffset: -1,
              recordErrors: [],
              errorMessage: null,
              currentLeader: { leaderId: 2, leaderEpoch: 5 },
            },
          ],
        },
      ],
      throttleTimeMs: 0,
      nodeEndpoints: [{ nodeId: 2, host: 'h', port: 9092, rack: null }],
    },
    [
      '02 02 74', // Responses: 1, Name "t"
      '02 00000000 0006', // PartitionResponses: 1, Index 0, ErrorCode 6 NOT_LEADER_OR_FOLLOWER
      'ffffffffffffffff ffffffffffffffff ffffffffffffffff', // BaseOffset, LogAppendTimeMs, LogStartOffset -1
      '01 00', // RecordErrors [], ErrorMessage null
      '01 00 09 00000002 00000005 00', // tagged: tag 0 CurrentLeader (9 bytes): leader 2, epoch 5
      '00', // topic tags
      '00000000', // ThrottleTimeMs
      '01 00 0d 02 00000002 0268 00002384 00 00', // tagged: tag 0 NodeEndpoints
    ],
  );
  golden(
    produceApi,
    'response',
    11,
    {
      responses: [
        {
          name: 't',
          partitionResponses: [appended],
        },
      ],
      throttleTimeMs: 0,
    },
    [
      '02 02 74 02 00000000 0000', // Responses: 1 "t", PartitionResponses: 1, Index 0, ErrorCode 0
      '000000000000000a ffffffffffffffff 0000000000000000', // BaseOffset 10, LogAppendTimeMs -1, LogStartOffset 0
      '01 00 00', // RecordErrors [], ErrorMessage null, no tags
      '00', // topic tags
      '00000000 00', // ThrottleTimeMs, no tags
    ],
  );
});

test('Produce v12 (a transactional request, v11 layout) and v13 (topic ids)', () => {
  const partitionData = [{ index: 0, records: Buffer.from([1, 2]) }];
  golden(
    produceApi,
    'request',
    12,
    { transactionalId: 'x', acks: -1, timeoutMs: 30000, topicData: [{ name: 't', partitionData }] },
    [
      '02 78', // TransactionalId "x"
      'ffff 00007530', // Acks -1, TimeoutMs 30000
      '02 02 74', // TopicData: 1, Name "t" (v0-12)
      '02 00000000 03 0102 00', // PartitionData: 1, Index 0, Records (2 bytes), no tags
      '00 00', // topic tags, tags
    ],
  );
  golden(
    produceApi,
    'request',
    13,
    { transactionalId: 'x', acks: -1, timeoutMs: 30000, topicData: [{ topicId, partitionData }] },
    [
      '02 78 ffff 00007530', // TransactionalId "x", Acks -1, TimeoutMs
      '02', // TopicData: 1
      topicIdHex, // TopicId (v13+; no Name)
      '02 00000000 03 0102 00', // PartitionData
      '00 00', // topic tags, tags
    ],
  );
  golden(
    produceApi,
    'response',
    13,
    {
      responses: [
        {
          topicId,
          partitionResponses: [appended],
        },
      ],
      throttleTimeMs: 0,
    },
    [
      '02', // Responses: 1
      topicIdHex, // TopicId
      '02 00000000 0000', // PartitionResponses: 1, Index 0, ErrorCode 0
      '000000000000000a ffffffffffffffff 0000000000000000', // BaseOffset, LogAppendTimeMs, LogStartOffset
      '01 00 00', // RecordErrors [], ErrorMessage null, no tags
      '00', // topic tags
      '00000000 00', // ThrottleTimeMs, no tags
    ],
  );
});
