// ConsumerGroupDescribe (key 69), KIP-848: the state of "consumer" type groups with their
// members' subscriptions, current and target assignments. Kafka 3.9: version 0; Kafka 4.x: 0-1,
// flexible 0+. v1 adds each member's MemberType (KIP-1099: 0 classic, 1 consumer, -1 unknown).
//
// Request:  GroupIds [string], IncludeAuthorizedOperations bool
// Response: ThrottleTimeMs, Groups [ErrorCode, ErrorMessage nullable (null), GroupId, GroupState,
//             GroupEpoch int32, AssignmentEpoch int32, AssignorName,
//             Members [MemberId, InstanceId nullable (null), RackId nullable (null), MemberEpoch int32,
//               ClientId, ClientHost, SubscribedTopicNames [string], SubscribedTopicRegex nullable
//               (null), Assignment {TopicPartitions [TopicId uuid, TopicName, Partitions [int32]]},
//               TargetAssignment {same}, v1+ MemberType int8 (-1)],
//             AuthorizedOperations int32 (INT32_MIN)]
// Who calls: src/broker/group/consumer-group-apis.ts (server), src/client/consumer-group-client.ts.
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const assignment = struct([
  field(
    'topicPartitions',
    array(
      struct([
        field('topicId', 'uuid', '0+'),
        field('topicName', 'string', '0+'),
        field('partitions', array('int32'), '0+'),
      ]),
    ),
    '0+',
  ),
]);

const requestSchema = message('ConsumerGroupDescribeRequest', '0+', [
  field('groupIds', array('string'), '0+'),
  field('includeAuthorizedOperations', 'bool', '0+'),
]);

const responseSchema = message('ConsumerGroupDescribeResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field(
    'groups',
    array(
      struct([
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
        field('groupId', 'string', '0+'),
        field('groupState', 'string', '0+'),
        field('groupEpoch', 'int32', '0+'),
        field('assignmentEpoch', 'int32', '0+'),
        field('assignorName', 'string', '0+'),
        field(
          'members',
          array(
            struct([
              field('memberId', 'string', '0+'),
              field('instanceId', 'string', '0+', { nullable: '0+', default: null }),
              field('rackId', 'string', '0+', { nullable: '0+', default: null }),
              field('memberEpoch', 'int32', '0+'),
              field('clientId', 'string', '0+'),
              field('clientHost', 'string', '0+'),
              field('subscribedTopicNames', array('string'), '0+'),
              field('subscribedTopicRegex', 'string', '0+', { nullable: '0+', default: null }),
              field('assignment', assignment, '0+'),
              field('targetAssignment', assignment, '0+'),
              field('memberType', 'int8', '1+', { default: -1 }),
            ]),
          ),
          '0+',
        ),
        field('authorizedOperations', 'int32', '0+', { default: -2147483648 }),
      ]),
    ),
    '0+',
  ),
]);

export interface ConsumerGroupDescribeRequest extends MessageValue<typeof requestSchema> {}
export interface ConsumerGroupDescribeResponse extends MessageValue<typeof responseSchema> {}
export type ConsumerGroupDescribeResponseInput = MessageInput<typeof responseSchema>;

export const consumerGroupDescribeApi = defineApi({
  key: 69,
  name: 'ConsumerGroupDescribe',
  minVersion: 0,
  maxVersion: 1,
  request: requestSchema,
  response: responseSchema,
});
