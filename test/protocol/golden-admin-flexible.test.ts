// Golden bytes for the admin and ACL API versions added to reach Kafka 4.1's ranges (CreateTopics
// 5-7, DeleteTopics 4-6, CreatePartitions 2-3, DescribeConfigs 3-4, AlterConfigs 2,
// DescribeCluster 1-2, Create/Delete/DescribeAcls 2-3, AlterPartitionReassignments 1), written by
// hand from Kafka's field grammar: one commented hex line per field or small group of fields.
// Flexible versions: compact strings/arrays are an unsigned varint of length + 1 (00 = null), and
// every struct ends with its tagged fields (00 = none). Strings used: 74 "t", 75 "u", 6b "k",
// 76 "v", 78 "x", 6d "m", 64 "d", 63 "c", 68 "h", 2a "*", 557365723a61 "User:a".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTopicsApi } from '../../src/protocol/messages/create-topics.js';
import { deleteTopicsApi } from '../../src/protocol/messages/delete-topics.js';
import { createPartitionsApi } from '../../src/protocol/messages/create-partitions.js';
import { describeConfigsApi } from '../../src/protocol/messages/describe-configs.js';
import { alterConfigsApi } from '../../src/protocol/messages/alter-configs.js';
import { describeClusterApi } from '../../src/protocol/messages/describe-cluster.js';
import { createAclsApi, deleteAclsApi, describeAclsApi } from '../../src/protocol/messages/acls.js';
import { alterPartitionReassignmentsApi } from '../../src/protocol/messages/partition-reassignments.js';
import { apiFor } from '../../src/protocol/apis.js';
import { golden } from './golden.js';

const topicId = 'AAECAwQFBgcICQoLDA0ODw'; // bytes 00 01 .. 0f
const topicIdHex = '000102030405060708090a0b0c0d0e0f';
const zeroIdHex = '00000000000000000000000000000000';
const userA = '07 557365723a61'; // compact "User:a"

test('the widened admin and ACL ranges are registered (Kafka 3.9 minimum to Kafka 4.1 maximum)', () => {
  const expected: [key: number, min: number, max: number, flexibleFrom: number][] = [
    [19, 0, 7, 5], // CreateTopics
    [20, 0, 6, 4], // DeleteTopics
    [37, 0, 3, 2], // CreatePartitions
    [32, 0, 4, 4], // DescribeConfigs
    [33, 0, 2, 2], // AlterConfigs
    [44, 0, 1, 1], // IncrementalAlterConfigs
    [60, 0, 2, 0], // DescribeCluster
    [29, 0, 3, 2], // DescribeAcls
    [30, 0, 3, 2], // CreateAcls
    [31, 0, 3, 2], // DeleteAcls
    [45, 0, 1, 0], // AlterPartitionReassignments
    [46, 0, 0, 0], // ListPartitionReassignments
    [17, 0, 1, Infinity], // SaslHandshake
    [36, 0, 2, 2], // SaslAuthenticate
  ];
  for (const [key, min, max, flexibleFrom] of expected) {
    const api = apiFor(key);
    assert.ok(api, `key ${key} registered`);
    assert.deepStrictEqual([api.minVersion, api.maxVersion, api.flexibleFrom], [min, max, flexibleFrom], api.name);
  }
});

test('CreateTopics v5-7 request; v5 and v7 responses with configs, a topic id and a tagged config error', () => {
  const req = {
    topics: [
      {
        name: 't',
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }],
        configs: [{ name: 'x', value: null }],
      },
    ],
    timeoutMs: 30000,
    validateOnly: true,
  };
  for (const v of [5, 6, 7]) {
    golden(createTopicsApi, 'request', v, req, [
      '02 02 74', // topics: 1, name "t"
      'ffffffff ffff', // numPartitions -1, replicationFactor -1
      '02 00000000 03 00000001 00000002 00', // assignments: [{partition 0, brokerIds [1, 2], tags}]
      '02 02 78 00 00', // configs: [{name "x", value null, tags}]
      '00', // topic tags
      '00007530 01', // timeoutMs 30000, validateOnly true
      '00', // tags
    ]);
  }
  const created = {
    name: 't',
    topicId,
    errorCode: 0,
    errorMessage: null,
    numPartitions: 3,
    replicationFactor: 1,
    configs: [{ name: 'k', value: 'v', readOnly: false, configSource: 1, isSensitive: false }],
  };
  const hidden = {
    name: 'u',
    topicId,
    errorCode: 0,
    errorMessage: null,
    numPartitions: -1,
    replicationFactor: -1,
    configs: null,
    topicConfigErrorCode: 29, // TOPIC_AUTHORIZATION_FAILED
  };
  golden(createTopicsApi, 'response', 7, { throttleTimeMs: 0, topics: [created, hidden] }, [
    '00000000', // throttleTimeMs
    '03', // topics: 2
    `02 74 ${topicIdHex}`, // name "t", topicId (v7+)
    '0000 00', // errorCode, errorMessage null
    '00000003 0001', // numPartitions 3, replicationFactor 1
    '02 02 6b 02 76 00 01 00 00', // configs: [{"k", "v", readOnly false, source 1, sensitive false, tags}]
    '00', // topic tags
    `02 75 ${topicIdHex}`, // name "u", topicId
    '0000 00 ffffffff ffff', // errorCode, errorMessage null, numPartitions -1, replicationFactor -1
    '00', // configs null
    '01 00 02 001d', // tags: 1, tag 0 (TopicConfigErrorCode) size 2, 29
    '00', // tags
  ]);
  golden(createTopicsApi, 'response', 5, { throttleTimeMs: 0, topics: [{ ...created, topicId: undefined }] }, [
    '00000000 02 02 74', // throttleTimeMs, topics: 1, name "t" (no topic id before v7)
    '0000 00 00000003 0001', // errorCode, errorMessage null, numPartitions, replicationFactor
    '02 02 6b 02 76 00 01 00 00', // configs
    '00 00', // topic tags, tags
  ]);
});

test('DeleteTopics v4 (flexible), v5 (error message) and v6 (topics by id, nullable names)', () => {
  golden(deleteTopicsApi, 'request', 4, { topicNames: ['t'], timeoutMs: 30000 }, ['02 02 74', '00007530', '00']);
  golden(deleteTopicsApi, 'response', 4, { throttleTimeMs: 0, responses: [{ name: 't', errorCode: 0 }] }, [
    '00000000 02 02 74 0000 00', // throttleTimeMs, responses: [{"t", errorCode 0, tags}]
    '00', // tags
  ]);
  golden(
    deleteTopicsApi,
    'response',
    5,
    { throttleTimeMs: 0, responses: [{ name: 't', errorCode: 3, errorMessage: 'm' }] },
    ['00000000 02 02 74', '0003 02 6d 00', '00'], // UNKNOWN_TOPIC_OR_PARTITION with its message (v5+)
  );
  golden(
    deleteTopicsApi,
    'request',
    6,
    {
      topics: [
        { name: null, topicId },
        { name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' },
      ],
      timeoutMs: 30000,
    },
    [
      '03', // topics: 2
      `00 ${topicIdHex} 00`, // name null, topicId, tags
      `02 74 ${zeroIdHex} 00`, // name "t", zero id, tags
      '00007530 00', // timeoutMs, tags
    ],
  );
  golden(
    deleteTopicsApi,
    'response',
    6,
    {
      throttleTimeMs: 0,
      responses: [
        { name: null, topicId, errorCode: 100, errorMessage: 'm' },
        { name: 't', topicId, errorCode: 0, errorMessage: null },
      ],
    },
    [
      '00000000 03', // throttleTimeMs, responses: 2
      `00 ${topicIdHex} 0064 02 6d 00`, // name null, topicId, UNKNOWN_TOPIC_ID, message, tags
      `02 74 ${topicIdHex} 0000 00 00`, // "t", its id, NONE, message null, tags
      '00',
    ],
  );
});

test('CreatePartitions v2-3 (flexible) request and response', () => {
  for (const v of [2, 3]) {
    golden(
      createPartitionsApi,
      'request',
      v,
      { topics: [{ name: 't', count: 3, assignments: [{ brokerIds: [1] }] }], timeoutMs: 30000, validateOnly: false },
      [
        '02 02 74 00000003', // topics: [{"t", count 3
        '02 02 00000001 00', // assignments: [{brokerIds [1], tags}]
        '00', // topic tags
        '00007530 00 00', // timeoutMs, validateOnly false, tags
      ],
    );
    golden(
      createPartitionsApi,
      'response',
      v,
      { throttleTimeMs: 0, results: [{ name: 't', errorCode: 37, errorMessage: 'm' }] },
      ['00000000 02 02 74 0025 02 6d 00 00'], // INVALID_PARTITIONS with a message
    );
  }
});

test('DescribeConfigs v3 (types and documentation) and v4 (flexible)', () => {
  const req = {
    resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }],
    includeSynonyms: false,
    includeDocumentation: true,
  };
  golden(describeConfigsApi, 'request', 3, req, [
    '00000001 02 0001 74 ffffffff', // resources: [{TOPIC, "t", keys null}]
    '00 01', // includeSynonyms false, includeDocumentation true (v3+)
  ]);
  golden(describeConfigsApi, 'request', 4, req, ['02 02 02 74 00 00', '00 01 00']);
  const res = {
    throttleTimeMs: 0,
    results: [
      {
        errorCode: 0,
        errorMessage: null,
        resourceType: 2,
        resourceName: 't',
        configs: [
          {
            name: 'k',
            value: 'v',
            readOnly: false,
            configSource: 5,
            isSensitive: false,
            synonyms: [],
            configType: 5, // LONG
            documentation: 'd',
          },
        ],
      },
    ],
  };
  golden(describeConfigsApi, 'response', 3, res, [
    '00000000 00000001', // throttleTimeMs, results: 1
    '0000 ffff 02 0001 74', // errorCode, errorMessage null, TOPIC, "t"
    '00000001 0001 6b 0001 76 00 05 00', // configs: [{"k", "v", readOnly false, DEFAULT_CONFIG, sensitive false
    '00000000 05 0001 64', // synonyms [], configType LONG, documentation "d" (v3+)]
  ]);
  golden(describeConfigsApi, 'response', 4, res, [
    '00000000 02', // throttleTimeMs, results: 1
    '0000 00 02 02 74', // errorCode, errorMessage null, TOPIC, "t"
    '02 02 6b 02 76 00 05 00', // configs: [{"k", "v", readOnly false, source 5, sensitive false
    '01 05 02 64 00', // synonyms [], configType 5, documentation "d", tags}]
    '00 00', // result tags, tags
  ]);
});

test('AlterConfigs v2 (flexible) request and response', () => {
  golden(
    alterConfigsApi,
    'request',
    2,
    {
      resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'k', value: 'v' }] }],
      validateOnly: false,
    },
    ['02 02 02 74', '02 02 6b 02 76 00', '00', '00 00'], // [{TOPIC, "t", [{"k", "v", tags}], tags}], false, tags
  );
  golden(
    alterConfigsApi,
    'response',
    2,
    { throttleTimeMs: 0, responses: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't' }] },
    ['00000000 02 0000 00 02 02 74 00 00'],
  );
});

test('DescribeCluster v1 (endpoint type) and v2 (fenced brokers)', () => {
  golden(describeClusterApi, 'request', 1, { includeClusterAuthorizedOperations: true, endpointType: 2 }, [
    '01 02 00', // include operations, endpointType 2 (controllers), tags
  ]);
  golden(
    describeClusterApi,
    'request',
    2,
    { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: true },
    ['00 01 01 00'], // no operations, brokers, includeFencedBrokers (v2+), tags
  );
  golden(
    describeClusterApi,
    'response',
    1,
    { errorCode: 114, errorMessage: 'm', endpointType: 1, clusterId: '', brokers: [] },
    [
      '00000000 0072 02 6d', // throttleTimeMs, MISMATCHED_ENDPOINT_TYPE, message "m"
      '01', // endpointType 1 (v1+)
      '01 ffffffff 01', // clusterId "", controllerId -1, brokers []
      '80000000 00', // clusterAuthorizedOperations INT32_MIN, tags
    ],
  );
  golden(
    describeClusterApi,
    'response',
    2,
    {
      errorCode: 0,
      errorMessage: null,
      endpointType: 1,
      clusterId: 'c',
      controllerId: 1,
      brokers: [{ brokerId: 1, host: 'h', port: 9092, rack: null, isFenced: true }],
    },
    [
      '00000000 0000 00 01', // throttleTimeMs, errorCode, errorMessage null, endpointType 1
      '02 63 00000001', // clusterId "c", controllerId 1
      '02 00000001 02 68 00002384 00 01 00', // brokers: [{1, "h", 9092, rack null, isFenced true (v2+), tags}]
      '80000000 00',
    ],
  );
});

test('Create/Delete/DescribeAcls v2 (flexible) and v3 (USER resources)', () => {
  // An ACL on a USER resource (7, v3's addition): User:a may DESCRIBE_TOKENS (14) of User:a, ALLOW (3).
  const acl = { principal: 'User:a', host: '*', operation: 14, permissionType: 3 };
  for (const v of [2, 3]) {
    golden(
      createAclsApi,
      'request',
      v,
      { creations: [{ resourceType: 7, resourceName: 'User:a', resourcePatternType: 3, ...acl }] },
      [`02 07 ${userA} 03`, `${userA} 02 2a 0e 03 00`, '00'], // [{USER, "User:a", LITERAL, principal, "*", op, perm, tags}]
    );
    golden(createAclsApi, 'response', v, { throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null }] }, [
      '00000000 02 0000 00 00 00',
    ]);
    const filter = {
      resourceTypeFilter: 7,
      resourceNameFilter: null,
      patternTypeFilter: 1, // ANY
      principalFilter: null,
      hostFilter: null,
      operation: 1, // ANY
      permissionType: 1, // ANY
    };
    golden(deleteAclsApi, 'request', v, { filters: [filter] }, ['02 07 00 01 00 00 01 01 00', '00']);
    golden(
      deleteAclsApi,
      'response',
      v,
      {
        throttleTimeMs: 0,
        filterResults: [
          {
            errorCode: 0,
            errorMessage: null,
            matchingAcls: [
              { errorCode: 0, errorMessage: null, resourceType: 7, resourceName: 'User:a', patternType: 3, ...acl },
            ],
          },
        ],
      },
      [
        '00000000 02 0000 00', // throttleTimeMs, filterResults: [{errorCode, errorMessage null
        `02 0000 00 07 ${userA} 03`, // matchingAcls: [{errorCode, message null, USER, "User:a", LITERAL
        `${userA} 02 2a 0e 03 00`, // principal, host, op, perm, tags}]
        '00 00', // filter result tags, tags
      ],
    );
    golden(describeAclsApi, 'request', v, filter, ['07 00 01 00 00 01 01 00']);
    golden(
      describeAclsApi,
      'response',
      v,
      {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        resources: [{ resourceType: 7, resourceName: 'User:a', patternType: 3, acls: [acl] }],
      },
      [
        '00000000 0000 00', // throttleTimeMs, errorCode, errorMessage null
        `02 07 ${userA} 03`, // resources: [{USER, "User:a", LITERAL
        `02 ${userA} 02 2a 0e 03 00`, // acls: [{principal, "*", op, perm, tags}]
        '00 00', // resource tags, tags
      ],
    );
  }
});

test('AlterPartitionReassignments v1 (AllowReplicationFactorChange, echoed in the response)', () => {
  golden(
    alterPartitionReassignmentsApi,
    'request',
    1,
    {
      timeoutMs: 30000,
      allowReplicationFactorChange: false,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [1, 2] }] }],
    },
    [
      '00007530 00', // timeoutMs, allowReplicationFactorChange false (v1+)
      '02 02 74 02 00000000 03 00000001 00000002 00', // topics: [{"t", [{0, replicas [1, 2], tags}]
      '00 00', // topic tags, tags
    ],
  );
  golden(
    alterPartitionReassignmentsApi,
    'response',
    1,
    {
      throttleTimeMs: 0,
      allowReplicationFactorChange: false,
      errorCode: 0,
      errorMessage: null,
      responses: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 38, errorMessage: 'm' }] }],
    },
    [
      '00000000 00', // throttleTimeMs, allowReplicationFactorChange false (v1+)
      '0000 00', // errorCode, errorMessage null
      '02 02 74 02 00000000 0026 02 6d 00', // [{"t", [{0, INVALID_REPLICATION_FACTOR, "m", tags}]
      '00 00',
    ],
  );
});
