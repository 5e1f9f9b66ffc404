// LeaveGroup (key 13). Kafka 3.9 and 4.1: versions 0-5, flexible 4+. raftka serves 0-5 (librdkafka
// needs v0 advertised and sends 1, kafkajs sends 3). v3 replaced the single MemberId with a Members
// batch; v5 adds each member's Reason (KIP-800), which the coordinator logs.
//
// Request:  GroupId, v0-2 MemberId, v3+ Members [MemberId, GroupInstanceId nullable (null),
//           v5+ Reason nullable (null)]
// Response: v1+ ThrottleTimeMs, ErrorCode, v3+ Members [MemberId, GroupInstanceId nullable, ErrorCode]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const leaveGroupRequestSchema = message('LeaveGroupRequest', '4+', [
  field('groupId', 'string', '0+'),
  field('memberId', 'string', '0-2', { optional: true }),
  field(
    'members',
    array(
      struct([
        field('memberId', 'string', '3+'),
        field('groupInstanceId', 'string', '3+', { nullable: '3+', default: null }),
        field('reason', 'string', '5+', { nullable: '5+', default: null }),
      ]),
    ),
    '3+',
    { optional: true },
  ),
]);

const leaveGroupResponseSchema = message('LeaveGroupResponse', '4+', [
  field('throttleTimeMs', 'int32', '1+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field(
    'members',
    array(
      struct([
        field('memberId', 'string', '3+'),
        field('groupInstanceId', 'string', '3+', { nullable: '3+' }),
        field('errorCode', 'int16', '3+'),
      ]),
    ),
    '3+',
    { optional: true },
  ),
]);

export interface LeaveGroupRequest extends MessageValue<typeof leaveGroupRequestSchema> {}
export type LeaveGroupResponseInput = MessageInput<typeof leaveGroupResponseSchema>;

export const leaveGroupApi = defineApi({
  key: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 5,
  request: leaveGroupRequestSchema,
  response: leaveGroupResponseSchema,
});
export const {
  decodeRequest: decodeLeaveGroupRequest,
  encodeRequest: encodeLeaveGroupRequest,
  decodeResponse: decodeLeaveGroupResponse,
  encodeResponse: encodeLeaveGroupResponse,
} = leaveGroupApi;
