// Golden bytes for the consumer group protocol's APIs (KIP-848), derived by hand from the public
// field grammar, at every version Kafka 3.9 and 4.x define: ConsumerGroupHeartbeat v0-1 (v1 adds
// SubscribedTopicRegex) and ConsumerGroupDescribe v0-1 (v1 adds MemberType). All flexible:
// compact strings and arrays (length + 1), a tagged-field count after every struct, a nullable
// struct behind an int8 marker. Strings: 67 "g", 6d "m", 74 "t", 75 "u", 66 "f", 78 "x".
import { test } from 'node:test';
import { consumerGroupHeartbeatApi } from '../../src/protocol/messages/consumer-group-heartbeat.js';
import { consumerGroupDescribeApi } from '../../src/protocol/messages/consumer-group-describe.js';
import { uuidFromBytes } from '../../src/protocol/primitives/uuid.js';
import { golden } from './golden.js';

const idHex = '000102030405060708090a0b0c0d0e0f';
const id = uuidFromBytes(Buffer.from(idHex, 'hex'));

test('ConsumerGroupHeartbeat v0: a join (epoch 0, server-named member); v1: a heartbeat with owned partitions and a regex', () => {
  golden(
    consumerGroupHeartbeatApi,
    'request',
    0,
    {
      groupId: 'g',
      memberId: '',
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 300_000,
      subscribedTopicNames: ['t'],
      serverAssignor: 'u',
      topicPartitions: [],
    },
    ['02 67', '01', '00000000', '00', '00', '000493e0', '02 02 74', '02 75', '01', '00'],
  );
  golden(
    consumerGroupHeartbeatApi,
    'request',
    1,
    {
      groupId: 'g',
      memberId: 'm',
      memberEpoch: 5,
      instanceId: 'x',
      rackId: null,
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      subscribedTopicRegex: 't.*',
      serverAssignor: null,
      topicPartitions: [{ topicId: id, partitions: [0, 1] }],
    },
    [
      '02 67',
      '02 6d',
      '00000005',
      '02 78',
      '00',
      'ffffffff',
      '00',
      '04 742e2a',
      '00',
      `02 ${idHex} 03 00000000 00000001 00`,
      '00',
    ],
  );
});

test('ConsumerGroupHeartbeat v0-1 answers: with an assignment, and an error without one', () => {
  for (const v of [0, 1]) {
    golden(
      consumerGroupHeartbeatApi,
      'response',
      v,
      {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        memberId: 'm',
        memberEpoch: 5,
        heartbeatIntervalMs: 5000,
        assignment: { topicPartitions: [{ topicId: id, partitions: [2] }] },
      },
      ['00000000 0000 00', '02 6d', '00000005', '00001388', `01 02 ${idHex} 02 00000002 00 00`, '00'],
    );
    golden(
      consumerGroupHeartbeatApi,
      'response',
      v,
      {
        throttleTimeMs: 0,
        errorCode: 110,
        errorMessage: 'x',
        memberId: null,
        memberEpoch: -1,
        heartbeatIntervalMs: 0,
        assignment: null,
      },
      ['00000000 006e 02 78', '00', 'ffffffff', '00000000', 'ff', '00'],
    );
  }
});

test('ConsumerGroupDescribe v0-1: a request; a group with one member (v1 adds its MemberType)', () => {
  for (const v of [0, 1]) {
    golden(consumerGroupDescribeApi, 'request', v, { groupIds: ['g'], includeAuthorizedOperations: false }, [
      '02 02 67',
      '00',
      '00',
    ]);
    golden(
      consumerGroupDescribeApi,
      'response',
      v,
      {
        throttleTimeMs: 0,
        groups: [
          {
            errorCode: 0,
            errorMessage: null,
            groupId: 'g',
            groupState: 'u',
            groupEpoch: 3,
            assignmentEpoch: 3,
            assignorName: 'u',
            members: [
              {
                memberId: 'm',
                instanceId: null,
                rackId: null,
                memberEpoch: 3,
                clientId: 'f',
                clientHost: 'x',
                subscribedTopicNames: ['t'],
                subscribedTopicRegex: null,
                assignment: { topicPartitions: [{ topicId: id, topicName: 't', partitions: [0] }] },
                targetAssignment: { topicPartitions: [] },
                ...(v >= 1 ? { memberType: 1 } : {}),
              },
            ],
            authorizedOperations: -2147483648,
          },
        ],
      },
      [
        '00000000',
        '02 0000 00 02 67 02 75 00000003 00000003 02 75',
        '02 02 6d 00 00 00000003 02 66 02 78 02 02 74 00',
        `02 ${idHex} 02 74 02 00000000 00 00`,
        '01 00',
        v >= 1 ? '01' : '',
        '00',
        '80000000 00',
        '00',
      ],
    );
  }
});
