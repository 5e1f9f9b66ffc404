// DescribeGroups (key 15). Kafka 3.9: versions 0-5; 4.1: 0-6; flexible 5+. raftka serves 0-6
// (librdkafka sends 4, kafkajs 2). v6 (KIP-1043) adds an ErrorMessage and answers a group that
// does not exist with GROUP_ID_NOT_FOUND (older versions: error NONE, state Dead).
//
// Request:  Groups [string], v3+ IncludeAuthorizedOperations bool
// Response: v1+ ThrottleTimeMs, Groups [ErrorCode, v6+ ErrorMessage nullable (null), GroupId,
//             GroupState, ProtocolType, ProtocolData,
//             Members [MemberId, v4+ GroupInstanceId nullable (null), ClientId, ClientHost,
//               MemberMetadata bytes, MemberAssignment bytes], v3+ AuthorizedOperations int32 (INT32_MIN)]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const describeGroupsRequestSchema = message('DescribeGroupsRequest', '5+', [
  field('groups', array('string'), '0+'),
  field('includeAuthorizedOperations', 'bool', '3+', { optional: true }),
]);

const describeGroupsResponseSchema = message('DescribeGroupsResponse', '5+', [
  field('throttleTimeMs', 'int32', '1+', { default: 0 }),
  field(
    'groups',
    array(
      struct([
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '6+', { nullable: '6+', default: null }),
        field('groupId', 'string', '0+'),
        field('groupState', 'string', '0+'),
        field('protocolType', 'string', '0+'),
        field('protocolData', 'string', '0+'),
        field(
          'members',
          array(
            struct([
              field('memberId', 'string', '0+'),
              field('groupInstanceId', 'string', '4+', { nullable: '4+', default: null }),
              field('clientId', 'string', '0+'),
              field('clientHost', 'string', '0+'),
              field('memberMetadata', 'bytes', '0+'),
              field('memberAssignment', 'bytes', '0+'),
            ]),
          ),
          '0+',
        ),
        field('authorizedOperations', 'int32', '3+', { default: -2147483648 }),
      ]),
    ),
    '0+',
  ),
]);

export interface DescribeGroupsRequest extends MessageValue<typeof describeGroupsRequestSchema> {}
export type DescribeGroupsResponseInput = MessageInput<typeof describeGroupsResponseSchema>;

export const describeGroupsApi = defineApi({
  key: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 6,
  request: describeGroupsRequestSchema,
  response: describeGroupsResponseSchema,
});
export const {
  decodeRequest: decodeDescribeGroupsRequest,
  encodeRequest: encodeDescribeGroupsRequest,
  decodeResponse: decodeDescribeGroupsResponse,
  encodeResponse: encodeDescribeGroupsResponse,
} = describeGroupsApi;
