// Golden bytes for the admin, ACL, group and producer-id APIs, derived by hand from the public
// field grammar (one commented hex line per field or small group of fields). Strings used:
// 74 "t", 67 "g", 6d "m", 68 "h", 6b "k", 76 "v", 2a "*", 557365723a61 "User:a",
// 636f6e73756d6572 "consumer", 72616e6765 "range", 537461626c65 "Stable".
import { test } from 'node:test';
import { offsetForLeaderEpochApi } from '../../src/protocol/messages/offset-for-leader-epoch.js';
import { createTopicsApi } from '../../src/protocol/messages/create-topics.js';
import { deleteTopicsApi } from '../../src/protocol/messages/delete-topics.js';
import { createPartitionsApi } from '../../src/protocol/messages/create-partitions.js';
import { describeConfigsApi } from '../../src/protocol/messages/describe-configs.js';
import { alterConfigsApi } from '../../src/protocol/messages/alter-configs.js';
import { incrementalAlterConfigsApi } from '../../src/protocol/messages/incremental-alter-configs.js';
import { describeClusterApi } from '../../src/protocol/messages/describe-cluster.js';
import { deleteRecordsApi } from '../../src/protocol/messages/delete-records.js';
import { createAclsApi, deleteAclsApi, describeAclsApi } from '../../src/protocol/messages/acls.js';
import { findCoordinatorApi } from '../../src/protocol/messages/find-coordinator.js';
import { joinGroupApi } from '../../src/protocol/messages/join-group.js';
import { syncGroupApi } from '../../src/protocol/messages/sync-group.js';
import { heartbeatApi } from '../../src/protocol/messages/heartbeat.js';
import { leaveGroupApi } from '../../src/protocol/messages/leave-group.js';
import { offsetCommitApi } from '../../src/protocol/messages/offset-commit.js';
import { offsetFetchApi } from '../../src/protocol/messages/offset-fetch.js';
import { listGroupsApi } from '../../src/protocol/messages/list-groups.js';
import { describeGroupsApi } from '../../src/protocol/messages/describe-groups.js';
import { deleteGroupsApi } from '../../src/protocol/messages/delete-groups.js';
import { offsetDeleteApi } from '../../src/protocol/messages/offset-delete.js';
import { initProducerIdApi } from '../../src/protocol/messages/init-producer-id.js';
import {
  alterPartitionReassignmentsApi,
  listPartitionReassignmentsApi,
} from '../../src/protocol/messages/partition-reassignments.js';
import { golden } from './golden.js';

const userA = '0006 557365723a61';

test('OffsetForLeaderEpoch v2 and v3 requests, v1 response', () => {
  const topics = [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: 3, leaderEpoch: 2 }] }];
  golden(offsetForLeaderEpochApi, 'request', 2, { topics }, [
    '00000001 0001 74',
    '00000001',
    '00000000 00000003 00000002',
  ]);
  golden(offsetForLeaderEpochApi, 'request', 3, { replicaId: -1, topics }, [
    'ffffffff',
    '00000001 0001 74',
    '00000001',
    '00000000 00000003 00000002',
  ]);
  golden(
    offsetForLeaderEpochApi,
    'response',
    1,
    { topics: [{ topic: 't', partitions: [{ errorCode: 0, partition: 0, leaderEpoch: 2, endOffset: 100 }] }] },
    [
      '00000001 0001 74 00000001', // topic "t", partitions: 1
      '0000 00000000 00000002', // errorCode, partition, leaderEpoch (v1+)
      '0000000000000064', // endOffset 100
    ],
  );
});

test('CreateTopics v3 request; v0 and v3 responses', () => {
  golden(
    createTopicsApi,
    'request',
    3,
    {
      topics: [
        { name: 't', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: 'x', value: null }] },
      ],
      timeoutMs: 30000,
      validateOnly: false,
    },
    [
      '00000001 0001 74', // topics: 1, name "t"
      '00000003 0001', // numPartitions 3, replicationFactor 1
      '00000000', // assignments []
      '00000001 0001 78 ffff', // configs: [{name "x", value null}]
      '00007530 00', // timeoutMs 30000, validateOnly false (v1+)
    ],
  );
  golden(createTopicsApi, 'response', 0, { topics: [{ name: 't', errorCode: 0 }] }, ['00000001 0001 74 0000']);
  golden(
    createTopicsApi,
    'response',
    3,
    { throttleTimeMs: 0, topics: [{ name: 't', errorCode: 36, errorMessage: 'e' }] },
    [
      '00000000', // throttleTimeMs (v2+)
      '00000001 0001 74', // topics: 1, name "t"
      '0024 0001 65', // errorCode 36 TOPIC_ALREADY_EXISTS, errorMessage "e" (v1+)
    ],
  );
});

test('DeleteTopics v1', () => {
  golden(deleteTopicsApi, 'request', 1, { topicNames: ['t'], timeoutMs: 30000 }, ['00000001 0001 74', '00007530']);
  golden(deleteTopicsApi, 'response', 1, { throttleTimeMs: 0, responses: [{ name: 't', errorCode: 0 }] }, [
    '00000000',
    '00000001 0001 74 0000',
  ]);
});

test('CreatePartitions v1', () => {
  golden(
    createPartitionsApi,
    'request',
    1,
    { topics: [{ name: 't', count: 4, assignments: null }], timeoutMs: 30000, validateOnly: false },
    [
      '00000001 0001 74 00000004 ffffffff', // topic "t", count 4, assignments null
      '00007530 00', // timeoutMs, validateOnly
    ],
  );
  golden(
    createPartitionsApi,
    'response',
    1,
    { throttleTimeMs: 0, results: [{ name: 't', errorCode: 0, errorMessage: null }] },
    ['00000000', '00000001 0001 74 0000 ffff'],
  );
});

test('DescribeConfigs v1 request; v0 and v1 responses', () => {
  golden(
    describeConfigsApi,
    'request',
    1,
    { resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }], includeSynonyms: false },
    [
      '00000001 02 0001 74 ffffffff', // resourceType 2 TOPIC, name "t", configurationKeys null (all)
      '00', // includeSynonyms (v1+)
    ],
  );
  const result = { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't' };
  golden(
    describeConfigsApi,
    'response',
    0,
    {
      throttleTimeMs: 0,
      results: [
        { ...result, configs: [{ name: 'k', value: 'v', readOnly: false, isDefault: true, isSensitive: false }] },
      ],
    },
    [
      '00000000', // throttleTimeMs
      '00000001 0000 ffff 02 0001 74', // results: 1, errorCode, errorMessage null, TOPIC "t"
      '00000001 0001 6b 0001 76', // configs: 1, name "k", value "v"
      '00 01 00', // readOnly false, isDefault true (v0 only), isSensitive false
    ],
  );
  golden(
    describeConfigsApi,
    'response',
    1,
    {
      throttleTimeMs: 0,
      results: [
        {
          ...result,
          configs: [{ name: 'k', value: 'v', readOnly: false, configSource: 5, isSensitive: false, synonyms: [] }],
        },
      ],
    },
    [
      '00000000', // throttleTimeMs
      '00000001 0000 ffff 02 0001 74', // results: 1
      '00000001 0001 6b 0001 76', // configs: 1, "k" = "v"
      '00 05 00', // readOnly, configSource 5 DEFAULT_CONFIG (v1+), isSensitive
      '00000000', // synonyms [] (v1+)
    ],
  );
});

test('AlterConfigs v1', () => {
  golden(
    alterConfigsApi,
    'request',
    1,
    { resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'k', value: 'v' }] }], validateOnly: false },
    [
      '00000001 02 0001 74', // resources: 1, TOPIC "t"
      '00000001 0001 6b 0001 76', // configs: "k" = "v"
      '00', // validateOnly
    ],
  );
  golden(
    alterConfigsApi,
    'response',
    1,
    { throttleTimeMs: 0, responses: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't' }] },
    ['00000000', '00000001 0000 ffff 02 0001 74'],
  );
});

test('IncrementalAlterConfigs v0 (classic) and v1 (flexible)', () => {
  const value = {
    resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'k', configOperation: 0, value: 'v' }] }],
    validateOnly: false,
  };
  golden(incrementalAlterConfigsApi, 'request', 0, value, ['00000001 02 0001 74', '00000001 0001 6b 00 0001 76', '00']);
  golden(incrementalAlterConfigsApi, 'request', 1, value, [
    '02 02 02 74', // resources: compact 1, TOPIC, "t"
    '02 02 6b 00 02 76 00', // configs: compact 1, "k", SET, "v", tags
    '00', // resource tags
    '00 00', // validateOnly, tags
  ]);
  golden(
    incrementalAlterConfigsApi,
    'response',
    1,
    { throttleTimeMs: 0, responses: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't' }] },
    [
      '00000000', // throttleTimeMs
      '02 0000 00 02 02 74 00', // responses: 1, errorCode, errorMessage null, TOPIC, "t", tags
      '00', // tags
    ],
  );
});

test('DescribeCluster v0 (flexible)', () => {
  golden(describeClusterApi, 'request', 0, { includeClusterAuthorizedOperations: false }, ['00', '00']);
  golden(
    describeClusterApi,
    'response',
    0,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      clusterId: 'cid',
      controllerId: 1,
      brokers: [{ brokerId: 1, host: 'h', port: 9092, rack: null }],
    },
    [
      '00000000 0000 00', // throttleTimeMs, errorCode, errorMessage null
      '04 636964', // clusterId "cid"
      '00000001', // controllerId
      '02 00000001 02 68 00002384 00 00', // brokers: [{1, "h", 9092, rack null, tags}]
      '80000000', // clusterAuthorizedOperations (default INT32_MIN)
      '00', // tags
    ],
  );
});

test('DeleteRecords v0', () => {
  golden(
    deleteRecordsApi,
    'request',
    0,
    { topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 10 }] }], timeoutMs: 30000 },
    ['00000001 0001 74', '00000001 00000000 000000000000000a', '00007530'],
  );
  golden(
    deleteRecordsApi,
    'response',
    0,
    { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, lowWatermark: 10, errorCode: 0 }] }] },
    ['00000000', '00000001 0001 74', '00000001 00000000 000000000000000a 0000'],
  );
});

test('CreateAcls v0 and v1 (PatternType appears in v1)', () => {
  const creation = {
    resourceType: 2,
    resourceName: 't',
    resourcePatternType: 3,
    principal: 'User:a',
    host: '*',
    operation: 2,
    permissionType: 3,
  };
  golden(createAclsApi, 'request', 0, { creations: [creation] }, ['00000001', '02 0001 74', userA, '0001 2a', '02 03']);
  golden(createAclsApi, 'request', 1, { creations: [creation] }, [
    '00000001',
    '02 0001 74',
    '03',
    userA,
    '0001 2a',
    '02 03',
  ]);
  golden(createAclsApi, 'response', 1, { throttleTimeMs: 0, results: [{ errorCode: 0, errorMessage: null }] }, [
    '00000000',
    '00000001 0000 ffff',
  ]);
});

test('DeleteAcls v1 and DescribeAcls v0/v1', () => {
  golden(
    deleteAclsApi,
    'request',
    1,
    {
      filters: [
        {
          resourceTypeFilter: 1,
          resourceNameFilter: null,
          patternTypeFilter: 1,
          principalFilter: null,
          hostFilter: null,
          operation: 1,
          permissionType: 1,
        },
      ],
    },
    [
      '00000001', // filters: 1
      '01 ffff 01 ffff ffff 01 01', // ANY type, name null, ANY pattern (v1+), principal null, host null, ANY op, ANY permission
    ],
  );
  golden(
    deleteAclsApi,
    'response',
    1,
    {
      throttleTimeMs: 0,
      filterResults: [
        {
          errorCode: 0,
          errorMessage: null,
          matchingAcls: [
            {
              errorCode: 0,
              errorMessage: null,
              resourceType: 2,
              resourceName: 't',
              patternType: 3,
              principal: 'User:a',
              host: '*',
              operation: 2,
              permissionType: 3,
            },
          ],
        },
      ],
    },
    [
      '00000000', // throttleTimeMs
      '00000001 0000 ffff', // filterResults: 1, errorCode, errorMessage null
      '00000001 0000 ffff', // matchingAcls: 1, errorCode, errorMessage null
      '02 0001 74 03', // TOPIC "t" LITERAL
      userA,
      '0001 2a 02 03', // principal, host "*", ALL, ALLOW
    ],
  );
  golden(
    describeAclsApi,
    'request',
    0,
    {
      resourceTypeFilter: 1,
      resourceNameFilter: null,
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    },
    ['01 ffff ffff ffff 01 01'],
  );
  golden(
    describeAclsApi,
    'response',
    1,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      resources: [
        {
          resourceType: 2,
          resourceName: 't',
          patternType: 3,
          acls: [{ principal: 'User:a', host: '*', operation: 2, permissionType: 3 }],
        },
      ],
    },
    [
      '00000000 0000 ffff', // throttleTimeMs, errorCode, errorMessage null
      '00000001 02 0001 74 03', // resources: 1, TOPIC "t" LITERAL (v1+)
      '00000001',
      userA,
      '0001 2a 02 03', // acls: 1
    ],
  );
});

test('FindCoordinator v0, v1 and v3 (flexible)', () => {
  golden(findCoordinatorApi, 'request', 0, { key: 'g' }, ['0001 67']);
  golden(findCoordinatorApi, 'request', 1, { key: 'g', keyType: 0 }, ['0001 67 00']);
  golden(findCoordinatorApi, 'request', 3, { key: 'g', keyType: 1 }, ['02 67 01 00']);
  golden(findCoordinatorApi, 'response', 0, { errorCode: 0, nodeId: 1, host: 'h', port: 9092 }, [
    '0000 00000001 0001 68 00002384',
  ]);
  golden(
    findCoordinatorApi,
    'response',
    3,
    { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 1, host: 'h', port: 9092 },
    [
      '00000000 0000 00', // throttleTimeMs, errorCode, errorMessage null
      '00000001 02 68 00002384', // nodeId, host "h", port
      '00', // tags
    ],
  );
});

test('JoinGroup v0 and v5', () => {
  const protocols = [{ name: 'range', metadata: Buffer.from([0, 1]) }];
  golden(
    joinGroupApi,
    'request',
    0,
    { groupId: 'g', sessionTimeoutMs: 30000, memberId: '', protocolType: 'consumer', protocols },
    [
      '0001 67 00007530 0000', // groupId "g", sessionTimeoutMs 30000, memberId ""
      '0008 636f6e73756d6572', // protocolType "consumer"
      '00000001 0005 72616e6765 00000002 0001', // protocols: [{"range", metadata 0001}]
    ],
  );
  golden(
    joinGroupApi,
    'request',
    5,
    {
      groupId: 'g',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols,
    },
    [
      '0001 67 00007530', // groupId, sessionTimeoutMs
      '0000ea60', // rebalanceTimeoutMs 60000 (v1+)
      '0000 ffff', // memberId "", groupInstanceId null (v5+)
      '0008 636f6e73756d6572', // protocolType
      '00000001 0005 72616e6765 00000002 0001', // protocols
    ],
  );
  golden(
    joinGroupApi,
    'response',
    5,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 1,
      protocolName: 'range',
      leader: 'm',
      memberId: 'm',
      members: [{ memberId: 'm', groupInstanceId: null, metadata: Buffer.from([0, 1]) }],
    },
    [
      '00000000 0000 00000001', // throttleTimeMs (v2+), errorCode, generationId
      '0005 72616e6765', // protocolName "range"
      '0001 6d 0001 6d', // leader "m", memberId "m"
      '00000001 0001 6d ffff 00000002 0001', // members: [{"m", groupInstanceId null (v5+), metadata}]
    ],
  );
});

test('SyncGroup v3 and Heartbeat v0/v3', () => {
  golden(
    syncGroupApi,
    'request',
    3,
    {
      groupId: 'g',
      generationId: 1,
      memberId: 'm',
      groupInstanceId: null,
      assignments: [{ memberId: 'm', assignment: Buffer.from([0xff]) }],
    },
    [
      '0001 67 00000001 0001 6d ffff', // groupId, generationId, memberId, groupInstanceId null (v3+)
      '00000001 0001 6d 00000001 ff', // assignments: [{"m", bytes ff}]
    ],
  );
  golden(syncGroupApi, 'response', 3, { throttleTimeMs: 0, errorCode: 0, assignment: Buffer.from([0xff]) }, [
    '00000000 0000 00000001 ff',
  ]);
  golden(heartbeatApi, 'request', 0, { groupId: 'g', generationId: 1, memberId: 'm' }, ['0001 67 00000001 0001 6d']);
  golden(heartbeatApi, 'request', 3, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }, [
    '0001 67 00000001 0001 6d ffff',
  ]);
  golden(heartbeatApi, 'response', 0, { errorCode: 27 }, ['001b']); // REBALANCE_IN_PROGRESS
  golden(heartbeatApi, 'response', 1, { throttleTimeMs: 0, errorCode: 0 }, ['00000000 0000']);
});

test('LeaveGroup v0 and v3 (single member → members batch)', () => {
  golden(leaveGroupApi, 'request', 0, { groupId: 'g', memberId: 'm' }, ['0001 67 0001 6d']);
  golden(leaveGroupApi, 'request', 3, { groupId: 'g', members: [{ memberId: 'm', groupInstanceId: null }] }, [
    '0001 67',
    '00000001 0001 6d ffff',
  ]);
  golden(
    leaveGroupApi,
    'response',
    3,
    { throttleTimeMs: 0, errorCode: 0, members: [{ memberId: 'm', groupInstanceId: null, errorCode: 0 }] },
    ['00000000 0000', '00000001 0001 6d ffff 0000'],
  );
});

test('OffsetCommit v1, v2 and v7 requests; v3 response', () => {
  const part = {
    partitionIndex: 0,
    committedOffset: 10,
    committedLeaderEpoch: -1,
    commitTimestamp: -1,
    committedMetadata: null,
  };
  golden(
    offsetCommitApi,
    'request',
    1,
    { groupId: 'g', generationIdOrMemberEpoch: 1, memberId: 'm', topics: [{ name: 't', partitions: [part] }] },
    [
      '0001 67 00000001 0001 6d', // groupId, generation (v1+), memberId (v1+)
      '00000001 0001 74 00000001', // topics: "t", partitions: 1
      '00000000 000000000000000a', // partitionIndex, committedOffset 10
      'ffffffffffffffff', // commitTimestamp -1 (v1 only)
      'ffff', // committedMetadata null
    ],
  );
  golden(
    offsetCommitApi,
    'request',
    2,
    {
      groupId: 'g',
      generationIdOrMemberEpoch: 1,
      memberId: 'm',
      retentionTimeMs: -1,
      topics: [{ name: 't', partitions: [part] }],
    },
    [
      '0001 67 00000001 0001 6d', // groupId, generation, memberId
      'ffffffffffffffff', // retentionTimeMs -1 (v2-4)
      '00000001 0001 74 00000001 00000000 000000000000000a ffff', // topic "t", partition 0 @ 10, metadata null
    ],
  );
  golden(
    offsetCommitApi,
    'request',
    7,
    {
      groupId: 'g',
      generationIdOrMemberEpoch: 1,
      memberId: 'm',
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ ...part, committedMetadata: '' }] }],
    },
    [
      '0001 67 00000001 0001 6d ffff', // ..., groupInstanceId null (v7+)
      '00000001 0001 74 00000001 00000000 000000000000000a', // topic, partition 0 @ 10
      'ffffffff', // committedLeaderEpoch -1 (v6+)
      '0000', // committedMetadata ""
    ],
  );
  golden(
    offsetCommitApi,
    'response',
    3,
    { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] },
    ['00000000', '00000001 0001 74 00000001 00000000 0000'],
  );
});

test('OffsetFetch v1 and v7 (flexible) requests; v1 and v6 (flexible) responses', () => {
  golden(offsetFetchApi, 'request', 1, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] }, [
    '0001 67',
    '00000001 0001 74 00000001 00000000',
  ]);
  golden(offsetFetchApi, 'request', 2, { groupId: 'g', topics: null }, ['0001 67 ffffffff']); // all topics (v2+)
  golden(offsetFetchApi, 'request', 7, { groupId: 'g', topics: null, requireStable: true }, [
    '02 67', // groupId "g"
    '00', // topics null
    '01', // requireStable (v7+)
    '00', // tags
  ]);
  golden(
    offsetFetchApi,
    'response',
    1,
    { topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 10, metadata: '', errorCode: 0 }] }] },
    [
      '00000001 0001 74 00000001', // topics: "t", partitions: 1
      '00000000 000000000000000a 0000 0000', // index 0, offset 10, metadata "", errorCode
    ],
  );
  golden(
    offsetFetchApi,
    'response',
    6,
    {
      throttleTimeMs: 0,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
          ],
        },
      ],
      errorCode: 0,
    },
    [
      '00000000', // throttleTimeMs
      '02 02 74 02', // topics: compact 1, "t", partitions: compact 1
      '00000000 000000000000000a ffffffff 01 0000 00', // index, offset, leaderEpoch -1 (v5+), metadata "", errorCode, tags
      '00', // topic tags
      '0000', // errorCode (v2+)
      '00', // tags
    ],
  );
});

test('ListGroups v0, v3 and v4; DescribeGroups v0; DeleteGroups v0; OffsetDelete v0', () => {
  golden(listGroupsApi, 'request', 0, {}, []);
  golden(listGroupsApi, 'request', 3, {}, ['00']);
  golden(listGroupsApi, 'request', 4, { statesFilter: ['Stable'] }, ['02 07 537461626c65', '00']);
  golden(listGroupsApi, 'response', 0, { errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer' }] }, [
    '0000',
    '00000001 0001 67 0008 636f6e73756d6572',
  ]);
  golden(
    listGroupsApi,
    'response',
    4,
    { throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable' }] },
    [
      '00000000 0000', // throttleTimeMs, errorCode
      '02 02 67 09 636f6e73756d6572 07 537461626c65 00', // groups: [{"g", "consumer", state "Stable" (v4+), tags}]
      '00', // tags
    ],
  );
  golden(describeGroupsApi, 'request', 0, { groups: ['g'] }, ['00000001 0001 67']);
  golden(describeGroupsApi, 'request', 3, { groups: ['g'], includeAuthorizedOperations: false }, [
    '00000001 0001 67 00',
  ]);
  golden(
    describeGroupsApi,
    'response',
    0,
    {
      groups: [
        {
          errorCode: 0,
          groupId: 'g',
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'range',
          members: [
            {
              memberId: 'm',
              clientId: 'c',
              clientHost: 'h',
              memberMetadata: Buffer.alloc(0),
              memberAssignment: Buffer.alloc(0),
            },
          ],
        },
      ],
    },
    [
      '00000001 0000 0001 67', // groups: 1, errorCode, groupId "g"
      '0006 537461626c65 0008 636f6e73756d6572 0005 72616e6765', // state, protocolType, protocolData
      '00000001 0001 6d 0001 63 0001 68', // members: 1, memberId "m", clientId "c", clientHost "h"
      '00000000 00000000', // memberMetadata, memberAssignment (empty)
    ],
  );
  golden(deleteGroupsApi, 'request', 0, { groupsNames: ['g'] }, ['00000001 0001 67']);
  golden(deleteGroupsApi, 'response', 1, { throttleTimeMs: 0, results: [{ groupId: 'g', errorCode: 0 }] }, [
    '00000000',
    '00000001 0001 67 0000',
  ]);
  golden(
    offsetDeleteApi,
    'request',
    0,
    { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] },
    ['0001 67', '00000001 0001 74 00000001 00000000'],
  );
  golden(
    offsetDeleteApi,
    'response',
    0,
    { errorCode: 0, throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] },
    ['0000 00000000', '00000001 0001 74 00000001 00000000 0000'],
  );
});

test('InitProducerId v0, v2 (flexible) and v3', () => {
  golden(initProducerIdApi, 'request', 0, { transactionalId: null, transactionTimeoutMs: 60000 }, ['ffff 0000ea60']);
  golden(initProducerIdApi, 'request', 2, { transactionalId: null, transactionTimeoutMs: 60000 }, ['00 0000ea60 00']);
  golden(
    initProducerIdApi,
    'request',
    3,
    { transactionalId: 'x', transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 },
    ['02 78 0000ea60', 'ffffffffffffffff ffff', '00'],
  );
  golden(initProducerIdApi, 'response', 0, { throttleTimeMs: 0, errorCode: 0, producerId: 1000, producerEpoch: 0 }, [
    '00000000 0000 00000000000003e8 0000',
  ]);
  golden(initProducerIdApi, 'response', 2, { throttleTimeMs: 0, errorCode: 0, producerId: 1000, producerEpoch: 0 }, [
    '00000000 0000 00000000000003e8 0000 00',
  ]);
});

test('List/AlterPartitionReassignments v0 (flexible)', () => {
  golden(listPartitionReassignmentsApi, 'request', 0, { timeoutMs: 30000, topics: null }, ['00007530 00 00']);
  golden(
    listPartitionReassignmentsApi,
    'response',
    0,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, replicas: [1, 2], addingReplicas: [2], removingReplicas: [] }] },
      ],
    },
    [
      '00000000 0000 00', // throttleTimeMs, errorCode, errorMessage null
      '02 02 74 02', // topics: [{"t", partitions: 1
      '00000000 03 00000001 00000002 02 00000002 01 00', // index 0, replicas [1,2], adding [2], removing [], tags
      '00 00', // topic tags, tags
    ],
  );
  golden(
    alterPartitionReassignmentsApi,
    'request',
    0,
    { timeoutMs: 30000, topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: null }] }] },
    [
      '00007530', // timeoutMs
      '02 02 74 02 00000000 00 00', // topics: [{"t", partitions: [{0, replicas null (cancel), tags}]
      '00 00', // topic tags, tags
    ],
  );
  golden(
    alterPartitionReassignmentsApi,
    'response',
    0,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      responses: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }] }],
    },
    [
      '00000000 0000 00', // throttleTimeMs, errorCode, errorMessage null
      '02 02 74 02 00000000 0000 00 00', // responses: [{"t", partitions: [{0, errorCode, errorMessage null, tags}]
      '00 00', // topic tags, tags
    ],
  );
});
