// Golden bytes for the consumer-group API versions raftka serves since issue 15 (Kafka 3.9's oldest
// to Kafka 4.x's newest stable; OffsetCommit and OffsetFetch v10, topic ids, from Kafka 4.2): the
// flexible versions of FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
// OffsetFetch (v8+ batched groups), ListGroups (types), DescribeGroups (v6 ErrorMessage) and
// DeleteGroups. Each hex line is one field or struct, written
// by hand from Kafka's message layouts (compact strings/arrays are length+1 varints, every struct
// ends with its tagged-field count); each case checks encode(value) === bytes and
// decode(bytes) === value. Versions with the same layout share one set of bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
import { txnOffsetCommitApi } from '../../src/protocol/messages/txn-offset-commit.js';
import { apis } from '../../src/protocol/apis.js';
import { golden } from './golden.js';

const consumer = '09 636f6e73756d6572'; // compact "consumer"
const range = '06 72616e6765'; // compact "range"
const m1 = '03 6d31'; // compact "m1"
const topicId = 'AAECAwQFBgcICQoLDA0ODw'; // bytes 00 01 .. 0f
const topicIdHex = '000102030405060708090a0b0c0d0e0f';

test('the group APIs serve Kafka 3.9 oldest to Kafka 4.1 newest stable, with Kafka flexible versions', () => {
  // [api, min, max, first flexible]: 3.9's validVersions minimum, 4.1.0's newest stable maximum.
  const expected: [{ key: number }, number, number, number][] = [
    [findCoordinatorApi, 0, 6, 3],
    [joinGroupApi, 0, 9, 6],
    [syncGroupApi, 0, 5, 4],
    [heartbeatApi, 0, 4, 4],
    [leaveGroupApi, 0, 5, 4],
    [offsetCommitApi, 0, 10, 8], // v10 (topic ids) is stable from Kafka 4.2
    [offsetFetchApi, 0, 10, 6],
    [listGroupsApi, 0, 5, 3],
    [describeGroupsApi, 0, 6, 5],
    [deleteGroupsApi, 0, 2, 2],
    [offsetDeleteApi, 0, 0, Infinity],
    [txnOffsetCommitApi, 0, 5, 3],
  ];
  for (const [api, min, max, flexibleFrom] of expected) {
    const served = apis.get(api.key)!;
    assert.deepEqual(
      [served.minVersion, served.maxVersion, served.flexibleFrom],
      [min, max, flexibleFrom],
      `${served.name} (key ${api.key})`,
    );
  }
});

test('FindCoordinator v4-v6: a batch of keys, answered per key', () => {
  for (const v of [4, 5, 6]) {
    golden(findCoordinatorApi, 'request', v, { keyType: 0, coordinatorKeys: ['g1', 'g2'] }, [
      '00', // keyType 0 (group)
      '03', // coordinatorKeys: 2
      '03 6731 03 6732', // "g1", "g2"
      '00', // tags
    ]);
    golden(
      findCoordinatorApi,
      'response',
      v,
      {
        throttleTimeMs: 0,
        coordinators: [
          { key: 'g1', nodeId: 1, host: 'h', port: 9092, errorCode: 0, errorMessage: null },
          { key: 'g2', nodeId: -1, host: '', port: -1, errorCode: 15, errorMessage: 'x' },
        ],
      },
      [
        '00000000', // throttleTimeMs
        '03', // coordinators: 2
        '03 6731 00000001 02 68 00002384 0000 00 00', // "g1", node 1, "h", 9092, NONE, message null, tags
        '03 6732 ffffffff 01 ffffffff 000f 02 78 00', // "g2", -1, "", -1, COORDINATOR_NOT_AVAILABLE, "x", tags
        '00', // tags
      ],
    );
  }
  golden(findCoordinatorApi, 'request', 6, { keyType: 2, coordinatorKeys: ['g:t:0'] }, [
    '02', // keyType 2 (share group, v6)
    '02 06 673a743a30', // ["g:t:0"]
    '00',
  ]);
});

test('JoinGroup v6-v9 requests (v8 adds Reason)', () => {
  const base = {
    groupId: 'g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from([1, 2]) }],
  };
  const head = [
    '02 67', // groupId "g"
    '00002710', // sessionTimeoutMs 10000
    '00007530', // rebalanceTimeoutMs 30000
    '01', // memberId ""
    '00', // groupInstanceId null
    consumer, // protocolType
    '02', // protocols: 1
    `${range} 03 0102 00`, // name, metadata [1, 2], tags
  ];
  for (const v of [6, 7]) golden(joinGroupApi, 'request', v, base, [...head, '00']);
  for (const v of [8, 9]) golden(joinGroupApi, 'request', v, { ...base, reason: 'r' }, [...head, '02 72', '00']); // reason "r", tags
});

test('JoinGroup v6, v7 (ProtocolType) and v9 (SkipAssignment) responses', () => {
  const base = {
    throttleTimeMs: 0,
    errorCode: 0,
    generationId: 3,
    protocolName: 'range',
    leader: 'm1',
    memberId: 'm1',
    members: [{ memberId: 'm1', groupInstanceId: null, metadata: Buffer.from([7]) }],
  };
  const tail = [
    m1, // memberId
    '02', // members: 1
    `${m1} 00 02 07 00`, // memberId, groupInstanceId null, metadata [7], tags
    '00', // tags
  ];
  golden(joinGroupApi, 'response', 6, base, [
    '00000000 0000 00000003', // throttleTimeMs, errorCode, generationId
    range, // protocolName
    m1, // leader
    ...tail,
  ]);
  const typed = { ...base, protocolType: 'consumer' };
  golden(joinGroupApi, 'response', 7, typed, ['00000000 0000 00000003', consumer, range, m1, ...tail]);
  golden(joinGroupApi, 'response', 8, typed, ['00000000 0000 00000003', consumer, range, m1, ...tail]);
  golden(joinGroupApi, 'response', 9, { ...typed, skipAssignment: true }, [
    '00000000 0000 00000003',
    consumer,
    range,
    m1, // leader
    '01', // skipAssignment true (v9)
    ...tail,
  ]);
});

test('SyncGroup v4 and v5 (ProtocolType/ProtocolName); Heartbeat v4', () => {
  const req = {
    groupId: 'g',
    generationId: 3,
    memberId: 'm1',
    groupInstanceId: 'i',
    assignments: [{ memberId: 'm1', assignment: Buffer.from([9]) }],
  };
  golden(syncGroupApi, 'request', 4, req, [
    '02 67 00000003', // groupId, generationId
    m1, // memberId
    '02 69', // groupInstanceId "i"
    '02', // assignments: 1
    `${m1} 02 09 00`, // memberId, assignment [9], tags
    '00',
  ]);
  golden(syncGroupApi, 'request', 5, { ...req, protocolType: 'consumer', protocolName: 'range' }, [
    '02 67 00000003',
    m1,
    '02 69',
    consumer, // protocolType (v5)
    range, // protocolName (v5)
    '02',
    `${m1} 02 09 00`,
    '00',
  ]);
  golden(syncGroupApi, 'response', 4, { throttleTimeMs: 0, errorCode: 0, assignment: Buffer.from([9]) }, [
    '00000000 0000', // throttleTimeMs, errorCode
    '02 09', // assignment
    '00',
  ]);
  golden(
    syncGroupApi,
    'response',
    5,
    { throttleTimeMs: 0, errorCode: 0, protocolType: 'consumer', protocolName: null, assignment: Buffer.from([9]) },
    ['00000000 0000', consumer, '00', '02 09', '00'], // protocolName null
  );
  golden(heartbeatApi, 'request', 4, { groupId: 'g', generationId: 3, memberId: 'm1', groupInstanceId: null }, [
    '02 67 00000003',
    m1,
    '00', // groupInstanceId null
    '00',
  ]);
  golden(heartbeatApi, 'response', 4, { throttleTimeMs: 0, errorCode: 27 }, ['00000000 001b 00']); // REBALANCE_IN_PROGRESS
});

test('LeaveGroup v4 and v5 (member Reason)', () => {
  golden(leaveGroupApi, 'request', 4, { groupId: 'g', members: [{ memberId: 'm1', groupInstanceId: null }] }, [
    '02 67', // groupId
    '02', // members: 1
    `${m1} 00 00`, // memberId, groupInstanceId null, tags
    '00',
  ]);
  golden(
    leaveGroupApi,
    'request',
    5,
    { groupId: 'g', members: [{ memberId: '', groupInstanceId: 'i', reason: 'bye' }] },
    [
      '02 67',
      '02',
      '01 02 69 04 627965 00', // memberId "", groupInstanceId "i", reason "bye", tags
      '00',
    ],
  );
  for (const v of [4, 5])
    golden(
      leaveGroupApi,
      'response',
      v,
      { throttleTimeMs: 0, errorCode: 0, members: [{ memberId: 'm1', groupInstanceId: null, errorCode: 25 }] },
      [
        '00000000 0000', // throttleTimeMs, errorCode
        '02', // members: 1
        `${m1} 00 0019 00`, // memberId, groupInstanceId null, UNKNOWN_MEMBER_ID, tags
        '00',
      ],
    );
});

test('OffsetCommit v8 and v9 (same layout; v9 may answer GROUP_ID_NOT_FOUND), v10 (topics by id)', () => {
  // v8-9 name the topic ("t"), v10 gives its id; everything else is laid out alike.
  for (const [v, topic, topicBytes, errorCode, errorHex] of [
    [8, { name: 't' }, '02 74', 69, '0045'], // GROUP_ID_NOT_FOUND
    [9, { name: 't' }, '02 74', 69, '0045'],
    [10, { topicId }, topicIdHex, 100, '0064'], // UNKNOWN_TOPIC_ID
  ] as const) {
    golden(
      offsetCommitApi,
      'request',
      v,
      {
        groupId: 'g',
        generationIdOrMemberEpoch: 3,
        memberId: 'm1',
        groupInstanceId: null,
        topics: [
          {
            ...topic,
            partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 5, committedMetadata: null }],
          },
        ],
      },
      [
        '02 67 00000003', // groupId, generationIdOrMemberEpoch
        m1, // memberId
        '00', // groupInstanceId null
        `02 ${topicBytes}`, // topics: 1, name "t" or topicId
        '02 00000000 000000000000002a 00000005 00 00', // partitions: 1; 0, offset 42, epoch 5, metadata null, tags
        '00', // topic tags
        '00',
      ],
    );
    golden(
      offsetCommitApi,
      'response',
      v,
      { throttleTimeMs: 0, topics: [{ ...topic, partitions: [{ partitionIndex: 0, errorCode }] }] },
      [
        '00000000', // throttleTimeMs
        `02 ${topicBytes}`, // topics: 1, name or topicId
        `02 00000000 ${errorHex} 00`, // partitions: 1; 0, the error, tags
        '00',
        '00',
      ],
    );
  }
});

test('OffsetFetch v10 names topics by id, in the request and the answer', () => {
  golden(
    offsetFetchApi,
    'request',
    10,
    {
      groups: [{ groupId: 'g1', memberId: null, memberEpoch: -1, topics: [{ topicId, partitionIndexes: [0] }] }],
      requireStable: false,
    },
    [
      '02', // groups: 1
      '03 6731 00 ffffffff', // "g1", memberId null, memberEpoch -1
      `02 ${topicIdHex} 02 00000000 00`, // topics: 1; topicId, partitions [0], tags
      '00', // group tags
      '00', // requireStable false
      '00',
    ],
  );
  golden(
    offsetFetchApi,
    'response',
    10,
    {
      throttleTimeMs: 0,
      groups: [
        {
          groupId: 'g1',
          topics: [
            {
              topicId,
              partitions: [
                { partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 5, metadata: null, errorCode: 0 },
              ],
            },
          ],
          errorCode: 0,
        },
      ],
    },
    [
      '00000000', // throttleTimeMs
      '02', // groups: 1
      '03 6731', // "g1"
      `02 ${topicIdHex}`, // topics: 1, topicId
      '02 00000000 000000000000002a 00000005 00 0000 00', // partition 0, offset 42, epoch 5, null, NONE, tags
      '00', // topic tags
      '0000 00', // group errorCode, tags
      '00',
    ],
  );
});

test('OffsetFetch v8 (several groups) and v9 (MemberId, MemberEpoch) requests', () => {
  golden(
    offsetFetchApi,
    'request',
    8,
    {
      groups: [
        { groupId: 'g1', topics: [{ name: 't', partitionIndexes: [0, 1] }] },
        { groupId: 'g2', topics: null },
      ],
      requireStable: true,
    },
    [
      '03', // groups: 2
      '03 6731', // "g1"
      '02 02 74 03 00000000 00000001 00', // topics: 1; "t", partitions [0, 1], tags
      '00', // group tags
      '03 6732 00 00', // "g2", topics null (all), tags
      '01', // requireStable
      '00',
    ],
  );
  golden(
    offsetFetchApi,
    'request',
    9,
    { groups: [{ groupId: 'g1', memberId: 'm', memberEpoch: 7, topics: null }], requireStable: false },
    [
      '02', // groups: 1
      '03 6731 02 6d 00000007 00 00', // "g1", memberId "m", memberEpoch 7, topics null, tags
      '00', // requireStable false
      '00',
    ],
  );
});

test('OffsetFetch v8-v9 responses: each group its topics and its own error', () => {
  for (const v of [8, 9])
    golden(
      offsetFetchApi,
      'response',
      v,
      {
        throttleTimeMs: 0,
        groups: [
          {
            groupId: 'g1',
            topics: [
              {
                name: 't',
                partitions: [
                  { partitionIndex: 1, committedOffset: 42, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
                ],
              },
            ],
            errorCode: 0,
          },
          { groupId: 'g2', topics: [], errorCode: 16 },
        ],
      },
      [
        '00000000', // throttleTimeMs
        '03', // groups: 2
        '03 6731', // "g1"
        '02 02 74', // topics: 1, "t"
        '02 00000001 000000000000002a ffffffff 01 0000 00', // partition 1, offset 42, epoch -1, "", NONE, tags
        '00', // topic tags
        '0000 00', // group errorCode, tags
        '03 6732 01 0010 00', // "g2", no topics, NOT_COORDINATOR, tags
        '00',
      ],
    );
});

test('ListGroups v5 (TypesFilter, GroupType)', () => {
  golden(listGroupsApi, 'request', 5, { statesFilter: ['Stable'], typesFilter: ['classic'] }, [
    '02 07 537461626c65', // statesFilter ["Stable"]
    '02 08 636c6173736963', // typesFilter ["classic"]
    '00',
  ]);
  golden(
    listGroupsApi,
    'response',
    5,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      groups: [{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }],
    },
    [
      '00000000 0000', // throttleTimeMs, errorCode
      '02 02 67', // groups: 1, "g"
      consumer, // protocolType
      '07 537461626c65', // groupState "Stable"
      '08 636c6173736963 00', // groupType "classic", tags
      '00',
    ],
  );
});

test('DescribeGroups v5 and v6 (ErrorMessage, GROUP_ID_NOT_FOUND)', () => {
  for (const v of [5, 6])
    golden(describeGroupsApi, 'request', v, { groups: ['g'], includeAuthorizedOperations: true }, [
      '02 02 67', // groups ["g"]
      '01', // includeAuthorizedOperations
      '00',
    ]);
  golden(
    describeGroupsApi,
    'response',
    5,
    {
      throttleTimeMs: 0,
      groups: [
        {
          errorCode: 0,
          groupId: 'g',
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'range',
          members: [
            {
              memberId: 'm1',
              groupInstanceId: null,
              clientId: 'c',
              clientHost: '/h',
              memberMetadata: Buffer.from([1]),
              memberAssignment: Buffer.from([2]),
            },
          ],
          authorizedOperations: 8,
        },
      ],
    },
    [
      '00000000', // throttleTimeMs
      '02 0000 02 67', // groups: 1; errorCode, "g"
      '07 537461626c65', // groupState "Stable"
      consumer,
      range, // protocolData
      `02 ${m1} 00 02 63 03 2f68 02 01 02 02 00`, // members: 1; id, instance null, "c", "/h", [1], [2], tags
      '00000008 00', // authorizedOperations, tags
      '00',
    ],
  );
  golden(
    describeGroupsApi,
    'response',
    6,
    {
      throttleTimeMs: 0,
      groups: [
        {
          errorCode: 69,
          errorMessage: 'Group g not found.',
          groupId: 'g',
          groupState: 'Dead',
          protocolType: '',
          protocolData: '',
          members: [],
        },
      ],
    },
    [
      '00000000',
      '02 0045', // groups: 1; GROUP_ID_NOT_FOUND
      '13 47726f7570 20 67 20 6e6f74 20 666f756e642e', // errorMessage "Group g not found." (v6)
      '02 67 05 44656164 01 01 01', // "g", "Dead", "", "", no members
      '80000000 00', // authorizedOperations INT32_MIN, tags
      '00',
    ],
  );
});

test('DeleteGroups v2 (flexible)', () => {
  golden(deleteGroupsApi, 'request', 2, { groupsNames: ['g'] }, ['02 02 67 00']);
  golden(deleteGroupsApi, 'response', 2, { throttleTimeMs: 0, results: [{ groupId: 'g', errorCode: 0 }] }, [
    '00000000', // throttleTimeMs
    '02 02 67 0000 00', // results: 1; "g", NONE, tags
    '00',
  ]);
});
