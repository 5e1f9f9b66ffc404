// Golden bytes for the APIs added with issue 15 item 2, derived by hand from the public field
// grammar, at every version Kafka 3.9 and 4.x define: DescribeUserScramCredentials v0,
// AlterUserScramCredentials v0, DescribeTopicPartitions v0 (nullable Cursor struct: int8 marker),
// ElectLeaders v0-2, UpdateFeatures v0-2, GetTelemetrySubscriptions v0, PushTelemetry v0.
// Strings used: 74 "t", 75 "u", 66 "f", 78 "x". Topic/instance id: bytes 00..0f.
import { test } from 'node:test';
import {
  alterUserScramCredentialsApi,
  describeUserScramCredentialsApi,
} from '../../src/protocol/messages/scram-credentials.js';
import { describeTopicPartitionsApi } from '../../src/protocol/messages/describe-topic-partitions.js';
import { electLeadersApi } from '../../src/protocol/messages/elect-leaders.js';
import { updateFeaturesApi } from '../../src/protocol/messages/update-features.js';
import { getTelemetrySubscriptionsApi, pushTelemetryApi } from '../../src/protocol/messages/telemetry.js';
import { uuidFromBytes } from '../../src/protocol/primitives/uuid.js';
import { golden } from './golden.js';

const idHex = '000102030405060708090a0b0c0d0e0f';
const id = uuidFromBytes(Buffer.from(idHex, 'hex'));

test('DescribeUserScramCredentials v0: all users (null), one user; an answer with one credential', () => {
  golden(describeUserScramCredentialsApi, 'request', 0, { users: null }, ['00', '00']);
  golden(describeUserScramCredentialsApi, 'request', 0, { users: [{ name: 'u' }] }, ['02 02 75 00', '00']);
  golden(
    describeUserScramCredentialsApi,
    'response',
    0,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      results: [{ user: 'u', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 8192 }] }],
    },
    ['00000000 0000 00', '02 02 75 0000 00 02 01 00002000 00 00', '00'],
  );
});

test('AlterUserScramCredentials v0: a deletion and an upsertion; a per-user result', () => {
  golden(
    alterUserScramCredentialsApi,
    'request',
    0,
    {
      deletions: [{ name: 'u', mechanism: 2 }],
      upsertions: [
        { name: 'u', mechanism: 1, iterations: 4096, salt: Buffer.from([1, 2]), saltedPassword: Buffer.from([3]) },
      ],
    },
    ['02 02 75 02 00', '02 02 75 01 00001000 03 0102 02 03 00', '00'],
  );
  golden(
    alterUserScramCredentialsApi,
    'response',
    0,
    { throttleTimeMs: 0, results: [{ user: 'u', errorCode: 92, errorMessage: 'x' }] },
    ['00000000', '02 02 75 005c 02 78 00', '00'],
  );
});

test('DescribeTopicPartitions v0: without and with a cursor; answers with and without NextCursor', () => {
  golden(
    describeTopicPartitionsApi,
    'request',
    0,
    { topics: [{ name: 't' }], responsePartitionLimit: 2000, cursor: null },
    ['02 02 74 00', '000007d0 ff', '00'],
  );
  golden(
    describeTopicPartitionsApi,
    'request',
    0,
    { topics: [], responsePartitionLimit: 1, cursor: { topicName: 't', partitionIndex: 1 } },
    ['01', '00000001 01 02 74 00000001 00', '00'],
  );
  const partition = {
    errorCode: 0,
    partitionIndex: 0,
    leaderId: 1,
    leaderEpoch: 0,
    replicaNodes: [1],
    isrNodes: [1],
    eligibleLeaderReplicas: [],
    lastKnownElr: [],
    offlineReplicas: [],
  };
  const partitionHex = '0000 00000000 00000001 00000000 02 00000001 02 00000001 01 01 01 00';
  golden(
    describeTopicPartitionsApi,
    'response',
    0,
    {
      throttleTimeMs: 0,
      topics: [
        {
          errorCode: 0,
          name: 't',
          topicId: id,
          isInternal: false,
          partitions: [partition],
          topicAuthorizedOperations: 3576,
        },
      ],
      nextCursor: { topicName: 't', partitionIndex: 1 },
    },
    ['00000000', `02 0000 02 74 ${idHex} 00`, `02 ${partitionHex}`, '00000df8 00', '01 02 74 00000001 00', '00'],
  );
  golden(
    describeTopicPartitionsApi,
    'response',
    0,
    {
      throttleTimeMs: 0,
      topics: [
        {
          errorCode: 0,
          name: 't',
          topicId: id,
          isInternal: false,
          partitions: [{ ...partition, eligibleLeaderReplicas: null, lastKnownElr: null }],
          topicAuthorizedOperations: -2147483648,
        },
      ],
      nextCursor: null,
    },
    [
      '00000000',
      `02 0000 02 74 ${idHex} 00`,
      '02 0000 00000000 00000001 00000000 02 00000001 02 00000001 00 00 01 00',
      '80000000 00',
      'ff',
      '00',
    ],
  );
});

test('ElectLeaders v0-2 requests: named partitions and every partition (null)', () => {
  const tp = [{ topic: 't', partitions: [0] }];
  golden(electLeadersApi, 'request', 0, { topicPartitions: tp, timeoutMs: 60000 }, [
    '00000001 0001 74 00000001 00000000',
    '0000ea60',
  ]);
  golden(electLeadersApi, 'request', 1, { electionType: 1, topicPartitions: tp, timeoutMs: 60000 }, [
    '01',
    '00000001 0001 74 00000001 00000000',
    '0000ea60',
  ]);
  golden(electLeadersApi, 'request', 1, { electionType: 0, topicPartitions: null, timeoutMs: 30000 }, [
    '00 ffffffff 00007530',
  ]);
  golden(electLeadersApi, 'request', 2, { electionType: 0, topicPartitions: tp, timeoutMs: 60000 }, [
    '00',
    '02 02 74 02 00000000 00',
    '0000ea60',
    '00',
  ]);
  golden(electLeadersApi, 'request', 2, { electionType: 1, topicPartitions: null, timeoutMs: 60000 }, [
    '01 00 0000ea60 00',
  ]);
});

test('ElectLeaders v0-2 responses: a partition result per version (v1+ top-level ErrorCode)', () => {
  const results = [{ topic: 't', partitionResult: [{ partitionId: 0, errorCode: 84, errorMessage: 'x' }] }];
  golden(electLeadersApi, 'response', 0, { throttleTimeMs: 0, replicaElectionResults: results }, [
    '00000000',
    '00000001 0001 74 00000001 00000000 0054 0001 78',
  ]);
  golden(electLeadersApi, 'response', 1, { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: results }, [
    '00000000 0000',
    '00000001 0001 74 00000001 00000000 0054 0001 78',
  ]);
  golden(
    electLeadersApi,
    'response',
    2,
    {
      throttleTimeMs: 0,
      errorCode: 31,
      replicaElectionResults: [
        { topic: 't', partitionResult: [{ partitionId: 0, errorCode: 31, errorMessage: null }] },
      ],
    },
    ['00000000 001f', '02 02 74 02 00000000 001f 00 00 00', '00'],
  );
});

test('UpdateFeatures v0-2: AllowDowngrade (v0), UpgradeType + ValidateOnly (v1+), results only in v0-1', () => {
  golden(
    updateFeaturesApi,
    'request',
    0,
    { timeoutMs: 60000, featureUpdates: [{ feature: 'f', maxVersionLevel: 1, allowDowngrade: false }] },
    ['0000ea60', '02 02 66 0001 00 00', '00'],
  );
  for (const v of [1, 2])
    golden(
      updateFeaturesApi,
      'request',
      v,
      { timeoutMs: 60000, featureUpdates: [{ feature: 'f', maxVersionLevel: 1, upgradeType: 1 }], validateOnly: true },
      ['0000ea60', '02 02 66 0001 01 00', '01', '00'],
    );
  for (const v of [0, 1])
    golden(
      updateFeaturesApi,
      'response',
      v,
      {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        results: [{ feature: 'f', errorCode: 0, errorMessage: null }],
      },
      ['00000000 0000 00', '02 02 66 0000 00 00', '00'],
    );
  golden(updateFeaturesApi, 'response', 2, { throttleTimeMs: 0, errorCode: 95, errorMessage: 'x' }, [
    '00000000 005f 02 78',
    '00',
  ]);
});

test('GetTelemetrySubscriptions v0 and PushTelemetry v0', () => {
  golden(getTelemetrySubscriptionsApi, 'request', 0, { clientInstanceId: 'AAAAAAAAAAAAAAAAAAAAAA' }, [
    '00000000000000000000000000000000 00',
  ]);
  golden(
    getTelemetrySubscriptionsApi,
    'response',
    0,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      clientInstanceId: id,
      subscriptionId: 0x12345678,
      acceptedCompressionTypes: [4, 3, 1, 2],
      pushIntervalMs: 300000,
      telemetryMaxBytes: 1048576,
      deltaTemporality: true,
      requestedMetrics: [],
    },
    ['00000000 0000', idHex, '12345678 05 04030102 000493e0 00100000 01 01', '00'],
  );
  golden(
    pushTelemetryApi,
    'request',
    0,
    { clientInstanceId: id, subscriptionId: 7, terminating: true, compressionType: 0, metrics: Buffer.from([1, 2]) },
    [idHex, '00000007 01 00 03 0102', '00'],
  );
  golden(pushTelemetryApi, 'response', 0, { throttleTimeMs: 0, errorCode: 117 }, ['00000000 0075 00']);
});
